"""Shared fixtures: a migrated registry on SQLite always, and on PostgreSQL when one answers.

PostgreSQL is found at ``GENOPATH_TEST_POSTGRES_URL`` (default: the local server on
127.0.0.1:5432, database ``postgres``). Each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from genopath.core.settings import Settings
from genopath.registry import Actor, Registry, init_database
from genopath.registry.terms import Role

POSTGRES_URL = os.environ.get(
    "GENOPATH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here, or ``None`` when they can (checked once)."""
    if "reason" not in _pg_state:
        try:
            engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except OperationalError as e:
            _pg_state["reason"] = f"PostgreSQL not reachable at {POSTGRES_URL}: {str(e.orig).strip()}"
        except ModuleNotFoundError as e:
            _pg_state["reason"] = f"PostgreSQL driver missing: {e}"
    return _pg_state["reason"]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    name = f"genopath_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings of a fresh installation, once per database backend."""
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    return Settings(home=tmp_path / "home", database_url=url)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings of a fresh SQLite installation, for tests that need only one backend."""
    return Settings(home=tmp_path / "home")


@pytest.fixture
def registry(settings: Settings) -> Iterator[Registry]:
    """A migrated, empty registry on each backend."""
    reg = init_database(settings)
    yield reg
    reg.dispose()


@pytest.fixture
def admin() -> Actor:
    """The local programme-wide administrator."""
    return Actor.system("tester")


@pytest.fixture
def programme(registry: Registry, admin: Actor) -> Registry:
    """A registry with centres HKCH and PWH and one adult participant P000001 at HKCH
    (female, born 1990-04-02) who has no consent yet."""
    from genopath.registry import centres, participants, vault
    from genopath.registry.terms import Sex

    with registry.transaction() as s:
        centres.add_centre(s, admin, "HKCH", "Hong Kong Children's Hospital")
        centres.add_centre(s, admin, "PWH", "Prince of Wales Hospital")
        p = participants.new_participant(s, admin, centre="HKCH", sex=Sex.FEMALE)
        vault.store_identity(
            s,
            admin,
            registry.cipher,
            p,
            vault.Identity(name="Chan Tai Man", id_card_number="A123456(7)", date_of_birth=date(1990, 4, 2)),
        )
    return registry


def clinician_at(centre: str) -> Actor:
    """A centre-bound clinician actor."""
    return Actor(username=f"dr.{centre.lower()}", role=Role.CLINICIAN, centre=centre)
