"""Knowledge joined onto annotated variants: ClinVar, gene constraint, gene–disease links, cohort.

Each source is read from an installed resource's built tables (see ``docs/resources.md``) and
only for the chromosomes and genes an input needs.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

Key = tuple[str, int, str, str]

#: ClinVar classes that count as pathogenic evidence at the residue level (PS1/PM5).
PATHOGENIC = frozenset({"P", "LP"})


@dataclass(frozen=True, slots=True)
class ClinvarRecord:
    variation_id: int
    significance: str
    sig_class: str
    stars: int
    conditions: str | None
    mc: tuple[str, ...]
    release: str


@dataclass(slots=True)
class Clinvar:
    """Exact-variant records and pathogenic records by position, newest release first."""

    exact: dict[Key, ClinvarRecord] = field(default_factory=dict)
    pathogenic_at: dict[tuple[str, int], list[tuple[str, str, ClinvarRecord]]] = field(default_factory=dict)

    def add_table(self, path: Path, release: str, chroms: Iterable[str]) -> int:
        """Add a ``variants.parquet`` table; records already present (newer release) are kept."""
        cols = [
            "chrom",
            "pos",
            "ref",
            "alt",
            "variation_id",
            "significance",
            "sig_class",
            "stars",
            "conditions",
            "mc",
        ]
        table = pq.read_table(path, columns=cols, filters=[("chrom", "in", sorted(set(chroms)))])
        d = table.to_pydict()
        n = 0
        for i in range(table.num_rows):
            key = (d["chrom"][i], int(d["pos"][i]), d["ref"][i], d["alt"][i])
            if key in self.exact:
                continue
            rec = ClinvarRecord(
                variation_id=int(d["variation_id"][i]),
                significance=d["significance"][i] or "",
                sig_class=d["sig_class"][i] or "other",
                stars=int(d["stars"][i] or 0),
                conditions=d["conditions"][i],
                mc=tuple(d["mc"][i] or ()),
                release=release,
            )
            self.exact[key] = rec
            if rec.sig_class in PATHOGENIC:
                self.pathogenic_at.setdefault((key[0], key[1]), []).append((key[2], key[3], rec))
            n += 1
        return n


def load_constraint(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """Gene symbol (and unversioned Ensembl gene ID) → ``(pLI, LOEUF)``."""
    table = pq.read_table(path, columns=["ensembl_gene", "gene_symbol", "pli", "loeuf"]).to_pydict()
    out: dict[str, tuple[float | None, float | None]] = {}
    for gene, symbol, pli, loeuf in zip(
        table["ensembl_gene"], table["gene_symbol"], table["pli"], table["loeuf"], strict=True
    ):
        if symbol:
            out[symbol] = (pli, loeuf)
        if gene:
            out[gene] = (pli, loeuf)
    return out


def load_gene_diseases(path: Path) -> dict[str, list[str]]:
    """Gene symbol → sorted disease IDs (``OMIM:…``, ``ORPHA:…``) from ``genes_to_phenotype.txt``."""
    out: dict[str, set[str]] = {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader)
        gi, di = header.index("gene_symbol"), header.index("disease_id")
        for row in reader:
            if len(row) > max(gi, di) and row[di]:
                out.setdefault(row[gi], set()).add(row[di])
    return {g: sorted(ids) for g, ids in out.items()}


def load_cohort(path: Path, chroms: Iterable[str]) -> dict[Key, tuple[int, int]]:
    """Local-cohort allele counts ``(AC, AN)`` from a population ``sites.parquet``."""
    table = pq.read_table(
        path,
        columns=["chrom", "pos", "ref", "alt", "ac", "an"],
        filters=[("chrom", "in", sorted(set(chroms)))],
    )
    d = table.to_pydict()
    return {
        (d["chrom"][i], int(d["pos"][i]), d["ref"][i], d["alt"][i]): (int(d["ac"][i]), int(d["an"][i]))
        for i in range(table.num_rows)
    }
