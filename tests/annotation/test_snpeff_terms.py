"""SnpEff-only effect names reach the SO terms and impact classes the interpreter filters on."""

from __future__ import annotations

from pathlib import Path

import pytest

from genopath.annotation import so
from genopath.annotation.readers import iter_annotated

HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=chr17,length=83257441>\n"
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | "
    "Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | "
    "HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | "
    "ERRORS / WARNINGS / INFO' \">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)


@pytest.mark.parametrize(
    ("effect", "terms", "impact"),
    [
        ("exon_loss_variant", ("exon_loss_variant",), "HIGH"),
        ("exon_loss_variant&splice_region_variant", ("exon_loss_variant", "splice_region_variant"), "HIGH"),
        ("gene_fusion", ("gene_fusion",), "HIGH"),
        ("rare_amino_acid_variant", ("rare_amino_acid_variant",), "HIGH"),
        ("5_prime_UTR_truncation&exon_loss_variant", ("exon_loss_variant", "5_prime_UTR_variant"), "HIGH"),
        ("3_prime_UTR_truncation", ("3_prime_UTR_variant",), "MODIFIER"),
        ("TF_binding_site_variant", ("TF_binding_site_variant",), "MODIFIER"),
    ],
)
def test_snpeff_only_effects_are_known_terms(
    tmp_path: Path, effect: str, terms: tuple[str, ...], impact: str
) -> None:
    ann = (
        f"C|{effect}|HIGH|BRCA1|ENSG00000012048|transcript|ENST00000357654.9|protein_coding|"
        "10/23|c.671-1_4096+1del||||||"
    )
    path = tmp_path / "exon_loss.vcf"
    path.write_text(HEADER + f"chr17\t43091000\t.\tCA\tC\t.\tPASS\tANN={ann}\n", encoding="utf-8")
    (site,) = iter_annotated(path)
    (consequence,) = site.consequences
    assert consequence.consequences == terms
    assert all(t in so.RANK for t in terms)
    assert so.impact_of(consequence.consequences) == impact
