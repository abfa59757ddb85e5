"""Reference sequence access for annotation: whole chromosomes or named slices of them.

A bgzipped, ``samtools faidx``-indexed FASTA is read through pysam. A sequence named
``<chrom>_<start>_<end>`` (1-based, inclusive, e.g. ``chr17_42425000_43600000``) is a slice of
that chromosome; any other name is a whole chromosome, with ``1``/``X``/``MT`` spelt as
``chr1``/``chrX``/``chrM``. Regions no sequence covers read as ``None``, so callers can fall
back to the consequence classes that need no sequence.
"""

from __future__ import annotations

from pathlib import Path

import pysam

from genopath.core.errors import InputError
from genopath.resources.contigs import (
    GRCH37_LENGTHS,
    GRCH38_LENGTHS,
    Contig,
    describe_contigs,
    normalise_chrom,
)


def canonical_chrom(name: str) -> str:
    """``1``→``chr1``, ``MT``→``chrM``; other contigs keep their name (see :mod:`genopath.resources.contigs`)."""
    return normalise_chrom(name)


def check_build(lengths: dict[str, int], what: str) -> None:
    """Refuse GRCh37 (or another build) from declared contig lengths; unknown contigs pass."""
    for name, length in lengths.items():
        chrom = normalise_chrom(name)
        expected = GRCH38_LENGTHS.get(chrom)
        if expected is None or length == expected:
            continue
        build = "GRCh37" if GRCH37_LENGTHS.get(chrom) == length else "an unknown build"
        raise InputError(
            f"{what} is on {build} ({name} is {length:,} bp; GRCh38 {chrom} is {expected:,} bp); genopath "
            "works on GRCh38 only: lift it over (e.g. with CrossMap or Picard LiftoverVcf) or use the "
            "GRCh38 file"
        )


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
        self._cache: dict[tuple[str, int, int], str | None] = {}

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
        seq: str = self._fasta.fetch(contig.name, start0 - contig.offset, end - contig.offset)
        return seq.upper()

    def close(self) -> None:
        self._fasta.close()
