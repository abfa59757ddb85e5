"""The shared vocabulary of the interpretation engine (DESIGN §6): the family as analysed,
variant keys, the columns of the candidate table, filter-trace stages, and the per-gene and
per-variant results every stage hands to the next.

Stages communicate through two Arrow tables, written to the analysis folder as Parquet:

* **candidates** (``candidates.parquet``): one row per distinct variant that the proband (or
  another affected member) carries and that survived the genome-wide stages (quality,
  consequence, the loosest frequency bound). Columns: every column of
  :data:`genopath.annotation.pipeline.SCHEMA` (``chrom``, ``pos``, ``ref``, ``alt``,
  ``gene_symbol``, ``consequence``, ``most_severe``, ``impact``, ``hgvs_c``, ``hgvs_p``,
  ``max_af`` …, ``clinvar_class``, ``clinvar_same_aa`` …, ``pli``, ``loeuf``, ``revel``,
  ``spliceai_max``), plus :data:`EXTRA_COLUMNS`, plus per sequenced member ``i`` (the index in
  :attr:`Family.sequenced`) the genotype columns named by :func:`genotype_column`.
* **trace** (``trace.parquet``): :data:`TRACE_SCHEMA`, one row per proband variant removed,
  with the first stage that removed it (in :data:`STAGES` order) and a one-line reason.

Re-ranking after an HPO change reads ``candidates.parquet`` again and never the VCF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from genopath.registry.terms import AffectedStatus, Sex

VariantKey = tuple[str, int, str, str]

#: Filter-trace stages, in the order the pipeline applies them. ``genotype`` (the proband does
#: not carry the ALT) is only counted, never listed row by row.
STAGES = ("genotype", "quality", "consequence", "frequency", "segregation", "ranking")

TRACE_SCHEMA = pa.schema(
    [
        ("chrom", pa.string()),
        ("pos", pa.int64()),
        ("ref", pa.string()),
        ("alt", pa.string()),
        ("gene_symbol", pa.string()),
        ("stage", pa.dictionary(pa.int8(), pa.string())),
        ("reason", pa.string()),
    ]
)

#: Columns the loader adds to the annotation columns of each candidate row.
EXTRA_COLUMNS = (
    ("filter", pa.string()),  # the VCF FILTER value ("PASS" or ".")
    ("pop_af", pa.float64()),  # max over every population source and the local cohort; null = unseen
    ("pop_af_source", pa.string()),  # which source gave pop_af (e.g. "gnomadg_eas_af", "local_af")
)

#: Per-sample genotype fields; see :func:`genotype_column`.
GENOTYPE_FIELDS = (
    ("gt", pa.int8()),  # ALT allele count: 0, 1, 2; -1 missing (a haploid ALT call is 1)
    ("ploidy", pa.int8()),  # 1 for a haploid call ("1"), else 2
    ("gq", pa.int16()),  # null when absent
    ("dp", pa.int32()),  # null when absent
    ("ab", pa.float32()),  # ALT reads / (REF + ALT reads) from AD; null when absent
)


def genotype_column(field_name: str, index: int) -> str:
    """Column of ``field_name`` (``gt``, ``ploidy``, ``gq``, ``dp``, ``ab``) for sequenced member ``index``."""
    return f"{field_name}_{index}"


def key_text(key: VariantKey) -> str:
    """``chr17:43045712:T:C`` — the spelling users type to ``genopath explain``."""
    return f"{key[0]}:{key[1]}:{key[2]}:{key[3]}"


@dataclass(frozen=True)
class Member:
    """One family member as analysed: PED individual, VCF sample column (``None`` = not sequenced)."""

    individual_id: str
    sample: str | None
    father: str | None
    mother: str | None
    sex: Sex
    affected: AffectedStatus


@dataclass(frozen=True)
class Family:
    """The family of one analysis: its members and the proband (an affected, sequenced member)."""

    family_id: str
    proband: str
    members: tuple[Member, ...]

    @property
    def sequenced(self) -> tuple[Member, ...]:
        """Members with a VCF column, proband first, then in PED order (index = genotype column)."""
        seq = [m for m in self.members if m.sample is not None]
        return tuple(sorted(seq, key=lambda m: m.individual_id != self.proband))

    def member(self, individual_id: str) -> Member:
        for m in self.members:
            if m.individual_id == individual_id:
                return m
        raise KeyError(individual_id)

    def index(self, individual_id: str) -> int | None:
        """Genotype column index of a member, or ``None`` when not sequenced."""
        for i, m in enumerate(self.sequenced):
            if m.individual_id == individual_id:
                return i
        return None

    @property
    def structure(self) -> str:
        """``singleton``, ``duo``, ``trio``, ``quad`` or ``family`` (by sequenced members)."""
        return {1: "singleton", 2: "duo", 3: "trio", 4: "quad"}.get(len(self.sequenced), "family")


#: Modes of inheritance, as PanelApp's simplified codes plus X-linked split by dominance.
MOIS = ("AD", "AR", "XLR", "XLD", "MT")


@dataclass(frozen=True)
class Acmg:
    """ACMG/AMP classification with Bayesian points (Tavtigian 2020)."""

    acmg_class: str  # "Pathogenic", "Likely pathogenic", "Uncertain significance", "Likely benign", "Benign"
    points: int
    criteria: tuple[str, ...]  # e.g. ("PVS1", "PM2_Supporting", "PP4")

    def as_dict(self) -> dict[str, Any]:
        return {"class": self.acmg_class, "points": self.points, "criteria": list(self.criteria)}


@dataclass
class GeneCandidate:
    """A gene with a genotype that fits one mode of inheritance in the family (segregation)."""

    gene_symbol: str
    moi: str  # one of MOIS
    variants: tuple[VariantKey, ...]  # 1 (dominant, hom, hemizygous) or 2 (compound heterozygous)
    segregation: str  # e.g. "de novo (both parents sequenced, reference)", "compound heterozygous in trans"
    de_novo: bool = False
    in_trans: bool | None = None  # compound heterozygous: True (phased by parents), None (unknown)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GenePhenotype:
    """How well the proband's phenotype fits the diseases annotated to a gene."""

    score: float  # similarity in [0, 1]
    likelihood_ratio: float  # > 0; 1 = uninformative
    diseases: tuple[dict[str, Any], ...]  # {"id", "name", "score", "moi": [..]}, best first
    matched_terms: tuple[str, ...] = ()


def sample_names(family: Family) -> Sequence[str]:
    return [m.sample or "" for m in family.sequenced]
