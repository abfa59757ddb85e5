"""Diplotype → phenotype, activity score and the key CPIC recommendations are looked up by.

The maps come from the CPIC/ClinPGx gene phenotype tables in the ``pgx`` resource: each
diplotype has a phenotype (``generesult``), an activity score where the gene uses one, and
a ``lookupkey`` — the phenotype or the activity score, whichever the gene's guidelines key on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from genopath.pgx.definitions import PgxData

NO_RESULT = "No Result"


@dataclass(frozen=True)
class GenePhenotype:
    """What a gene's result means for prescribing.

    Attributes
    ----------
    gene
        HGNC symbol.
    diplotypes
        The diplotype(s) reported (several when the matcher found a tie).
    phenotype
        ``Poor Metabolizer``, ``Decreased Function``…; ``Indeterminate`` when the tied
        diplotypes disagree or the map does not cover the diplotype; ``None`` when not called.
    activity_score
        For activity-score genes (CYP2C9, CYP2D6, DPYD), else ``None``.
    lookup
        The key recommendations are matched on (``NO_RESULT`` when there is none).
    functions
        Allele → function (or activity value) for the alleles of the diplotype(s).
    source
        ``vcf`` or ``outside call``.
    alternatives
        Further keys that count as this result's :attr:`lookup`: an outside call that gives only
        a phenotype (``Intermediate Metabolizer``) for a gene whose recommendations are keyed on
        activity scores matches every score CPIC maps to that phenotype.
    """

    gene: str
    diplotypes: tuple[str, ...]
    phenotype: str | None
    activity_score: str | None
    lookup: str
    functions: dict[str, str]
    source: str = "vcf"
    alternatives: tuple[str, ...] = ()


class PhenotypeMap:
    """The phenotype table of one gene, indexed by the alleles of a diplotype."""

    @staticmethod
    def of(data: PgxData, gene: str) -> PhenotypeMap:
        """The (cached) map of ``gene`` in an installed resource: built once per process."""
        return _map(data, gene)

    def __init__(self, gene: str, table: dict[str, Any] | None) -> None:
        self.gene = gene
        self.table = table or {"haplotypes": {}, "activity": {}, "diplotypes": []}
        self._by_key = {_key(d["key"]): d for d in self.table["diplotypes"] if d.get("key")}

    def alleles(self) -> set[str]:
        """Allele names the map knows."""
        return set(self.table["haplotypes"])

    def severity(self) -> dict[str, float]:
        """Allele → activity value (lower = less function), for variant-level genes."""
        values: dict[str, float] = {}
        for name, value in (self.table.get("activity") or {}).items():
            try:
                values[name] = float(value)
            except (TypeError, ValueError):
                continue
        for name, function in self.table["haplotypes"].items():
            # RYR1/CACNA1S have no activity values: an MH-associated variant outranks the rest.
            values.setdefault(name, 0.0 if "Malignant Hyperthermia" in str(function) else 1.0)
        return values

    def entry(self, *alleles: str) -> dict[str, Any] | None:
        """The map's row for a diplotype in either allele order (or for MT-RNR1's one haplotype)."""
        return self._by_key.get(_key(Counter(alleles)))

    def lookups_for(self, phenotype: str) -> tuple[str, ...]:
        """Every lookup key (activity score or phenotype) of the map's rows with ``phenotype``
        (case-insensitive), e.g. CYP2D6 ``Intermediate Metabolizer`` → ``0.25`` … ``1.0``."""
        wanted = phenotype.casefold()
        return tuple(
            sorted(
                {
                    str(d["lookupkey"])
                    for d in self.table["diplotypes"]
                    if str(d.get("phenotype") or "").casefold() == wanted and d.get("lookupkey")
                }
            )
        )

    def phenotypes(self) -> list[str]:
        """The phenotypes the map knows, in order of first appearance."""
        return list(
            dict.fromkeys(str(d["phenotype"]) for d in self.table["diplotypes"] if d.get("phenotype"))
        )

    def phenotype(self, diplotypes: list[tuple[str, ...]], source: str = "vcf") -> GenePhenotype:
        """The phenotype of the called diplotype(s); ties that disagree are ``Indeterminate``."""
        names = tuple("/".join(pair) for pair in diplotypes)
        functions = {
            allele: str(self.table["haplotypes"].get(allele, "unknown function"))
            for pair in diplotypes
            for allele in pair
        }
        if not self.table["diplotypes"]:
            # No CPIC phenotype table (CYP4F2, IFNL3): the allele functions are the result.
            return GenePhenotype(self.gene, names, None, None, NO_RESULT, functions, source)
        entries = [self.entry(*pair) for pair in diplotypes]
        lookups = {e["lookupkey"] for e in entries if e is not None}
        if not entries or any(e is None for e in entries) or len(lookups) != 1:
            return GenePhenotype(self.gene, names, "Indeterminate", None, "Indeterminate", functions, source)
        first = entries[0]
        assert first is not None
        return GenePhenotype(
            self.gene,
            names,
            first["phenotype"],
            first.get("activity_score"),
            str(first["lookupkey"]),
            functions,
            source,
        )


@cache
def _map(data: PgxData, gene: str) -> PhenotypeMap:
    return PhenotypeMap(gene, data.record(gene)["phenotype"])


def _key(counts: dict[str, int] | Counter[str]) -> tuple[str, ...]:
    """The alleles of a diplotype key (``{"*1": 2}``, ``{"*1": 1, "*2": 1}``), sorted: any order
    and either form of a homozygote give the same key. Built for every row of every map at
    start-up, so the usual shapes skip the general expansion."""
    if len(counts) == 1:
        for name, n in counts.items():
            return (name,) * int(n)
    if all(n == 1 for n in counts.values()):
        return tuple(sorted(counts))
    return tuple(sorted(name for name, n in counts.items() for _ in range(int(n))))


def not_called(gene: str) -> GenePhenotype:
    """The phenotype record of a gene with no call."""
    return GenePhenotype(gene, (), None, None, NO_RESULT, {})
