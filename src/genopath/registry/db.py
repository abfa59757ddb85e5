"""Connection, transactions and schema migrations of the operational database.

One :class:`Registry` per process wraps the engine. All work happens inside
:meth:`Registry.transaction`: everything in the block commits together or not at all, so a
refused input changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from genopath.core.errors import ConfigurationError
from genopath.core.settings import Settings
from genopath.registry.vault import VaultCipher

MIGRATIONS = Path(__file__).with_name("migrations")
log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys enforced and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the packaged migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema of ``engine``'s database to the newest migration."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration shipped with this genopath."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


class Registry:
    """The operational database of one installation.

    Parameters
    ----------
    settings
        Where the database is (``settings.effective_database_url``) and the vault key.
    check_schema
        Refuse to work on a database that ``genopath init`` has not brought up to date.
    """

    def __init__(self, settings: Settings, *, check_schema: bool = True) -> None:
        self.settings = settings
        self.engine = make_engine(settings.effective_database_url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.cipher = VaultCipher(settings.vault_key.get_secret_value())
        if check_schema:
            self._check_schema()

    def _check_schema(self) -> None:
        database = self.engine.url.database
        if self.engine.url.get_backend_name() == "sqlite" and database and not Path(database).exists():
            raise ConfigurationError(f"no genopath database at {database}; run `genopath init` to create it")
        try:
            current = schema_revision(self.engine)
        except OperationalError as e:
            raise ConfigurationError(
                f"cannot open the database at {self.engine.url.render_as_string()}: {e.orig}; "
                "check GENOPATH_DATABASE_URL, or run `genopath init`"
            ) from e
        head = head_revision()
        if current != head:
            found = "an empty database" if current is None else f"schema revision {current}"
            raise ConfigurationError(
                f"the database at {self.engine.url.render_as_string()} has {found}, but this "
                f"genopath needs revision {head}; run `genopath init` to create or upgrade it"
            )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on any error."""
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def init_database(settings: Settings) -> Registry:
    """Create the data home and bring the database schema up to date; idempotent."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    try:
        before = schema_revision(engine)
        migrate(engine)
        after = schema_revision(engine)
        if before != after:
            log.info(
                "database %s migrated from %s to schema %s",
                engine.url.render_as_string(),
                before or "empty",
                after,
            )
    finally:
        engine.dispose()
    return Registry(settings)
