"""Reference sequence access for annotation: whole chromosomes or named slices of them.

A bgzipped, ``samtools faidx``-indexed FASTA is read through pysam. A sequence named
``<chrom>_<start>_<end>`` (1-based, inclusive, e.g. ``chr17_42425000_43600000``) is a slice of
that chromosome; any other name is a whole chromosome, with ``1``/``X``/``MT`` spelt as
``chr1``/``chrX``/``chrM``. Regions no sequence covers read as ``None``, so callers can fall
back to the consequence classes that need no sequence.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pysam

from genopath.core.errors import InputError
from genopath.resources.contigs import (
    Contig,
    describe_contigs,
    normalise_chrom,
)

#: Sequence is read and cached in chunks of this many bases (at most :data:`CHUNKS_KEPT` of them).
CHUNK = 1 << 18
CHUNKS_KEPT = 256
#: A read of more bases than twice this is split among threads (one per CPU, at most 4), each
#: with its own handle on the FASTA: htslib decompresses with the GIL released.
PARALLEL_BASES = 1 << 23


def canonical_chrom(name: str) -> str:
    """``1``→``chr1``, ``MT``→``chrM``; other contigs keep their name (see :mod:`genopath.resources.contigs`)."""
    return normalise_chrom(name)


class Reference:
    """Sequence lookup in chromosome coordinates over a bgzipped, indexed FASTA."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        if not path.exists():
            raise InputError(f"reference FASTA {path} does not exist")
        try:
            self._fasta = pysam.FastaFile(str(path))
        except (OSError, ValueError) as e:
            raise InputError(
                f"cannot open reference FASTA {path}: {e}; it must be bgzip-compressed (or plain) and "
                "indexed: run `bgzip` and `samtools faidx` on it"
            ) from e
        self.path = path
        self.contigs: dict[str, list[Contig]] = {}
        lengths = dict(zip(self._fasta.references, self._fasta.lengths, strict=True))
        for contig in describe_contigs(lengths, source=f"reference FASTA {path}"):
            self.contigs.setdefault(contig.chrom, []).append(contig)
        self._chunks: OrderedDict[tuple[str, int], str] = OrderedDict()
        self._more: list[pysam.FastaFile] = []  # handles for the threads of a long read

    def covers(self, chrom: str, start0: int, end: int) -> Contig | None:
        """The contig holding all of ``[start0, end)`` on ``chrom``, if any."""
        for contig in self.contigs.get(chrom, ()):
            if contig.offset <= start0 and end <= contig.offset + contig.length:
                return contig
        return None

    def fetch(self, chrom: str, start0: int, end: int) -> str | None:
        """Upper-case sequence of ``[start0, end)``, or ``None`` when no contig covers it all."""
        contig = self.covers(chrom, start0, end)
        if contig is None:
            return None
        a, b = start0 - contig.offset, end - contig.offset
        first, last = a // CHUNK, max(a, b - 1) // CHUNK
        if last - first > 2:
            return self._read(contig.name, a, b).upper()
        if first == last:
            return self._chunk(contig.name, first)[a - first * CHUNK : b - first * CHUNK]
        joined = "".join(self._chunk(contig.name, k) for k in range(first, last + 1))
        return joined[a - first * CHUNK : b - first * CHUNK]

    def _read(self, name: str, a: int, b: int) -> str:
        """Bases ``[a, b)`` of FASTA sequence ``name`` as stored; a long read in parallel parts."""
        n = min(worker_threads(), (b - a) // PARALLEL_BASES)
        if n < 2:
            seq: str = self._fasta.fetch(name, a, b)
            return seq
        while len(self._more) < n - 1:
            self._more.append(pysam.FastaFile(str(self.path)))
        handles = [self._fasta, *self._more[: n - 1]]
        cuts = [a + (b - a) * i // n for i in range(n + 1)]
        with ThreadPoolExecutor(n, thread_name_prefix="genopath-fasta") as pool:
            parts = list(pool.map(lambda i: str(handles[i].fetch(name, cuts[i], cuts[i + 1])), range(n)))
        return "".join(parts)

    def _chunk(self, name: str, k: int) -> str:
        """Chunk ``k`` (:data:`CHUNK` bases) of FASTA sequence ``name``, upper-case, cached (LRU)."""
        key = (name, k)
        seq = self._chunks.get(key)
        if seq is None:
            seq = self._fasta.fetch(name, k * CHUNK, (k + 1) * CHUNK).upper()
            self._chunks[key] = seq
            if len(self._chunks) > CHUNKS_KEPT:
                self._chunks.popitem(last=False)
        else:
            self._chunks.move_to_end(key)
        return seq

    def reopen(self) -> None:
        """Open the FASTA again (a forked process must not share the parent's file offset)."""
        self._fasta = pysam.FastaFile(str(self.path))
        self._more = []

    def close(self) -> None:
        for handle in (self._fasta, *self._more):
            handle.close()
        self._more = []


def worker_threads() -> int:
    """Threads for work that releases the GIL (a long read here, the C calls of
    :mod:`genopath.annotation.kernel_path`): the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))
