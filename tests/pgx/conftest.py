"""PGx fixtures: the ``pgx`` resource built from the committed demo bundle (no network, no mirror)."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from genopath.pgx.definitions import GeneDefinition, PgxData
from genopath.pgx.genotypes import Call
from genopath.resources.builders.pgx import build_pgx
from genopath.resources.builders.tables import BuildInput
from genopath.resources.bundle import bundle_path
from genopath.resources.contigs import GRCH37_LENGTHS, GRCH38_LENGTHS
from genopath.resources.progress import SILENT


@pytest.fixture(scope="session")
def pgx_data(tmp_path_factory: pytest.TempPathFactory) -> PgxData:
    out = tmp_path_factory.mktemp("pgx-resource")
    build_pgx(BuildInput({"pgx-cpic/SHA256SUMS": bundle_path() / "pgx-cpic" / "SHA256SUMS"}), out, SILENT)
    return PgxData(out, "2025-11-05")


def allele(definition: GeneDefinition, name: str) -> tuple[str, ...]:
    """The haplotype of a named allele over the defining positions (IUPAC: first base)."""
    named = next(a for a in definition.alleles if a.name == name)
    return tuple(
        min(cell) if cell is not None else p.ref
        for p, cell in zip(definition.positions, named.cells, strict=True)
    )


def calls_for(definition: GeneDefinition, a: str, b: str, *, phased: bool) -> list[Call]:
    """Calls of a sample carrying named alleles ``a`` and ``b`` at every defining position."""
    h1, h2 = allele(definition, a), allele(definition, b)
    return [Call((x, y), phased and x != y) for x, y in zip(h1, h2, strict=True)]


Row = tuple[
    str, int, str, str, str
]  # chrom, pos, ref, alts (comma-separated), GT (one per sample, tab-joined)


def vcf_text(
    rows: Sequence[Row], samples: Sequence[str] = ("S1",), *, build: str = "GRCh38", extra_format: str = ""
) -> str:
    """A VCF whose header declares GRCh38 (or GRCh37) contig lengths for the contigs used."""
    lengths = GRCH38_LENGTHS if build == "GRCh38" else GRCH37_LENGTHS
    contigs = sorted({r[0] for r in rows} | {"chr10"})
    header = ["##fileformat=VCFv4.2"]
    header += [f"##contig=<ID={c},length={lengths[c]}>" for c in contigs]
    header += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phase set">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End of a reference block">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples),
    ]
    body = []
    for chrom, pos, ref, alts, gts in rows:
        info, fmt = ".", "GT" + extra_format
        if alts.startswith("<NON_REF>") and ";" in gts:
            end, gts = gts.split(";")
            info = f"END={end}"
        body.append(f"{chrom}\t{pos}\t.\t{ref}\t{alts}\t50\tPASS\t{info}\t{fmt}\t{gts}")
    return "\n".join(header + body) + "\n"


@pytest.fixture
def write_vcf(tmp_path: Path) -> Callable[..., Path]:
    """Write a VCF (plain, gzip or bgzip+tabix) and return its path."""

    def write(text: str, name: str = "sample.vcf", *, compress: str = "none") -> Path:
        path = tmp_path / name
        if compress == "none":
            path.write_text(text, encoding="utf-8")
            return path
        if compress == "gzip":
            path = tmp_path / f"{name}.gz"
            path.write_bytes(gzip.compress(text.encode()))
            return path
        import pysam

        plain = tmp_path / name
        plain.write_text(text, encoding="utf-8")
        pysam.tabix_index(str(plain), preset="vcf", force=True)
        return tmp_path / f"{name}.gz"

    return write
