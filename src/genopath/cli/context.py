"""What every command needs: settings, the registry, the acting user, errors and output."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from genopath.core.errors import ConfigurationError, GenopathError
from genopath.core.files import write_text_atomic
from genopath.core.settings import Environment, Settings

if TYPE_CHECKING:  # the registry (SQLAlchemy, alembic) is imported only by commands that use it
    from sqlalchemy.orm import Session

    from genopath.registry import Actor, Registry

# Piped or captured output is not cut to 80 columns: a log or a test reads whole rows.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


@dataclass
class CliState:
    """Options given before the command: data home and acting user."""

    home: Path | None = None
    user: str | None = None


STATE = CliState()


def load_settings() -> Settings:
    """Settings from the environment, with ``--home`` taking precedence."""
    with errors():
        return Settings(home=STATE.home) if STATE.home else Settings()


@contextmanager
def errors() -> Iterator[None]:
    """Print a genopath error as one red line and exit with status 2; nothing else is caught."""
    try:
        yield
    except GenopathError as e:
        err_console.print(f"[bold red]error:[/] {escape(e.message)}", soft_wrap=True)
        raise typer.Exit(code=2) from e


@contextmanager
def work() -> Iterator[tuple[Registry, Session, Actor]]:
    """Open the registry, authenticate the acting user and run the command in one transaction.

    The acting user is ``--user`` (password from ``GENOPATH_PASSWORD`` or a prompt); without
    it, the local operator acts as a programme-wide administrator (``local:<os user>``).
    """
    from genopath.registry import Registry

    with errors():
        settings = load_settings()
        registry = Registry(settings)
        try:
            with registry.transaction() as session:
                yield registry, session, _actor(session, settings)
        finally:
            registry.dispose()


def _actor(session: Session, settings: Settings) -> Actor:
    from genopath.registry import Actor
    from genopath.registry.users import authenticate

    if STATE.user is None:
        if settings.environment is not Environment.DEVELOPMENT:
            raise ConfigurationError(
                f"in the {settings.environment.value} environment every command needs a user: "
                "give --user NAME (or GENOPATH_USER) and the password in GENOPATH_PASSWORD or at the prompt"
            )
        return Actor.system()
    password = os.environ.get("GENOPATH_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {STATE.user}", hide_input=True)
    return authenticate(session, STATE.user, password)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as a table, or say there are none."""
    if not rows:
        console.print(f"no {title.lower()}")
        return
    out = Table(title=title, title_justify="left")
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*["" if v is None else escape(str(v)) for v in row])
    console.print(out)


def emit(text: str, out: Path | None) -> None:
    """Write ``text`` atomically to ``out``, or print it when no file is given."""
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        write_text_atomic(out, text)
        err_console.print(f"wrote {out}")


def ok(message: str) -> None:
    """Confirm a change on one line."""
    console.print(f"[green]✓[/] {escape(message)}")


class ProgressBars:
    """Draws a domain's progress steps (:class:`genopath.resources.Progress`) as rich bars on stderr.

    ``unit`` is ``"bytes"`` for downloads and file builds, ``"items"`` for records or variants.
    """

    def __init__(self, unit: str = "bytes") -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn() if unit == "bytes" else MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressBars:
        self._progress.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._progress.stop()

    def begin(self, label: str, total: int | None = None) -> None:
        self._task = self._progress.add_task(label, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def end(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
