"""The demo bundle shipped inside the package: small subsets of upstream files, same layout.

``scripts/make_demo_bundle.py`` derives it from the reference-data mirror; its
``MANIFEST.json`` pins every file's sha256 and says what each was derived from. Resources
built from it keep their upstream version and are flagged ``subset: "demo bundle"``.
"""

from __future__ import annotations

from pathlib import Path

from genopath.core.settings import Settings
from genopath.resources.build import build_resources
from genopath.resources.progress import SILENT, Progress
from genopath.resources.store import InstalledResource

SUBSET = "demo bundle"


def bundle_path() -> Path:
    """The folder of the demo bundle inside the installed package."""
    return Path(__file__).resolve().parent / "bundle"


def install_bundle(settings: Settings, progress: Progress = SILENT) -> list[InstalledResource]:
    """Build every resource of the demo bundle into ``settings.home`` (for ``genopath demo`` and tests).

    HPO is not in the bundle: the release embedded in ``hpo3`` is used instead.
    """
    return build_resources(settings, source=bundle_path(), progress=progress)
