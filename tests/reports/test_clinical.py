"""The clinical report of one analysis, rendered from hand-built ``results.json`` documents."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genopath.core.errors import InputError
from genopath.reports.clinical import (
    clinical_context,
    clinical_report_html,
    write_clinical_report,
)


def _variant(chrom: str, pos: int, ref: str, alt: str, **fields: Any) -> dict[str, Any]:
    return {"chrom": chrom, "pos": pos, "ref": ref, "alt": alt, **fields}


def trio_results() -> dict[str, Any]:
    """A trio with three candidate genes: a de novo LoF, a comp-het pair, a VUS; one SF finding."""
    genotypes_dn = {"P1": "0/1", "F1": "0/0", "M1": "0/0"}
    return {
        "schema": "genopath.interpretation/1",
        "genopath_version": "0.5.0",
        "resources": {
            "clinvar": "2025-01",
            "mane": "1.4",
            "hpo": "2025-03-03",
            "acmg_sf": "3.3",
            "panelapp": "2025-02-10",
        },
        "analysis": {
            "id": "AN-0042",
            "version": 2,
            "created_at": "2025-04-01T09:30:00+00:00",
            "case_id": "C-17",
        },
        "status": "draft",
        "family": {
            "family_id": "FAM7",
            "proband": "P1",
            "structure": "trio",
            "members": [
                {
                    "individual_id": "P1",
                    "sample": "S-P1",
                    "sex": "female",
                    "affected": "affected",
                    "father": "F1",
                    "mother": "M1",
                },
                {
                    "individual_id": "F1",
                    "sample": "S-F1",
                    "sex": "male",
                    "affected": "unaffected",
                    "father": None,
                    "mother": None,
                },
                {
                    "individual_id": "M1",
                    "sample": "S-M1",
                    "sex": "female",
                    "affected": "unaffected",
                    "father": None,
                    "mother": None,
                },
                {
                    "individual_id": "B1",
                    "sample": None,
                    "sex": "male",
                    "affected": "unknown",
                    "father": "F1",
                    "mother": "M1",
                },
            ],
        },
        "phenotype": {
            "observed": [
                {"id": "HP:0001250", "label": "Seizure"},
                {"id": "HP:0001263", "label": "Global developmental delay <script>alert(1)</script>"},
            ],
            "excluded": [{"id": "HP:0000365", "label": "Hearing impairment"}],
        },
        "panels": [{"id": "285", "name": "Intellectual disability", "version": "5.12"}],
        "genes": [
            {
                "gene_symbol": "SCN1A",
                "hgnc_id": "HGNC:10585",
                "rank": 1,
                "score": 41.2,
                "posterior": 0.93,
                "moi": "AD",
                "tier": "TIER1",
                "segregation": "de novo (both parents sequenced, reference)",
                "phenotype": {"score": 0.81, "likelihood_ratio": 57.0, "matched_terms": ["HP:0001250"]},
                "diseases": [{"id": "OMIM:607208", "name": "Developmental and epileptic encephalopathy 6B"}],
                "variants": [
                    _variant(
                        "chr2",
                        166_000_123,
                        "G",
                        "A",
                        consequence="stop_gained",
                        hgvs_c="ENST00000674923.1:c.2134C>T",
                        hgvs_p="ENSP00000501589.1:p.Arg712Ter",
                        genotypes=genotypes_dn,
                        pop_af=None,
                        clinvar_class="Pathogenic",
                        clinvar_stars=2,
                        acmg={
                            "class": "Pathogenic",
                            "points": 14,
                            "criteria": ["PVS1", "PS2", "PM2_Supporting"],
                        },
                    )
                ],
            },
            {
                "gene_symbol": "CFTR",
                "hgnc_id": "HGNC:1884",
                "rank": 2,
                "score": 12.0,
                "posterior": 0.041,
                "moi": "AR",
                "tier": "TIER3",
                "segregation": "compound heterozygous in trans (phased by parents)",
                "diseases": [{"id": "OMIM:219700", "name": "Cystic fibrosis"}],
                "variants": [
                    _variant(
                        "chr7",
                        117_559_590,
                        "ATCT",
                        "A",
                        consequence="inframe_deletion",
                        hgvs_c="ENST00000003084.11:c.1521_1523del",
                        hgvs_p="ENSP00000003084.6:p.Phe508del",
                        genotypes={"S-P1": 1, "S-F1": 1, "S-M1": 0},
                        pop_af=0.0071,
                        pop_af_source="gnomadg_af",
                        clinvar_class="Pathogenic",
                        clinvar_stars=3,
                        acmg={"class": "Pathogenic", "points": 11, "criteria": ["PS3", "PM3", "PP5"]},
                    ),
                    _variant(
                        "chr7",
                        117_587_800,
                        "G",
                        "T",
                        consequence="missense_variant&splice_region_variant",
                        hgvs_c="ENST00000003084.11:c.1652G>A",
                        hgvs_p="ENSP00000003084.6:p.Gly551Asp",
                        genotypes={"S-P1": 1, "S-F1": 0, "S-M1": 1},
                        pop_af=0.000021,
                        clinvar_class="Likely pathogenic",
                        clinvar_stars=1,
                        acmg={
                            "class": "Likely pathogenic",
                            "points": 7,
                            "criteria": ["PM2_Supporting", "PM3", "PP3"],
                        },
                    ),
                ],
            },
            {
                "gene_symbol": "KMT2D",
                "hgnc_id": "HGNC:7133",
                "rank": 3,
                "score": 2.0,
                "posterior": 0.0004,
                "moi": "AD",
                "tier": "TIER2",
                "diseases": [],
                "variants": [
                    _variant(
                        "chr12",
                        49_020_000,
                        "C",
                        "CAGGAGGAGGAGGAGGAG",
                        consequence="inframe_insertion",
                        hgvs_c="ENST00000301067.12:c.5000_5001insCTCCTCCTCCTCCTCCT",
                        hgvs_p="",
                        genotypes={"P1": "0/1", "F1": "0/1", "M1": "./."},
                        pop_af=0.00031,
                        clinvar_class=None,
                        clinvar_stars=None,
                        acmg={"class": "Uncertain significance", "points": 1, "criteria": ["PM4", "BS2"]},
                    )
                ],
            },
        ],
        "filter_trace": {
            "stages": ["genotype", "quality", "consequence", "frequency", "segregation", "ranking"],
            "counts": {
                "records": 4_812_311,
                "variants": 4_901_002,
                "genotype": 2_100_000,
                "quality": 300_000,
                "consequence": 2_480_000,
                "frequency": 20_900,
                "candidates": 111,
                "segregation": 95,
                "ranked_genes": 3,
                "ranked_variants": 4,
            },
        },
        "additional_findings": [
            {
                "gene_symbol": "BRCA2",
                "chrom": "chr13",
                "pos": 32_340_300,
                "ref": "GT",
                "alt": "G",
                "consequence": "frameshift_variant",
                "hgvs_c": "ENST00000380152.8:c.5946del",
                "hgvs_p": "ENSP00000369497.3:p.Ser1982ArgfsTer22",
                "genotypes": {"P1": "0/1"},
                "clinvar_class": "Pathogenic",
                "clinvar_stars": 3,
                "acmg": {"class": "Pathogenic", "points": 12, "criteria": ["PVS1", "PM2_Supporting", "PP5"]},
                "disease_phenotype": "Hereditary breast and ovarian cancer",
                "disorder_mim": "612555",
                "inheritance": "AD",
            }
        ],
    }


def empty_results() -> dict[str, Any]:
    results = trio_results()
    results["genes"] = []
    results["no_candidate_reason"] = "no variant fits a mode of inheritance in the family"
    del results["additional_findings"]
    return results


class _Text(HTMLParser):
    """Visible text of a page (tags stripped, entities decoded), and every URL-bearing attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("href", "src", "data")]
        self._skip += tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_report__shows_candidates_variants_and_acmg() -> None:
    text = _parse(clinical_report_html(trio_results())).text
    for gene in ("SCN1A", "CFTR", "KMT2D"):
        assert gene in text
    assert text.index("SCN1A") < text.index("CFTR") < text.index("KMT2D")
    # HGVS split from its transcript, both alleles of the comp-het gene, protein change
    assert "c.2134C>T" in text and "p.Arg712Ter" in text
    assert "c.1521_1523del" in text and "c.1652G>A" in text and "p.Gly551Asp" in text
    assert "ENST00000003084.11" in text
    # genomic position, long insertion shortened
    assert "chr7:117559590" in text and "ATCT>A" in text
    assert "C>CAGGAG…(18 bp)" in text
    # ACMG class with points and criteria; ClinVar class with stars
    assert "Likely pathogenic" in text and "+7 points" in text and "PM2_Supporting, PM3, PP3" in text
    assert "Uncertain significance" in text and "PM4, BS2" in text
    assert "★★★☆" in text
    assert "not in ClinVar" in text
    # tier, posterior as %, MOI, disease with ID, segregation and phenotype evidence
    assert "Tier 1 · posterior 93.0 %" in text
    assert "Tier 3 · posterior 4.1 %" in text
    assert "< 0.1 %" in text
    assert "AR (autosomal recessive)" in text
    assert "Developmental and epileptic encephalopathy 6B (OMIM:607208)" in text
    assert "compound heterozygous in trans" in text
    assert "HP:0001250 Seizure" in text and "likelihood ratio 57" in text
    # population AF, absent when unseen, small values in powers of ten
    assert "0.0071" in text and "2.1 × 10⁻⁵" in text and "absent" in text


def test_report__genotypes_per_member_by_individual_or_sample() -> None:
    context = clinical_context(trio_results())
    cftr = context["genes"][1]
    # sample-keyed ALT counts are shown per individual, proband first
    assert cftr["variants"][0]["genotypes"] == [
        ("proband", "", "0/1 het"),
        ("father", "", "0/1 het"),
        ("mother", "", "0/0"),
    ]
    assert cftr["variants"][1]["genotypes"][2] == ("mother", "", "0/1 het")
    kmt2d = context["genes"][2]
    assert kmt2d["variants"][0]["genotypes"][2] == ("mother", "", "./. no call")


def test_report__genotypes_of_other_relatives_by_id() -> None:
    results = trio_results()
    results["family"]["members"][3]["sample"] = "S-B1"
    results["family"]["structure"] = "quad"
    variant = results["genes"][0]["variants"][0]
    variant["genotypes"] = {"S-B1": {"gt": 1, "ploidy": 2}, "P1": {"gt": 1, "ploidy": 1}, "X7": "1/1"}
    rows = clinical_context(results)["genes"][0]["variants"][0]["genotypes"]
    # proband first (a haploid call is hemizygous), then the sibling by ID, then unknown keys as given
    assert rows == [("proband", "", "1 hemi"), ("B1", "full sibling", "0/1 het"), ("X7", "", "1/1 hom")]


def test_report__header_draft_family_phenotype_panels() -> None:
    html = clinical_report_html(trio_results())
    text = _parse(html).text
    assert "DRAFT — not for clinical use until authorised" in text
    assert "Status: draft" in text
    assert "AN-0042" in text and "C-17" in text and "2025-04-01 09:30 UTC" in text
    assert "genopath 0.5.0" in text
    for name, version in (("clinvar", "2025-01"), ("mane", "1.4"), ("hpo", "2025-03-03"), ("acmg_sf", "3.3")):
        assert f"{name} {version}" in text
    assert "Top candidate: SCN1A (posterior 0.93), Tier 1" in text
    # family table: relations derived from the pedigree, the unsequenced sibling
    assert "full sibling" in text and "not sequenced" in text
    assert "Hearing impairment" in text  # excluded term
    assert "Intellectual disability" in text and "5.12" in text
    # filter summary in pipeline order
    assert text.index("4,812,311") < text.index("2,480,000") < text.index("20,900")
    assert "removed: too common" in text and "removed: no mode of inheritance fits" in text
    assert "Sign-off status: pending" in text
    assert "Generated by genopath 0.5.0" in text


def test_context__filter_counts_in_pipeline_order_stages_as_removals() -> None:
    rows = clinical_context(trio_results())["filter_counts"]
    assert [r["key"] for r in rows] == [
        "records",
        "variants",
        "genotype",
        "quality",
        "consequence",
        "frequency",
        "candidates",
        "segregation",
        "ranked_variants",
        "ranked_genes",
    ]
    assert {r["key"] for r in rows if r["total"]} == {
        "records",
        "variants",
        "candidates",
        "ranked_variants",
        "ranked_genes",
    }
    assert rows[-1]["count"] == 3


def test_report__additional_findings_separate_section() -> None:
    text = _parse(clinical_report_html(trio_results())).text
    heading = "Additional findings (ACMG SF) — reported separately from the primary findings"
    assert heading in text
    section = text[text.index(heading) :]
    assert (
        "BRCA2" in section
        and "c.5946del" in section
        and "Hereditary breast and ovarian cancer (OMIM:612555)" in section
    )
    # the SF gene is not among the primary candidates
    assert "BRCA2" not in text[: text.index(heading)]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "Additional findings were not requested"),
        ({"additional_findings": [], "additional_findings_status": "not_consented"}, "has not consented"),
        ({"additional_findings": []}, "No pathogenic or likely pathogenic variant was found"),
        # the engine's own wording when it cannot tell the two apart
        (
            {"additional_findings_status": "not requested or not consented"},
            "Additional findings were not analysed: not requested or not consented.",
        ),
    ],
)
def test_report__additional_findings_status_lines(change: dict[str, Any], expected: str) -> None:
    results = trio_results()
    del results["additional_findings"]
    results.update(change)
    assert expected in _parse(clinical_report_html(results)).text


def test_report__no_candidate() -> None:
    text = _parse(clinical_report_html(empty_results())).text
    assert "No candidate found" in text
    assert "No variant fits a mode of inheritance in the family." in text
    assert "genopath explain results.json" in text
    assert "Top candidate" not in text
    assert "Additional findings were not requested" in text


def test_report__escapes_everything_and_has_no_external_assets() -> None:
    html = clinical_report_html(trio_results())
    parsed = _parse(html)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert parsed.links == []
    assert "http" not in html


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30))
def test_report__any_label_is_shown_as_text(label: str) -> None:
    """Whatever a label contains, the page shows it verbatim and it adds no markup."""
    results = trio_results()
    results["phenotype"]["observed"][0]["label"] = label
    results["genes"][0]["diseases"][0]["name"] = label
    html = clinical_report_html(results)
    plain = _parse(clinical_report_html(trio_results()))
    parsed = _parse(html)
    assert parsed.tags == plain.tags
    assert re.sub(r"\s+", " ", label).strip() in parsed.text


def test_report__only_top_ten_genes_shown() -> None:
    results = trio_results()
    template = results["genes"][2]
    results["genes"] = [
        {**copy.deepcopy(template), "gene_symbol": f"GENE{i:02d}", "rank": i, "posterior": 0.05}
        for i in range(1, 13)
    ]
    text = _parse(clinical_report_html(results)).text
    assert "GENE10" in text and "GENE11" not in text
    assert "2 further candidate genes" in text


def test_write__html_and_pdf(tmp_path: Path) -> None:
    html_path = write_clinical_report(trio_results(), tmp_path / "report.html")
    assert html_path == tmp_path / "report.html"
    assert "SCN1A" in html_path.read_text(encoding="utf-8")
    pdf = write_clinical_report(trio_results(), tmp_path / "out" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1024
    empty = write_clinical_report(empty_results(), tmp_path / "empty.pdf").read_bytes()
    assert empty.startswith(b"%PDF") and len(empty) > 1024


def test_write__wrong_suffix_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"report\.docx.*\.html or \.pdf"):
        write_clinical_report(trio_results(), tmp_path / "report.docx")
    assert not (tmp_path / "report.docx").exists()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.update(schema="genopath.pgx/1"), "schema 'genopath.pgx/1'"),
        (lambda r: r.pop("genes"), "'genes'"),
        (lambda r: r["genes"][1]["variants"][0].pop("acmg"), r"genes\[1\]\.variants\[0\]\.acmg"),
        (lambda r: r["genes"][0].update(posterior=1.7), "not a probability"),
        (lambda r: r.update(genes=[]), "no_candidate_reason"),
        (lambda r: r["family"].update(proband="X9"), "proband 'X9'"),
        (lambda r: r.update(additional_findings={"BRCA2": 1}), "additional_findings must be a list"),
    ],
)
def test_context__incomplete_results_refused(mutate: Any, message: str) -> None:
    results = trio_results()
    mutate(results)
    with pytest.raises(InputError, match=message):
        clinical_context(results)


def test_context__reads_the_interpreters_nested_clinvar_and_missing_version() -> None:
    """run.py writes ``clinvar: {class, stars}`` per variant and ``version: null`` for a
    standalone analysis; both must reach the page (not "not in ClinVar", not "None")."""
    results = trio_results()
    results["analysis"]["version"] = None
    variant = results["genes"][0]["variants"][0]
    variant.pop("clinvar_class", None)
    variant.pop("clinvar_stars", None)
    variant["clinvar"] = {"class": "LP", "stars": 2}
    context = clinical_context(results)
    shown = context["genes"][0]["variants"][0]
    assert shown["clinvar"] == "LP" and shown["clinvar_stars"] == "★★☆☆"
    assert context["analysis"]["version"] == "—"
