"""Phenotype scoring on the HPO release embedded in hpo3 (real ontology and annotations)."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from genopath.core.errors import PhenotypeError
from genopath.interpretation import phenotype
from genopath.interpretation.phenotype import (
    PhenotypeScorer,
    calibration,
    check_terms,
    disease_annotations,
    gene_diseases,
)
from genopath.registry.phenotypes import hpo_version

MARFAN = "OMIM:154700"
# Cardinal features of Marfan syndrome (Ghent nosology): ectopia lentis, aortic root aneurysm,
# arachnodactyly, tall stature, pectus excavatum, joint hypermobility, striae.
MARFAN_TERMS = [
    "HP:0001083",
    "HP:0002616",
    "HP:0001166",
    "HP:0000098",
    "HP:0000767",
    "HP:0001382",
    "HP:0001065",
]


# --------------------------------------------------------------------------- check_terms


def test_check_terms__normalises_and_drops_duplicates() -> None:
    observed, excluded = check_terms([" hp:0001166", "HP:0001166", "HP:0001083"], ["HP:0000501"])
    assert observed == ["HP:0001166", "HP:0001083"]
    assert excluded == ["HP:0000501"]


def test_check_terms__unknown_term_is_named() -> None:
    with pytest.raises(PhenotypeError, match=r"HP:9999999"):
        check_terms(["HP:0001166", "HP:9999999"], [])


def test_check_terms__obsolete_term_names_its_replacement() -> None:
    with pytest.raises(PhenotypeError, match=r"HP:0000487.*obsolete.*HP:0000486"):
        check_terms(["HP:0000487"], [])


def test_check_terms__mode_of_inheritance_is_not_a_phenotype() -> None:
    with pytest.raises(PhenotypeError, match=r"HP:0000006.*not a phenotypic abnormality"):
        check_terms([], ["HP:0000006"])


def test_check_terms__malformed_id() -> None:
    with pytest.raises(PhenotypeError, match=r"'arachnodactyly' is not an HPO ID"):
        check_terms(["arachnodactyly"], [])


def test_check_terms__same_term_observed_and_excluded() -> None:
    with pytest.raises(PhenotypeError, match=r"HP:0001166 \(Arachnodactyly\) is given both"):
        check_terms(["HP:0001166"], ["HP:0001166"])


def test_check_terms__observed_below_an_excluded_term() -> None:
    # Arachnodactyly is a kind of long finger (HP:0100807); excluding the broader term contradicts it
    with pytest.raises(PhenotypeError, match=r"contradicts excluded HP:0100807"):
        check_terms(["HP:0001166"], ["HP:0100807"])


def test_check_terms__empty_observed_is_allowed() -> None:
    assert check_terms([], ["HP:0001166"]) == ([], ["HP:0001166"])


# --------------------------------------------------------------------------- annotations


def test_gene_diseases__known_links() -> None:
    links = gene_diseases()
    assert MARFAN in links["FBN1"]
    assert "OMIM:219700" in links["CFTR"]  # cystic fibrosis
    assert MARFAN not in links["CFTR"]


def test_disease_annotations__modes_of_inheritance() -> None:
    name, terms, moi = disease_annotations(MARFAN)
    assert name == "Marfan syndrome"
    assert moi == ("AD",)
    assert {"HP:0001083", "HP:0001166"} <= set(terms)
    assert disease_annotations("OMIM:219700")[2] == ("AR",)  # cystic fibrosis
    assert disease_annotations("OMIM:310200")[2] == ("XLR",)  # Duchenne muscular dystrophy
    with pytest.raises(PhenotypeError, match="OMIM:1"):
        disease_annotations("OMIM:1")


# --------------------------------------------------------------------------- scoring


@pytest.fixture(scope="module")
def marfan() -> PhenotypeScorer:
    return PhenotypeScorer(MARFAN_TERMS)


def test_score__own_terms_put_the_gene_on_top(marfan: PhenotypeScorer) -> None:
    top = [symbol for symbol, _ in marfan.ranked(3)]
    assert "FBN1" in top
    fbn1 = marfan.score("FBN1")
    assert fbn1 is not None
    assert fbn1.likelihood_ratio > 100
    assert fbn1.score > 0.9
    assert set(fbn1.matched_terms) <= set(MARFAN_TERMS)
    assert len(fbn1.matched_terms) >= 6
    marfan_entry = next(d for d in fbn1.diseases if d["id"] == MARFAN)
    assert marfan_entry["moi"] == ["AD"]
    assert marfan_entry["score"] > 0.9


def test_score__unrelated_gene_scores_low(marfan: PhenotypeScorer) -> None:
    cftr = marfan.score("CFTR")
    fbn1 = marfan.score("FBN1")
    assert cftr is not None and fbn1 is not None
    assert cftr.likelihood_ratio < 1 < fbn1.likelihood_ratio
    assert cftr.score < fbn1.score


def test_score__gene_without_disease_annotation_is_none(marfan: PhenotypeScorer) -> None:
    assert marfan.score("NOTAGENE1") is None
    assert marfan.hpo_version == hpo_version()


def test_score__excluded_terms_count_against_a_disease() -> None:
    observed = [t for t in MARFAN_TERMS if t != "HP:0001083"]
    plain = PhenotypeScorer(observed).score("FBN1")
    without_lens = PhenotypeScorer(observed, excluded=["HP:0001083"]).score("FBN1")  # ectopia lentis absent
    assert plain is not None and without_lens is not None
    assert without_lens.likelihood_ratio < plain.likelihood_ratio
    before = next(d for d in plain.diseases if d["id"] == MARFAN)
    after = next(d for d in without_lens.diseases if d["id"] == MARFAN)
    assert after["score"] < before["score"]
    assert after["excluded"] == ["HP:0001083"]
    assert before["excluded"] == []


def test_score__an_excluded_term_no_disease_of_the_gene_has_changes_nothing() -> None:
    # sensorineural hearing impairment is not a feature of FBN1's diseases in this release
    observed = MARFAN_TERMS[:4]
    plain = PhenotypeScorer(observed).score("FBN1")
    other = PhenotypeScorer(observed, excluded=["HP:0000407"]).score("FBN1")
    assert plain is not None and other is not None
    assert all(d["excluded"] == [] for d in other.diseases)
    assert other.likelihood_ratio == pytest.approx(plain.likelihood_ratio)


def test_score__no_observed_terms_is_uninformative() -> None:
    scorer = PhenotypeScorer([], excluded=["HP:0001083"])
    fbn1 = scorer.score("FBN1")
    assert fbn1 is not None
    assert fbn1.likelihood_ratio == 1.0
    assert fbn1.score == 0.0
    assert MARFAN in {d["id"] for d in fbn1.diseases}
    assert scorer.calibration is None
    assert scorer.ranked() == []


def test_score__the_root_term_alone_says_nothing_useful() -> None:
    fbn1 = PhenotypeScorer(["HP:0000118"]).score("FBN1")  # "Phenotypic abnormality"
    assert fbn1 is not None
    assert fbn1.score == 0.0
    assert 0 < fbn1.likelihood_ratio < 1


def test_score__more_specific_terms_give_more_evidence() -> None:
    # "Abnormality of the eye" and "Abnormality of the cardiovascular system" fit thousands of
    # diseases; ectopia lentis and aortic root aneurysm point at FBN1
    vague = PhenotypeScorer(["HP:0000478", "HP:0001626"]).score("FBN1")
    precise = PhenotypeScorer(["HP:0001083", "HP:0002616"]).score("FBN1")
    assert vague is not None and precise is not None
    assert precise.likelihood_ratio > 10 * vague.likelihood_ratio


# --------------------------------------------------------------------------- calibration


def _annotation_terms(diseases: list[str]) -> list[str]:
    return sorted({t for d in diseases for t in disease_annotations(d)[1]})


def test_calibration__own_terms_give_lr_above_one() -> None:
    rng = random.Random(7)
    links = gene_diseases()
    genes = rng.sample(sorted(links), 60)
    above = 0
    tried = 0
    for gene in genes:
        terms = disease_annotations(links[gene][0])[1]
        if len(terms) < 5:
            continue
        tried += 1
        scored = PhenotypeScorer(rng.sample(list(terms), 5)).score(gene)
        assert scored is not None
        above += scored.likelihood_ratio > 1
    assert tried >= 30
    assert above / tried >= 0.9


def test_calibration__random_term_sets_average_lr_at_most_one() -> None:
    rng = random.Random(11)
    links = gene_diseases()
    symbols = sorted(links)
    pool = _annotation_terms([d for g in rng.sample(symbols, 300) for d in links[g]])
    lrs = []
    for _ in range(40):
        scorer = PhenotypeScorer(rng.sample(pool, rng.randint(1, 10)))
        for gene in rng.sample(symbols, 100):
            scored = scorer.score(gene)
            assert scored is not None
            lrs.append(scored.likelihood_ratio)
    assert statistics.fmean(lrs) <= 1.0
    assert statistics.median(lrs) < 0.1


def test_calibration__monotone_and_deterministic() -> None:
    fitted = calibration()
    b0, b1, b2 = fitted.coefficients
    assert b1 > 0  # more evidence, higher likelihood ratio
    low, high = fitted.log10_lr(1.0, 5), fitted.log10_lr(20.0, 5)
    assert float(low) < float(high)
    lo, hi = phenotype.LOG10_LR_RANGE
    assert lo <= float(fitted.log10_lr(-1e9, 3)) and float(fitted.log10_lr(1e9, 3)) <= hi
    calibration.cache_clear()
    try:
        assert calibration().coefficients == fitted.coefficients
    finally:
        calibration.cache_clear()
    assert all(math.isfinite(b) for b in (b0, b1, b2))
