"""Outside calls (CYP2D6, HLA-A, HLA-B, MT-RNR1): parsing, errors naming the line, phenotypes through run_pgx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from genopath.core.errors import InputError
from genopath.pgx.definitions import PgxData
from genopath.pgx.outside import read_outside_calls
from genopath.pgx.run import PgxOptions, run_pgx
from tests.pgx.conftest import vcf_text


def tsv(tmp_path: Path, text: str, name: str = "outside.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def cyp2c19_vcf(pgx_data: PgxData, write_vcf: Callable[..., Path]) -> Path:
    definition = pgx_data.definition("CYP2C19")
    rows = [(p.chrom, p.pos, p.ref, ",".join(p.alts), "0/0") for p in definition.positions]
    return write_vcf(vcf_text(rows))


def outside_gene(document: dict, gene: str) -> dict:
    return next(g for g in document["samples"][0]["genes"] if g["gene"] == gene)


def test_read_outside_calls__valid_lines_and_comments(tmp_path: Path) -> None:
    path = tsv(
        tmp_path,
        "# genopath outside calls\n"
        "\n"
        "CYP2D6\t*1/*10\n"
        "  # a comment after a blank line\n"
        "HLA-B\t*15:02/*40:01\n"
        "HLA-A\t\tPositive for *31:01\n"
        "",
    )
    calls = read_outside_calls(path)
    assert set(calls) == {"CYP2D6", "HLA-B", "HLA-A"}
    assert calls["CYP2D6"].alleles == ("*1", "*10") and calls["CYP2D6"].line == 3
    assert calls["HLA-B"].alleles == ("*15:02", "*40:01") and calls["HLA-B"].line == 5
    assert calls["HLA-A"].alleles is None and calls["HLA-A"].phenotype == "Positive for *31:01"


def test_read_outside_calls__phenotype_and_activity_columns(tmp_path: Path) -> None:
    calls = read_outside_calls(tsv(tmp_path, "CYP2D6\t*1/*4\tIntermediate Metabolizer\t1.0\n"))
    assert (calls["CYP2D6"].phenotype, calls["CYP2D6"].activity_score) == ("Intermediate Metabolizer", "1.0")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("CYP2D6\t*1/*4\nCYP2C19\t*1/*2\n", 2, "CYP2C19"),
        ("# header\nCYP2D6\t*1/*4\nCYP2D6\t*1/*1\n", 3, "twice"),
        ("CYP2D6\t*1*4\n", 1, "*1*4"),
        ("# c\nHLA-B\t15:02/40:01\n", 2, "15:02/40:01"),
        ("HLA-B\t*15:02\n", 1, "*15:02"),
        ("CYP2D6\t*1/*4\tNormal Metabolizer\thigh\n", 1, "'high'"),
        ("CYP2D6\t*1/*4\t\tnan\n", 1, "'nan'"),
        ("CYP2D6\t*1/*4\t\t-1\n", 1, "'-1'"),
        ("CYP2D6\t*1/*4\n\nHLA-A\t\n", 3, "no diplotype"),
        ("MT-RNR1\t*1/*2\n", 1, "m.1555A>G"),
        ("MT-RNR1\tm.1555A>G/m.1555A>G\n", 1, "one mitochondrial haplotype"),
    ],
)
def test_read_outside_calls__malformed_names_the_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    with pytest.raises(InputError) as raised:
        read_outside_calls(tsv(tmp_path, text))
    message = str(raised.value)
    assert f"line {line}:" in message and words in message


def test_read_outside_calls__missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_outside_calls(tmp_path / "nope.tsv")


def test_run_pgx__cyp2d6_allele_unknown_to_cpic_without_phenotype_is_refused(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    path = tsv(tmp_path, "# outside\nCYP2D6\t*1/*999\n")
    with pytest.raises(InputError) as raised:
        run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    assert "*999" in str(raised.value) and "line 2" in str(raised.value)


def test_run_pgx__cyp2d6_unknown_allele_with_phenotype_is_taken_as_given(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    path = tsv(tmp_path, "CYP2D6\t*1/*999\tIntermediate Metabolizer\t1.0\n")
    document = run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    result = outside_gene(document, "CYP2D6")
    assert (result["phenotype"], result["activity_score"], result["source"]) == (
        "Intermediate Metabolizer",
        "1.0",
        "outside call",
    )


def test_run_pgx__cyp2d6_star4_star4_is_poor_metabolizer(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    path = tsv(tmp_path, "CYP2D6\t*4/*4\n")
    document = run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    result = outside_gene(document, "CYP2D6")
    assert result["phenotype"] == "Poor Metabolizer"
    assert float(result["activity_score"]) == 0.0
    assert result["called"] and result["source"] == "outside call"
    # CPIC codeine: CYP2D6 poor metabolizer → avoid codeine (Strong).
    codeine = next(r for r in document["samples"][0]["recommendations"] if tuple(r["drugs"]) == ("codeine",))
    assert codeine["lookup"] == {"CYP2D6": result["lookup"]}
    assert any(m["classification"] == "Strong" and "Avoid codeine" in m["text"] for m in codeine["matches"])


def _recommendation(document: dict, drug: str) -> dict:
    return next(r for r in document["samples"][0]["recommendations"] if drug in r["drugs"])


def test_run_pgx__mt_rnr1_haplotype_outside_call(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    path = tsv(tmp_path, "MT-RNR1\tm.1555A>G\n")
    document = run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    result = outside_gene(document, "MT-RNR1")
    assert result["diplotypes"] == [{"name": "m.1555A>G"}]
    assert result["phenotype"].lower() == "increased risk of aminoglycoside-induced hearing loss"
    # CPIC aminoglycosides: m.1555A>G → avoid aminoglycosides unless the infection is severe.
    gentamicin = _recommendation(document, "gentamicin")
    assert gentamicin["matches"] and all(m["classification"] == "Strong" for m in gentamicin["matches"])
    assert "avoid" in gentamicin["matches"][0]["text"].lower()


def test_run_pgx__mt_rnr1_reference_is_normal_risk(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    path = tsv(tmp_path, "MT-RNR1\tReference\n")
    document = run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    assert outside_gene(document, "MT-RNR1")["phenotype"].lower().startswith("normal risk")
    assert _recommendation(document, "gentamicin")["matches"]


def test_run_pgx__cyp2d6_phenotype_only_matches_the_scores_of_that_phenotype(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    path = tsv(tmp_path, "CYP2D6\t\tPoor Metabolizer\n")
    document = run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    codeine = _recommendation(document, "codeine")
    assert [m["classification"] for m in codeine["matches"]] == ["Strong"]
    assert "Avoid codeine" in codeine["matches"][0]["text"] and codeine["note"] is None

    # Intermediate metabolizer spans activity scores 0.25-1.0; CPIC gives codeine one
    # recommendation for all of them, so it is reported once and without a caveat.
    path = tsv(tmp_path, "CYP2D6\t\tintermediate metabolizer\n")
    document = run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    result = outside_gene(document, "CYP2D6")
    assert result["lookup"] == "intermediate metabolizer" and result["activity_score"] is None
    codeine = _recommendation(document, "codeine")
    assert len(codeine["matches"]) == 1 and codeine["matches"][0]["classification"] == "Moderate"


def test_run_pgx__cyp2d6_phenotype_unknown_to_cpic_is_refused(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    path = tsv(tmp_path, "CYP2D6\t\tSuper Metabolizer\n")
    with pytest.raises(InputError) as raised:
        run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    message = str(raised.value)
    assert "Super Metabolizer" in message and "Poor Metabolizer" in message and "line 1" in message


def test_report__phenotype_only_caveat_and_mt_rnr1_shown(
    pgx_data: PgxData, cyp2c19_vcf: Path, tmp_path: Path
) -> None:
    from genopath.reports.pgx import pgx_report_html

    path = tsv(tmp_path, "CYP2D6\t\tIntermediate Metabolizer\nMT-RNR1\tm.1555A>G\n")
    document = run_pgx(pgx_data, cyp2c19_vcf, PgxOptions(outside_calls=path, genes=("CYP2C19",)))
    noted = [
        r
        for r in document["samples"][0]["recommendations"]
        if r["matches"] and r["note"] and "CYP2D6" in r["genes"]
    ]
    assert noted, "some CYP2D6 guideline differs within the intermediate scores (e.g. tamoxifen)"
    html = pgx_report_html(document)
    assert "m.1555A&gt;G" in html
    assert "the phenotype alone covers activity scores" in html
