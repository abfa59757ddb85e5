"""Named-allele matching: a sample's genotypes at the defining positions → diplotypes.

The approach follows PharmCAT's NamedAlleleMatcher (Sangkuhl et al. 2020): a named allele is
a whole haplotype over the defining positions (an undefined position means the reference
allele); positions with no call are left out of every definition; a diplotype is a pair of
named alleles that explains every called genotype — for phased data with one orientation
per phase set, for unphased data with any orientation at each heterozygous position (which
is every haplotype permutation); its score is the number of positions the two alleles
specify, and all top-scoring diplotypes are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from genopath.pgx.definitions import GeneDefinition, NamedAllele
from genopath.pgx.genotypes import Call

PHASED, EFFECTIVELY_PHASED, UNPHASED = "phased", "effectively phased", "unphased"


@dataclass(frozen=True)
class Diplotype:
    """Two named alleles (reference-first, then definition order) and their match score."""

    allele1: str
    allele2: str
    score: int

    @property
    def name(self) -> str:
        """``*1/*2``."""
        return f"{self.allele1}/{self.allele2}"


@dataclass(frozen=True)
class GeneMatch:
    """The matcher's answer for one gene of one sample.

    Attributes
    ----------
    gene
        HGNC symbol.
    diplotypes
        All top-scoring diplotypes (empty when not called).
    phasing
        ``phased``, ``effectively phased`` (at most one heterozygous phase block) or ``unphased``.
    missing
        Labels of defining positions with no call; they limit what can be distinguished.
    not_called
        Why the gene has no call (``None`` when called).
    variants
        For variant-level genes: the named variants found, with copies (``c.1905+1G>A``: 1).
    """

    gene: str
    diplotypes: tuple[Diplotype, ...]
    phasing: str
    missing: tuple[str, ...]
    not_called: str | None = None
    variants: dict[str, int] = field(default_factory=dict)

    @property
    def called(self) -> bool:
        """Whether at least one diplotype was found."""
        return bool(self.diplotypes)


@dataclass(frozen=True)
class Prepared:
    """Called positions with their genotypes and each allele's acceptance per position."""

    index: tuple[int, ...]
    genotypes: tuple[tuple[str, str], ...]
    groups: tuple[tuple[int, ...], ...]  # phase groups over positions of ``index`` (het only)
    phasing: str


def match_gene(
    definition: GeneDefinition, calls: Sequence[Call], *, severity: Mapping[str, float] | None = None
) -> GeneMatch:
    """Match one sample's calls (aligned with ``definition.positions``) to diplotypes.

    ``severity`` ranks the variants of a variant-level gene (lower = less function, e.g. the
    DPYD activity value); when more than two are found unphased, the two lowest are chosen.

    Returns a :class:`GeneMatch`; a gene is *not called* (with the reason) when every defining
    position is missing, a required position is missing, the sample carries an allele the
    definition does not document, or no pair of named alleles explains the genotypes.
    """
    missing = tuple(p.label for p, c in zip(definition.positions, calls, strict=True) if c.missing)
    refusal = _refusal(definition, calls, missing)
    if refusal is not None:
        return GeneMatch(definition.gene, (), UNPHASED, missing, refusal)
    prepared = prepare(calls)
    if definition.variant_level:
        from genopath.pgx.variant_level import match_variants

        return match_variants(definition, prepared, missing, severity or {})
    diplotypes = _top_pairs(definition, prepared)
    if not diplotypes:
        reason = "no pair of named alleles explains the genotypes (a novel haplotype or a combination allele)"
        return GeneMatch(definition.gene, (), prepared.phasing, missing, reason)
    if prepared.phasing == UNPHASED and len(diplotypes) > 1:
        pick = definition.unphased_priorities.get(frozenset(d.name for d in diplotypes))
        diplotypes = tuple(d for d in diplotypes if d.name == pick) or diplotypes
    return GeneMatch(definition.gene, diplotypes, prepared.phasing, missing)


def _refusal(definition: GeneDefinition, calls: Sequence[Call], missing: tuple[str, ...]) -> str | None:
    if len(missing) == len(calls):
        return f"all {len(calls)} defining positions are missing from the VCF"
    absent = sorted(
        p.label
        for p, c in zip(definition.positions, calls, strict=True)
        if c.missing and p.pos in definition.required_positions
    )
    if absent:
        return f"required positions have no call: {', '.join(absent)}"
    odd = [
        f"{p.label} {'/'.join(c.undocumented)}"
        for p, c in zip(definition.positions, calls, strict=True)
        if c.undocumented
    ]
    if odd:
        return f"undocumented allele at a defining position: {'; '.join(odd)}"
    return None


def prepare(calls: Sequence[Call]) -> Prepared:
    index = tuple(i for i, c in enumerate(calls) if not c.missing)
    genotypes = tuple(_pair(calls[i].alleles) for i in index)
    groups: dict[object, list[int]] = {}
    for k, i in enumerate(index):
        a, b = genotypes[k]
        if a == b:
            continue
        key: object = ("ps", calls[i].phase_set) if calls[i].phased else ("unphased", k)
        groups.setdefault(key, []).append(k)
    het = sum(len(g) for g in groups.values())
    phasing = UNPHASED if len(groups) > 1 else PHASED if het > 1 else EFFECTIVELY_PHASED
    return Prepared(index, genotypes, tuple(tuple(g) for g in groups.values()), phasing)


def _pair(alleles: tuple[str, ...]) -> tuple[str, str]:
    # A haploid call (chrX in a male, G6PD) is treated as homozygous, as PharmCAT does.
    return (alleles[0], alleles[0]) if len(alleles) == 1 else (alleles[0], alleles[1])


def _accepts(allele: NamedAllele, definition: GeneDefinition, i: int, base: str) -> bool:
    return allele.accepts(i, base, definition.positions[i].ref)


def _top_pairs(definition: GeneDefinition, prepared: Prepared) -> tuple[Diplotype, ...]:
    called = set(prepared.index)
    acceptance = definition.acceptance
    mask = (1 << len(definition.alleles)) - 1
    for i, (g1, g2) in zip(prepared.index, prepared.genotypes, strict=True):
        mask &= acceptance[i].get(g1, 0) | acceptance[i].get(g2, 0)
        if not mask:
            return ()
    scored: list[tuple[NamedAllele, int]] = []
    for k, allele in enumerate(definition.alleles):
        if not mask >> k & 1:
            continue
        score = sum(1 for i in allele.defined if i in called)
        if score or allele.reference:  # an allele defined only at no-call positions is left out
            scored.append((allele, score))
    best: list[Diplotype] = []
    top = -1
    for x, (a1, s1) in enumerate(scored):
        for a2, s2 in scored[x:]:
            if s1 + s2 < top or not _explains(definition, prepared, a1, a2):
                continue
            if s1 + s2 > top:
                top, best = s1 + s2, []
            best.append(Diplotype(a1.name, a2.name, s1 + s2))  # definition order: reference first
    return tuple(best)


def _explains(definition: GeneDefinition, prepared: Prepared, a1: NamedAllele, a2: NamedAllele) -> bool:
    # Both alleles accept every homozygous call (that is how candidates were chosen), so only
    # heterozygous calls need an orientation: one per phase set, or free when unphased.
    return all(
        _oriented(definition, prepared, group, a1, a2) or _oriented(definition, prepared, group, a2, a1)
        for group in prepared.groups
    )


def _oriented(
    definition: GeneDefinition,
    prepared: Prepared,
    group: tuple[int, ...],
    first: NamedAllele,
    second: NamedAllele,
) -> bool:
    for k in group:
        i, (g1, g2) = prepared.index[k], prepared.genotypes[k]
        if not (_accepts(first, definition, i, g1) and _accepts(second, definition, i, g2)):
            return False
    return True
