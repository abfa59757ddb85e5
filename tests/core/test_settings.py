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


# The loader: conversion, names, the .env file and errors that name the variable.


@pytest.mark.parametrize("gq", ["30", "30.0", " 30"])
def test_settings__numbers_from_the_environment_are_converted(
    monkeypatch: pytest.MonkeyPatch, gq: str
) -> None:
    monkeypatch.setenv("GENOPATH_QC_MIN_MEAN_DP", "12.5")
    monkeypatch.setenv("GENOPATH_QC_MIN_CALL_GQ", gq)
    s = Settings()
    assert (s.qc_min_mean_dp, s.qc_min_call_gq) == (12.5, 30)
    assert type(s.qc_min_mean_dp) is float and type(s.qc_min_call_gq) is int


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("GENOPATH_QC_MIN_MEAN_DP", "abc", "a number"),
        ("GENOPATH_QC_MIN_CALL_GQ", "20.5", "a whole number"),
        ("GENOPATH_QC_MIN_CALL_GQ", "nan", "a whole number"),
        ("GENOPATH_ENVIRONMENT", "staging", "one of development, test, production"),
    ],
)
def test_settings__unconvertible_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as e:
        Settings()
    assert e.value.message.startswith(f"{variable} must be {expected}, not {value!r}")


def test_settings__python_values_are_checked_too() -> None:
    with pytest.raises(ConfigurationError, match="GENOPATH_QC_MIN_CALL_GQ must be a whole number"):
        Settings(qc_min_call_gq=2.5)
    with pytest.raises(ConfigurationError, match="GENOPATH_HOME must be a path"):
        Settings(home=3)
    with pytest.raises(ConfigurationError, match="GENOPATH_QC_TITV_MIN must be a number"):
        Settings(qc_titv_min=True)
    with pytest.raises(
        ConfigurationError, match="GENOPATH_VAULT_KEY must be a string, not a value of type int"
    ) as e:
        Settings(vault_key=12345678901234567890123456789012345)
    assert "1234" not in e.value.message
    assert Settings(home="here", qc_titv_min=2).home == Path("here")
    assert type(Settings(qc_titv_min=2).qc_titv_min) is float


def test_settings__unknown_keyword_refused() -> None:
    with pytest.raises(TypeError, match="unknown settings hom"):
        Settings(hom="x")


def test_settings__lowercase_names_and_other_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("genopath_log_level", "DEBUG")
    monkeypatch.setenv("GENOPATH_PASSWORD", "not a setting")  # read by the CLI, not here
    monkeypatch.setenv("LOG_LEVEL", "ERROR")  # no prefix: not ours
    assert Settings().log_level == "DEBUG"


def test_settings__empty_optional_value_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENOPATH_DATABASE_URL", "")
    monkeypatch.setenv("GENOPATH_RESOURCE_MIRROR", "")
    s = Settings()
    assert (s.database_url, s.resource_mirror) == (None, None)


def test_settings__keywords_win_over_environment_over_dotenv(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path
) -> None:
    (clean_environment / ".env").write_text("GENOPATH_LOG_LEVEL=WARNING\nGENOPATH_QC_TITV_MIN=1.5\n")
    monkeypatch.setenv("GENOPATH_LOG_LEVEL", "DEBUG")
    s = Settings(qc_titv_min=1.7)
    assert (s.log_level, s.qc_titv_min) == ("DEBUG", 1.7)
    assert Settings().qc_titv_min == 1.5


def test_settings__dotenv_syntax(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("SITE_ROOT", str(tmp_path))
    (clean_environment / ".env").write_text(
        "\ufeff# a comment after a byte-order mark\n"
        "\n"
        "export GENOPATH_LOG_LEVEL=DEBUG  # trailing comment\n"
        "GENOPATH_DATABASE_URL='sqlite:////srv/a #b.db'\n"
        'GENOPATH_RESOURCE_BASE_URL = "https://mirror.example/genopath"\n'
        'GENOPATH_SECRET_KEY="ab\\"cd\\\\ef"\n'
        "GENOPATH_HOME=${SITE_ROOT}/genopath\n"
        "GENOPATH_REFERENCE_FASTA\n"
        "OTHER_TOOL_LINE without an equals sign\n",
        encoding="utf-8",
    )
    s = Settings()
    assert s.log_level == "DEBUG"
    assert s.database_url == "sqlite:////srv/a #b.db"
    assert s.resource_base_url == "https://mirror.example/genopath"
    assert s.secret_key.get_secret_value() == 'ab"cd\\ef'  # escapes in double quotes
    assert s.home == tmp_path / "genopath"  # ${VAR} expanded
    assert s.reference_fasta is None  # a name without a value is unset


def test_settings__malformed_dotenv_line_is_skipped_without_its_text(
    clean_environment: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (clean_environment / ".env").write_text("GENOPATH_LOG_LEVEL=DEBUG\nGENOPATH_SECRET_KEY: s3cr3t-value\n")
    with caplog.at_level("WARNING"):
        s = Settings()
    assert s.log_level == "DEBUG" and s.secret_key.get_secret_value() == DEVELOPMENT_SECRET
    assert "line 2" in caplog.text and "s3cr3t" not in caplog.text


def test_settings__replace_converts_and_checks(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path, tmp_path: Path
) -> None:
    s = Settings(log_level="DEBUG")
    monkeypatch.setenv("GENOPATH_QC_TITV_MIN", "1.0")  # read when s was made: not again
    (clean_environment / ".env").write_text("GENOPATH_QC_TITV_MAX=9\n")
    moved = s.replace(home=str(tmp_path))
    assert (moved.home, moved.log_level, s.home) == (tmp_path, "DEBUG", Path("genopath-data"))
    assert (moved.qc_titv_min, moved.qc_titv_max) == (s.qc_titv_min, s.qc_titv_max) == (1.8, 2.4)
    assert moved == s.replace(home=tmp_path) and moved != s
    with pytest.raises(ConfigurationError, match="GENOPATH_SECRET_KEY"):
        s.replace(environment="production")
    with pytest.raises(ConfigurationError, match="GENOPATH_QC_MIN_CALL_GQ must be a whole number"):
        s.replace(qc_min_call_gq="20.5")
    with pytest.raises(TypeError, match="unknown settings hom"):
        s.replace(hom=tmp_path)


def test_settings__secrets_do_not_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENOPATH_SECRET_KEY", GOOD_SECRET)
    s = Settings()
    assert GOOD_SECRET not in repr(s) and GOOD_SECRET not in str(s)
    assert s.secret_key.get_secret_value() == GOOD_SECRET


def test_settings__are_frozen() -> None:
    s = Settings()
    with pytest.raises(AttributeError):
        s.home = Path("elsewhere")  # type: ignore[misc]


def test_settings__every_variable_is_documented() -> None:
    documented = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    missing = [
        f"GENOPATH_{name.upper()}"
        for name in Settings.__dataclass_fields__
        if f"`GENOPATH_{name.upper()}`" not in documented
    ]
    assert not missing, f"add to docs/configuration.md: {missing}"
