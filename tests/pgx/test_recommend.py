"""CPIC recommendations from genome + outside calls: HLA, clopidogrel, thiopurines, warfarin, no-result keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from genopath.pgx.definitions import PgxData
from genopath.pgx.phenotype import NO_RESULT, GenePhenotype
from genopath.pgx.recommend import WARFARIN_NOTE, recommend
from genopath.pgx.run import PgxOptions, run_pgx
from tests.pgx.conftest import Row, vcf_text
from tests.pgx.test_vcf import rows_for


@pytest.fixture
def genome(
    pgx_data: PgxData, write_vcf: Callable[..., Path], tmp_path: Path
) -> Callable[..., dict[str, Any]]:
    """Run ``run_pgx`` on a one-sample VCF carrying the given diplotypes (and outside calls)."""

    def run(
        diplotypes: dict[str, tuple[str, str]], outside: str | None = None, genes: Sequence[str] = ()
    ) -> dict[str, Any]:
        rows: list[Row] = []
        for gene, pair in diplotypes.items():
            rows += rows_for(pgx_data.definition(gene), [pair])
        if not rows:  # a VCF needs one record; put one at a CYP2C19 position
            rows = rows_for(pgx_data.definition("CYP2C19"), [("*38", "*38")])[:1]
        order = {c: k for k, c in enumerate(sorted({r[0] for r in rows}))}
        path = write_vcf(vcf_text(sorted(rows, key=lambda r: (order[r[0]], r[1]))))
        tsv = None
        if outside is not None:
            tsv = tmp_path / "outside.tsv"
            tsv.write_text(outside, encoding="utf-8")
        options = PgxOptions(outside_calls=tsv, genes=tuple(genes) or tuple(diplotypes) or ("CYP2C19",))
        document = run_pgx(pgx_data, path, options)
        return document["samples"][0]

    return run


def guideline(sample: dict[str, Any], drug: str) -> dict[str, Any]:
    return next(r for r in sample["recommendations"] if drug in r["drugs"])


def test_recommend__hla_b_1502_positive_do_not_use_carbamazepine(
    genome: Callable[..., dict[str, Any]],
) -> None:
    sample = genome({}, outside="HLA-B\t*15:02/*40:01\n")
    carbamazepine = guideline(sample, "carbamazepine")
    assert carbamazepine["lookup"] == {"HLA-A": NO_RESULT, "HLA-B": "*15:02 positive"}
    strong = [m for m in carbamazepine["matches"] if m["classification"] == "Strong"]
    assert strong and all("do not use carbamazepine" in m["text"] for m in strong)
    # Oxcarbazepine keys on HLA-B *15:02 too; allopurinol (*58:01) and abacavir (*57:01) are negative here.
    assert guideline(sample, "oxcarbazepine")["lookup"] == {"HLA-B": "*15:02 positive"}
    assert guideline(sample, "allopurinol")["lookup"] == {"HLA-B": "*58:01 negative"}
    assert guideline(sample, "abacavir")["lookup"] == {"HLA-B": "*57:01 negative"}


def test_recommend__hla_b_1502_negative_standard_dosing(genome: Callable[..., dict[str, Any]]) -> None:
    positive = guideline(genome({}, outside="HLA-B\t*15:02/*40:01\n"), "carbamazepine")
    negative = guideline(genome({}, outside="HLA-B\t*40:01/*46:01\n"), "carbamazepine")
    assert negative["lookup"] == {"HLA-A": NO_RESULT, "HLA-B": "*15:02 negative"}
    assert negative["matches"]
    assert {m["text"] for m in negative["matches"]}.isdisjoint(m["text"] for m in positive["matches"])
    assert all("Use carbamazepine per standard dosing" in m["text"] for m in negative["matches"])


def test_recommend__hla_a_and_b_both_keyed(genome: Callable[..., dict[str, Any]]) -> None:
    sample = genome({}, outside="HLA-A\t*31:01/*02:01\nHLA-B\t*15:02/*40:01\n")
    carbamazepine = guideline(sample, "carbamazepine")
    assert carbamazepine["lookup"] == {"HLA-A": "*31:01 positive", "HLA-B": "*15:02 positive"}
    assert any(
        m["classification"] == "Strong" and "do not use carbamazepine" in m["text"]
        for m in carbamazepine["matches"]
    )


def test_recommend__cyp2c19_star2_star2_avoid_clopidogrel(genome: Callable[..., dict[str, Any]]) -> None:
    sample = genome({"CYP2C19": ("*2", "*2")})
    cyp2c19 = next(g for g in sample["genes"] if g["gene"] == "CYP2C19")
    assert cyp2c19["phenotype"] == "Poor Metabolizer"
    clopidogrel = guideline(sample, "clopidogrel")
    assert clopidogrel["lookup"] == {"CYP2C19": "Poor Metabolizer"}
    assert any(
        m["classification"] == "Strong" and "Avoid clopidogrel" in m["text"] for m in clopidogrel["matches"]
    )
    assert all("Avoid clopidogrel" in m["text"] for m in clopidogrel["matches"])


def test_recommend__tpmt_and_nudt15_both_keyed(genome: Callable[..., dict[str, Any]]) -> None:
    sample = genome({"TPMT": ("*1", "*3A"), "NUDT15": ("*1", "*3")})
    for drug in ("azathioprine", "mercaptopurine", "thioguanine"):
        rec = guideline(sample, drug)
        assert rec["lookup"] == {"NUDT15": "Intermediate Metabolizer", "TPMT": "Intermediate Metabolizer"}
        assert rec["matches"] and all("reduce" in m["text"] for m in rec["matches"])
    # NUDT15 *3/*3 with TPMT normal: the NUDT15 poor-metabolizer row, not a TPMT-only one.
    poor = guideline(genome({"TPMT": ("*1", "*1"), "NUDT15": ("*3", "*3")}), "mercaptopurine")
    assert poor["lookup"] == {"NUDT15": "Poor Metabolizer", "TPMT": "Normal Metabolizer"}
    assert poor["matches"] and all("10 mg/m2/day" in m["text"] for m in poor["matches"])


def test_recommend__gene_without_result_is_no_result(genome: Callable[..., dict[str, Any]]) -> None:
    # TPMT called, NUDT15 not run: the thiopurine rows for "NUDT15: No Result" apply.
    sample = genome({"TPMT": ("*1", "*3A")})
    rec = guideline(sample, "mercaptopurine")
    assert rec["lookup"] == {"NUDT15": NO_RESULT, "TPMT": "Intermediate Metabolizer"}
    assert rec["matches"] and all("Based on TPMT status" in m["text"] for m in rec["matches"])


def test_recommend__not_called_gene_is_no_result(pgx_data: PgxData) -> None:
    results = {
        "TPMT": GenePhenotype("TPMT", (), None, None, NO_RESULT, {}),
        "NUDT15": GenePhenotype(
            "NUDT15", ("*1/*3",), "Intermediate Metabolizer", None, "Intermediate Metabolizer", {}
        ),
    }
    recs = {r.drugs: r for r in recommend(pgx_data.guidelines(), results, {})}
    rec = recs[("mercaptopurine",)]
    assert rec.lookup == {"NUDT15": "Intermediate Metabolizer", "TPMT": NO_RESULT}
    assert rec.matches and all(
        "Based NUDT15 status" in m["text"] or "Based on NUDT15" in m["text"] for m in rec.matches
    )
    # No result at all for a guideline's genes → the guideline is left out.
    assert not any("CYP2D6" in r.genes for r in recs.values())


def test_recommend__warfarin_note_when_cyp2c9_and_vkorc1_called(
    genome: Callable[..., dict[str, Any]],
) -> None:
    sample = genome({"CYP2C9": ("*1", "*3"), "VKORC1": ("rs9923231 reference (C)", "rs9923231 variant (T)")})
    warfarin = guideline(sample, "warfarin")
    assert warfarin["note"] == WARFARIN_NOTE and "IWPC" in warfarin["note"]
    assert warfarin["lookup"]["CYP2C9"] == next(g["lookup"] for g in sample["genes"] if g["gene"] == "CYP2C9")
    assert warfarin["lookup"]["VKORC1"] not in (NO_RESULT, None)
    assert warfarin["lookup"]["CYP4F2"] == NO_RESULT


def test_recommend__warfarin_note_with_vkorc1_only(genome: Callable[..., dict[str, Any]]) -> None:
    sample = genome({"VKORC1": ("rs9923231 variant (T)", "rs9923231 variant (T)")})
    assert guideline(sample, "warfarin")["note"] == WARFARIN_NOTE


def test_recommend__cyp2c19_and_cyp2d6_one_row_not_the_indeterminate_one(
    genome: Callable[..., dict[str, Any]],
) -> None:
    """``n/a`` is CPIC's key for an indeterminate CYP2D6, not a wildcard: a CYP2C19 intermediate
    metabolizer with CYP2D6 *1/*1 (activity 2.0) gets amitriptyline's one matching row."""
    document = genome({"CYP2C19": ("*38", "*2")}, outside="CYP2D6\t*1/*1\n")
    amitriptyline = next(r for r in document["recommendations"] if "amitriptyline" in r["drugs"])
    assert amitriptyline["lookup"] == {"CYP2C19": "Intermediate Metabolizer", "CYP2D6": "2.0"}
    assert [m["classification"] for m in amitriptyline["matches"]] == ["Strong"]
    assert "Initiate therapy with recommended starting dose" in amitriptyline["matches"][0]["text"]
