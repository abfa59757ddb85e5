"""Segregation over hand-made families: every mode in singleton, duo, trio and quad; the PARs;
cis/trans; frequency thresholds with the ClinVar rescue; trace reasons; invariants."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.annotation.pipeline import SCHEMA
from genopath.core.errors import InputError
from genopath.interpretation.model import (
    EXTRA_COLUMNS,
    GENOTYPE_FIELDS,
    TRACE_SCHEMA,
    Family,
    GeneCandidate,
    Member,
    genotype_column,
)
from genopath.interpretation.segregation import (
    FrequencyThresholds,
    chrom_region,
    find_candidates,
    genotype_state,
    phase,
)
from genopath.registry.terms import AffectedStatus, Sex

A, U, X = AffectedStatus.AFFECTED, AffectedStatus.UNAFFECTED, AffectedStatus.UNKNOWN
M, F = Sex.MALE, Sex.FEMALE


def candidates(rows: Sequence[dict[str, Any]], n: int) -> pa.Table:
    """A candidate table: SCHEMA + EXTRA_COLUMNS + genotype columns of ``n`` members, null
    except the values given; ``gts``/``ploidy`` give per-member gt/ploidy tuples."""
    fields = [*SCHEMA, *(pa.field(c, t) for c, t in EXTRA_COLUMNS)]
    fields += [pa.field(genotype_column(f, i), t) for i in range(n) for f, t in GENOTYPE_FIELDS]
    data: dict[str, list[Any]] = {f.name: [] for f in fields}
    for row in rows:
        flat = {k: v for k, v in row.items() if k not in ("gts", "ploidy")}
        flat.setdefault("ref", "A")
        flat.setdefault("alt", "G")
        for i, gt in enumerate(row["gts"]):
            flat[genotype_column("gt", i)] = gt
            flat[genotype_column("ploidy", i)] = (row.get("ploidy") or (2,) * n)[i]
        for name in data:
            data[name].append(flat.get(name))
    return pa.Table.from_pydict(data, schema=pa.schema(fields))


def family(*members: tuple[str, str | None, str | None, Sex, AffectedStatus, bool]) -> Family:
    """Members as (id, father, mother, sex, affected, sequenced); the first is the proband."""
    return Family(
        "FAM1",
        members[0][0],
        tuple(Member(i, i if seq else None, f, m, sex, aff) for i, f, m, sex, aff, seq in members),
    )


def trio(sex: Sex = F, father: AffectedStatus = U, mother: AffectedStatus = U) -> Family:
    return family(("kid", "dad", "mum", sex, A, True), ("dad", None, None, M, father, True),
                  ("mum", None, None, F, mother, True))  # fmt: skip


def quad(sex: Sex = F, sib: AffectedStatus = U, sib_sex: Sex = F) -> Family:
    return family(("kid", "dad", "mum", sex, A, True), ("dad", None, None, M, U, True),
                  ("mum", None, None, F, U, True), ("sib", "dad", "mum", sib_sex, sib, True))  # fmt: skip


def duo(sex: Sex = F) -> Family:  # proband and mother; the father is in the PED but not sequenced
    return family(("kid", "dad", "mum", sex, A, True), ("dad", None, None, M, U, False),
                  ("mum", None, None, F, U, True))  # fmt: skip


def singleton(sex: Sex = F) -> Family:
    return family(("kid", None, None, sex, A, True))


def var(
    pos: int, gts: tuple[int, ...], *, chrom: str = "chr1", gene: str = "GENE1", **kw: Any
) -> dict[str, Any]:
    return {"chrom": chrom, "pos": pos, "gene_symbol": gene, "gts": gts, **kw}


def run(
    rows: Sequence[dict[str, Any]], fam: Family, **kw: Any
) -> tuple[list[GeneCandidate], list[dict[str, Any]]]:
    genes, trace = find_candidates(candidates(rows, len(fam.sequenced)), fam, **kw)
    assert trace.schema == TRACE_SCHEMA
    return genes, trace.to_pylist()


def mois(genes: Sequence[GeneCandidate]) -> set[str]:
    return {g.moi for g in genes}


# --------------------------------------------------------------------------- genotype reading


@pytest.mark.parametrize(
    ("chrom", "pos", "region"),
    [("chr1", 5, "autosomal"), ("chrX", 10_000, "X"), ("chrX", 10_001, "autosomal"),
     ("chrX", 2_781_479, "autosomal"), ("chrX", 2_781_480, "X"), ("chrX", 155_701_382, "X"),
     ("chrX", 155_701_383, "autosomal"), ("chrX", 156_030_895, "autosomal"), ("chrY", 3_000_000, "Y"),
     ("chrM", 3243, "MT"), ("MT", 3243, "MT"), ("X", 50_000_000, "X")],
)  # fmt: skip
def test_chrom_region__grch38_par_boundaries(chrom: str, pos: int, region: str) -> None:
    assert chrom_region(chrom, pos) == region


def test_genotype_state__male_chrx_is_hemizygous() -> None:
    assert genotype_state("X", 1, 2, M) == "hemizygous"
    assert genotype_state("X", 2, 2, M) == "hemizygous"
    assert genotype_state("X", 1, 2, F) == "heterozygous"
    assert genotype_state("autosomal", 1, 2, M) == "heterozygous"  # PAR: diploid in males
    assert genotype_state("X", 1, 1, Sex.UNKNOWN) == "hemizygous"  # haploid call
    assert genotype_state("X", -1, 2, M) == "missing"
    assert genotype_state("X", None, None, M) == "missing"
    assert genotype_state("X", 0, 1, M) == "reference"
    assert genotype_state("autosomal", 1, 1, F) == "homozygous"  # haploid: no REF allele left
    assert genotype_state("MT", 1, 1, M) == "homozygous"


# --------------------------------------------------------------------------- dominant


def test_ad__de_novo_in_trio() -> None:
    genes, trace = run([var(100, (1, 0, 0))], trio())
    assert [(g.gene_symbol, g.moi, g.de_novo) for g in genes] == [("GENE1", "AD", True)]
    assert genes[0].segregation == "de novo (both parents sequenced, reference)"
    assert trace == []


def test_ad__inherited_from_unaffected_parent__complete_vs_incomplete() -> None:
    rows = [var(100, (1, 1, 0))]
    genes, trace = run(rows, trio())
    assert genes == []
    assert trace[0]["stage"] == "segregation"
    assert "AD: unaffected father heterozygous (complete penetrance)" in trace[0]["reason"]
    assert "AR comp-het: no second heterozygous variant in GENE1" in trace[0]["reason"]
    genes, trace = run(rows, trio(), penetrance="incomplete")
    assert [g.moi for g in genes] == ["AD"] and not genes[0].de_novo
    assert genes[0].segregation == "inherited from father (unaffected; incomplete penetrance)"
    assert "unaffected father heterozygous (incomplete penetrance)" in genes[0].notes
    assert trace == []


def test_ad__inherited_from_affected_parent_fits() -> None:
    genes, _ = run([var(100, (1, 0, 1))], trio(mother=A))
    assert [g.moi for g in genes] == ["AD"]
    assert genes[0].segregation == "inherited from mother (affected)"


def test_ad__affected_parent_without_the_variant_excludes() -> None:
    genes, trace = run([var(100, (1, 0, 0))], trio(mother=A))
    assert genes == []
    assert "affected mother reference" in trace[0]["reason"]


def test_ad__singleton_and_duo_are_not_de_novo() -> None:
    genes, _ = run([var(100, (1,))], singleton())
    assert [(g.moi, g.de_novo) for g in genes] == [("AD", False)]
    assert genes[0].segregation == "origin unknown (father not sequenced, mother not sequenced)"
    genes, _ = run([var(100, (1, 0))], duo())
    assert [(g.moi, g.de_novo) for g in genes] == [("AD", False)]
    assert genes[0].segregation == "absent from mother (father not sequenced)"


def test_ad__quad_unaffected_sibling_carrier_excludes() -> None:
    genes, trace = run([var(100, (1, 0, 0, 1))], quad())
    assert genes == []
    assert "unaffected sib heterozygous" in trace[0]["reason"]
    genes, _ = run([var(100, (1, 0, 0, 1))], quad(sib=A))  # affected sibling shares a de novo
    assert [(g.moi, g.de_novo) for g in genes] == [("AD", True)]


# --------------------------------------------------------------------------- recessive


def test_ar_hom__parents_carriers() -> None:
    genes, _ = run([var(100, (2, 1, 1))], trio())
    assert [g.moi for g in genes] == ["AR"]
    assert genes[0].segregation == "homozygous; father heterozygous, mother heterozygous"


def test_ar_hom__reference_parent_excludes() -> None:
    genes, trace = run([var(100, (2, 1, 0))], trio())
    assert genes == []
    assert trace[0]["reason"].startswith("AR hom: mother reference")


def test_ar_hom__quad_sibling_homozygous_excludes_heterozygous_fits() -> None:
    genes, trace = run([var(100, (2, 1, 1, 2))], quad())
    assert genes == [] and "unaffected sib homozygous" in trace[0]["reason"]
    genes, _ = run([var(100, (2, 1, 1, 1))], quad())
    assert [g.moi for g in genes] == ["AR"]


def test_ar_hom__singleton() -> None:
    genes, _ = run([var(100, (2,))], singleton())
    assert [g.moi for g in genes] == ["AR"]
    assert genes[0].segregation == "homozygous; father not sequenced, mother not sequenced"


def test_comp_het__trio_in_trans() -> None:
    genes, trace = run([var(100, (1, 1, 0)), var(200, (1, 0, 1))], trio())
    assert [(g.moi, g.in_trans, len(g.variants)) for g in genes] == [("AR", True, 2)]
    assert genes[0].segregation == (
        "compound heterozygous in trans (chr1:100:A:G from father, chr1:200:A:G from mother)"
    )
    assert trace == []


def test_comp_het__in_cis_rejected() -> None:
    genes, trace = run([var(100, (1, 0, 1)), var(200, (1, 0, 1))], trio())
    assert genes == []
    assert len(trace) == 2
    assert all("with chr1:" in t["reason"] and "in cis (both from mother)" in t["reason"] for t in trace)


def test_comp_het__singleton_unphased_but_kept() -> None:
    genes, _ = run([var(100, (1,)), var(200, (1,))], singleton())
    pair = [g for g in genes if g.moi == "AR"]
    assert len(pair) == 1 and pair[0].in_trans is None
    assert "phase unknown: parents not sequenced" in pair[0].notes
    assert mois(genes) == {"AD", "AR"}  # each heterozygous variant also fits AD in a singleton


def test_comp_het__duo_phase_unknown_noted() -> None:
    genes, _ = run([var(100, (1, 1)), var(200, (1, 0))], duo())
    pair = next(g for g in genes if g.moi == "AR")
    assert pair.in_trans is None
    assert pair.notes == [
        "phase unknown: chr1:100:A:G from mother, chr1:200:A:G not in mother (father not sequenced)"
    ]


def test_comp_het__one_de_novo_is_unphased() -> None:
    genes, _ = run([var(100, (1, 1, 0)), var(200, (1, 0, 0))], trio())
    pair = next(g for g in genes if g.moi == "AR")
    assert pair.in_trans is None and "in neither parent" in pair.notes[0]


def test_comp_het__quad_unaffected_sibling_with_both_excludes() -> None:
    rows = [var(100, (1, 1, 0, 1)), var(200, (1, 0, 1, 1))]
    genes, trace = run(rows, quad())
    assert genes == []
    assert "unaffected sib carries both (complete penetrance)" in trace[0]["reason"]
    rows = [var(100, (1, 1, 0, 1)), var(200, (1, 0, 1, 0))]  # sibling carries one: a carrier
    genes, _ = run(rows, quad())
    assert [(g.moi, g.in_trans) for g in genes] == [("AR", True)]


def test_comp_het__different_genes_do_not_pair() -> None:
    genes, trace = run([var(100, (1, 1, 0)), var(200, (1, 0, 1), gene="GENE2")], trio())
    assert genes == []
    assert {t["gene_symbol"] for t in trace} == {"GENE1", "GENE2"}


# --------------------------------------------------------------------------- X-linked, PAR, MT


def test_xlr__male_hemizygous_from_carrier_mother() -> None:
    genes, trace = run([var(50_000_000, (1, 0, 1), chrom="chrX")], trio(sex=M))
    assert [g.moi for g in genes] == ["XLR"]
    assert genes[0].segregation == "hemizygous; mother heterozygous (carrier)"
    assert trace == []  # XLD failed (unaffected carrier mother) but XLR fits


def test_xlr__male_gt2_and_haploid_calls_are_hemizygous() -> None:
    rows = [var(50_000_000, (2, 0, 1), chrom="chrX"), var(60_000_000, (1, 0, 1), chrom="chrX", gene="G2",
            ploidy=(1, 1, 2))]  # fmt: skip
    genes, _ = run(rows, trio(sex=M))
    assert [(g.gene_symbol, g.moi) for g in genes] == [("G2", "XLR"), ("GENE1", "XLR")]


def test_xlr__male_de_novo_needs_both_parents_sequenced() -> None:
    genes, _ = run([var(50_000_000, (1, 0, 0), chrom="chrX")], trio(sex=M))
    assert {(g.moi, g.de_novo) for g in genes} == {("XLR", True), ("XLD", True)}
    assert genes[0].segregation == "hemizygous, de novo (both parents sequenced, mother reference)"
    genes, _ = run([var(50_000_000, (1, 0), chrom="chrX")], duo(sex=M))
    assert {(g.moi, g.de_novo) for g in genes} == {("XLR", False), ("XLD", False)}


def test_xlr__unaffected_hemizygous_brother_excludes() -> None:
    genes, trace = run([var(50_000_000, (1, 0, 1, 1), chrom="chrX")], quad(sex=M, sib_sex=M))
    assert genes == []
    assert "XLR: unaffected sib hemizygous (complete penetrance)" in trace[0]["reason"]


def test_xlr__female_homozygous_needs_hemizygous_father() -> None:
    genes, trace = run([var(50_000_000, (2, 0, 1), chrom="chrX")], trio(sex=F))
    assert genes == []
    assert "father reference" in trace[0]["reason"]
    genes, _ = run([var(50_000_000, (2, 1, 1), chrom="chrX")], trio(sex=F, father=A))
    assert "XLR" in mois(genes)


def test_xlr__female_compound_heterozygous() -> None:
    rows = [var(50_000_000, (1, 0, 1), chrom="chrX"), var(50_000_100, (1, 0, 0), chrom="chrX")]
    genes, _ = run(rows, trio(sex=F))
    xlr = [g for g in genes if g.moi == "XLR"]
    assert len(xlr) == 1 and len(xlr[0].variants) == 2 and xlr[0].in_trans is None
    assert ("XLD", True) in {(g.moi, g.de_novo) for g in genes}  # the de novo one also fits XLD


def test_xld__female_de_novo() -> None:
    genes, _ = run([var(50_000_000, (1, 0, 0), chrom="chrX")], trio(sex=F))
    assert [(g.moi, g.de_novo) for g in genes] == [("XLD", True)]
    assert genes[0].segregation == "heterozygous; de novo (both parents sequenced, reference)"


def test_par__male_heterozygous_call_is_autosomal() -> None:
    genes, _ = run([var(1_000_000, (1, 0, 0), chrom="chrX")], trio(sex=M))
    assert [(g.moi, g.de_novo) for g in genes] == [("AD", True)]
    genes, _ = run([var(1_000_000, (2, 1, 1), chrom="chrX")], trio(sex=M))
    assert [g.moi for g in genes] == ["AR"]
    genes, _ = run([var(3_000_000, (1, 0, 0), chrom="chrX")], trio(sex=M))  # just past PAR1
    assert mois(genes) == {"XLR", "XLD"}


def test_mt__any_dosage_maternal() -> None:
    genes, _ = run([var(3243, (1, 0, 1), chrom="chrM", gene="MT-TL1")], trio(sex=M))
    assert [g.moi for g in genes] == ["MT"]
    assert genes[0].segregation == "heteroplasmic; maternally inherited (mother carries it)"
    genes, _ = run([var(3243, (2, 0, 0), chrom="chrM", gene="MT-TL1")], trio(sex=M))
    assert [g.moi for g in genes] == ["MT"] and "not detected in the mother" in genes[0].segregation


def test_chry_outside_par__traced() -> None:
    genes, trace = run([var(3_000_000, (1, 0, 0), chrom="chrY", gene="SRY")], trio(sex=M))
    assert genes == []
    assert trace[0]["reason"] == "no mode of inheritance for a hemizygous call on chrY outside the PARs"


# --------------------------------------------------------------------------- frequency


def test_frequency__thresholds_per_mode_and_trace_stage() -> None:
    genes, trace = run([var(100, (1, 0, 0), pop_af=0.004)], trio())
    assert genes == []
    assert trace[0]["stage"] == "segregation"  # comp-het passed 2 % but had no second hit
    assert trace[0]["reason"] == (
        "AD: AF 0.004 > 0.001; AR comp-het: no second heterozygous variant in GENE1"
    )
    genes, trace = run([var(100, (1, 0, 0), pop_af=0.03)], trio())
    assert trace[0]["stage"] == "frequency"  # every mode failed its frequency threshold
    assert trace[0]["reason"].startswith("AD: AF 0.03 > 0.001; AR comp-het: AF 0.03 > 0.02")


def test_frequency__boundaries_and_null() -> None:
    assert mois(run([var(100, (1, 0, 0), pop_af=0.001)], trio())[0]) == {"AD"}
    assert mois(run([var(100, (1, 0, 0), pop_af=None)], trio())[0]) == {"AD"}
    assert mois(run([var(100, (2, 1, 1), pop_af=0.01)], trio())[0]) == {"AR"}
    assert mois(run([var(100, (2, 1, 1), pop_af=0.0101)], trio())[0]) == set()
    rows = [var(100, (1, 1, 0), pop_af=0.02), var(200, (1, 0, 1), pop_af=0.0199)]
    assert mois(run(rows, trio())[0]) == {"AR"}


def test_frequency__clinvar_rescue_up_to_five_percent() -> None:
    genes, _ = run([var(100, (1, 0, 0), pop_af=0.03, clinvar_class="LP")], trio())
    assert mois(genes) == {"AD"}
    genes, _ = run([var(100, (1, 0, 0), pop_af=0.03, clinvar_class="VUS")], trio())
    assert genes == []
    genes, trace = run([var(100, (1, 0, 0), pop_af=0.06, clinvar_class="P")], trio())
    assert genes == [] and trace[0]["stage"] == "frequency"
    assert "AF 0.06 > 0.001 (ClinVar P/LP rescue stops at 0.05)" in trace[0]["reason"]


def test_frequency__custom_thresholds() -> None:
    genes, _ = run([var(100, (1, 0, 0), pop_af=0.004)], trio(), thresholds=FrequencyThresholds(ad=0.005))
    assert mois(genes) == {"AD"}


# --------------------------------------------------------------------------- misc


def test_not_a_proband_variant_is_ignored_and_no_gene_is_traced() -> None:
    genes, trace = run([var(100, (0, 1, 0)), var(200, (1, 0, 0), gene=None)], trio())
    assert genes == []
    assert [(t["pos"], t["reason"]) for t in trace] == [
        (200, "not in a gene (genes are the unit of analysis)")
    ]


def test_missing_genotype_of_affected_member_is_noted() -> None:
    genes, _ = run([var(100, (1, 0, 0, -1))], quad(sib=A))
    assert genes[0].notes == ["genotype of affected sib missing"]


def test_bad_input() -> None:
    table = candidates([var(100, (1, 0, 0))], 3).drop_columns(["gt_2"])
    with pytest.raises(InputError, match="gt_2"):
        find_candidates(table, trio())
    with pytest.raises(InputError, match="penetrance 'partial'"):
        find_candidates(candidates([var(100, (1, 0, 0))], 3), trio(), penetrance="partial")


def test_phase__public_helper() -> None:
    rows = candidates([var(100, (1, 1, 0)), var(200, (1, 0, 1)), var(300, (1, 1, 0))], 3).to_pylist()
    assert phase(trio(), rows[0], rows[1]) is True
    assert phase(trio(), rows[0], rows[2]) is False
    assert phase(singleton(), {"chrom": "chr1", "pos": 1, "ref": "A", "alt": "G", "gt_0": 1},
                 {"chrom": "chr1", "pos": 2, "ref": "A", "alt": "G", "gt_0": 1}) is None  # fmt: skip


# --------------------------------------------------------------------------- invariants

genotype = st.sampled_from([-1, 0, 1, 2])
variant_rows = st.lists(
    st.tuples(
        st.sampled_from(["chr1", "chrX", "chrM"]),
        st.sampled_from([1_000_000, 50_000_000, 50_000_100, 3243]),
        st.sampled_from(["G1", "G2"]),
        st.tuples(st.sampled_from([1, 2]), genotype, genotype, genotype),
        st.sampled_from([None, 0.0005, 0.005, 0.015, 0.03, 0.07]),
        st.sampled_from([None, "P", "VUS"]),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda t: (t[0], t[1]),
)


def _rows(drawn: list[Any]) -> list[dict[str, Any]]:
    return [var(p, g, chrom=c, gene=gene, pop_af=af, clinvar_class=cv) for c, p, gene, g, af, cv in drawn]


@settings(max_examples=150, deadline=None)
@given(variant_rows, st.sampled_from([F, M]), st.sampled_from([U, A]))
def test_every_proband_variant_is_a_candidate_or_traced_once(
    drawn: list[Any], sex: Sex, sib: AffectedStatus
) -> None:
    fam = quad(sex=sex, sib=sib)
    genes, trace = run(_rows(drawn), fam)
    in_genes = {k for g in genes for k in g.variants}
    traced = [(t["chrom"], t["pos"], t["ref"], t["alt"]) for t in trace]
    assert len(traced) == len(set(traced))
    assert in_genes.isdisjoint(traced)
    proband = {(c, p, "A", "G") for c, p, _, g, _, _ in drawn if g[0] > 0}
    assert in_genes | set(traced) == proband
    assert all(t["stage"] in ("frequency", "segregation") for t in trace)
    assert all(g.de_novo is False or g.moi in ("AD", "XLR", "XLD") for g in genes)


def _signature(genes: Sequence[GeneCandidate]) -> set[tuple[str, str, tuple[Any, ...]]]:
    return {(g.gene_symbol, g.moi, g.variants) for g in genes}


@settings(max_examples=150, deadline=None)
@given(variant_rows, st.sampled_from([F, M]))
def test_relaxing_penetrance_or_thresholds_never_removes_a_candidate(drawn: list[Any], sex: Sex) -> None:
    rows, fam = _rows(drawn), quad(sex=sex)
    strict = _signature(run(rows, fam)[0])
    assert strict <= _signature(run(rows, fam, penetrance="incomplete")[0])
    loose = FrequencyThresholds(ad=0.01, ar=0.02, comp_het=0.05, clinvar_rescue=0.1)
    assert strict <= _signature(run(rows, fam, thresholds=loose)[0])
