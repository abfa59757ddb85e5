"""``genopath resources``: fetch, build and list reference resources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from genopath.cli.context import ProgressBars, console, err_console, errors, load_settings, ok, table

if TYPE_CHECKING:
    from genopath.resources import InstalledResource

resources_app = typer.Typer(
    help="Reference resources (HPO, MANE, GENCODE, ClinVar, constraint, PanelApp, ACMG SF, "
    "reference FASTA): fetch, build, status.",
    no_args_is_help=True,
)


def _report(resources: list[InstalledResource]) -> None:
    for r in resources:
        subset = f" ({r.subset})" if r.subset else ""
        ok(f"{r.name} {r.version}{subset} installed in {r.path}")


@resources_app.command()
def fetch(
    names: list[str] | None = typer.Argument(None, help="Resources to fetch (default: all)"),
    build: bool = typer.Option(
        True, "--build/--no-build", help="Build each resource once its files verified"
    ),
) -> None:
    """Download resources (programme mirror first, then public URLs), verify sha256, then build.

    Downloads resume where they stopped; files go to <home>/resources/.downloads.
    """
    from genopath.resources import RESOURCES, build_resources, fetch_resource, get_resource
    from genopath.resources.store import downloads_dir

    settings = load_settings()
    with errors():
        wanted = [get_resource(n) for n in names] if names else list(RESOURCES.values())
        built: list[InstalledResource] = []
        with ProgressBars() as bars:
            for resource in wanted:
                fetched = fetch_resource(settings, resource, bars)
                reused = sum(1 for f in fetched if f.url is None)
                err_console.print(
                    f"fetched {resource.name} {resource.version}: {len(fetched)} files ({reused} already here)"
                )
                if build:
                    built += build_resources(
                        settings, [resource.name], source=downloads_dir(settings), progress=bars
                    )
    _report(built)
    if not build:
        console.print("run `genopath resources build NAME` to build what was fetched")


@resources_app.command()
def build(
    names: list[str] | None = typer.Argument(
        None, help="Resources to build (default: all the source provides)"
    ),
    source: Path | None = typer.Option(
        None,
        "--from",
        help="Folder laid out like the reference-data mirror, or a bundle with MANIFEST.json "
        "(default: GENOPATH_RESOURCE_MIRROR, else the download area)",
    ),
    fasta: Path | None = typer.Option(
        None, "--fasta", help="A bgzipped, faidx-indexed GRCh38 FASTA to install as 'reference'"
    ),
    demo_bundle: bool = typer.Option(
        False, "--demo-bundle", help="Build from the demo bundle shipped with genopath"
    ),
) -> None:
    """Build resources into fast local tables and make them current (atomically)."""
    from genopath.resources import build_resources, bundle_path

    settings = load_settings()
    with errors():
        if demo_bundle and source is not None:
            raise typer.BadParameter("give either --from or --demo-bundle")
        with ProgressBars() as bars:
            done = build_resources(
                settings,
                names or [],
                source=bundle_path() if demo_bundle else source,
                fasta=fasta,
                progress=bars,
            )
    _report(done)


@resources_app.command()
def status() -> None:
    """Installed resources: versions, which is current, licence, subset flag and path."""
    from genopath.resources import embedded_hpo_release, resource_status

    settings = load_settings()
    with errors():
        rows = resource_status(settings)
    table(
        "Resources",
        ("name", "installed", "current", "licence", "subset", "path"),
        [
            (
                r.name,
                ", ".join(r.versions) or "missing",
                r.current or "",
                r.licence.split(";")[0],
                r.subset or "",
                str(r.path) if r.path else "",
            )
            for r in rows
        ],
    )
    hpo = embedded_hpo_release()
    console.print(f"HPO release embedded in hpo3 (used by the registry): {hpo or 'unavailable'}")
    for r in rows:
        if r.hint:
            console.print(f"missing {r.name}: {r.hint}")
