"""Knowledge joined onto annotated variants: ClinVar, gene constraint, gene–disease links, cohort.

Each source is read from an installed resource's built tables (see ``docs/resources.md``) and
only for the chromosomes and genes an input needs.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

Key = tuple[str, int, str, str]
I64 = npt.NDArray[np.int64]

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


_CLINVAR_COLUMNS = ["chrom", "pos", "ref", "alt", "variation_id", "significance", "sig_class", "stars",
                    "conditions", "mc"]  # fmt: skip
_POS_BITS = 33  # positions below 2**33; the chromosome's number above
#: A record at a position: (ref, alt, table, row, whether its class is P or LP).
_Entry = tuple[str, str, int, int, bool]


def _pairs(lo: I64, hi: I64) -> tuple[I64, I64]:
    """For ``n`` ranges ``[lo[i], hi[i])``: each ``i`` repeated once per element of its range, and
    those elements, in order."""
    n = hi - lo
    at = np.flatnonzero(n)
    first = np.repeat(lo[at] - np.r_[0, np.cumsum(n[at])[:-1]], n[at])
    return np.repeat(at, n[at]), first + np.arange(int(n[at].sum()))


class Clinvar:
    """ClinVar records of the chromosomes an input needs, newest release first.

    The records stay in their Arrow tables; a sorted index of ``(chromosome, position)`` codes
    finds the rows at a position, and a :class:`ClinvarRecord` is built only for the variants
    looked up. Where releases hold the same variant, the newest (added first) wins.
    """

    def __init__(self) -> None:
        self._tables: list[tuple[pa.Table, str]] = []
        self._chrom_ids: dict[str, int] = {}
        self._codes = np.zeros(0, np.int64)  # sorted
        self._rows = np.zeros((0, 2), np.int64)  # (table, row) of each sorted code
        self._pathogenic = np.zeros(0, np.bool_)  # of each sorted code's row
        self._ref: pa.Array = pa.array([], pa.string())  # of each sorted code's row
        self._alt: pa.Array = pa.array([], pa.string())
        self._records: dict[tuple[int, int], ClinvarRecord] = {}
        self._at_memo: dict[tuple[str, int], list[_Entry]] = {}
        self._pathogenic_memo: dict[tuple[str, int], list[tuple[str, str, ClinvarRecord]]] = {}
        self.exact = _Exact(self)
        self.pathogenic_at = _PathogenicAt(self)

    def add_table(self, path: Path, release: str, chroms: Iterable[str]) -> int:
        """Add a ``variants.parquet`` table (an older release after a newer); its number of rows."""
        table = pq.read_table(path, columns=_CLINVAR_COLUMNS, filters=[("chrom", "in", sorted(set(chroms)))])
        table = table.combine_chunks()
        k = len(self._tables)
        self._tables.append((table, release))
        self._at_memo.clear()
        self._pathogenic_memo.clear()
        chrom = pc.dictionary_encode(table.column("chrom")).chunk(0) if table.num_rows else None
        pos = table.column("pos").to_numpy().astype(np.int64)
        codes = np.zeros(0, np.int64)
        if chrom is not None:
            for name in chrom.dictionary.to_pylist():
                self._chrom_ids.setdefault(name, len(self._chrom_ids))
            ids = np.array([self._chrom_ids[n] for n in chrom.dictionary.to_pylist()], np.int64)
            codes = (ids[chrom.indices.to_numpy()] << _POS_BITS) + pos
        sig = table.column("sig_class").to_numpy(zero_copy_only=False)
        rows = np.stack([np.full(len(codes), k, np.int64), np.arange(len(codes), dtype=np.int64)], axis=1)
        all_codes = np.concatenate([self._codes, codes])
        order = np.argsort(all_codes, kind="stable")  # stable: newer tables, then file order, first
        self._codes = all_codes[order]
        self._rows = np.concatenate([self._rows, rows])[order]
        self._pathogenic = np.concatenate([self._pathogenic, np.isin(sig, list(PATHOGENIC))])[order]
        alleles = [pa.concat_arrays([t.column(name).chunk(0) if t.num_rows else pa.array([], pa.string())
                                     for t, _ in self._tables]) for name in ("ref", "alt")]  # fmt: skip
        offsets = np.cumsum([0] + [t.num_rows for t, _ in self._tables])
        flat = (
            pa.array(offsets[self._rows[:, 0]] + self._rows[:, 1])
            if len(self._rows)
            else pa.array([], pa.int64())
        )
        self._ref, self._alt = alleles[0].take(flat), alleles[1].take(flat)  # in sorted-code order
        return int(table.num_rows)

    def match(
        self, chrom: npt.NDArray[Any], pos: npt.NDArray[Any], ref: pa.Array, alt: pa.Array
    ) -> dict[int, ClinvarRecord]:
        """The newest record of each of many variants that ClinVar holds, by the variant's index."""
        if not len(pos) or not len(self._codes):
            return {}
        codes = self.position_codes(chrom, pos)
        if len(codes) > len(self._codes) and bool(np.all(codes[1:] >= codes[:-1])):
            # sorted variants, fewer records: search the records' codes among the variants'
            cand, variant = _pairs(
                np.searchsorted(codes, self._codes, "left"), np.searchsorted(codes, self._codes, "right")
            )
            by_variant = np.argsort(variant, kind="stable")  # then record rows in code order
            variant, cand = variant[by_variant], cand[by_variant]
        else:
            # every record row at each variant's position
            variant, cand = _pairs(
                np.searchsorted(self._codes, codes, "left"), np.searchsorted(self._codes, codes, "right")
            )
        if not len(variant):
            return {}
        same = pc.and_(
            pc.equal(self._ref.take(pa.array(cand)), ref.take(pa.array(variant))),
            pc.equal(self._alt.take(pa.array(cand)), alt.take(pa.array(variant))),
        ).to_numpy(zero_copy_only=False)
        v, c = variant[same], cand[same]
        first = np.r_[True, v[1:] != v[:-1]] if len(v) else np.zeros(0, np.bool_)
        v, c = v[first], c[first]  # the first in code order is the newest release's
        self._load_records(self._rows[c])
        return {
            i: self._records[(k, row)] for i, (k, row) in zip(v.tolist(), self._rows[c].tolist(), strict=True)
        }

    def _load_records(self, rows: npt.NDArray[np.int64]) -> None:
        """Build the records of many ``(table, row)`` pairs at once."""
        for k in np.unique(rows[:, 0]).tolist():
            wanted = [r for r in rows[rows[:, 0] == k, 1].tolist() if (k, r) not in self._records]
            if not wanted:
                continue
            table, release = self._tables[k]
            values = table.select(_CLINVAR_COLUMNS[4:]).take(pa.array(wanted)).to_pylist()
            for r, value in zip(wanted, values, strict=True):
                self._records[(k, r)] = _record(value, release)

    def position_codes(self, chrom: npt.NDArray[Any], pos: npt.NDArray[Any]) -> I64:
        """One code per (chromosome, position) of many variants; -1 on chromosomes without records."""
        if not len(pos):
            return np.zeros(0, np.int64)
        chrom = np.asarray(chrom, dtype=object)
        pos = np.asarray(pos, np.int64)
        if bool(np.all(chrom == chrom[0])):  # the usual case: one chromosome
            cid = self._chrom_ids.get(str(chrom[0]), -1)
            return (cid << _POS_BITS) + pos if cid >= 0 else np.full(len(pos), -1, np.int64)
        names, inv = np.unique(chrom.astype(str), return_inverse=True)
        ids = np.array([self._chrom_ids.get(n, -1) for n in names.tolist()], np.int64)[inv.ravel()]
        return np.where(ids >= 0, (ids << _POS_BITS) + pos, -1)

    def codes(self, pathogenic: bool = False) -> I64:
        """The sorted codes of all records' positions (or of the P/LP records' positions)."""
        return self._codes[self._pathogenic] if pathogenic else self._codes

    def __bool__(self) -> bool:
        return bool(len(self._codes))

    def preload(self, chrom: str, positions: npt.ArrayLike) -> None:
        """Look up the records at many positions of ``chrom`` at once, so that later
        ``exact.get``/``pathogenic_at.get`` calls there are dictionary hits."""
        cid = self._chrom_ids.get(chrom)
        pos = np.unique(np.asarray(positions, np.int64))
        pos = pos[[(chrom, p) not in self._at_memo for p in pos.tolist()]] if len(self._at_memo) else pos
        if cid is None or not len(pos) or not len(self._codes):
            return
        codes = (cid << _POS_BITS) + pos
        which, cand = _pairs(
            np.searchsorted(self._codes, codes, "left"), np.searchsorted(self._codes, codes, "right")
        )
        refs = self._ref.take(pa.array(cand)).to_pylist() if len(cand) else []
        alts = self._alt.take(pa.array(cand)).to_pylist() if len(cand) else []
        rows = self._rows[cand]
        pathogenic = self._pathogenic[cand]
        at_pos = pos[which].tolist()
        found: dict[int, list[_Entry]] = {p: [] for p in pos.tolist()}
        seen: set[tuple[int, str, str]] = set()
        used: list[int] = []
        for j, (p, ref, alt, (k, row), path) in enumerate(
            zip(at_pos, refs, alts, rows.tolist(), pathogenic.tolist(), strict=True)
        ):
            if (p, ref, alt) not in seen:  # the first in code order is the newest release's
                seen.add((p, ref, alt))
                found[p].append((ref, alt, k, row, path))
                if path:
                    used.append(j)
        self._load_records(rows[used])  # the P/LP records: pathogenic_at.get gives them
        for p, out in found.items():
            self._at_memo[(chrom, p)] = out

    def _at(self, chrom: str, pos: int) -> list[_Entry]:
        """``(ref, alt, table, row, P/LP)`` of the records at a position, the newest of each
        variant only."""
        memo = self._at_memo.get((chrom, pos))
        if memo is not None:
            return memo
        cid = self._chrom_ids.get(chrom)
        if cid is None:
            return []
        code = (cid << _POS_BITS) + pos
        lo = int(np.searchsorted(self._codes, code, side="left"))
        hi = int(np.searchsorted(self._codes, code, side="right"))
        out: list[_Entry] = []
        seen: set[tuple[str, str]] = set()
        refs, alts = self._ref[lo:hi].to_pylist(), self._alt[lo:hi].to_pylist()
        path = self._pathogenic[lo:hi].tolist()
        for (k, row), ref, alt, p in zip(self._rows[lo:hi].tolist(), refs, alts, path, strict=True):
            if (ref, alt) not in seen:
                seen.add((ref, alt))
                out.append((ref, alt, k, row, p))
        self._at_memo[(chrom, pos)] = out
        return out

    def record(self, k: int, row: int) -> ClinvarRecord:
        rec = self._records.get((k, row))
        if rec is None:
            table, release = self._tables[k]
            value = {name: table.column(name)[row].as_py() for name in _CLINVAR_COLUMNS[4:]}
            rec = self._records[(k, row)] = _record(value, release)
        return rec


def _record(value: dict[str, Any], release: str) -> ClinvarRecord:
    return ClinvarRecord(
        variation_id=int(value["variation_id"]),
        significance=value["significance"] or "",
        sig_class=value["sig_class"] or "other",
        stars=int(value["stars"] or 0),
        conditions=value["conditions"],
        mc=tuple(value["mc"] or ()),
        release=release,
    )


class _Exact:
    """``clinvar.exact.get((chrom, pos, ref, alt))``: the newest record of a variant."""

    def __init__(self, clinvar: Clinvar) -> None:
        self._clinvar = clinvar

    def get(self, key: Key) -> ClinvarRecord | None:
        for ref, alt, k, row, _ in self._clinvar._at(key[0], key[1]):
            if ref == key[2] and alt == key[3]:
                return self._clinvar.record(k, row)
        return None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 4 and self.get(key) is not None

    def __bool__(self) -> bool:
        return bool(self._clinvar)


class _PathogenicAt:
    """``clinvar.pathogenic_at.get((chrom, pos), ())``: ``(ref, alt, record)`` of P/LP variants there."""

    def __init__(self, clinvar: Clinvar) -> None:
        self._clinvar = clinvar

    def get(
        self, key: tuple[str, int], default: tuple[()] | list[tuple[str, str, ClinvarRecord]] = ()
    ) -> list[tuple[str, str, ClinvarRecord]] | tuple[()]:
        memo = self._clinvar._pathogenic_memo
        out = memo.get(key)
        if out is None:
            out = memo[key] = [
                (ref, alt, self._clinvar.record(k, row))
                for ref, alt, k, row, pathogenic in self._clinvar._at(key[0], key[1])
                if pathogenic  # the record's class is P or LP (Clinvar._pathogenic)
            ]
        return list(out) or default

    def __bool__(self) -> bool:
        return bool(self._clinvar._pathogenic.any())


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
