"""The ``genopath`` application: global options and one command group per domain."""

from __future__ import annotations

import os
from pathlib import Path

import typer

import genopath
from genopath.cli import annotate, clinical, genome, interpret, lab, people, pgx, resources, simulate
from genopath.cli.context import STATE, errors, load_settings, ok
from genopath.core.logging import configure_logging

app = typer.Typer(
    help="genopath: the genomic medicine pathway of a national genome programme.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
registry_app = typer.Typer(
    help="Participants, families, consent, phenotypes, samples, cases and the audit log.",
    no_args_is_help=True,
)
for sub, name in (
    (people.centre_app, "centre"),
    (people.user_app, "user"),
    (people.participant_app, "participant"),
    (clinical.family_app, "family"),
    (clinical.phenotype_app, "phenotype"),
    (clinical.consent_app, "consent"),
    (lab.sample_app, "sample"),
    (lab.case_app, "case"),
    (lab.audit_app, "audit"),
):
    registry_app.add_typer(sub, name=name)
app.add_typer(registry_app, name="registry")
app.add_typer(resources.resources_app, name="resources")
app.add_typer(genome.genome_app, name="genome")
app.command("annotate")(annotate.annotate)
app.command("pgx")(pgx.pgx)
app.command("interpret")(interpret.interpret)
app.command("explain")(interpret.explain)
app.add_typer(interpret.case_app, name="case")
app.command("simulate")(simulate.simulate)


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
