"""Reference sequence access for annotation: whole chromosomes or named slices of them.

A bgzipped, ``samtools faidx``-indexed FASTA is read through pysam. A sequence named
``<chrom>_<start>_<end>`` (1-based, inclusive, e.g. ``chr17_42425000_43600000``) is a slice of
that chromosome; any other name is a whole chromosome, with ``1``/``X``/``MT`` spelt as
``chr1``/``chrX``/``chrM``. Regions no sequence covers read as ``None``, so callers can fall
back to the consequence classes that need no sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pysam

from genopath.core.errors import InputError

_SLICE = re.compile(r"^(?P<chrom>(?:chr)?[0-9XYM]+|(?:chr)?MT)_(?P<start>\d+)_(?P<end>\d+)$")

#: GRCh38 chromosome lengths used to tell the build from sequence or header contig lengths.
GRCH38_LENGTHS = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
    "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chr10": 133797422,
    "chr11": 135086622, "chr12": 133275309, "chr13": 114364328, "chr14": 107043718, "chr15": 101991189,
    "chr16": 90338345, "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415, "chrM": 16569,
}  # fmt: skip
#: GRCh37 lengths of the same chromosomes (chrM is the rCRS length in both).
GRCH37_LENGTHS = {
    "chr1": 249250621, "chr2": 243199373, "chr3": 198022430, "chr4": 191154276, "chr5": 180915260,
    "chr6": 171115067, "chr7": 159138663, "chr8": 146364022, "chr9": 141213431, "chr10": 135534747,
    "chr11": 135006516, "chr12": 133851895, "chr13": 115169878, "chr14": 107349540, "chr15": 102531392,
    "chr16": 90354753, "chr17": 81195210, "chr18": 78077248, "chr19": 59128983, "chr20": 63025520,
    "chr21": 48129895, "chr22": 51304566, "chrX": 155270560, "chrY": 59373566,
}  # fmt: skip


def canonical_chrom(name: str) -> str:
    """``1``→``chr1``, ``MT``/``chrMT``→``chrM``; ``chr``-prefixed names unchanged otherwise."""
    bare = name[3:] if name.startswith("chr") else name
    if bare in ("MT", "M"):
        return "chrM"
    return "chr" + bare


@dataclass(frozen=True, slots=True)
class Contig:
    """One FASTA sequence: which chromosome it holds and where (``offset`` = start − 1)."""

    name: str
    chrom: str
    offset: int
    length: int

    @property
    def start0(self) -> int:
        return self.offset

    @property
    def end(self) -> int:
        return self.offset + self.length


def parse_contig(name: str, length: int) -> Contig:
    """Interpret a FASTA sequence name under the slice naming convention."""
    m = _SLICE.match(name)
    if m:
        start, end = int(m["start"]), int(m["end"])
        if end - start + 1 != length:
            raise InputError(
                f"FASTA sequence {name!r} is named as a slice of {end - start + 1} bp but holds "
                f"{length} bp; rename it or fix the sequence"
            )
        return Contig(name, canonical_chrom(m["chrom"]), start - 1, length)
    return Contig(name, canonical_chrom(name), 0, length)


def check_build(lengths: dict[str, int], what: str) -> None:
    """Refuse GRCh37 (or another build) from whole-chromosome lengths; unknown contigs pass."""
    for name, length in lengths.items():
        chrom = canonical_chrom(name)
        if chrom in GRCH38_LENGTHS and length == GRCH38_LENGTHS[chrom]:
            continue
        if chrom in GRCH37_LENGTHS and length == GRCH37_LENGTHS[chrom]:
            raise InputError(
                f"{what} is on GRCh37 ({name} is {length:,} bp, the GRCh37 length); genopath works "
                "on GRCh38 only: lift it over (e.g. with CrossMap or Picard LiftoverVcf) or use the "
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
        check_build({n: ln for n, ln in lengths.items() if not _SLICE.match(n)}, f"reference FASTA {path}")
        for name, length in lengths.items():
            contig = parse_contig(name, length)
            self.contigs.setdefault(contig.chrom, []).append(contig)
        self._cache: dict[tuple[str, int, int], str | None] = {}

    def covers(self, chrom: str, start0: int, end: int) -> Contig | None:
        """The contig holding all of ``[start0, end)`` on ``chrom``, if any."""
        for contig in self.contigs.get(chrom, ()):
            if contig.start0 <= start0 and end <= contig.end:
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
