"""genopath's consequences against bcftools csq and ClinVar's MC field on the BRCA1 locus.

Inputs: the committed bundle's GRCh38 slice (chr17:42,425,000-43,600,000), its MANE Select
model and every ClinVar 2026-02-26 record inside the slice (~15,000 records).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genopath.annotation import crosscheck
from genopath.annotation.reference import Reference
from genopath.annotation.transcripts import TranscriptIndex
from genopath.resources import bundle_path

CLINVAR = "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz"

pytestmark = pytest.mark.skipif(
    shutil.which("bcftools") is None, reason="bcftools not installed (make system-deps)"
)


@pytest.fixture(scope="module")
def records(bundle_reference: Reference) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    recs = crosscheck.clinvar_records(bundle_path() / CLINVAR, bundle_reference)
    assert len(recs) > 14000  # the bundle keeps every record of the slice
    return recs


def test_consequences_agree_with_bcftools_csq(
    records: list[tuple[str, int, str, str, tuple[str, ...]]],
    bundle_reference: Reference,
    chr17_transcripts: TranscriptIndex,
    tmp_path: Path,
) -> None:
    result = crosscheck.compare_with_bcftools(
        [r[:4] for r in records], bundle_reference, chr17_transcripts, tmp_path
    )
    assert result.total("snv") > 10000 and result.total("indel") > 3000
    listing = "\n".join(d.line() for d in result.disagreements[:30])
    assert result.rate("snv") >= 0.99, listing
    assert result.rate("indel") >= 0.97, listing
    # the protein change of every coding SNV matches bcftools' amino_acid_change
    assert result.protein_checked > 5000
    assert result.protein_agree / result.protein_checked >= 0.99


def test_consequences_agree_with_clinvar_molecular_consequence(
    records: list[tuple[str, int, str, str, tuple[str, ...]]],
    bundle_reference: Reference,
    chr17_transcripts: TranscriptIndex,
) -> None:
    result = crosscheck.compare_with_clinvar_mc(records, bundle_reference, chr17_transcripts)
    listing = "\n".join(d.line() for d in result.disagreements[:30])
    assert result.rate("snv") >= 0.99, listing
    assert result.rate("indel") >= 0.97, listing
