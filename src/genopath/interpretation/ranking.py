"""Ranking: genotype and phenotype evidence combined into a posterior per gene (DESIGN §6.7).

For each gene, every mode of inheritance its genotype fits (a :class:`GeneCandidate`) is
weighed and the best one kept. The weight of gene *g* with candidate *c* is a likelihood ratio
against "the diagnosis is not in this list"::

    L(g) = P_path(c) / prior  ×  LR_phenotype(g)  ×  LR_moi(c, g)  ×  LR_panel(g)

``P_path(c)`` — the probability that the candidate genotype is pathogenic. Each variant's
ACMG/AMP points (plus ClinVar, below) give its odds of pathogenicity with Tavtigian's Bayesian
scale: posterior odds = prior/(1 − prior) × 350^(points/8), prior 0.1 per variant (Tavtigian
et al. 2018, Genet Med 20:1054). A compound heterozygous pair needs both variants pathogenic:
the product, halved when the phase is unknown (two rare variants in an unphased singleton are
in trans about half the time). Dividing by the prior makes a P_path/prior that saturates at 10:
a clearly pathogenic variant in a gene that does not explain the phenotype is common (carriers,
incidental findings), so variant evidence alone must never outrank phenotype evidence.

ClinVar — ACMG scoring here leaves ClinVar out (ClinGen retired PP5/BP6), but another
laboratory's classification with its evidence reviewed is real evidence for ranking: a
ClinVar P/LP assertion counts as a Strong line (4 points, odds 18.7) with one review star and as
Very strong (8 points, odds 350) with two or more (several concordant submitters or an expert
panel); B/LB the same, negative. A conflicting or uncertain record counts nothing.

``LR_phenotype`` — the calibrated likelihood ratio of :class:`PhenotypeScorer`. A gene without
an HPO disease annotation explains none of the proband's terms: it gets the likelihood ratio
of the worst-fitting annotated gene in the list (1 when the phenotype is uninformative).

``LR_moi`` — the candidate's mode against the modes of inheritance of the disease the
phenotype fits best (the first listed disease with an annotated mode; every listed disease's
modes when the phenotype is uninformative): consistent 1, unknown 0.5, inconsistent 0.02 — a
heterozygous variant in a gene whose diseases are recessive is far more often a carrier than a
new dominant mechanism.

``LR_panel`` — 2 for a gene in an applied panel. Panels are chosen for the phenotype, so most
of their information is already in the phenotype LR; a quarter of diagnoses lie outside them.

Posterior — with prior probability :data:`ELSEWHERE` that the diagnosis is not among the
ranked genes (a genome's diagnostic yield is 25–40 %; Smedley et al. 2021, NEJM 385:1868) and
the rest spread evenly over the *n* genes in the list, ``posterior(g) = (1 − ELSEWHERE)/n ·
L(g) / (Σ_h (1 − ELSEWHERE)/n · L(h) + ELSEWHERE)``; so posteriors sum below 1, and a list of
weak candidates gives low posteriors all round. ``score`` is log10 L(g); ranks follow the score
(rounded to 4 decimals, as shown) and then the gene symbol.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genopath.core.errors import InputError
from genopath.interpretation.model import MOIS, Acmg, GeneCandidate, GenePhenotype, VariantKey, key_text

VARIANT_PRIOR = 0.1  # Tavtigian 2018: prior probability of pathogenicity of a candidate variant
ODDS_VERY_STRONG = 350.0  # odds of pathogenicity of one Very strong line (8 points)
ELSEWHERE = 0.7  # prior probability that the diagnosis is not among the ranked genes
PHASE_UNKNOWN = 0.5  # chance an unphased compound heterozygous pair is in trans
MOI_CONSISTENT, MOI_UNKNOWN, MOI_INCONSISTENT = 1.0, 0.5, 0.02
PANEL_LR = 2.0
_PATHOGENIC, _BENIGN = frozenset({"P", "LP"}), frozenset({"B", "LB"})


@dataclass
class GeneInput:
    """Everything known about one gene with at least one fitting genotype.

    ``candidates`` holds one :class:`GeneCandidate` per mode of inheritance the family's
    genotypes fit; ``acmg`` and ``rows`` are keyed by every variant of those candidates
    (``rows`` are candidate-table rows with ``genotypes`` {individual: "0/1"} added).
    """

    gene_symbol: str
    hgnc_id: str | None
    candidates: list[GeneCandidate]
    acmg: dict[VariantKey, Acmg]
    rows: Mapping[VariantKey, Mapping[str, Any]]
    phenotype: GenePhenotype | None
    tier: str
    in_panel: bool


@dataclass(frozen=True)
class _Weighed:
    gene: GeneInput
    candidate: GeneCandidate
    p_path: float
    moi_lr: float
    phenotype_lr: float
    moi_basis: str  # the disease whose modes were compared, or "" when unknown
    prior: float

    @property
    def log10_lr(self) -> float:
        lr = (
            self.p_path
            / self.prior
            * self.phenotype_lr
            * self.moi_lr
            * (PANEL_LR if self.gene.in_panel else 1.0)
        )
        return math.log10(max(lr, 1e-300))


def rank(genes: Sequence[GeneInput], *, prior: float = VARIANT_PRIOR) -> list[dict[str, Any]]:
    """Rank genes by their combined evidence (module docstring) and describe each one.

    Parameters
    ----------
    genes
        One :class:`GeneInput` per gene with a fitting genotype.
    prior
        Prior probability that a candidate variant is pathogenic (Tavtigian 2018: 0.1).

    Returns
    -------
    list of dict, best first
        ``gene_symbol``, ``hgnc_id``, ``rank`` (1 = best), ``score`` (log10 of the combined
        likelihood ratio), ``posterior`` (probability the gene is the diagnosis), ``moi`` (the
        best-supported mode), ``diseases`` [{``id``, ``name``, ``score``, ``moi``}],
        ``tier``, ``in_panel``, ``evidence`` (short lines a clinical scientist reads),
        ``candidates`` [{``moi``, ``segregation``, ``variants``, ``p_pathogenic``}] (every mode
        that fits, best first) and ``variants`` [{``chrom``, ``pos``, ``ref``, ``alt``,
        ``consequence``, ``hgvs_c``, ``hgvs_p``, ``genotypes``, ``acmg`` {``class``, ``points``,
        ``criteria``}, ``clinvar`` {``class``, ``stars``} or null, ``pop_af``}] (the best
        mode's variants first).

    Raises
    ------
    InputError
        A gene without candidates, or a candidate variant without its row or ACMG result.
    """
    if not 0 < prior < 1:
        raise InputError(f"the prior probability of pathogenicity must be between 0 and 1, not {prior}")
    floor = _unannotated_lr(genes)
    weighed = [_best(gene, prior, floor) for gene in genes]
    scored = sorted(
        ((round(w.log10_lr, 4), w) for w in weighed), key=lambda t: (-t[0], t[1].gene.gene_symbol)
    )
    share = (1.0 - ELSEWHERE) / max(len(genes), 1)
    top = scored[0][0] if scored else 0.0
    # share·L / (Σ share·L + ELSEWHERE), relative to the largest L (from the scores as shown)
    mass = [share * 10.0 ** (score - top) for score, _ in scored]
    total = sum(mass) + ELSEWHERE * 10.0 ** (-top)
    return [
        _describe(w, rank=i + 1, score=score, posterior=m / total, prior=prior)
        for i, ((score, w), m) in enumerate(zip(scored, mass, strict=True))
    ]


def _unannotated_lr(genes: Sequence[GeneInput]) -> float:
    annotated = [g.phenotype.likelihood_ratio for g in genes if g.phenotype is not None]
    return min([1.0, *annotated])


def _best(gene: GeneInput, prior: float, floor: float) -> _Weighed:
    if not gene.candidates:
        raise InputError(f"{gene.gene_symbol} has no candidate genotype to rank")
    phenotype_lr = gene.phenotype.likelihood_ratio if gene.phenotype is not None else floor
    basis, modes = _disease_modes(gene.phenotype)
    options = []
    for c in gene.candidates:
        moi_lr = MOI_UNKNOWN if not modes else MOI_CONSISTENT if c.moi in modes else MOI_INCONSISTENT
        options.append(_Weighed(gene, c, _p_path(gene, c, prior), moi_lr, phenotype_lr, basis, prior))
    return max(options, key=lambda w: (w.p_path * w.moi_lr, -_moi_order(w.candidate.moi)))


def _moi_order(moi: str) -> int:
    return MOIS.index(moi) if moi in MOIS else len(MOIS)


def _disease_modes(phenotype: GenePhenotype | None) -> tuple[str, set[str]]:
    """The disease whose modes of inheritance the candidate is held to, and those modes."""
    if phenotype is None or not phenotype.diseases:
        return "", set()
    if phenotype.likelihood_ratio == 1.0 and phenotype.score == 0.0:  # no observed terms
        modes = {m for d in phenotype.diseases for m in d.get("moi", ())}
        return ("its diseases" if modes else ""), modes
    for d in phenotype.diseases:
        if d.get("moi"):
            return f"{d['id']} {d['name']}", set(d["moi"])
    return "", set()


def _variant_points(gene: GeneInput, key: VariantKey) -> int:
    if key not in gene.acmg:
        raise InputError(
            f"{key_text(key)} in {gene.gene_symbol} has no ACMG classification; classify it first"
        )
    return gene.acmg[key].points + _clinvar_points(_row(gene, key))


def _row(gene: GeneInput, key: VariantKey) -> Mapping[str, Any]:
    if key not in gene.rows:
        raise InputError(f"{key_text(key)} in {gene.gene_symbol} has no candidate row")
    return gene.rows[key]


def _clinvar_points(row: Mapping[str, Any]) -> int:
    stars = int(row.get("clinvar_stars") or 0)
    if stars < 1:
        return 0
    sign = 1 if row.get("clinvar_class") in _PATHOGENIC else -1 if row.get("clinvar_class") in _BENIGN else 0
    return sign * (8 if stars >= 2 else 4)


def p_pathogenic(points: int, prior: float = VARIANT_PRIOR) -> float:
    """Probability a variant is pathogenic from its Bayesian points (Tavtigian 2018)."""
    odds = prior / (1 - prior) * math.pow(ODDS_VERY_STRONG, points / 8)
    return odds / (1 + odds)


def _p_path(gene: GeneInput, c: GeneCandidate, prior: float) -> float:
    p = 1.0
    for key in dict.fromkeys(c.variants):
        p *= p_pathogenic(_variant_points(gene, key), prior)
    if len(set(c.variants)) == 2 and c.in_trans is None:
        p *= PHASE_UNKNOWN
    return p


# --------------------------------------------------------------------------- the output dicts


def _describe(w: _Weighed, *, rank: int, score: float, posterior: float, prior: float) -> dict[str, Any]:
    gene, best = w.gene, w.candidate
    others = sorted(
        (c for c in gene.candidates if c is not best),
        key=lambda c: (-_p_path(gene, c, prior), _moi_order(c.moi)),
    )
    keys = list(dict.fromkeys(k for c in (best, *others) for k in c.variants))
    diseases = gene.phenotype.diseases if gene.phenotype is not None else ()
    return {
        "gene_symbol": gene.gene_symbol,
        "hgnc_id": gene.hgnc_id,
        "rank": rank,
        "score": score,
        "posterior": posterior,
        "moi": best.moi,
        "diseases": [{k: d.get(k) for k in ("id", "name", "score", "moi")} for d in diseases],
        "tier": gene.tier,
        "in_panel": gene.in_panel,
        "evidence": _evidence(w),
        "candidates": [
            {
                "moi": c.moi,
                "segregation": c.segregation,
                "variants": [key_text(k) for k in c.variants],
                "p_pathogenic": round(_p_path(gene, c, prior), 4),
            }
            for c in (best, *others)
        ],
        "variants": [_variant(gene, k) for k in keys],
    }


def _variant(gene: GeneInput, key: VariantKey) -> dict[str, Any]:
    row = _row(gene, key)
    clinvar = None
    if row.get("clinvar_class") is not None:
        clinvar = {"class": row.get("clinvar_class"), "stars": int(row.get("clinvar_stars") or 0)}
    return {
        "chrom": key[0],
        "pos": key[1],
        "ref": key[2],
        "alt": key[3],
        "consequence": row.get("consequence"),
        "hgvs_c": row.get("hgvs_c"),
        "hgvs_p": row.get("hgvs_p"),
        "genotypes": dict(row.get("genotypes") or {}),
        "acmg": gene.acmg[key].as_dict(),
        "clinvar": clinvar,
        "pop_af": row.get("pop_af"),
    }


def _evidence(w: _Weighed) -> list[str]:
    gene, c = w.gene, w.candidate
    lines = [f"{c.moi}: {c.segregation}"]
    if c.de_novo:
        lines.append("de novo")
    for key in dict.fromkeys(c.variants):
        row, acmg = _row(gene, key), gene.acmg[key]
        name = row.get("hgvs_p") or row.get("hgvs_c") or key_text(key)
        criteria = ", ".join(acmg.criteria) or "no criteria met"
        lines.append(f"{name}: ACMG {acmg.acmg_class} ({acmg.points:+d} points: {criteria})")
        stars = int(row.get("clinvar_stars") or 0)
        if row.get("clinvar_class") in _PATHOGENIC | _BENIGN:
            lines.append(f"{name}: ClinVar {row['clinvar_class']} ({stars} star{'s' if stars != 1 else ''})")
    lines.extend(_phenotype_lines(w))
    lines.extend(c.notes)
    lines.append("in an applied panel" if gene.in_panel else "not in an applied panel")
    return lines


def _phenotype_lines(w: _Weighed) -> list[str]:
    p = w.gene.phenotype
    if p is None:
        return ["no HPO disease annotation for this gene"]
    lines = []
    if p.diseases:
        top = p.diseases[0]
        lines.append(
            f"phenotype match {p.score:.2f} to {top['id']} {top['name']} (LR {p.likelihood_ratio:.3g})"
        )
        for term in top.get("excluded", ()):
            lines.append(f"excluded {term} is a feature of {top['id']}")
    if w.moi_lr == MOI_CONSISTENT:
        lines.append(f"{w.candidate.moi} is consistent with {w.moi_basis}")
    elif w.moi_lr == MOI_INCONSISTENT:
        lines.append(f"{w.candidate.moi} does not match {w.moi_basis} (penalised)")
    else:
        lines.append("no mode of inheritance annotated for the matching disease")
    return lines
