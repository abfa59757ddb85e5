"""What a VCF header says: samples, contigs, FORMAT/INFO fields, gVCF-ness and the build.

The header is read with cyvcf2 (htslib). cyvcf2 raises a bare ``Exception`` (or ``OSError``)
for a missing, non-VCF or corrupt file; :func:`read_header` turns every such failure into an
:class:`InputError` naming the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cyvcf2

from genopath.core.errors import InputError
from genopath.resources.contigs import vcf_build

_CONTIG = re.compile(r"^##contig=<(?P<body>.*)>\s*$")
_FIELD = re.compile(r"^##(?P<kind>INFO|FORMAT)=<ID=(?P<id>[^,>]+)")
#: ALT alleles that mark a gVCF reference block (GATK <NON_REF>, DRAGEN/bcftools <*>).
REF_BLOCK_ALTS = frozenset({"<NON_REF>", "<*>"})


@dataclass(frozen=True)
class Build:
    """The genome build of a file and the header evidence it was decided from."""

    name: str
    evidence: str


@dataclass(frozen=True)
class VcfHeader:
    """The parts of a VCF header ingestion needs.

    Attributes
    ----------
    path
        The file.
    samples
        Sample names in column order.
    contigs
        Contig name → declared length (``None`` when the header gives none).
    info, format
        IDs of the declared INFO and FORMAT fields.
    gvcf
        Whether the header declares a gVCF reference-block allele (``<NON_REF>``/``<*>``) or
        ``INFO/END``, i.e. reference blocks may be present.
    build
        The detected build (always GRCh38: anything else is refused by :func:`detect_build`).
    """

    path: Path
    samples: tuple[str, ...]
    contigs: dict[str, int | None]
    info: frozenset[str]
    format: frozenset[str]
    gvcf: bool
    build: Build


def read_header(path: Path) -> VcfHeader:
    """Read and check the header of ``path`` (VCF, bgzipped VCF or BCF).

    Raises
    ------
    InputError
        The file is missing, unreadable, not a VCF, has no samples, or is not on GRCh38.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"VCF {path} does not exist or is not a file")
    try:
        vcf = cyvcf2.VCF(str(path), lazy=True)
    except Exception as e:  # cyvcf2 raises bare Exception/OSError on malformed input
        raise InputError(f"cannot read VCF {path}: {e}; is it a VCF (plain or bgzipped) or BCF?") from e
    try:
        raw = vcf.raw_header
        samples = tuple(vcf.samples)
    except Exception as e:
        raise InputError(f"cannot read the header of VCF {path}: {e}") from e
    finally:
        vcf.close()
    if not samples:
        raise InputError(f"VCF {path} has no sample columns; genome ingest needs genotypes")
    lines = raw.splitlines()
    contigs = dict(_contig(line) for line in lines if line.startswith("##contig="))
    fields: dict[str, set[str]] = {"INFO": set(), "FORMAT": set()}
    for line in lines:
        match = _FIELD.match(line)
        if match:
            fields[match["kind"]].add(match["id"])
    if "GT" not in fields["FORMAT"]:
        raise InputError(f"VCF {path} declares no FORMAT/GT; genome ingest needs genotypes")
    gvcf = "END" in fields["INFO"] or any("<NON_REF>" in line or "<*>" in line for line in lines[:500])
    return VcfHeader(
        path=path,
        samples=samples,
        contigs=contigs,
        info=frozenset(fields["INFO"]),
        format=frozenset(fields["FORMAT"]),
        gvcf=gvcf,
        build=detect_build(contigs, lines, what=f"VCF {path}"),
    )


def _contig(line: str) -> tuple[str, int | None]:
    match = _CONTIG.match(line)
    body = match["body"] if match else ""
    keys = dict(part.split("=", 1) for part in body.split(",") if "=" in part)
    length = keys.get("length")
    return keys.get("ID", ""), int(length) if length and length.isdigit() else None


def detect_build(contigs: dict[str, int | None], header_lines: list[str], *, what: str) -> Build:
    """Decide the build from contig lengths, else from a ``##reference``/``##assembly`` line.

    Primary-chromosome lengths differ between GRCh37 and GRCh38 for every autosome and X/Y,
    so one declared length is decisive. Only when no primary contig has a length does the
    ``##reference`` line decide (the 1000 Genomes GRCh38 release declares contigs without
    lengths but names its GRCh38 FASTA there).

    Raises
    ------
    InputError
        The header shows GRCh37 or another build, or gives no evidence of GRCh38 at all.
    """
    evidence = vcf_build(contigs, header_lines, what)
    if evidence is None:
        raise InputError(
            f"{what} does not say which genome build it is on: no ##contig line has a length and no "
            "##reference line names the build; add the GRCh38 contig lines (e.g. `bcftools reheader "
            "--fai GRCh38.fa.fai`) and try again"
        )
    return Build("GRCh38", evidence)
