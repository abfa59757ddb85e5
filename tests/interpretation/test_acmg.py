"""ACMG/AMP criteria: worked examples, the published REVEL and points boundaries, invariants."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genopath.interpretation.acmg import class_of, classify, criterion_points, score
from genopath.interpretation.model import Family, GeneCandidate, Member
from genopath.registry.terms import AffectedStatus, Sex

KEY = ("chr17", 43_045_712, "T", "C")
PARTNER = ("chr17", 43_050_000, "G", "A")


def row(**kw: Any) -> dict[str, Any]:
    base = {"chrom": KEY[0], "pos": KEY[1], "ref": KEY[2], "alt": KEY[3], "pop_af": 0.0005,
            "consequence": "missense_variant", "most_severe": "missense_variant"}  # fmt: skip
    return {**base, **kw}


def cand(moi: str = "AD", *, de_novo: bool = False, variants: tuple[Any, ...] = (KEY,),
         in_trans: bool | None = None) -> GeneCandidate:  # fmt: skip
    return GeneCandidate("GENE1", moi, variants, "test", de_novo=de_novo, in_trans=in_trans)


def crit(r: dict[str, Any], c: GeneCandidate | None = None, **kw: Any) -> tuple[str, ...]:
    return classify(r, c or cand(), phenotype_specific=kw.pop("pp4", False), **kw).criteria


def test_worked_example__de_novo_nonsense_in_constrained_gene_is_pathogenic() -> None:
    r = row(
        consequence="stop_gained", most_severe="stop_gained", loeuf=0.1, pli=1.0, pop_af=None, exon="5/24"
    )
    acmg = classify(r, cand(de_novo=True), phenotype_specific=False)
    assert acmg.criteria == ("PVS1", "PS2", "PM2_Supporting")
    assert acmg.points == 8 + 4 + 1
    assert acmg.acmg_class == "Pathogenic"
    assert acmg.as_dict() == {
        "class": "Pathogenic",
        "points": 13,
        "criteria": ["PVS1", "PS2", "PM2_Supporting"],
    }


def test_worked_example__common_missense_is_benign_stand_alone() -> None:
    acmg = classify(row(pop_af=0.08, revel=0.95), cand(), phenotype_specific=True)
    assert "BA1" in acmg.criteria and acmg.acmg_class == "Benign"
    assert acmg.criteria == ("PP3_Strong", "PP4", "BA1")
    assert acmg.points == 4 + 1 - 8


def test_worked_example__de_novo_missense_likely_pathogenic_then_pathogenic_with_pp4() -> None:
    r = row(revel=0.95, pop_af=None)
    acmg = classify(r, cand(de_novo=True), phenotype_specific=False)
    assert (acmg.criteria, acmg.points, acmg.acmg_class) == (
        ("PS2", "PM2_Supporting", "PP3_Strong"), 9, "Likely pathogenic")  # fmt: skip
    acmg = classify(r, cand(de_novo=True), phenotype_specific=True)
    assert (acmg.points, acmg.acmg_class) == (10, "Pathogenic")


@pytest.mark.parametrize(
    ("revel", "code"),
    [(1.0, "PP3_Strong"), (0.932, "PP3_Strong"), (0.9319, "PP3_Moderate"), (0.773, "PP3_Moderate"),
     (0.7729, "PP3"), (0.644, "PP3"), (0.6439, None), (0.2901, None), (0.290, "BP4"), (0.1831, "BP4"),
     (0.183, "BP4_Moderate"), (0.0161, "BP4_Moderate"), (0.016, "BP4_Strong"), (0.0031, "BP4_Strong"),
     (0.003, "BP4_VeryStrong"), (0.0, "BP4_VeryStrong")],
)  # fmt: skip
def test_revel__pejaver_2022_boundaries(revel: float, code: str | None) -> None:
    # Pejaver et al. AJHG 2022 Table 2, REVEL row: BP4 ≤0.003 | (0.003,0.016] | (0.016,0.183] |
    # (0.183,0.290]; PP3 [0.644,0.773) | [0.773,0.932) | ≥0.932.
    computational = [c for c in crit(row(revel=revel)) if c.startswith(("PP3", "BP4"))]
    assert computational == ([code] if code else [])


@pytest.mark.parametrize(
    ("points", "name"),
    [(20, "Pathogenic"), (10, "Pathogenic"), (9, "Likely pathogenic"), (6, "Likely pathogenic"),
     (5, "Uncertain significance"), (0, "Uncertain significance"), (-1, "Likely benign"),
     (-6, "Likely benign"), (-7, "Benign"), (-20, "Benign")],
)  # fmt: skip
def test_class_of__tavtigian_2020_boundaries(points: int, name: str) -> None:
    assert class_of(points) == name


def test_criterion_points() -> None:
    assert [criterion_points(c) for c in ("PVS1", "PVS1_Strong", "PS2", "PM2_Supporting", "PM3", "PP3",
                                          "PP3_Strong", "BA1", "BS1", "BP4", "BP4_VeryStrong", "BP7")] == [
        8, 4, 4, 1, 2, 1, 4, -8, -4, -1, -8, -1]  # fmt: skip


_CODES = ["PVS1", "PS1", "PS2", "PM2_Supporting", "PM3", "PM4", "PM5", "PP3", "PP3_Strong", "PP4",
          "BS1", "BS2", "BP4", "BP4_Moderate", "BP7"]  # fmt: skip
_RANK = ["Benign", "Likely benign", "Uncertain significance", "Likely pathogenic", "Pathogenic"]


@given(st.lists(st.sampled_from(_CODES), unique=True), st.sampled_from([c for c in _CODES if c[0] == "P"]))
def test_adding_pathogenic_evidence_never_lowers_the_class(codes: list[str], extra: str) -> None:
    before = score(codes)
    after = score([*codes, extra])
    assert after.points >= before.points
    assert _RANK.index(after.acmg_class) >= _RANK.index(before.acmg_class)
    assert score([*codes, "BA1"]).acmg_class == "Benign"


@given(st.integers(-30, 30), st.integers(-30, 30))
def test_class_is_monotone_in_points(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert _RANK.index(class_of(lo)) <= _RANK.index(class_of(hi))


# --------------------------------------------------------------------------- PVS1


def test_pvs1__needs_lof_intolerance_for_a_dominant_candidate() -> None:
    lof = {"consequence": "frameshift_variant", "most_severe": "frameshift_variant", "exon": "3/10"}
    assert "PVS1" in crit(row(**lof, loeuf=0.34))
    assert "PVS1" in crit(row(**lof, loeuf=0.9, pli=0.9))
    assert not any(c.startswith("PVS1") for c in crit(row(**lof, loeuf=0.35, pli=0.5)))
    assert not any(c.startswith("PVS1") for c in crit(row(**lof)))  # no constraint data


def test_pvs1__last_exon_nonsense_downgraded_splice_not() -> None:
    assert "PVS1_Strong" in crit(
        row(consequence="stop_gained", most_severe="stop_gained", loeuf=0.1, exon="10/10")
    )
    splice = {"consequence": "splice_donor_variant", "most_severe": "splice_donor_variant", "intron": "9/9"}
    assert "PVS1" in crit(row(**splice, loeuf=0.1, exon=None))


def test_pvs1__start_lost_moderate_and_recessive_proxy() -> None:
    assert "PVS1_Moderate" in crit(row(consequence="start_lost", most_severe="start_lost", loeuf=0.1))
    lof = {"consequence": "stop_gained", "most_severe": "stop_gained", "loeuf": 0.9, "exon": "2/8"}
    assert "PVS1_Strong" in crit(row(**lof, diseases=["OMIM:219700"]), cand("AR"))
    assert "PVS1_Moderate" in crit(row(**{**lof, "exon": "8/8"}, diseases=["OMIM:219700"]), cand("XLR"))
    assert not any(c.startswith("PVS1") for c in crit(row(**lof, diseases=[]), cand("AR")))
    assert not any(c.startswith("PVS1") for c in crit(row(**lof, diseases=["OMIM:1"]), cand("AD")))


def test_pvs1__excludes_pp3_and_pm4() -> None:
    r = row(consequence="frameshift_variant&stop_lost", most_severe="frameshift_variant", loeuf=0.1,
            spliceai_max=0.9, exon="1/3", pop_af=None)  # fmt: skip
    assert crit(r) == ("PVS1", "PM2_Supporting")


# --------------------------------------------------------------------------- residue, de novo, PM3


def test_ps1_and_pm5() -> None:
    same = ["43045712:T:G|p.Arg1699Trp|Pathogenic|55"]
    assert "PS1" in crit(row(clinvar_same_aa=same))
    assert "PS1" not in crit(row(clinvar_same_aa=same, clinvar_class="P"))
    assert "PS1" in crit(row(clinvar_same_aa=same, clinvar_class="VUS"))
    assert "PM5" in crit(row(clinvar_same_codon=same))
    assert "PM5" not in crit(row(clinvar_same_aa=same, clinvar_same_codon=same))
    assert "PM5" not in crit(row(clinvar_same_codon=same, consequence="synonymous_variant",
                                 most_severe="synonymous_variant"))  # fmt: skip


def test_ps2_needs_both_parents_sequenced_when_family_given() -> None:
    kid = Member("kid", "kid", "dad", "mum", Sex.FEMALE, AffectedStatus.AFFECTED)
    dad = Member("dad", "dad", None, None, Sex.MALE, AffectedStatus.UNAFFECTED)
    mum = Member("mum", None, None, None, Sex.FEMALE, AffectedStatus.UNAFFECTED)
    assert "PS2" in crit(row(), cand(de_novo=True))
    assert "PS2" not in crit(row(), cand(de_novo=True), family=Family("F", "kid", (kid, dad, mum)))
    assert "PS2" not in crit(row(), cand(de_novo=False))


def test_pm3__partner_clinvar_pathogenic_and_phase() -> None:
    rows = {PARTNER: {"clinvar_class": "P"}}
    pair = (KEY, PARTNER)
    assert "PM3" in crit(row(), cand("AR", variants=pair, in_trans=True), rows=rows)
    assert "PM3_Supporting" in crit(row(), cand("AR", variants=pair, in_trans=None), rows=rows)
    assert not any(c.startswith("PM3") for c in crit(row(), cand("AR", variants=pair, in_trans=True),
                                                     rows={PARTNER: {"clinvar_class": "VUS"}}))  # fmt: skip
    assert not any(c.startswith("PM3") for c in crit(row(), cand("AR", variants=pair, in_trans=True)))


def test_pm2_supporting_threshold() -> None:
    assert "PM2_Supporting" in crit(row(pop_af=None))
    assert "PM2_Supporting" in crit(row(pop_af=0.0))
    assert "PM2_Supporting" in crit(row(pop_af=0.000099))
    assert "PM2_Supporting" not in crit(row(pop_af=0.0001))


def test_pm4__inframe_and_stop_lost() -> None:
    for term in ("inframe_deletion", "inframe_insertion", "stop_lost"):
        assert "PM4" in crit(row(consequence=term, most_severe=term))


# --------------------------------------------------------------------------- splicing, benign


def test_spliceai__pp3_bp4_bp7() -> None:
    syn = {"consequence": "synonymous_variant", "most_severe": "synonymous_variant"}
    intron = {"consequence": "splice_region_variant&intron_variant", "most_severe": "splice_region_variant"}
    assert "BP7" in crit(row(**syn, spliceai_max=0.1)) and "BP4" not in crit(row(**syn, spliceai_max=0.1))
    assert "BP7" not in crit(row(**syn))  # no SpliceAI, no BP7
    assert "PP3" in crit(row(**syn, spliceai_max=0.2))
    assert not any(c[:3] in ("PP3", "BP4", "BP7") for c in crit(row(**syn, spliceai_max=0.15)))
    assert "BP4" in crit(row(**intron, spliceai_max=0.02))
    assert "PP3" in crit(row(**intron, spliceai_max=0.6))
    assert crit(row(revel=0.1, spliceai_max=0.3)).count("PP3") == 1  # splice defect beats benign REVEL
    assert "BP4" not in crit(row(spliceai_max=0.01))  # missense without REVEL: no benign call


def test_bs1_only_for_dominant_candidates() -> None:
    assert "BS1" in crit(row(pop_af=0.02), cand("AD"))
    assert "BS1" not in crit(row(pop_af=0.02), cand("AR"))
    assert "BS1" not in crit(row(pop_af=0.01), cand("AD"))
    assert "BA1" in crit(row(pop_af=0.0501), cand("AR")) and "BA1" not in crit(row(pop_af=0.05), cand("AR"))


def test_bs2__unaffected_member_with_the_genotype_under_complete_penetrance() -> None:
    kid = Member("kid", "kid", "dad", "mum", Sex.MALE, AffectedStatus.AFFECTED)
    dad = Member("dad", "dad", None, None, Sex.MALE, AffectedStatus.UNAFFECTED)
    mum = Member("mum", "mum", None, None, Sex.FEMALE, AffectedStatus.UNAFFECTED)
    fam = Family("F", "kid", (kid, dad, mum))
    het_dad = row(gt_0=1, gt_1=1, gt_2=0)
    assert "BS2" in crit(het_dad, cand("AD"), family=fam)
    assert "BS2" not in crit(het_dad, cand("AD"), family=fam, penetrance="incomplete")
    assert "BS2" not in crit(het_dad, cand("AR"), family=fam)  # a heterozygous carrier is expected
    x = row(chrom="chrX", pos=50_000_000, gt_0=1, gt_1=1, gt_2=1)
    assert "BS2" in crit(x, cand("XLR"), family=fam)  # unaffected hemizygous father
    assert "BS2" not in crit({**x, "gt_1": 0}, cand("XLR"), family=fam)  # carrier mother only


def test_pp4() -> None:
    assert "PP4" in crit(row(), pp4=True) and "PP4" not in crit(row())
