"""CPIC recommendations for a sample's gene results, including multi-gene guidelines.

Each CPIC recommendation carries a lookup key per gene (a phenotype, an activity score, or
for HLA genes an allele status such as ``*15:02 positive``). A recommendation applies when
every gene it names has that key in the sample, and a gene with no result has the key
``No Result`` (CPIC writes recommendations for that case too, e.g. carbamazepine with HLA-B
known and HLA-A untested). ``n/a`` is not a wildcard: it is the key of an *Indeterminate*
CYP2D6 or CYP2C9 result (an allele of unknown function), and CPIC gives it rows of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genopath.pgx.phenotype import NO_RESULT, GenePhenotype

# CPIC's 2017 warfarin guideline is a dosing algorithm, not a lookup table, so the guideline
# data hold no recommendation rows; genopath states the inputs and the guideline's rule.
WARFARIN_NOTE = (
    "CPIC warfarin guideline (Johnson JA et al., Clin Pharmacol Ther 2017): dose with a validated "
    "pharmacogenetic algorithm (IWPC or Gage) using the VKORC1 c.-1639G>A genotype and CYP2C9 "
    "*2 and *3; in non-African ancestry, consider a 5-10 % higher dose for CYP4F2 *3 carriers; "
    "in African ancestry CYP2C9 *5, *6, *8 and *11 also reduce the dose. The guideline's "
    "flowchart, not a lookup table, gives the recommendation."
)


@dataclass(frozen=True)
class DrugRecommendation:
    """The guidance for one CPIC guideline and this sample.

    Attributes
    ----------
    guideline, url, drugs, genes
        The guideline's name, ClinPGx URL, its drugs and the genes it keys on.
    lookup
        The sample's key for each gene of the guideline.
    matches
        The recommendations whose keys all match: ``population``, ``classification``
        (Strong / Moderate / Optional / No recommendation), ``drugs``, ``implications``, ``text``
        and ``considerations`` (CPIC's "Other Considerations").
    note
        Why there is no matching recommendation, or the warfarin statement.
    """

    guideline: str
    url: str | None
    drugs: tuple[str, ...]
    genes: tuple[str, ...]
    lookup: dict[str, str]
    matches: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None


#: HLA alleles CPIC guidelines key on (carbamazepine, oxcarbazepine, phenytoin, abacavir, allopurinol).
HLA_KEYS: dict[str, tuple[str, ...]] = {"HLA-A": ("*31:01",), "HLA-B": ("*15:02", "*57:01", "*58:01")}


def hla_status(diplotype: tuple[str, ...] | None, key: str) -> str:
    """``*15:02 positive`` / ``*15:02 negative`` for an HLA diplotype and a CPIC key."""
    allele = key.split()[0]
    if diplotype is None:
        return NO_RESULT
    return f"{allele} {'positive' if allele in diplotype else 'negative'}"


def _same(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    try:
        return float(expected) == float(actual)
    except ValueError:
        return False


def _sample_key(
    gene: str, expected: str, results: Mapping[str, GenePhenotype], hla: Mapping[str, tuple[str, ...]]
) -> str:
    if gene.startswith("HLA-") and expected != NO_RESULT:
        return hla_status(hla.get(gene), expected)
    result = results.get(gene)
    return result.lookup if result is not None else NO_RESULT


def _matches(
    gene: str,
    expected: str,
    results: Mapping[str, GenePhenotype],
    hla: Mapping[str, tuple[str, ...]],
) -> bool:
    result = results.get(gene)
    if result is not None and result.alternatives:
        return any(_same(expected, key) for key in result.alternatives)
    return _same(expected, _sample_key(gene, expected, results, hla))


def recommend(
    guidelines: list[dict[str, Any]],
    results: Mapping[str, GenePhenotype],
    hla: Mapping[str, tuple[str, ...]],
) -> list[DrugRecommendation]:
    """Match every guideline whose genes have at least one result in this sample.

    Parameters
    ----------
    guidelines
        The ``guidelines.json`` records of the ``pgx`` resource.
    results
        Gene → phenotype result (from the VCF or outside calls).
    hla
        HLA gene → its two alleles (``("*15:02", "*40:01")``), from outside calls.
    """
    out: list[DrugRecommendation] = []
    for guideline in guidelines:
        genes = tuple(g.replace("_", "-") for g in guideline["genes"])
        known = [g for g in genes if (g in results and results[g].lookup != NO_RESULT) or g in hla]
        if not known:
            continue
        matches = []
        lookup: dict[str, str] = {}
        for rec in guideline["recommendations"]:
            if all(_matches(g, k, results, hla) for g, k in rec["lookup"].items()):
                lookup.update({g: _sample_key(g, k, results, hla) for g, k in rec["lookup"].items()})
                match = {
                    k: rec.get(k)
                    for k in (
                        "population",
                        "classification",
                        "drugs",
                        "implications",
                        "text",
                        "considerations",
                    )
                }
                if match not in matches:  # a phenotype-only outside call meets one row per score
                    matches.append(match)
        if not lookup:
            lookup = {
                g: (results[g].lookup if g in results else NO_RESULT)
                for g in genes
                if not g.startswith("HLA-")
            }
            lookup |= {g: "/".join(hla[g]) for g in genes if g in hla}
        note = None
        spans = [g for g in genes if g in results and results[g].alternatives]
        if "warfarin" in guideline["drugs"]:
            note = WARFARIN_NOTE
        elif not matches:
            note = "no CPIC recommendation matches this combination of results"
        elif spans and len({(m["population"], m["classification"], m["text"]) for m in matches}) > 1:
            note = (
                f"{', '.join(spans)}: the phenotype alone covers activity scores "
                f"{', '.join(a for g in spans for a in results[g].alternatives)}, whose recommendations "
                "differ; give the activity score in the outside call"
            )
        out.append(
            DrugRecommendation(
                guideline["name"],
                guideline.get("url"),
                tuple(guideline["drugs"]),
                genes,
                lookup,
                matches,
                note,
            )
        )
    return out
