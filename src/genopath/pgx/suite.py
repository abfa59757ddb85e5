"""The exhaustive definitional test suite: every allele pair of every gene, matched back.

For each gene, every unordered pair of named alleles (homozygous and heterozygous) becomes a
synthetic sample — phased, unphased, and with one of the first allele's defining positions
missing. The expected answer is computed by brute force, independently of the matcher: all
pairs of named alleles are expanded to genotypes, and the expected diplotypes of a sample
are the top-scoring pairs (score = positions the two alleles specify, PharmCAT's rule) among
those whose genotypes are *identical* to the sample's (as ordered haplotypes when phased, as
unordered genotypes per position when not). A case is an exact match when the matcher
returns exactly that set. Cases whose expected set is not just the generating pair are the
documented ambiguities (e.g. TPMT ``*3B/*3C`` unphased is indistinguishable from ``*1/*3A``);
where PharmCAT's curators chose one pair of such a set (``unphasedDiplotypePriorities`` in
``exemptions.json``, NAT2), that pair is expected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from genopath.pgx.definitions import GeneDefinition, NamedAllele
from genopath.pgx.genotypes import NO_CALL, Call
from genopath.pgx.matcher import match_gene

PHASED, UNPHASED, MISSING = "phased", "unphased", "missing position"


@dataclass(frozen=True)
class Case:
    """One synthetic sample of the suite and its brute-force expected diplotypes."""

    gene: str
    allele1: str
    allele2: str
    mode: str
    calls: tuple[Call, ...]
    expected: frozenset[str]

    @property
    def ambiguous(self) -> bool:
        """Whether the generating pair cannot be told apart from another pair."""
        return self.expected != frozenset({_name(self.allele1, self.allele2)})


def _name(a: str, b: str) -> str:
    return f"{a}/{b}"


def _variants(definition: GeneDefinition, allele: NamedAllele) -> list[tuple[str, ...]]:
    """The concrete haplotypes an allele stands for (each IUPAC code expanded to its bases)."""
    columns = [
        sorted(cell) if cell is not None else [p.ref]
        for p, cell in zip(definition.positions, allele.cells, strict=True)
    ]
    haplotypes: list[tuple[str, ...]] = [()]
    for column in columns:
        haplotypes = [(*h, base) for h in haplotypes for base in column]
    return haplotypes


class _Oracle:
    """Brute-force grouping of all (concrete) allele pairs by genotype signature, with hashing.

    A haplotype's hash is a sum of one random 64-bit value per (position, base); an unphased
    genotype's is a sum per (position, unordered base pair); leaving out a position subtracts
    its term. Pairs with equal hashes have identical genotypes (collisions have probability
    ~2^-64 per comparison).
    """

    def __init__(self, definition: GeneDefinition) -> None:
        self.alleles = definition.alleles
        owners, haps = [], []
        for n, allele in enumerate(self.alleles):
            for h in _variants(definition, allele):
                owners.append(n)
                haps.append(h)
        positions = len(definition.positions)
        codes = np.zeros((len(haps), positions), dtype=np.int64)
        for j in range(positions):
            alphabet = {b: k for k, b in enumerate(sorted({h[j] for h in haps}))}
            codes[:, j] = [alphabet[h[j]] for h in haps]
        self.first = {owners[k]: k for k in range(len(owners) - 1, -1, -1)}
        self.firsts = set(self.first.values())
        self._cache: dict[
            tuple[str, int | None], tuple[list[frozenset[str]], dict[tuple[int, int], int]]
        ] = {}
        self._orders = {a.name: n for n, a in enumerate(self.alleles)}
        rng = np.random.default_rng(20251105)
        width = int(codes.max()) + 1 if codes.size else 1
        self.phased_terms = rng.integers(0, 2**63, size=(positions, width), dtype=np.uint64)
        self.unphased_terms = rng.integers(0, 2**63, size=(positions, width, width), dtype=np.uint64)
        x, y = np.triu_indices(len(haps))
        self.x, self.y, self.codes = x, y, codes
        self.owner = np.array(owners)
        self.defined = np.array(
            [[c is not None for c in self.alleles[o].cells] for o in owners], dtype=np.int64
        )
        self.reference = np.array([self.alleles[o].reference for o in owners])
        cols = np.arange(positions)
        self.hap_hash = self.phased_terms[cols, codes].sum(axis=1, dtype=np.uint64)
        lo, hi = np.minimum(codes[x], codes[y]), np.maximum(codes[x], codes[y])
        self.pair_terms = self.unphased_terms[cols, lo, hi]  # (pairs, positions)
        self.unphased_hash = self.pair_terms.sum(axis=1, dtype=np.uint64)

    def expected(self, a: int, b: int, mode: str, missing: int | None) -> frozenset[str]:
        """Expected diplotypes for the case made from alleles ``a`` and ``b`` (by index)."""
        key = (mode, missing)
        if key not in self._cache:  # one grouping per way of looking, reused by every case
            self._cache[key] = self._groups(mode, missing)
        groups, me = self._cache[key]
        ka, kb = self.first[a], self.first[b]
        return groups[me[(min(ka, kb), max(ka, kb))]]

    def _groups(
        self, mode: str, missing: int | None
    ) -> tuple[list[frozenset[str]], dict[tuple[int, int], int]]:
        """For one way of looking (phased/unphased, one position missing): pair → its group's
        expected diplotypes (the top-scoring pairs of the group)."""
        x, y = self.x, self.y
        score = self.defined.sum(axis=1)
        if missing is None:
            hx, hy, unphased = self.hap_hash[x], self.hap_hash[y], self.unphased_hash
        else:
            drop = self.phased_terms[missing, self.codes[:, missing]]
            hx, hy = self.hap_hash[x] - drop[x], self.hap_hash[y] - drop[y]
            unphased = self.unphased_hash - self.pair_terms[:, missing]
            score = score - self.defined[:, missing]
        usable = (score > 0) | self.reference
        ok = usable[x] & usable[y]
        if mode == UNPHASED:
            keys = np.stack([unphased, unphased], axis=1)
        else:
            keys = np.stack([np.minimum(hx, hy), np.maximum(hx, hy)], axis=1)
        total = score[x] + score[y]
        _, group = np.unique(keys, axis=0, return_inverse=True)
        group = group.ravel()
        best = np.full(group.max() + 1, -1, dtype=np.int64)
        np.maximum.at(best, group[ok], total[ok])
        names: list[set[str]] = [set() for _ in range(len(best))]
        for k in np.flatnonzero(ok & (total == best[group])):
            pair = sorted(
                (self.alleles[self.owner[x[k]]].name, self.alleles[self.owner[y[k]]].name), key=self._order
            )
            names[group[k]].add(_name(*pair))
        lookup = {
            (int(i), int(j)): int(g)
            for i, j, g in zip(x, y, group, strict=True)
            if i in self.firsts and j in self.firsts
        }
        return [frozenset(n) for n in names], lookup

    def _order(self, name: str) -> int:
        return self._orders[name]


def cases(
    definition: GeneDefinition, *, modes: tuple[str, ...] = (PHASED, UNPHASED, MISSING)
) -> Iterator[Case]:
    """Every case of the suite for one gene (see the module docstring)."""
    oracle = _Oracle(definition)
    alleles = definition.alleles
    haps = [_variants(definition, a)[0] for a in alleles]
    for mode in modes:
        for x in range(len(alleles)):
            missing = None
            if mode == MISSING:
                defined = alleles[x].defined if not alleles[x].reference else ()
                if len(defined) < 2:
                    continue  # removing the only defining position leaves nothing to call
                missing = defined[0]
            for y in range(x, len(alleles)):
                calls = tuple(
                    NO_CALL
                    if i == missing
                    else Call((haps[x][i], haps[y][i]), mode != UNPHASED and haps[x][i] != haps[y][i])
                    for i in range(len(definition.positions))
                )
                expected = oracle.expected(x, y, UNPHASED if mode == UNPHASED else PHASED, missing)
                if missing is not None and definition.positions[missing].pos in definition.required_positions:
                    expected = frozenset()  # a required position with no call: the gene is not called
                elif mode == UNPHASED and expected in definition.unphased_priorities:
                    # PharmCAT's curated choice among indistinguishable unphased pairs (NAT2).
                    expected = frozenset({definition.unphased_priorities[expected]})
                yield Case(definition.gene, alleles[x].name, alleles[y].name, mode, calls, expected)


@dataclass
class GeneTally:
    """Suite results for one gene: cases, exact matches, and the first few mismatches."""

    gene: str
    cases: int = 0
    exact: int = 0
    ambiguous: int = 0
    mismatches: list[str] | None = None

    @property
    def rate(self) -> float:
        """Exact matches / cases (1.0 for a gene with no cases)."""
        return self.exact / self.cases if self.cases else 1.0


def run_suite(definition: GeneDefinition, *, limit: int | None = None, keep_mismatches: int = 5) -> GeneTally:
    """Match every case of one gene (or the first ``limit``) and count exact matches."""
    tally = GeneTally(definition.gene, mismatches=[])
    for n, case in enumerate(cases(definition)):
        if limit is not None and n >= limit:
            break
        result = match_gene(definition, case.calls)
        got = frozenset(d.name for d in result.diplotypes)
        tally.cases += 1
        tally.ambiguous += case.ambiguous
        if got == case.expected:
            tally.exact += 1
        elif tally.mismatches is not None and len(tally.mismatches) < keep_mismatches:
            tally.mismatches.append(
                f"{case.allele1}/{case.allele2} ({case.mode}): expected {sorted(case.expected)}, got {sorted(got)}"
                + (f" — {result.not_called}" if result.not_called else "")
            )
    return tally
