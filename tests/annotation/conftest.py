"""A data home with the committed demo bundle installed, shared by the annotation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from genopath.annotation import transcripts
from genopath.annotation.reference import Reference
from genopath.core.settings import Settings
from genopath.resources import install_bundle, require


@pytest.fixture(scope="session")
def annotated_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("annotation-home"))
    install_bundle(settings)
    return settings


@pytest.fixture(scope="session")
def bundle_reference(annotated_home: Settings) -> Reference:
    return Reference(require(annotated_home, "reference").path / "genome.fa.gz")


@pytest.fixture(scope="session")
def chr17_transcripts(annotated_home: Settings) -> transcripts.TranscriptIndex:
    return transcripts.load(require(annotated_home, "mane").path / "exons.parquet", ["chr17"])


def write_vcf(path: Path, records: list[tuple[str, int, str, str]], contigs: dict[str, int] | None = None,
              extra_header: str = "") -> Path:  # fmt: skip
    contigs = contigs if contigs is not None else {"chr17": 83257441}
    lines = ["##fileformat=VCFv4.2", *(f"##contig=<ID={c},length={n}>" for c, n in contigs.items())]
    if extra_header:
        lines.append(extra_header)
    lines.append('##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">')
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += [f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t." for c, p, r, a in records]
    path.write_text("\n".join(lines) + "\n")
    return path
