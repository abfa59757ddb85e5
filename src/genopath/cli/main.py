"""The ``genopath`` application: global options and one command group per domain."""

from __future__ import annotations

import atexit
import functools
import gc
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:  # typer's own click (vendored by recent typer releases)
    from typer import _click as click

import genopath
from genopath.cli.context import STATE, errors, load_settings, ok
from genopath.core.logging import configure_logging


@functools.cache  # registered once
def freeze_at_exit() -> None:
    """Have every object moved to the collector's permanent generation as the process exits.

    The interpreter's shutdown then frees the modules by reference counting, without the
    collection passes that traverse everything still alive (about 0.07 s for a command that
    loaded Arrow and NumPy). Cyclic garbage left at exit is then not finalised, so a
    command asks for this only when it has closed everything it wrote (``genopath annotate``).
    Not when DuckDB is loaded: its nanobind bindings report objects left alive at exit as leaks."""
    atexit.register(_freeze)


def _freeze() -> None:
    if "duckdb" not in sys.modules:
        gc.freeze()


#: Top-level commands imported only when used, so that ``genopath pgx`` does not pay for the
#: registry, SQLAlchemy, Arrow or hpo3: name → (module, attribute: a Typer group or a function).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "registry": ("genopath.cli.registry", "registry_app"),
    "resources": ("genopath.cli.resources", "resources_app"),
    "genome": ("genopath.cli.genome", "genome_app"),
    "annotate": ("genopath.cli.annotate", "annotate"),
    "pgx": ("genopath.cli.pgx", "pgx"),
    "interpret": ("genopath.cli.interpret", "interpret"),
    "explain": ("genopath.cli.interpret", "explain"),
    "case": ("genopath.cli.interpret", "case_app"),
    "simulate": ("genopath.cli.simulate", "simulate"),
}


class LazyGroup(TyperGroup):
    """The root group: lists every command, imports a command's module only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*LAZY_COMMANDS, *(n for n in super().list_commands(ctx) if n not in LAZY_COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return super().get_command(ctx, cmd_name)


def load_command(name: str) -> click.Command:
    """Import one lazily registered command and turn it into a click command named ``name``."""
    module, attribute = LAZY_COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command: click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


app = typer.Typer(
    cls=LazyGroup,
    help="genopath: the genomic medicine pathway of a national genome programme.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"genopath {genopath.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    home: Path | None = typer.Option(
        None, envvar="GENOPATH_HOME", help="Data home (default ./genopath-data)"
    ),
    user: str | None = typer.Option(
        None,
        envvar="GENOPATH_USER",
        help="Act as this user (password from GENOPATH_PASSWORD or a prompt); "
        "default: the local operator as administrator",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version"
    ),
) -> None:
    """Global options, applied before any command."""
    STATE.home, STATE.user = home, user
    configure_logging(os.environ.get("GENOPATH_LOG_LEVEL", "INFO"))


@app.command()
def init() -> None:
    """Create the data home and the database, or upgrade its schema; safe to re-run."""
    from genopath.registry import init_database
    from genopath.registry.db import head_revision

    settings = load_settings()
    with errors():
        init_database(settings).dispose()
    ok(f"data home {settings.home.resolve()} ready (database schema {head_revision()})")


@app.command()
def demo(
    home: Path = typer.Option(Path("genopath-demo"), help="Where to build the demo programme"),
    fresh: bool = typer.Option(True, help="Start from an empty demo home"),
) -> None:
    """Set up a small demonstration programme and print a summary of it."""
    from genopath.cli.demo_view import print_summary
    from genopath.demo import build_demo

    with errors():
        summary = build_demo(home, fresh=fresh)
    print_summary(summary)


if __name__ == "__main__":  # pragma: no cover
    app()
