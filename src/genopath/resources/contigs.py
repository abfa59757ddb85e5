"""GRCh38 contig names and lengths: naming (``1`` → ``chr1``), ordering, build detection, slices.

Build detection follows DESIGN §4: a GRCh37 (or unknown-build) input is refused, recognised by
the lengths of its primary chromosomes, which differ between GRCh37 and GRCh38 for every
autosome and for X and Y.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from genopath.core.errors import InputError

#: GRCh38 primary-assembly lengths (GCA_000001405.15), from the NCBI assembly report.
GRCH38_LENGTHS: dict[str, int] = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555,
    "chr5": 181538259, "chr6": 170805979, "chr7": 159345973, "chr8": 145138636,
    "chr9": 138394717, "chr10": 133797422, "chr11": 135086622, "chr12": 133275309,
    "chr13": 114364328, "chr14": 107043718, "chr15": 101991189, "chr16": 90338345,
    "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415, "chrM": 16569,
}  # fmt: skip

#: GRCh37 primary-assembly lengths (GCA_000001405.1), used only to name a GRCh37 input.
GRCH37_LENGTHS: dict[str, int] = {
    "chr1": 249250621, "chr2": 243199373, "chr3": 198022430, "chr4": 191154276,
    "chr5": 180915260, "chr6": 171115067, "chr7": 159138663, "chr8": 146364022,
    "chr9": 141213431, "chr10": 135534747, "chr11": 135006516, "chr12": 133851895,
    "chr13": 115169878, "chr14": 107349540, "chr15": 102531392, "chr16": 90354753,
    "chr17": 81195210, "chr18": 78077248, "chr19": 59128983, "chr20": 63025520,
    "chr21": 48129895, "chr22": 51304566, "chrX": 155270560, "chrY": 59373566,
}  # fmt: skip

_ORDER = {name: i for i, name in enumerate(GRCH38_LENGTHS)}
_SLICE = re.compile(r"^(?P<chrom>(?:chr)?[0-9XYM]{1,2}T?)_(?P<start>\d+)_(?P<end>\d+)$")


def normalise_chrom(name: str) -> str:
    """The ``chr``-prefixed GRCh38 name of a contig: ``1`` → ``chr1``, ``MT``/``chrMT`` → ``chrM``.

    Only primary chromosome names change; other contigs (``KI270728.1``, decoys) keep theirs.
    """
    bare = name.removeprefix("chr")
    if bare in ("MT", "M"):
        return "chrM"
    if f"chr{bare}" in GRCH38_LENGTHS:
        return f"chr{bare}"
    return name


def chrom_sort_key(chrom: str) -> tuple[int, str]:
    """Karyotype order (chr1 … chr22, chrX, chrY, chrM), then other contigs by name."""
    return (_ORDER.get(chrom, len(_ORDER)), chrom)


@dataclass(frozen=True)
class Contig:
    """A sequence of a reference FASTA and where it lies on GRCh38.

    Attributes
    ----------
    name
        The sequence name in the FASTA (e.g. ``chr17_42425000_43600000``).
    length
        Its length in bases.
    chrom
        The GRCh38 chromosome it comes from (``chr17``).
    offset
        Slice position ``p`` (1-based) is chromosome position ``p + offset``; 0 for a whole sequence.
    """

    name: str
    length: int
    chrom: str
    offset: int


def describe_contigs(lengths: dict[str, int], *, source: str) -> list[Contig]:
    """Place each FASTA sequence on GRCh38, refusing a GRCh37 or unknown-build reference.

    A sequence named ``<chrom>_<start1>_<end1>`` is a slice of ``chrom`` (1-based, inclusive);
    ``1``, ``X``, ``MT`` are renamed ``chr1``, ``chrX``, ``chrM``; other sequences (decoys,
    unplaced scaffolds) are kept with offset 0.

    Raises
    ------
    InputError
        When a primary chromosome's length is GRCh37's or matches no GRCh38 length, when a
        slice's length disagrees with its name, or when no sequence is a GRCh38 chromosome.
    """
    contigs = [_contig(name, length, source) for name, length in lengths.items()]
    if not any(c.chrom in GRCH38_LENGTHS for c in contigs):
        raise InputError(
            f"{source} has no GRCh38 chromosome among its sequences ({', '.join(list(lengths)[:5])} …); "
            "genopath needs a GRCh38 reference with chr1 … chrM (or slices named like chr17_42425000_43600000)"
        )
    return contigs


def _contig(name: str, length: int, source: str) -> Contig:
    match = _SLICE.match(name)
    if match:
        chrom, start, end = normalise_chrom(match["chrom"]), int(match["start"]), int(match["end"])
        if end - start + 1 != length or chrom not in GRCH38_LENGTHS or end > GRCH38_LENGTHS[chrom]:
            raise InputError(
                f"sequence {name} in {source} is named as the slice {chrom}:{start}-{end} "
                f"({end - start + 1} bp) but is {length} bp long or lies outside GRCh38 {chrom}; "
                "name slices <chrom>_<start1>_<end1> with 1-based inclusive GRCh38 coordinates"
            )
        return Contig(name, length, chrom, start - 1)
    chrom = normalise_chrom(name)
    expected = GRCH38_LENGTHS.get(chrom)
    if expected is not None and length != expected:
        build = "GRCh37" if GRCH37_LENGTHS.get(chrom) == length else "an unknown build"
        raise InputError(
            f"{source} looks like {build}: sequence {name} is {length} bp, but GRCh38 {chrom} is "
            f"{expected} bp; genopath works on GRCh38 only — use a GRCh38 FASTA (e.g. GCA_000001405.15)"
        )
    return Contig(name, length, chrom, 0)


_REFERENCE_LINE = re.compile(
    r"^##(?:reference|assembly|genome_build|source_assembly)=(?P<value>.*)$", re.IGNORECASE
)
_GRCH38_NAMES = re.compile(r"GRCh38|hg38|GCA_000001405\.15|GCF_000001405\.(?:2[6-9]|[3-9]\d)|Homo_sapiens_assembly38", re.IGNORECASE)  # fmt: skip
_GRCH37_NAMES = re.compile(r"GRCh37|hg19|b37|hs37d5|human_g1k_v37|GCA_000001405\.1\b|Homo_sapiens_assembly19", re.IGNORECASE)  # fmt: skip


def vcf_build(lengths: Mapping[str, int | None], header_lines: Iterable[str], what: str) -> str | None:
    """Check that a VCF is on GRCh38; return the header evidence for it, or ``None`` if none.

    Primary-chromosome lengths differ between GRCh37 and GRCh38 for every autosome and X/Y,
    so one declared length decides. Only when no primary contig has a length does a
    ``##reference``/``##assembly`` line decide (the 1000 Genomes GRCh38 release declares
    contigs without lengths but names its GRCh38 FASTA there). Contigs genopath does not know
    (decoys, HLA) are ignored. Callers decide what a header with no evidence means.

    Raises
    ------
    InputError
        Naming the contig length or header line that shows GRCh37 or another build.
    """
    checked = []
    for name, length in lengths.items():
        chrom = normalise_chrom(name)
        expected = GRCH38_LENGTHS.get(chrom)
        if expected is None or length is None:
            continue
        if length != expected:
            build = "GRCh37" if GRCH37_LENGTHS.get(chrom) == length else "an unknown build"
            raise InputError(
                f"{what} is on {build}: contig {name} is {length:,} bp in its header, but GRCh38 {chrom} is "
                f"{expected:,} bp; genopath works on GRCh38 only — lift it over (e.g. CrossMap, Picard "
                "LiftoverVcf) or ask the lab for the GRCh38 file"
            )
        checked.append(name)
    if checked:
        return f"header contig lengths of {', '.join(checked[:3])}{' …' if len(checked) > 3 else ''}"
    for line in header_lines:
        match = _REFERENCE_LINE.match(line)
        if not match:
            continue
        value = match["value"].strip()
        if _GRCH38_NAMES.search(value):
            return f"header line {line.split('=', 1)[0]}={value}"
        if _GRCH37_NAMES.search(value):
            raise InputError(
                f"{what} is on GRCh37 ({line.strip()}); genopath works on GRCh38 only — lift it over or ask "
                "the lab for the GRCh38 file"
            )
    return None
