"""Ranking hand-built genes: genotype and phenotype evidence, posteriors, order, output shape."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.core.errors import InputError
from genopath.interpretation.model import Acmg, GeneCandidate, GenePhenotype, VariantKey
from genopath.interpretation.ranking import (
    ELSEWHERE,
    MOI_INCONSISTENT,
    MOI_UNKNOWN,
    GeneInput,
    p_pathogenic,
    rank,
)

_positions = iter(range(1_000_000, 2_000_000, 7))


def _phenotype(lr: float, moi: Sequence[str] = ("AD",), score: float = 0.5) -> GenePhenotype:
    disease = {"id": "OMIM:100000", "name": "Test syndrome", "score": score, "moi": list(moi), "excluded": []}
    return GenePhenotype(score=score, likelihood_ratio=lr, diseases=(disease,))


def _gene(
    symbol: str,
    *,
    points: Sequence[int] = (3,),
    moi: str = "AD",
    phenotype: GenePhenotype | None = None,
    clinvar: tuple[str, int] | None = None,
    in_trans: bool | None = None,
    in_panel: bool = False,
    de_novo: bool = False,
) -> GeneInput:
    keys: list[VariantKey] = [("chr7", next(_positions), "G", "A") for _ in points]
    candidate = GeneCandidate(
        symbol,
        moi,
        tuple(keys),
        "compound heterozygous" if len(keys) == 2 else "heterozygous",
        de_novo=de_novo,
        in_trans=in_trans,
    )
    acmg = {
        k: Acmg("Uncertain significance", p, ("PM2_Supporting",)) for k, p in zip(keys, points, strict=True)
    }
    rows: dict[VariantKey, dict[str, Any]] = {
        k: {
            "consequence": "missense_variant",
            "hgvs_c": f"c.{k[1] % 1000}G>A",
            "hgvs_p": None,
            "clinvar_class": clinvar[0] if clinvar else None,
            "clinvar_stars": clinvar[1] if clinvar else None,
            "pop_af": None,
            "genotypes": {"proband": "0/1", "mother": "0/0"},
        }
        for k in keys
    }
    return GeneInput(
        symbol, f"HGNC:{abs(hash(symbol)) % 10000}", [candidate], acmg, rows, phenotype, "TIER3", in_panel
    )


def _order(ranked: list[dict[str, Any]]) -> list[str]:
    return [g["gene_symbol"] for g in ranked]


def test_rank__more_acmg_points_rank_higher() -> None:
    pheno = _phenotype(10.0)
    ranked = rank([_gene("AAA", points=(1,), phenotype=pheno), _gene("BBB", points=(6,), phenotype=pheno)])
    assert _order(ranked) == ["BBB", "AAA"]
    assert [g["rank"] for g in ranked] == [1, 2]
    assert ranked[0]["score"] > ranked[1]["score"]


def test_rank__better_phenotype_ranks_higher() -> None:
    ranked = rank([_gene("AAA", phenotype=_phenotype(2.0)), _gene("BBB", phenotype=_phenotype(500.0))])
    assert _order(ranked) == ["BBB", "AAA"]


def test_rank__phenotype_outweighs_a_stronger_variant_in_an_unrelated_gene() -> None:
    # a likely-pathogenic LoF (9 points) in a gene that does not explain the phenotype against a
    # VUS missense (3 points) in a gene whose disease fits
    decoy = _gene("DECOY", points=(9,), phenotype=_phenotype(0.01))
    causal = _gene("CAUSAL", points=(3,), phenotype=_phenotype(300.0))
    assert _order(rank([decoy, causal]))[0] == "CAUSAL"


def test_rank__heterozygous_variant_in_a_recessive_gene_is_penalised() -> None:
    # a ClinVar pathogenic carrier fitting AD in an AR gene vs a consistent dominant candidate
    carrier = _gene(
        "CARRIER", points=(5,), moi="AD", phenotype=_phenotype(50.0, moi=("AR",)), clinvar=("P", 2)
    )
    dominant = _gene("DOMINANT", points=(3,), moi="AD", phenotype=_phenotype(50.0, moi=("AD",)))
    ranked = rank([carrier, dominant])
    assert _order(ranked) == ["DOMINANT", "CARRIER"]
    assert any("does not match" in line for line in ranked[1]["evidence"])


def test_rank__best_mode_of_a_gene_is_chosen() -> None:
    gene = _gene("GENE", points=(4,), moi="AD", phenotype=_phenotype(20.0, moi=("AR",)))
    hom_key = next(iter(gene.acmg))
    gene.candidates.append(GeneCandidate("GENE", "AR", (hom_key,), "homozygous"))
    ranked = rank([gene])
    assert ranked[0]["moi"] == "AR"
    assert [c["moi"] for c in ranked[0]["candidates"]] == ["AR", "AD"]


def test_rank__compound_heterozygous_needs_both_variants() -> None:
    pheno = _phenotype(50.0, moi=("AR",))
    strong = _gene("STRONG", points=(8, 8), moi="AR", phenotype=pheno, in_trans=True)
    one_benign = _gene("WEAK", points=(8, -4), moi="AR", phenotype=pheno, in_trans=True)
    unphased = _gene("UNPHASED", points=(8, 8), moi="AR", phenotype=pheno, in_trans=None)
    ranked = rank([one_benign, unphased, strong])
    assert _order(ranked) == ["STRONG", "UNPHASED", "WEAK"]
    p8 = p_pathogenic(8)
    assert ranked[0]["candidates"][0]["p_pathogenic"] == pytest.approx(p8 * p8, abs=1e-4)
    assert ranked[1]["candidates"][0]["p_pathogenic"] == pytest.approx(p8 * p8 / 2, abs=1e-4)


def test_rank__clinvar_assertions_count() -> None:
    pheno = _phenotype(10.0)
    ranked = rank(
        [
            _gene("NONE", points=(2,), phenotype=pheno),
            _gene("PLP1", points=(2,), phenotype=pheno, clinvar=("LP", 1)),
            _gene("PLP2", points=(2,), phenotype=pheno, clinvar=("P", 3)),
            _gene("BENIGN", points=(2,), phenotype=pheno, clinvar=("B", 2)),
            _gene("NOSTAR", points=(2,), phenotype=pheno, clinvar=("P", 0)),
        ]
    )
    assert _order(ranked) == ["PLP2", "PLP1", "NONE", "NOSTAR", "BENIGN"]
    nostar = next(g for g in ranked if g["gene_symbol"] == "NOSTAR")
    none = next(g for g in ranked if g["gene_symbol"] == "NONE")
    assert nostar["score"] == none["score"]  # no review star: no weight


def test_p_pathogenic__tavtigian_scale() -> None:
    assert p_pathogenic(0) == pytest.approx(0.1)
    # the class thresholds of Tavtigian 2018: Pathogenic at posterior 0.99, Likely pathogenic at 0.90
    assert p_pathogenic(10) > 0.99
    assert p_pathogenic(6) == pytest.approx(0.90, abs=1e-3)
    assert p_pathogenic(-8) < 0.001


def test_rank__posteriors_sum_below_one_and_weak_lists_stay_low() -> None:
    weak = [_gene(f"G{i}", points=(1,), phenotype=_phenotype(0.05)) for i in range(20)]
    ranked = rank(weak)
    assert sum(g["posterior"] for g in ranked) < 0.05
    strong = [*weak, _gene("HIT", points=(10,), phenotype=_phenotype(1e4), clinvar=("P", 2))]
    ranked = rank(strong)
    assert ranked[0]["gene_symbol"] == "HIT"
    assert ranked[0]["posterior"] > 0.9
    assert sum(g["posterior"] for g in ranked) < 1.0


def test_rank__empty_list() -> None:
    assert rank([]) == []


def test_rank__ties_are_broken_by_symbol_whatever_the_input_order() -> None:
    genes = [_gene(s, points=(3,), phenotype=_phenotype(5.0)) for s in ("MMM", "AAA", "ZZZ", "BBB")]
    first = rank(genes)
    assert _order(first) == ["AAA", "BBB", "MMM", "ZZZ"]
    shuffled = genes[:]
    random.Random(3).shuffle(shuffled)
    assert rank(shuffled) == first


def test_rank__gene_without_annotation_gets_the_worst_annotated_lr() -> None:
    ranked = rank(
        [
            _gene("BAD", points=(3,), phenotype=_phenotype(0.01)),
            _gene("NOANN", points=(3,), phenotype=None),
            _gene("GOOD", points=(3,), phenotype=_phenotype(100.0)),
        ]
    )
    scores = {g["gene_symbol"]: g["score"] for g in ranked}
    # same genotype and LR as the worst annotated gene; its mode of inheritance is unknown
    assert scores["NOANN"] == pytest.approx(scores["BAD"] + math.log10(MOI_UNKNOWN), abs=1e-3)
    assert scores["GOOD"] > scores["NOANN"]
    # with no phenotype anywhere, genotype alone decides
    ranked = rank([_gene("A1", points=(2,)), _gene("A2", points=(7,))])
    assert _order(ranked) == ["A2", "A1"]


def test_rank__output_follows_the_results_contract() -> None:
    gene = _gene(
        "FBN1", points=(6,), phenotype=_phenotype(80.0), clinvar=("P", 2), de_novo=True, in_panel=True
    )
    (out,) = rank([gene])
    for field in (
        "gene_symbol",
        "hgnc_id",
        "rank",
        "score",
        "posterior",
        "moi",
        "diseases",
        "tier",
        "variants",
    ):
        assert field in out
    assert out["in_panel"] is True
    assert out["diseases"] == [{"id": "OMIM:100000", "name": "Test syndrome", "score": 0.5, "moi": ["AD"]}]
    (variant,) = out["variants"]
    assert set(variant) >= {
        "chrom",
        "pos",
        "ref",
        "alt",
        "consequence",
        "hgvs_c",
        "hgvs_p",
        "genotypes",
        "acmg",
    }
    assert variant["acmg"] == {"class": "Uncertain significance", "points": 6, "criteria": ["PM2_Supporting"]}
    assert variant["clinvar"] == {"class": "P", "stars": 2}
    assert variant["genotypes"] == {"proband": "0/1", "mother": "0/0"}
    evidence = " | ".join(out["evidence"])
    assert "de novo" in evidence
    assert "ClinVar P (2 stars)" in evidence
    assert "phenotype match 0.50 to OMIM:100000 Test syndrome" in evidence
    assert "AD is consistent with OMIM:100000" in evidence
    assert 0 < out["posterior"] < 1


def test_rank__no_clinvar_record_is_null() -> None:
    (out,) = rank([_gene("GENE")])
    assert out["variants"][0]["clinvar"] is None


def test_rank__missing_acmg_result_is_an_input_error() -> None:
    gene = _gene("GENE")
    gene.acmg.clear()
    with pytest.raises(InputError, match=r"chr7:\d+:G:A in GENE has no ACMG classification"):
        rank([gene])


def test_rank__gene_without_candidates_is_an_input_error() -> None:
    gene = _gene("GENE")
    gene.candidates.clear()
    with pytest.raises(InputError, match="GENE has no candidate genotype"):
        rank([gene])


def test_rank__prior_must_be_a_probability() -> None:
    with pytest.raises(InputError, match="between 0 and 1"):
        rank([_gene("GENE")], prior=1.5)


def test_moi_penalty_is_strong() -> None:
    assert MOI_INCONSISTENT <= 0.05
    assert 0 < ELSEWHERE < 1


# --------------------------------------------------------------------------- properties

_evidence = st.fixed_dictionaries(
    {
        "points": st.integers(-6, 12),
        "lr": st.floats(1e-3, 1e5),
        "clinvar": st.sampled_from([None, ("P", 1), ("LP", 2), ("B", 1), ("VUS", 2)]),
        "moi": st.sampled_from(["AD", "AR"]),
        "panel": st.booleans(),
    }
)


def _from(symbol: str, e: dict[str, Any]) -> GeneInput:
    return _gene(
        symbol,
        points=(e["points"],),
        phenotype=_phenotype(e["lr"], moi=(e["moi"],)),
        clinvar=e["clinvar"],
        in_panel=e["panel"],
    )


@settings(max_examples=60, deadline=None)
@given(
    base=_evidence,
    others=st.integers(1, 6),
    extra_points=st.integers(0, 8),
    lr_factor=st.floats(1.0, 1e3),
    add_panel=st.booleans(),
    add_clinvar=st.booleans(),
    which=st.integers(0, 6),
)
def test_property__more_evidence_never_lowers_rank(
    base: dict[str, Any],
    others: int,
    extra_points: int,
    lr_factor: float,
    add_panel: bool,
    add_clinvar: bool,
    which: int,
) -> None:
    symbols = [f"GENE{i}" for i in range(others + 1)]
    target = symbols[which % len(symbols)]
    before = {g["gene_symbol"]: g["rank"] for g in rank([_from(s, base) for s in symbols])}
    boosted = dict(
        base,
        points=base["points"] + extra_points,
        lr=base["lr"] * lr_factor,
        panel=base["panel"] or add_panel,
        clinvar=("P", 2) if add_clinvar else base["clinvar"],
    )
    genes = [_from(s, boosted if s == target else base) for s in symbols]
    after = {g["gene_symbol"]: g["rank"] for g in rank(genes)}
    assert after[target] <= before[target]


@settings(max_examples=60, deadline=None)
@given(st.lists(_evidence, min_size=1, max_size=12))
def test_property__ranks_and_posteriors_are_coherent(evidence: list[dict[str, Any]]) -> None:
    ranked = rank([_from(f"G{i:02d}", e) for i, e in enumerate(evidence)])
    assert [g["rank"] for g in ranked] == list(range(1, len(evidence) + 1))
    assert all(0 <= g["posterior"] <= 1 for g in ranked)
    assert sum(g["posterior"] for g in ranked) <= 1.0
    assert [g["score"] for g in ranked] == sorted((g["score"] for g in ranked), reverse=True)
    posteriors = [g["posterior"] for g in ranked]
    assert posteriors == sorted(posteriors, reverse=True)
