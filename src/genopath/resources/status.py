"""What is installed: each resource's versions, which is current, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from genopath.core.settings import Settings
from genopath.resources.manifest import RESOURCES
from genopath.resources.store import install_hint, installed, installed_versions


@dataclass(frozen=True)
class ResourceStatus:
    """One row of ``genopath resources status``.

    Attributes
    ----------
    name
        Resource name.
    versions
        Installed versions (complete folders), oldest name first; empty when missing.
    current
        The version other domains use, or ``None``.
    licence
        Licence of the current version (or of the manifest entry when missing).
    subset
        ``"demo bundle"`` or another subset note of the current version; ``None`` for a full release.
    path
        Folder of the current version, or ``None``.
    hint
        The command that installs it, when it is missing.
    """

    name: str
    versions: tuple[str, ...]
    current: str | None
    licence: str
    subset: str | None
    path: Path | None
    hint: str | None


def resource_status(settings: Settings) -> list[ResourceStatus]:
    """One row per manifest resource (and any other installed one), in manifest order."""
    current = installed(settings)
    names = list(RESOURCES) + sorted(set(current) - set(RESOURCES))
    rows = []
    for name in names:
        now = current.get(name)
        every = tuple(r.version for r in installed_versions(settings, name))
        licence = now.licence if now else RESOURCES[name].licence if name in RESOURCES else ""
        rows.append(
            ResourceStatus(
                name=name,
                versions=every,
                current=now.version if now else None,
                licence=licence,
                subset=now.subset if now else None,
                path=now.path if now else None,
                hint=None if now else install_hint(name),
            )
        )
    return rows


def embedded_hpo_release() -> str | None:
    """The HPO release embedded in the installed ``hpo3`` package (the registry checks terms
    against it), or ``None`` when ``hpo3`` cannot load it."""
    try:
        from genopath.registry.phenotypes import hpo_version

        return hpo_version()
    except Exception:  # hpo3 missing or its data unreadable: status must still print
        return None
