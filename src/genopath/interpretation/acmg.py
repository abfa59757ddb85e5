"""ACMG/AMP criteria from the evidence genopath holds, scored with Bayesian points.

Each criterion is a code with its strength (``PVS1``, ``PVS1_Strong``, ``PM2_Supporting``,
``BP4_Moderate`` …). Points (Tavtigian 2020): supporting 1, moderate 2, strong 4, very strong 8,
negative for benign criteria; the sum gives the class: ≥ 10 Pathogenic, 6–9 Likely pathogenic,
0–5 Uncertain significance, −1 to −6 Likely benign, ≤ −7 Benign. BA1 is stand-alone: the class
is Benign whatever the sum (it adds −8 to the points so that ranking, which converts points to
odds, sees it too).

Criteria applied, and what each reads from the candidate row:

PVS1, PVS1_Strong, PVS1_Moderate
    null variant (stop_gained, frameshift, canonical splice, transcript
    ablation) in a LoF-intolerant gene, LOEUF < 0.35 or pLI ≥ 0.9 (gnomAD;
    Karczewski 2020). Nonsense/frameshift in the last exon (NMD escape,
    from ``exon`` "n/N") one level lower. start_lost: PVS1_Moderate. For a
    recessive candidate (AR, XLR) heterozygous constraint says nothing, so
    PVS1_Strong is applied when the gene has an annotated disease
    (``diseases``) — the proxy genopath has for "LoF is a known disease
    mechanism"; the 10 %-of-protein and critical-region checks of the
    ClinGen flowchart (Abou Tayoun 2018) need data genopath lacks.
PS1
    ``clinvar_same_aa``: a ClinVar P/LP variant gives the same amino-acid
    change; not applied when this variant is itself ClinVar P/LP.
PM5
    ``clinvar_same_codon``: a different P/LP missense at the residue
    (missense only; not with PS1).
PS2
    de novo with both parents sequenced (``candidate.de_novo``; maternity
    and paternity are assumed from the pedigree).
PM2_Supporting
    ``pop_af`` null or < 1e-4 (ClinGen SVI PM2 v1.0, 2020: supporting).
PM3 / PM3_Supporting
    compound heterozygous with a ClinVar P/LP partner: in trans by parents
    (PM3) or phase unknown (PM3_Supporting) (ClinGen SVI PM3 v1.0, 2019).
PM4
    inframe insertion/deletion or stop_lost. Repeat regions (the guideline's
    exception) are not assessed: genopath holds no repeat track.
PP3 / BP4
    missense: REVEL (Pejaver 2022 Table 2) PP3 ≥ 0.644, _Moderate ≥ 0.773,
    _Strong ≥ 0.932; BP4 ≤ 0.290, _Moderate ≤ 0.183, _Strong ≤ 0.016,
    _VeryStrong ≤ 0.003. Splicing: SpliceAI max ≥ 0.2 → PP3 (any variant
    without PVS1; overrides a REVEL BP4), ≤ 0.1 → BP4 for variants with no
    protein change (Walker 2023). Not with PVS1.
BA1 / BS1
    ``pop_af`` > 0.05 (BA1); > 0.01 for a dominant candidate (AD, XLD)
    (BS1; recessive carriers can be that common).
BS2
    an unaffected sequenced member has the genotype (heterozygous for
    AD/XLD, homozygous for AR, hemizygous male or homozygous female for
    XLR), complete penetrance — needs ``family``. Segregation already drops
    such candidates, so BS2 shows on variants classified outside it.
BP7
    synonymous with SpliceAI ≤ 0.1 (instead of BP4 for the same evidence;
    only when SpliceAI is present).
PP4
    the phenotype is highly specific for the gene (``phenotype_specific``).

ClinVar assertions are deliberately not a criterion: ClinGen SVI retired PP5/BP6 (Biesecker
2018); the ranker reads ``clinvar_class`` and ``clinvar_stars`` separately.

References
----------
Richards S et al. Genet Med 2015;17:405-424. Tavtigian SV et al. Hum Mutat 2020;41:1734-1737.
Abou Tayoun AN et al. Hum Mutat 2018;39:1517-1524. Pejaver V et al. Am J Hum Genet
2022;109:2163-2177. Walker LC et al. Am J Hum Genet 2023;110:1046-1067. Biesecker LG, Harrison SM.
Genet Med 2018;20:1687-1688. ClinGen SVI recommendations for PM2 (v1.0, 2020) and PM3 (v1.0, 2019).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from genopath.interpretation.model import Acmg, Family, GeneCandidate, VariantKey, genotype_column
from genopath.interpretation.segregation import HEMI, HET, HOM, chrom_region, genotype_state
from genopath.registry.terms import AffectedStatus, Sex

#: Points of each strength (Tavtigian 2020); benign criteria count negative.
STRENGTH_POINTS = {"VeryStrong": 8, "Strong": 4, "Moderate": 2, "Supporting": 1}
_DEFAULT_STRENGTH = {"PVS": "VeryStrong", "PS": "Strong", "PM": "Moderate", "PP": "Supporting",
                     "BA": "VeryStrong", "BS": "Strong", "BP": "Supporting"}  # fmt: skip

#: Class boundaries on summed points (Tavtigian 2020), highest first.
CLASSES = (
    (10, "Pathogenic"),
    (6, "Likely pathogenic"),
    (0, "Uncertain significance"),
    (-6, "Likely benign"),
)

NULL_VARIANT_TERMS = frozenset(
    {
        "transcript_ablation",
        "stop_gained",
        "frameshift_variant",
        "splice_donor_variant",
        "splice_acceptor_variant",
    }
)
_TRUNCATING = frozenset({"stop_gained", "frameshift_variant"})
_LENGTH_CHANGING = frozenset({"inframe_insertion", "inframe_deletion", "stop_lost"})
_PROTEIN_CHANGING = frozenset(
    {*NULL_VARIANT_TERMS, *_LENGTH_CHANGING, "start_lost", "missense_variant", "protein_altering_variant"}
)
_PATHOGENIC = frozenset({"P", "LP"})

LOEUF_MAX = 0.35
PLI_MIN = 0.9
PM2_MAX_AF = 1e-4
BA1_MIN_AF = 0.05
BS1_MIN_AF = 0.01
#: REVEL thresholds, Pejaver 2022 Table 2 (inclusive bounds as published).
REVEL_PP3 = ((0.932, "PP3_Strong"), (0.773, "PP3_Moderate"), (0.644, "PP3"))
REVEL_BP4 = ((0.003, "BP4_VeryStrong"), (0.016, "BP4_Strong"), (0.183, "BP4_Moderate"), (0.290, "BP4"))
SPLICEAI_PP3 = 0.2
SPLICEAI_BP4 = 0.1

_ORDER = ("PVS1", "PS1", "PS2", "PM2", "PM3", "PM4", "PM5", "PP3", "PP4", "BA1", "BS1", "BS2", "BP4", "BP7")


def criterion_points(code: str) -> int:
    """Signed points of one criterion code (``"PM2_Supporting"`` → 1, ``"BS1"`` → −4)."""
    base, _, strength = code.partition("_")
    strength = strength or _DEFAULT_STRENGTH["PVS" if base.startswith("PVS") else base[:2]]
    value = STRENGTH_POINTS[strength]
    return -value if base.startswith("B") else value


def class_of(points: int, *, stand_alone_benign: bool = False) -> str:
    """The ACMG class of a points total (Tavtigian 2020); ``Benign`` whenever BA1 applies."""
    if stand_alone_benign:
        return "Benign"
    return next((name for floor, name in CLASSES if points >= floor), "Benign")


def score(criteria: Sequence[str]) -> Acmg:
    """An :class:`Acmg` from criterion codes: summed points and class."""
    ordered = tuple(sorted(dict.fromkeys(criteria), key=lambda c: (_ORDER.index(c.split("_")[0]), c)))
    total = sum(criterion_points(c) for c in ordered)
    return Acmg(class_of(total, stand_alone_benign="BA1" in ordered), total, ordered)


def classify(
    row: Mapping[str, Any],
    candidate: GeneCandidate,
    *,
    phenotype_specific: bool,
    rows: Mapping[VariantKey, Mapping[str, Any]] | None = None,
    family: Family | None = None,
    penetrance: str = "complete",
) -> Acmg:
    """ACMG/AMP criteria, points and class of one candidate variant (see the module docstring).

    Parameters
    ----------
    row
        The variant's candidate-table row (annotation columns, ``pop_af``, genotype columns).
    candidate
        The gene candidate the variant belongs to (mode, de novo, phase).
    phenotype_specific
        The proband's phenotype is highly specific for this gene (PP4).
    rows
        Candidate rows by variant key; needed for PM3 (the partner's ClinVar class).
    family, penetrance
        Needed for BS2 (unaffected sequenced members' genotypes); PS2 also checks that both
        parents are sequenced when ``family`` is given.

    Returns
    -------
    Acmg
        ``acmg_class``, ``points`` and ``criteria`` (in ACMG order).
    """
    terms = _terms(row)
    af = row.get("pop_af")
    criteria: list[str] = []
    pvs1 = _pvs1(row, terms, candidate)
    if pvs1:
        criteria.append(pvs1)
    criteria += _residue(row, terms)
    if candidate.de_novo and (family is None or _both_parents_sequenced(family)):
        criteria.append("PS2")
    if af is None or af < PM2_MAX_AF:
        criteria.append("PM2_Supporting")
    pm3 = _pm3(row, candidate, rows)
    if pm3:
        criteria.append(pm3)
    if terms & _LENGTH_CHANGING and not pvs1:
        criteria.append("PM4")
    if not pvs1:
        criteria += _computational(row, terms)
    if phenotype_specific:
        criteria.append("PP4")
    if af is not None and af > BA1_MIN_AF:
        criteria.append("BA1")
    elif af is not None and af > BS1_MIN_AF and candidate.moi in ("AD", "XLD"):
        criteria.append("BS1")
    if family is not None and penetrance == "complete" and _unaffected_with_genotype(row, candidate, family):
        criteria.append("BS2")
    return score(criteria)


def _terms(row: Mapping[str, Any]) -> frozenset[str]:
    terms = set((row.get("consequence") or "").split("&"))
    if row.get("most_severe"):
        terms.add(row["most_severe"])
    terms.discard("")
    return frozenset(terms)


def _lof_intolerant(row: Mapping[str, Any]) -> bool:
    loeuf, pli = row.get("loeuf"), row.get("pli")
    return (loeuf is not None and loeuf < LOEUF_MAX) or (pli is not None and pli >= PLI_MIN)


def _last_exon(row: Mapping[str, Any]) -> bool:
    number, _, total = (row.get("exon") or "").partition("/")
    return number.isdigit() and number == total


def _pvs1(row: Mapping[str, Any], terms: frozenset[str], candidate: GeneCandidate) -> str | None:
    null = bool(terms & NULL_VARIANT_TERMS)
    if not null and "start_lost" not in terms:
        return None
    if _lof_intolerant(row):
        levels = ("PVS1", "PVS1_Strong")  # (default, NMD escape)
    elif candidate.moi in ("AR", "XLR") and row.get("diseases"):
        levels = ("PVS1_Strong", "PVS1_Moderate")
    else:
        return None
    if not null:
        return "PVS1_Moderate"  # start_lost (Abou Tayoun 2018: at most moderate without more data)
    truncating_only = not (terms & NULL_VARIANT_TERMS) - _TRUNCATING
    return levels[1] if truncating_only and _last_exon(row) else levels[0]


def _residue(row: Mapping[str, Any], terms: frozenset[str]) -> list[str]:
    if "missense_variant" not in terms:
        return []
    if row.get("clinvar_same_aa") and row.get("clinvar_class") not in _PATHOGENIC:
        return ["PS1"]
    if row.get("clinvar_same_codon"):
        return ["PM5"]
    return []


def _pm3(
    row: Mapping[str, Any], candidate: GeneCandidate, rows: Mapping[VariantKey, Mapping[str, Any]] | None
) -> str | None:
    if len(candidate.variants) != 2 or rows is None:
        return None
    key = (row["chrom"], int(row["pos"]), row["ref"], row["alt"])
    partner = next((rows.get(k) for k in candidate.variants if k != key), None)
    if partner is None or partner.get("clinvar_class") not in _PATHOGENIC:
        return None
    return "PM3" if candidate.in_trans else "PM3_Supporting"


def _computational(row: Mapping[str, Any], terms: frozenset[str]) -> list[str]:
    revel, splice = row.get("revel"), row.get("spliceai_max")
    protein_changing = bool(terms & _PROTEIN_CHANGING)
    if "missense_variant" in terms and revel is not None:
        code = next((c for t, c in REVEL_PP3 if revel >= t), None)
        code = code or next((c for t, c in REVEL_BP4 if revel <= t), None)
        if code and code.startswith("BP4") and splice is not None and splice >= SPLICEAI_PP3:
            return ["PP3"]  # a predicted splice defect outweighs a benign missense prediction
        return [code] if code else []
    if splice is None:
        return []
    if splice >= SPLICEAI_PP3:
        return ["PP3"]
    if splice <= SPLICEAI_BP4 and not protein_changing:
        return ["BP7"] if "synonymous_variant" in terms else ["BP4"]
    return []


def _both_parents_sequenced(family: Family) -> bool:
    proband = family.member(family.proband)
    return all(p is not None and family.index(p) is not None for p in (proband.father, proband.mother))


def _unaffected_with_genotype(row: Mapping[str, Any], candidate: GeneCandidate, family: Family) -> bool:
    region = chrom_region(row["chrom"], int(row["pos"]))
    for i, member in enumerate(family.sequenced):
        if member.affected != AffectedStatus.UNAFFECTED:
            continue
        state = genotype_state(
            region, row.get(genotype_column("gt", i)), row.get(genotype_column("ploidy", i)), member.sex
        )
        if candidate.moi in ("AD", "XLD"):
            bad = state in (HET, HOM, HEMI)
        elif candidate.moi == "AR":
            bad = state == HOM
        elif candidate.moi == "XLR":
            bad = state == HEMI if member.sex == Sex.MALE else state in (HOM, HEMI)
        else:
            bad = False  # MT: heteroplasmy differs between relatives
        if bad:
            return True
    return False
