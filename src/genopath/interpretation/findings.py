"""Additional (secondary) findings: P/LP variants in ACMG SF genes, consent- and age-gated.

Only the proband's variants are examined, in the genes of the installed ``acmg_sf`` resource.
A variant counts as P/LP when ClinVar says so with at least one review star, or when
:func:`genopath.interpretation.acmg.classify` (no phenotype evidence: the finding is unrelated
to the referral) reaches Likely pathogenic or Pathogenic. Each gene's ``variants_to_report``
is respected:

* ``All P and LP`` — any P/LP genotype; for a gene whose inheritance is AR, two P/LP alleles
  are still required: a heterozygous carrier of a recessive condition is not a secondary
  finding (Miller DT et al. Genet Med 2021;23:1381-1390, ACMG SF v3.0);
* ``P and LP (2 variants)`` and ``All hemi or homozygous P and LP or 2 het. P/LP variants`` —
  homozygous, hemizygous, or two heterozygous P/LP variants not shown in cis by the parents;
* ``P and LP (truncating variants only)`` (TTN) — stop_gained, frameshift or canonical splice;
* ``p.C282Y homozygotes only`` (HFE) — NM_000410.4:c.845G>A p.Cys282Tyr (chr6:26092913 G>A),
  homozygous;
* ``All hemi, het, homozygous P and LP`` — any P/LP genotype.

Age: the ACMG SF list is designed for adults' opportunistic screening. For a proband under 18,
or whose age is not recorded, only genes in :data:`CHILDHOOD_ACTIONABLE` are reported — the SF
genes whose conditions start in childhood and whose surveillance or treatment begins in
childhood — and each finding says so. Without consent nothing is returned; the caller records
"not consented".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from genopath.core.settings import Settings
from genopath.interpretation.acmg import NULL_VARIANT_TERMS, classify
from genopath.interpretation.model import Acmg, Family, GeneCandidate, genotype_column
from genopath.interpretation.segregation import HEMI, HET, HOM, chrom_region, genotype_state, phase
from genopath.resources import require

#: ACMG SF genes reported for a proband under 18 (or of unknown age), by reason:
#:
#: * cancer predisposition with surveillance from childhood (AACR Childhood Cancer Predisposition
#:   Workshop; Brodeur GM et al. Clin Cancer Res 2017;23:e1-e5 and the series it introduces):
#:   APC, BMPR1A, MEN1, NF2, PTEN, RB1, RET, SDHAF2, SDHB, SDHC, SDHD, SMAD4, STK11, TP53, TSC1,
#:   TSC2, VHL, WT1;
#: * inherited arrhythmias where β-blockers or activity advice start at diagnosis in childhood
#:   (long QT, CPVT; Priori SG et al. Heart Rhythm 2013;10:1932-1963): CALM1, CALM2, CALM3,
#:   CASQ2, KCNH2, KCNQ1, RYR2, SCN5A, TRDN;
#: * familial hypercholesterolaemia, statins from age 8-10 (Wiegman A et al. Eur Heart J
#:   2015;36:2425-2437): APOB, LDLR, PCSK9;
#: * metabolic and retinal disorders of childhood onset with childhood treatment (enzyme
#:   replacement, diet, chelation, HSCT, gene therapy): ABCD1, ATP7B, BTD, GAA, OTC, RPE65.
#:
#: Adult-onset conditions (hereditary breast/ovarian and Lynch syndromes, MUTYH polyposis, most
#: cardiomyopathies and aortopathies, TTR amyloidosis, HFE haemochromatosis …) are not reported
#: before 18: the person can choose at adulthood (ESHG, Eur J Hum Genet 2013;21:580-584).
CHILDHOOD_ACTIONABLE: Final[frozenset[str]] = frozenset(
    {"APC", "BMPR1A", "MEN1", "NF2", "PTEN", "RB1", "RET", "SDHAF2", "SDHB", "SDHC", "SDHD", "SMAD4",
     "STK11", "TP53", "TSC1", "TSC2", "VHL", "WT1",
     "CALM1", "CALM2", "CALM3", "CASQ2", "KCNH2", "KCNQ1", "RYR2", "SCN5A", "TRDN",
     "APOB", "LDLR", "PCSK9",
     "ABCD1", "ATP7B", "BTD", "GAA", "OTC", "RPE65"}
)  # fmt: skip
ADULT_AGE = 18.0

_PATHOGENIC = frozenset({"P", "LP"})
_TRUNCATING = NULL_VARIANT_TERMS - {"transcript_ablation"}
_HFE_C282Y = ("chr6", 26_092_913, "G", "A")


@dataclass(frozen=True)
class SfGene:
    """One gene of the ACMG SF list (its rows merged): diseases, inheritance, reporting rule."""

    symbol: str
    hgnc_id: str | None
    diseases: tuple[str, ...]
    inheritance: str  # AD, AR or XL
    variants_to_report: str  # the list's own wording
    rule: str  # all, biallelic, truncating or hfe_c282y
    list_version: str


def reporting_rule(variants_to_report: str, inheritance: str) -> str:
    """The rule genopath applies for a ``variants_to_report`` value (see the module docstring)."""
    text = variants_to_report.lower()
    if "c282y" in text:
        return "hfe_c282y"
    if "truncating" in text:
        return "truncating"
    if "2 het" in text or "2 variants" in text or inheritance == "AR":
        return "biallelic"
    return "all"


def load_sf_genes(settings: Settings) -> dict[str, SfGene]:
    """The installed ACMG SF list by gene symbol (``acmg_sf`` resource, ``genes.parquet``)."""
    resource = require(settings, "acmg_sf")
    rows = pq.read_table(resource.path / "genes.parquet").to_pylist()
    genes: dict[str, SfGene] = {}
    for r in rows:
        symbol = r["gene_symbol"]
        known = genes.get(symbol)
        diseases = (*known.diseases, r["disease_phenotype"]) if known else (r["disease_phenotype"],)
        genes[symbol] = SfGene(
            symbol=symbol,
            hgnc_id=r["hgnc_id"],
            diseases=tuple(dict.fromkeys(diseases)),
            inheritance=known.inheritance if known else r["inheritance"],
            variants_to_report=known.variants_to_report if known else r["variants_to_report"],
            rule=known.rule if known else reporting_rule(r["variants_to_report"], r["inheritance"]),
            list_version=resource.version,
        )
    return genes


ClassifyFn = Callable[[Mapping[str, Any], GeneCandidate], Acmg]


def _classify_unrelated(row: Mapping[str, Any], candidate: GeneCandidate) -> Acmg:
    return classify(row, candidate, phenotype_specific=False)


@dataclass(frozen=True)
class _Hit:
    row: dict[str, Any]
    genotype: str
    acmg: Acmg
    basis: str


def additional_findings(
    candidates: pa.Table,
    family: Family,
    settings: Settings,
    *,
    consent: bool,
    age_years: float | None,
    classify_fn: ClassifyFn = _classify_unrelated,
    childhood_genes: frozenset[str] = CHILDHOOD_ACTIONABLE,
) -> list[dict[str, Any]]:
    """P/LP variants of the proband in ACMG SF genes, by the list's rules, consent and age.

    Parameters
    ----------
    candidates
        The candidate table (annotation columns, ``pop_af``, genotype columns).
    family
        The family; the proband is sequenced member 0; parents phase two heterozygous variants.
    settings
        Where the ``acmg_sf`` resource is installed.
    consent
        The participant consented to additional findings; ``False`` returns ``[]``.
    age_years
        The proband's age; under 18 or ``None`` restricts to ``childhood_genes``.
    classify_fn
        ACMG classification of a row for a gene candidate (default: :func:`acmg.classify`
        without phenotype evidence).

    Returns
    -------
    list[dict]
        One dict per reported variant, sorted by gene and position: ``gene_symbol``,
        ``hgnc_id``, ``disease`` (the SF list's phenotypes, ``; ``-joined), ``inheritance``,
        ``chrom``, ``pos``, ``ref``, ``alt``, ``consequence``, ``hgvs_c``, ``hgvs_p``,
        ``genotype`` (proband: heterozygous, homozygous or hemizygous), ``clinvar``
        {``class``, ``stars``, ``id``}, ``acmg`` {``class``, ``points``, ``criteria``},
        ``rule`` (why it is reported, including the age rule), ``sf_list_version``.
    """
    if not consent:
        return []
    genes = load_sf_genes(settings)
    child = age_years is None or age_years < ADULT_AGE
    by_hgnc = {g.hgnc_id: g for g in genes.values() if g.hgnc_id}
    sex = family.sequenced[0].sex
    hits: dict[str, list[_Hit]] = {}
    in_list = pc.or_kleene(
        pc.is_in(candidates["gene_symbol"], pa.array(sorted(genes), pa.string())),
        pc.is_in(candidates["hgnc_id"], pa.array(sorted(by_hgnc), pa.string())),
    )
    for row in candidates.filter(pc.fill_null(in_list, False)).to_pylist():
        gene = genes.get(row.get("gene_symbol") or "") or by_hgnc.get(row.get("hgnc_id") or "")
        if gene is None or (child and gene.symbol not in childhood_genes):
            continue
        region = chrom_region(row["chrom"], int(row["pos"]))
        state = genotype_state(
            region, row.get(genotype_column("gt", 0)), row.get(genotype_column("ploidy", 0)), sex
        )
        if state not in (HET, HOM, HEMI):
            continue
        hit = _pathogenic(row, state, gene, classify_fn)
        if hit is not None:
            hits.setdefault(gene.symbol, []).append(hit)
    findings = []
    for symbol in sorted(hits):
        gene = genes[symbol]
        for hit, why in _apply_rule(gene, hits[symbol], family):
            findings.append(_finding(gene, hit, why, age_years, child))
    return findings


def _pathogenic(row: dict[str, Any], state: str, gene: SfGene, classify_fn: ClassifyFn) -> _Hit | None:
    moi = {"AD": "AD", "AR": "AR"}.get(gene.inheritance, "XLR" if gene.rule == "biallelic" else "XLD")
    candidate = GeneCandidate(gene.symbol, moi, ((row["chrom"], int(row["pos"]), row["ref"], row["alt"]),),
                              "not assessed (additional finding)")  # fmt: skip
    acmg = classify_fn(row, candidate)
    stars = row.get("clinvar_stars") or 0
    if row.get("clinvar_class") in _PATHOGENIC and stars >= 1:
        basis = f"ClinVar {row['clinvar_class']} ({stars} star{'s' if stars != 1 else ''})"
    elif acmg.acmg_class in ("Pathogenic", "Likely pathogenic"):
        basis = f"ACMG {acmg.acmg_class} ({acmg.points} points: {', '.join(acmg.criteria)})"
    else:
        return None
    return _Hit(row, state, acmg, basis)


def _terms(row: Mapping[str, Any]) -> set[str]:
    return {t for t in (row.get("consequence") or "").split("&") if t} | {row.get("most_severe") or ""}


def _is_c282y(row: Mapping[str, Any]) -> bool:
    key = (row["chrom"], int(row["pos"]), row["ref"], row["alt"])
    hgvs_p = row.get("hgvs_p") or ""
    return key == _HFE_C282Y or hgvs_p.endswith(("p.Cys282Tyr", "p.(Cys282Tyr)", "p.C282Y"))


def _apply_rule(gene: SfGene, hits: list[_Hit], family: Family) -> list[tuple[_Hit, str]]:
    if gene.rule == "all":
        return [(h, h.basis) for h in hits]
    if gene.rule == "truncating":
        return [(h, f"{h.basis}; truncating") for h in hits if _terms(h.row) & _TRUNCATING]
    if gene.rule == "hfe_c282y":
        return [
            (h, f"{h.basis}; p.Cys282Tyr homozygous") for h in hits if h.genotype == HOM and _is_c282y(h.row)
        ]
    two_alleles = [h for h in hits if h.genotype in (HOM, HEMI)]
    out = [(h, f"{h.basis}; {h.genotype}") for h in two_alleles]
    hets = [h for h in hits if h.genotype == HET]
    paired: dict[int, str] = {}
    for (i, a), (j, b) in combinations(enumerate(hets), 2):
        phased = phase(family, a.row, b.row)
        if phased is False:
            continue  # both from one parent: one allele
        how = "in trans" if phased else "phase unknown"
        paired.setdefault(i, f"second P/LP allele {_key(b.row)} ({how})")
        paired.setdefault(j, f"second P/LP allele {_key(a.row)} ({how})")
    out += [(hets[i], f"{hets[i].basis}; {why}") for i, why in sorted(paired.items())]
    return out


def _key(row: Mapping[str, Any]) -> str:
    return f"{row['chrom']}:{row['pos']}:{row['ref']}:{row['alt']}"


def _finding(gene: SfGene, hit: _Hit, why: str, age_years: float | None, child: bool) -> dict[str, Any]:
    row = hit.row
    rule = (
        f"ACMG SF v{gene.list_version} {gene.symbol} ({gene.inheritance}): {gene.variants_to_report}; {why}"
    )
    if child:
        who = "age not recorded" if age_years is None else f"proband aged {age_years:g} (under 18)"
        rule += (
            f"; {who}: reported because {gene.symbol} is in the childhood-actionable subset "
            "(surveillance or treatment starts in childhood)"
        )
    return {
        "gene_symbol": gene.symbol,
        "hgnc_id": gene.hgnc_id,
        "disease": "; ".join(gene.diseases),
        "inheritance": gene.inheritance,
        "chrom": row["chrom"],
        "pos": int(row["pos"]),
        "ref": row["ref"],
        "alt": row["alt"],
        "consequence": row.get("consequence"),
        "hgvs_c": row.get("hgvs_c"),
        "hgvs_p": row.get("hgvs_p"),
        "genotype": hit.genotype,
        "clinvar": {
            "class": row.get("clinvar_class"),
            "stars": row.get("clinvar_stars"),
            "id": row.get("clinvar_id"),
        },
        "acmg": hit.acmg.as_dict(),
        "rule": rule,
        "sf_list_version": gene.list_version,
    }
