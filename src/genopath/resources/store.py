"""Installed resources on disk: layout, atomic installation and lookup.

::

    <home>/resources/
      .downloads/<mirror path>(.part)      fetched files (``.part`` while incomplete)
      <name>/
        <version>/                         built tables + resource.json
        .<version>.tmp-XXXX/               a build in progress (never read; removed on the next run)
        current.json                       {"version": …}: which version other domains use

A build writes into a hidden temporary folder, renames it to ``<version>/`` when complete and
only then rewrites ``current.json`` (atomically). A failure or Ctrl-C at any point leaves the
previous installation in use.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import genopath
from genopath.core.files import temporary_folder, write_text_atomic
from genopath.core.settings import Settings
from genopath.resources.errors import ResourceMissing

RESOURCE_JSON = "resource.json"
CURRENT_JSON = "current.json"
_TMP_MARK = ".tmp-"
_OLD_MARK = ".old-"


@dataclass(frozen=True)
class InstalledResource:
    """A built resource that other domains read.

    Attributes
    ----------
    name
        Resource name (``clinvar``).
    version
        Upstream release it was built from (``2026-02-26``).
    path
        Folder holding its tables (``<home>/resources/clinvar/2026-02-26``).
    licence
        Licence of the data, to repeat wherever the data are shown.
    subset
        ``None`` for a full release, or what was left out (``"demo bundle"``).
    """

    name: str
    version: str
    path: Path
    licence: str
    subset: str | None


def resources_root(settings: Settings) -> Path:
    """``<home>/resources``."""
    return settings.home / "resources"


def downloads_dir(settings: Settings) -> Path:
    """``<home>/resources/.downloads``: where ``fetch`` puts verified upstream files."""
    return resources_root(settings) / ".downloads"


def install(
    settings: Settings,
    name: str,
    version: str,
    build: Callable[[Path], None],
    metadata: dict[str, Any],
) -> InstalledResource:
    """Build a resource version into a hidden folder, then publish it and make it current.

    Parameters
    ----------
    build
        Writes the tables into the folder it is given; may raise (or be interrupted) at any point.
    metadata
        Written to ``resource.json`` with ``name``, ``version``, ``genopath_version`` and
        ``built_at``; must hold ``licence`` and may hold ``subset``.

    Returns
    -------
    InstalledResource
        The new current installation.
    """
    root = resources_root(settings) / name
    root.mkdir(parents=True, exist_ok=True)
    clean_leftovers(root)
    tmp = temporary_folder(root, f".{version}{_TMP_MARK}")
    try:
        build(tmp)
        record = {
            "name": name,
            "version": version,
            **metadata,
            "genopath_version": genopath.__version__,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_text_atomic(tmp / RESOURCE_JSON, json.dumps(record, indent=2) + "\n")
        _publish(tmp, root / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_text_atomic(root / CURRENT_JSON, json.dumps({"version": version}) + "\n")
    return _read(root / version)


def _publish(tmp: Path, final: Path) -> None:
    # A rebuild of the same version moves the old folder aside first: rename cannot replace a
    # non-empty directory. The old one is removed only once the new one is in place.
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}{_OLD_MARK}{tmp.name.rsplit('-', 1)[-1]}")
        final.rename(old)
    try:
        tmp.rename(final)
    except BaseException:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def clean_leftovers(root: Path) -> list[Path]:
    """Remove temporary folders of interrupted builds under one resource folder; returns them."""
    removed = []
    for child in root.glob(".*"):
        if child.is_dir() and (_TMP_MARK in child.name or _OLD_MARK in child.name):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


def _read(folder: Path) -> InstalledResource:
    record = json.loads((folder / RESOURCE_JSON).read_text(encoding="utf-8"))
    return InstalledResource(
        name=record["name"],
        version=record["version"],
        path=folder,
        licence=record.get("licence", ""),
        subset=record.get("subset"),
    )


def read_record(resource: InstalledResource) -> dict[str, Any]:
    """The full ``resource.json`` of an installation (sources, attribution, built_at …)."""
    record: dict[str, Any] = json.loads((resource.path / RESOURCE_JSON).read_text(encoding="utf-8"))
    return record


def installed(settings: Settings) -> dict[str, InstalledResource]:
    """The current installation of every installed resource, by name."""
    root = resources_root(settings)
    found = {}
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        current = _current(folder)
        if current is not None:
            found[folder.name] = current
    return found


def installed_versions(settings: Settings, name: str) -> list[InstalledResource]:
    """Every complete installed version of ``name`` (current or not), oldest name first."""
    root = resources_root(settings) / name
    if not root.is_dir():
        return []
    return [
        _read(f)
        for f in sorted(root.iterdir())
        if not f.name.startswith(".") and (f / RESOURCE_JSON).is_file()
    ]


def _current(folder: Path) -> InstalledResource | None:
    marker = folder / CURRENT_JSON
    if folder.name.startswith(".") or not marker.is_file():
        return None
    version = json.loads(marker.read_text(encoding="utf-8"))["version"]
    target = folder / version
    return _read(target) if (target / RESOURCE_JSON).is_file() else None


def install_hint(name: str) -> str:
    """The commands that install ``name``."""
    if name == "reference":
        return (
            "run `genopath resources build reference --from DIR` (offline mirror), "
            "`genopath resources build reference --fasta GRCh38.fa.gz` or `genopath resources fetch reference`"
        )
    return f"run `genopath resources build {name} --from DIR` (offline mirror) or `genopath resources fetch {name}`"


def require(settings: Settings, name: str) -> InstalledResource:
    """The current installation of ``name``.

    Raises
    ------
    ResourceMissing
        When it is not installed; the message names the command that installs it.
    """
    current = _current(resources_root(settings) / name)
    if current is None:
        raise ResourceMissing(f"resource {name!r} is not installed in {settings.home}; {install_hint(name)}")
    return current


def versions(settings: Settings, names: Iterable[str]) -> dict[str, str]:
    """Name → current version of each named resource, for stamping output artefacts.

    Raises
    ------
    ResourceMissing
        When one of them is not installed.
    """
    return {name: require(settings, name).version for name in names}
