"""Settings: safe defaults in development only, environment variables, the default database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from genopath.core.errors import ConfigurationError
from genopath.core.settings import (
    DEVELOPMENT_SECRET,
    DEVELOPMENT_VAULT_KEY,
    Environment,
    Settings,
)

GOOD_SECRET = "s" * 48
GOOD_VAULT = "v" * 48


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No GENOPATH_* variables from the caller's shell and no stray .env: run in an empty folder."""
    for name in list(os.environ):
        if name.startswith("GENOPATH_"):
            monkeypatch.delenv(name)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_settings__development_accepts_defaults() -> None:
    s = Settings()
    assert s.environment is Environment.DEVELOPMENT
    assert s.secret_key.get_secret_value() == DEVELOPMENT_SECRET
    assert s.vault_key.get_secret_value() == DEVELOPMENT_VAULT_KEY
    assert s.database_url is None


@pytest.mark.parametrize("environment", ["production", "test"])
def test_settings__default_secret_key_refused(environment: str) -> None:
    with pytest.raises(ConfigurationError) as e:
        Settings(environment=environment, vault_key=GOOD_VAULT)
    assert "GENOPATH_SECRET_KEY" in e.value.message
    assert "GENOPATH_VAULT_KEY" not in e.value.message
    assert environment in e.value.message


@pytest.mark.parametrize("environment", ["production", "test"])
def test_settings__default_vault_key_refused(environment: str) -> None:
    with pytest.raises(ConfigurationError) as e:
        Settings(environment=environment, secret_key=GOOD_SECRET)
    assert "GENOPATH_VAULT_KEY" in e.value.message
    assert "GENOPATH_SECRET_KEY" not in e.value.message


def test_settings__production_with_no_keys_names_a_key() -> None:
    with pytest.raises(ConfigurationError, match="GENOPATH_SECRET_KEY"):
        Settings(environment="production")


@pytest.mark.parametrize("field", ["secret_key", "vault_key"])
def test_settings__short_key_refused(field: str) -> None:
    keys = {"secret_key": GOOD_SECRET, "vault_key": GOOD_VAULT, field: "k" * 31}
    with pytest.raises(ConfigurationError, match=f"GENOPATH_{field.upper()}.*shorter than 32"):
        Settings(environment="production", **keys)


def test_settings__32_character_keys_accepted_in_production() -> None:
    s = Settings(environment="production", secret_key="a" * 32, vault_key="b" * 32)
    assert s.environment is Environment.PRODUCTION


def test_settings__production_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENOPATH_ENVIRONMENT", "production")
    with pytest.raises(ConfigurationError, match="GENOPATH_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("GENOPATH_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("GENOPATH_VAULT_KEY", GOOD_VAULT)
    s = Settings()
    assert (s.environment, s.secret_key.get_secret_value(), s.vault_key.get_secret_value()) == (
        Environment.PRODUCTION,
        GOOD_SECRET,
        GOOD_VAULT,
    )


def test_settings__effective_database_url_defaults_to_sqlite_in_home(tmp_path: Path) -> None:
    home = tmp_path / "data home"
    url = make_url(Settings(home=home).effective_database_url)
    assert url.drivername == "sqlite"
    assert Path(url.database) == (home / "genopath.db").resolve()


def test_settings__relative_home_resolved_against_working_directory(clean_environment: Path) -> None:
    url = make_url(Settings().effective_database_url)
    assert Path(url.database) == clean_environment.resolve() / "genopath-data" / "genopath.db"
    assert Path(url.database).is_absolute()


def test_settings__explicit_database_url_kept(tmp_path: Path) -> None:
    pg = "postgresql+psycopg://genopath@db.example/genopath"
    assert Settings(home=tmp_path, database_url=pg).effective_database_url == pg


def test_settings__genopath_home_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    monkeypatch.setenv("GENOPATH_HOME", str(home))
    s = Settings()
    assert s.home == home
    assert Path(make_url(s.effective_database_url).database) == (home / "genopath.db").resolve()


def test_settings__dotenv_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path, tmp_path: Path
) -> None:
    (clean_environment / ".env").write_text(
        f"GENOPATH_HOME={tmp_path / 'from-dotenv'}\nGENOPATH_LOG_LEVEL=DEBUG\n"
    )
    s = Settings()
    assert (s.home, s.log_level) == (tmp_path / "from-dotenv", "DEBUG")
    monkeypatch.setenv("GENOPATH_HOME", str(tmp_path / "from-env"))
    assert Settings().home == tmp_path / "from-env"


def test_settings__database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENOPATH_DATABASE_URL", "sqlite:////srv/genopath/registry.db")
    assert Settings().effective_database_url == "sqlite:////srv/genopath/registry.db"
