"""Where upstream-format files come from, and the checksum check every one of them passes.

A source folder is laid out like the reference-data mirror (``clinvar/…``, ``hpo/…``). It is
either a full mirror, checked against the manifest's sha256 sums, or a *bundle*: a folder with
a ``MANIFEST.json`` (the demo bundle) whose files are subsets of upstream files and carry their
own sha256 sums. A file whose bytes differ from its pinned sum is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genopath.core.errors import InputError
from genopath.resources.errors import ChecksumError, ResourceMissing
from genopath.resources.manifest import Resource
from genopath.resources.progress import SILENT, Progress

BUNDLE_MANIFEST = "MANIFEST.json"
_CHUNK = 1 << 20


def sha256_file(path: Path, progress: Progress = SILENT) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (reported to ``progress`` in bytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            progress.advance(len(chunk))
    return digest.hexdigest()


@dataclass(frozen=True)
class SourceFile:
    """A verified upstream-format file: its mirror path, where it is and its sha256."""

    path: str
    local: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class SourceDir:
    """A folder of upstream-format files: a full mirror, the download area or a bundle.

    Attributes
    ----------
    root
        The folder, laid out like the mirror.
    bundle
        The parsed ``MANIFEST.json`` when the folder is a bundle, else ``None``.
    """

    root: Path
    bundle: dict[str, Any] | None = None

    @classmethod
    def open(cls, root: Path) -> SourceDir:
        """Recognise a bundle by its ``MANIFEST.json``.

        Raises
        ------
        ResourceMissing
            When the folder does not exist.
        InputError
            When a ``MANIFEST.json`` is there but is not a genopath bundle manifest.
        """
        if not root.is_dir():
            raise ResourceMissing(
                f"source folder {root} does not exist; give a folder laid out like the mirror"
            )
        manifest = root / BUNDLE_MANIFEST
        if not manifest.is_file():
            return cls(root)
        try:
            bundle = json.loads(manifest.read_text(encoding="utf-8"))
            bundle["files"], bundle["resources"]
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(
                f"{manifest} is not a genopath bundle manifest ({e}); regenerate the bundle"
            ) from e
        return cls(root, bundle)

    @property
    def subset(self) -> str | None:
        """What an installation built from here leaves out (``"demo bundle"``), or ``None``."""
        return str(self.bundle.get("subset", "bundle")) if self.bundle is not None else None

    def resource_names(self) -> list[str]:
        """Resources a bundle provides (empty for a full mirror: it may provide any)."""
        return list(self.bundle["resources"]) if self.bundle is not None else []

    def resolve(self, resource: Resource, progress: Progress = SILENT) -> dict[str, SourceFile]:
        """Find and verify every file of ``resource``; keyed by mirror path.

        Raises
        ------
        ResourceMissing
            When a file is absent, or a bundle does not provide the resource.
        ChecksumError
            When a file's sha256 is not the pinned one (the manifest's, or the bundle's own).
        """
        expected = self._expected(resource)
        found = {}
        for path, sha in expected.items():
            local = self.root / path
            if not local.is_file():
                raise ResourceMissing(
                    f"{path} (resource {resource.name} {resource.version}) is not in {self.root}; "
                    "give --from a folder laid out like the reference-data mirror, or run "
                    f"`genopath resources fetch {resource.name}`"
                )
            progress.begin(f"verify {Path(path).name}", local.stat().st_size)
            actual = sha256_file(local, progress)
            progress.end()
            if actual != sha:
                raise ChecksumError(path, sha, actual, origin=str(self.root))
            found[path] = SourceFile(path, local, actual, local.stat().st_size)
        return found

    def _expected(self, resource: Resource) -> dict[str, str]:
        if self.bundle is None:
            return {f.path: f.sha256 for f in resource.files}
        entry = self.bundle["resources"].get(resource.name)
        if entry is None:
            note = self.bundle.get("not_included", {}).get(resource.name, "")
            raise ResourceMissing(
                f"the bundle at {self.root} does not include resource {resource.name!r}"
                + (f" ({note})" if note else "")
                + f"; bundle resources: {', '.join(self.bundle['resources'])}"
            )
        sums = {f["path"]: f["sha256"] for f in self.bundle["files"]}
        return {path: sums[path] for path in entry["files"]}
