"""Ingested genomes on disk: versioned, written atomically, with their history kept.

::

    <home>/genomes/<barcode>/
      current.json              {"version": "v2"}: the version other stages read
      v2/                       manifest.json, calls.parquet, [callable.parquet], [qc.json]
      history/v1/               superseded versions, never deleted by genopath
      .tmp-XXXX/                a version being written (never read; removed on the next ingest)

A version is written into a hidden temporary folder in the same directory, renamed to
``v<n>/`` when complete, and only then does ``current.json`` (rewritten atomically) point to
it. A process killed at any moment leaves the previous state readable and no partial genome:
a genome without ``current.json`` does not exist for genopath.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from genopath.core.errors import NotFoundError
from genopath.core.files import temporary_folder, write_text_atomic
from genopath.core.settings import Settings
from genopath.genome.calls import CALLS_SCHEMA, INTERVALS_SCHEMA

CURRENT_JSON = "current.json"
MANIFEST_JSON = "manifest.json"
QC_JSON = "qc.json"
CALLS_PARQUET = "calls.parquet"
CALLABLE_PARQUET = "callable.parquet"
HISTORY = "history"
_TMP = ".tmp-"
_VERSION = re.compile(r"^v(\d+)$")


@dataclass(frozen=True)
class StoredGenome:
    """The current version of one sample's genome.

    Attributes
    ----------
    barcode
        The registered sample it belongs to.
    version
        ``v1``, ``v2`` …
    path
        Its folder.
    manifest
        The parsed ``manifest.json`` (source sha256, build, binding, reader stats …).
    """

    barcode: str
    version: str
    path: Path
    manifest: dict[str, Any]

    @property
    def calls_path(self) -> Path:
        return self.path / CALLS_PARQUET

    @property
    def callable_path(self) -> Path | None:
        path = self.path / CALLABLE_PARQUET
        return path if path.exists() else None

    @property
    def source_sha256(self) -> str:
        return str(self.manifest["source"]["sha256"])


def genomes_root(settings: Settings) -> Path:
    """``<home>/genomes``."""
    return settings.home / "genomes"


def sample_dir(settings: Settings, barcode: str) -> Path:
    """``<home>/genomes/<barcode>``."""
    return genomes_root(settings) / barcode


def current(settings: Settings, barcode: str) -> StoredGenome | None:
    """The current genome of ``barcode``, or ``None`` when none was ingested (completely)."""
    folder = sample_dir(settings, barcode)
    pointer = folder / CURRENT_JSON
    if not pointer.exists():
        return None
    version = json.loads(pointer.read_text())["version"]
    path = folder / version
    return StoredGenome(barcode, version, path, json.loads((path / MANIFEST_JSON).read_text()))


def require_genome(settings: Settings, barcode: str) -> StoredGenome:
    """Like :func:`current` but raise :class:`NotFoundError` naming the command to run."""
    genome = current(settings, barcode)
    if genome is None:
        raise NotFoundError(
            f"sample {barcode} has no ingested genome; run `genopath genome ingest VCF` for it first"
        )
    return genome


def sha256_file(path: Path, chunk: int = 4 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class GenomeWriter:
    """Writes one new genome version into a temporary folder; :meth:`publish` makes it current.

    Until :meth:`publish`, nothing a reader looks at changes; :meth:`discard` (or a crash)
    leaves only a ``.tmp-`` folder that the next ingest of the sample removes.
    """

    def __init__(self, settings: Settings, barcode: str) -> None:
        self.barcode = barcode
        self.folder = sample_dir(settings, barcode)
        self.folder.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.folder)
        self.tmp = temporary_folder(self.folder, _TMP)
        self._calls = pq.ParquetWriter(self.tmp / CALLS_PARQUET, CALLS_SCHEMA, compression="zstd")
        self._callable: pq.ParquetWriter | None = None
        self.rows = 0
        self.interval_rows = 0

    def write(self, calls: pa.Table, intervals: pa.Table | None) -> None:
        """Append one batch of calls (and reference blocks, for a gVCF)."""
        if calls.num_rows:
            self._calls.write_table(calls)
            self.rows += calls.num_rows
        if intervals is not None and intervals.num_rows:
            if self._callable is None:
                self._callable = pq.ParquetWriter(
                    self.tmp / CALLABLE_PARQUET, INTERVALS_SCHEMA, compression="zstd"
                )
            self._callable.write_table(intervals)
            self.interval_rows += intervals.num_rows

    def publish(self, manifest: dict[str, Any]) -> StoredGenome:
        """Finish the files, write the manifest, move the folder into place and point to it.

        The previous current version (if any) moves to ``history/``.
        """
        self._close()
        write_text_atomic(self.tmp / MANIFEST_JSON, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        previous = _read_pointer(self.folder)
        version = f"v{_next_number(self.folder)}"
        _fsync_dir(self.tmp)
        os.rename(self.tmp, self.folder / version)
        write_text_atomic(self.folder / CURRENT_JSON, json.dumps({"version": version}) + "\n")
        if previous and (self.folder / previous).exists():
            (self.folder / HISTORY).mkdir(exist_ok=True)
            os.rename(self.folder / previous, self.folder / HISTORY / previous)
        return StoredGenome(self.barcode, version, self.folder / version, manifest)

    def discard(self) -> None:
        """Drop the unfinished version."""
        self._close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.folder.exists() and not any(self.folder.iterdir()):
            self.folder.rmdir()

    def _close(self) -> None:
        for writer in (self._calls, self._callable):
            if writer is not None and writer.is_open:
                writer.close()


def _read_pointer(folder: Path) -> str | None:
    pointer = folder / CURRENT_JSON
    return str(json.loads(pointer.read_text())["version"]) if pointer.exists() else None


def _next_number(folder: Path) -> int:
    names = [p.name for p in folder.iterdir()] + [
        p.name for p in (folder / HISTORY).glob("v*") if (folder / HISTORY).exists()
    ]
    numbers = [int(m[1]) for n in names if (m := _VERSION.match(n))]
    return max(numbers, default=0) + 1


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove unfinished ``.tmp-`` folders, and move complete but unreferenced versions (a
    crash between the rename and the pointer update) to ``history/``; returns what was moved."""
    touched = []
    pointer = _read_pointer(folder)
    for path in folder.iterdir():
        if path.name.startswith(_TMP):
            shutil.rmtree(path, ignore_errors=True)
            touched.append(path)
        elif _VERSION.match(path.name) and path.name != pointer:
            (folder / HISTORY).mkdir(exist_ok=True)
            target = (
                folder / HISTORY / f"{path.name}-unpublished"
                if pointer is None
                else folder / HISTORY / path.name
            )
            os.rename(path, target)
            touched.append(path)
    return touched


def _fsync_dir(path: Path) -> None:
    for child in path.iterdir():
        with open(child, "rb") as handle:
            os.fsync(handle.fileno())


def write_qc(genome: StoredGenome, result: dict[str, Any]) -> Path:
    """Write the genome's QC outcome (``qc.json``) atomically into its version folder."""
    path = genome.path / QC_JSON
    write_text_atomic(path, json.dumps(result, indent=2, sort_keys=True) + "\n")
    return path


def read_qc(genome: StoredGenome) -> dict[str, Any] | None:
    """The genome's last QC outcome, or ``None`` before the first QC run."""
    path = genome.path / QC_JSON
    return json.loads(path.read_text()) if path.exists() else None
