"""Variant-level calling for DPYD, RYR1 and CACNA1S.

These genes' "alleles" are single variants (DPYD HapB3 is two), several of which may sit on one
chromosome, so haplotype matching does not apply. As PharmCAT does, genopath lists every named
variant found and forms the diplotype from them: per haplotype when phased, otherwise from
the copies found — and when more than two copies are found unphased, from the two with the
least function (CPIC DPYD guideline 2017, update 2024: "the two lowest-function variants").
"""

from __future__ import annotations

from collections.abc import Mapping

from genopath.pgx.definitions import GeneDefinition, NamedAllele
from genopath.pgx.matcher import PHASED, Diplotype, GeneMatch, Prepared


def match_variants(
    definition: GeneDefinition, prepared: Prepared, missing: tuple[str, ...], severity: Mapping[str, float]
) -> GeneMatch:
    """Find the named variants carried and build the diplotype (see the module docstring)."""
    reference = definition.reference_allele
    haplotypes = _haplotypes(prepared)
    phased = prepared.phasing == PHASED or len(prepared.groups) <= 1
    found: dict[str, int] = {}
    per_hap: list[list[NamedAllele]] = [[], []]
    for allele in _candidates(definition, prepared):
        wanted = allele.defined_set
        defined = [k for k, i in enumerate(prepared.index) if i in wanted]
        if not defined:
            continue
        on = [all(_carries(definition, allele, prepared, k, hap) for k in defined) for hap in haplotypes]
        copies = sum(on) if phased else min(_copies(definition, allele, prepared, k) for k in defined)
        if copies:
            found[allele.name] = copies
            for h, present in enumerate(on):
                if present:
                    per_hap[h].append(allele)
    found, per_hap = _drop_subsumed(definition, found, per_hap)
    order = {a.name: n for n, a in enumerate(definition.alleles)}

    def rank(name: str) -> tuple[float, int]:
        return (severity.get(name, 1.0), order[name])

    if phased:
        picked = [min((a.name for a in hap), key=rank, default=reference.name) for hap in per_hap]
    else:
        carried = sorted((name for name, n in found.items() for _ in range(n)), key=rank)
        picked = [*carried, reference.name, reference.name][:2]
    first, second = sorted(picked, key=lambda n: order[n])
    score = len(prepared.index)
    return GeneMatch(
        definition.gene, (Diplotype(first, second, score),), prepared.phasing, missing, None, found
    )


def _candidates(definition: GeneDefinition, prepared: Prepared) -> list[NamedAllele]:
    """Named variants defined at a called position where the sample carries a non-reference
    allele they accept — the only ones that can be found (found with the acceptance masks)."""
    mask = 0
    for i, genotype in zip(prepared.index, prepared.genotypes, strict=True):
        ref = definition.positions[i].ref
        for base in set(genotype) - {ref}:
            mask |= definition.acceptance[i].get(base, 0)
    return [a for k, a in enumerate(definition.alleles) if mask >> k & 1 and not a.reference]


def _haplotypes(prepared: Prepared) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The two haplotypes as given (phased, or one unphased het: the order does not matter)."""
    return tuple(g[0] for g in prepared.genotypes), tuple(g[1] for g in prepared.genotypes)


def _carries(
    definition: GeneDefinition, allele: NamedAllele, prepared: Prepared, k: int, hap: tuple[str, ...]
) -> bool:
    i = prepared.index[k]
    base = hap[k]
    return base != definition.positions[i].ref and allele.accepts(i, base, definition.positions[i].ref)


def _copies(definition: GeneDefinition, allele: NamedAllele, prepared: Prepared, k: int) -> int:
    i = prepared.index[k]
    ref = definition.positions[i].ref
    return sum(1 for base in prepared.genotypes[k] if base != ref and allele.accepts(i, base, ref))


def _drop_subsumed(
    definition: GeneDefinition, found: dict[str, int], per_hap: list[list[NamedAllele]]
) -> tuple[dict[str, int], list[list[NamedAllele]]]:
    """A variant that is part of a larger named variant found with it is counted in that one.

    DPYD HapB3 is c.1129-5923C>G plus c.1236G>A: a chromosome with HapB3 does not also carry a
    separate c.1129-5923C>G, so each copy of the larger allele uses up one copy of the smaller.
    """
    by_name = {a.name: a for a in definition.alleles}
    spans = {name: by_name[name].defined_set for name in found}
    kept = dict(found)
    for small in found:
        for big in found:
            if small != big and spans[small] < spans[big]:
                kept[small] -= found[big]
    kept = {name: n for name, n in kept.items() if n > 0}
    haps = [
        [a for a in hap if not any(a.defined_set < b.defined_set for b in hap if b is not a)]
        for hap in per_hap
    ]
    return kept, haps
