"""The MANE Select transcript model: exons, CDS and identifiers, with coordinate mapping.

Built from the ``mane`` resource's ``exons.parquet`` (one row per exon, 0-based half-open
genomic coordinates; the CDS interval includes the stop codon). A :class:`Transcript` maps
genomic positions to cDNA, CDS and HGVS ``c.`` positions and knows its introns and splice sites.
:class:`TranscriptIndex` finds the transcripts near a position.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

#: Window (bp) for upstream/downstream gene variants, as VEP's default.
FLANK = 5000


@dataclass(slots=True)
class Transcript:
    """One transcript. Exons are ``(start0, end)`` genomic intervals in ascending order."""

    transcript_id: str
    chrom: str
    strand: int
    exons: list[tuple[int, int]]
    cds_start0: int | None
    cds_end: int | None
    gene_symbol: str
    hgnc_id: str | None = None
    gene_id: str | None = None
    refseq_transcript: str | None = None
    protein_id: str | None = None
    refseq_protein: str | None = None
    mane_status: str = "MANE Select"
    # derived
    _starts: list[int] = field(default_factory=list, repr=False)
    _ends: list[int] = field(default_factory=list, repr=False)
    _cum: list[int] = field(default_factory=list, repr=False)
    cds_cdna_start: int = 0
    cds_cdna_end: int = 0
    sequence_cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.exons.sort()
        self._starts = [s for s, _ in self.exons]
        self._ends = [e for _, e in self.exons]
        # cumulative exon length before each exon, in transcript order
        lengths = [e - s for s, e in self.exons]
        order = lengths if self.strand > 0 else lengths[::-1]
        cum = [0]
        for n in order:
            cum.append(cum[-1] + n)
        self._cum = cum
        if self.cds_start0 is not None and self.cds_end is not None:
            first = self.cds_start0 + 1 if self.strand > 0 else self.cds_end
            last = self.cds_end if self.strand > 0 else self.cds_start0 + 1
            self.cds_cdna_start = self.cdna(first) or 0
            self.cds_cdna_end = self.cdna(last) or 0

    # -- shape ---------------------------------------------------------------------------
    @property
    def exon_starts(self) -> list[int]:
        """0-based exon starts in ascending order (for bisecting)."""
        return self._starts

    @property
    def tx_start0(self) -> int:
        return self._starts[0]

    @property
    def tx_end(self) -> int:
        return self._ends[-1]

    @property
    def coding(self) -> bool:
        return self.cds_start0 is not None

    @property
    def exon_count(self) -> int:
        return len(self.exons)

    @property
    def cdna_length(self) -> int:
        return self._cum[-1]

    def exon_index(self, pos: int) -> int | None:
        """Genomic-order index of the exon holding 1-based ``pos``, or ``None``."""
        i = bisect.bisect_right(self._starts, pos - 1) - 1
        if i >= 0 and pos <= self._ends[i]:
            return i
        return None

    def intron_index(self, pos: int) -> int | None:
        """Genomic-order index ``i`` of the intron between exon ``i`` and ``i+1`` holding ``pos``."""
        i = bisect.bisect_right(self._starts, pos - 1) - 1
        if 0 <= i < len(self.exons) - 1 and self._ends[i] < pos <= self._starts[i + 1]:
            return i
        return None

    def tx_number(self, genomic_index: int) -> int:
        """1-based exon/intron number in transcript order from a genomic-order index."""
        return genomic_index + 1 if self.strand > 0 else len(self.exons) - genomic_index

    def intron_number(self, genomic_index: int) -> int:
        return genomic_index + 1 if self.strand > 0 else len(self.exons) - 1 - genomic_index

    def cdna(self, pos: int) -> int | None:
        """1-based cDNA position of exonic ``pos`` (``None`` when intronic or outside)."""
        i = self.exon_index(pos)
        if i is None:
            return None
        if self.strand > 0:
            return self._cum[i] + pos - self._starts[i]
        j = len(self.exons) - 1 - i
        return self._cum[j] + self._ends[i] - pos + 1

    def genomic(self, cdna: int) -> int:
        """1-based genomic position of a cDNA position (1 … cdna_length)."""
        j = bisect.bisect_right(self._cum, cdna - 1) - 1
        offset = cdna - self._cum[j] - 1
        if self.strand > 0:
            return self._starts[j] + offset + 1
        i = len(self.exons) - 1 - j
        return self._ends[i] - offset

    def c_of_cdna(self, cdna: int) -> str:
        """HGVS ``c.`` coordinate text of a cDNA position."""
        if not self.coding:
            return str(cdna)
        if cdna < self.cds_cdna_start:
            return f"-{self.cds_cdna_start - cdna}"
        if cdna > self.cds_cdna_end:
            return f"*{cdna - self.cds_cdna_end}"
        return str(cdna - self.cds_cdna_start + 1)

    def c_position(self, pos: int) -> str | None:
        """HGVS ``c.`` (or ``n.``) coordinate of any 1-based genomic position inside the transcript."""
        cdna = self.cdna(pos)
        if cdna is not None:
            return self.c_of_cdna(cdna)
        i = self.intron_index(pos)
        if i is None:
            return None
        left, right = self._ends[i], self._starts[i + 1] + 1  # last base of exon i, first of exon i+1
        d_left, d_right = pos - left, right - pos
        if self.strand > 0:
            if d_left <= d_right:
                return f"{self.c_of_cdna(self.cdna(left) or 0)}+{d_left}"
            return f"{self.c_of_cdna(self.cdna(right) or 0)}-{d_right}"
        if d_right <= d_left:
            return f"{self.c_of_cdna(self.cdna(right) or 0)}+{d_right}"
        return f"{self.c_of_cdna(self.cdna(left) or 0)}-{d_left}"

    def cds_index(self, pos: int) -> int | None:
        """0-based index into the CDS (incl. stop) of exonic ``pos``, or ``None`` outside it."""
        if not self.coding:
            return None
        cdna = self.cdna(pos)
        if cdna is None or not (self.cds_cdna_start <= cdna <= self.cds_cdna_end):
            return None
        return cdna - self.cds_cdna_start

    def cds_segments(self) -> list[tuple[int, int]]:
        """Genomic ``(start0, end)`` CDS pieces in ascending order."""
        if self.cds_start0 is None or self.cds_end is None:
            return []
        out = []
        for s, e in self.exons:
            a, b = max(s, self.cds_start0), min(e, self.cds_end)
            if a < b:
                out.append((a, b))
        return out


class TranscriptIndex:
    """Transcripts by chromosome, with a lookup of those within :data:`FLANK` of a span."""

    def __init__(self, transcripts: Iterable[Transcript]) -> None:
        self.by_chrom: dict[str, list[Transcript]] = {}
        for tx in transcripts:
            self.by_chrom.setdefault(tx.chrom, []).append(tx)
        self._starts: dict[str, list[int]] = {}
        self._max_len: dict[str, int] = {}
        for chrom, txs in self.by_chrom.items():
            txs.sort(key=lambda t: (t.tx_start0, t.transcript_id))
            self._starts[chrom] = [t.tx_start0 for t in txs]
            self._max_len[chrom] = max(t.tx_end - t.tx_start0 for t in txs)
        self.by_id = {t.transcript_id: t for txs in self.by_chrom.values() for t in txs}

    def __len__(self) -> int:
        return len(self.by_id)

    def __iter__(self) -> Iterator[Transcript]:
        for txs in self.by_chrom.values():
            yield from txs

    def near(self, chrom: str, start: int, end: int, flank: int = FLANK) -> list[Transcript]:
        """Transcripts whose span ± ``flank`` overlaps 1-based ``[start, end]``."""
        txs = self.by_chrom.get(chrom)
        if not txs:
            return []
        starts = self._starts[chrom]
        hi = bisect.bisect_right(starts, end + flank)
        lo = bisect.bisect_left(starts, start - flank - self._max_len[chrom])
        return [t for t in txs[lo:hi] if t.tx_start0 - flank < end and start <= t.tx_end + flank]


def _opt_int(value: Any) -> int | None:
    if value is None or value == "." or value == "":
        return None
    return int(value)


def from_rows(rows: Iterable[Mapping[str, Any]]) -> TranscriptIndex:
    """Build the index from exon rows with the ``mane`` resource's ``exons.parquet`` columns."""
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        tid = r["ensembl_transcript"]
        t = grouped.get(tid)
        if t is None:
            t = grouped[tid] = {"row": r, "exons": [], "cds": []}
        t["exons"].append((int(r["exon_start0"]), int(r["exon_end"])))
        cs, ce = _opt_int(r["cds_start0"]), _opt_int(r["cds_end"])
        if cs is not None and ce is not None:
            t["cds"].append((cs, ce))
    out = []
    for tid, t in grouped.items():
        r = t["row"]
        cds = t["cds"]
        out.append(
            Transcript(
                transcript_id=tid,
                chrom=r["chrom"] if str(r["chrom"]).startswith("chr") else "chr" + str(r["chrom"]),
                strand=1 if r["strand"] == "+" else -1,
                exons=t["exons"],
                cds_start0=min(s for s, _ in cds) if cds else None,
                cds_end=max(e for _, e in cds) if cds else None,
                gene_symbol=r["gene_symbol"],
                hgnc_id=r.get("hgnc_id"),
                gene_id=r.get("ensembl_gene"),
                refseq_transcript=r.get("refseq_transcript"),
                protein_id=r.get("ensembl_protein"),
                refseq_protein=r.get("refseq_protein"),
                mane_status=r.get("mane_status") or "MANE Select",
            )
        )
    return TranscriptIndex(out)


def load(path: Path, chroms: Iterable[str] | None = None) -> TranscriptIndex:
    """Load ``exons.parquet`` (optionally only some chromosomes)."""
    filters = [("chrom", "in", sorted(set(chroms)))] if chroms is not None else None
    table = pq.read_table(path, filters=filters)
    return from_rows(table.to_pylist())


def load_tsv(path: Path) -> TranscriptIndex:
    """Load the upstream-format MANE exon TSV (gzip), as in the reference-data mirror."""
    import csv
    import gzip

    with gzip.open(path, "rt", newline="") as f:
        header = f.readline().lstrip("#").rstrip("\n").split("\t")
        reader = csv.DictReader(f, fieldnames=header, delimiter="\t")
        return from_rows(list(reader))


def write_gff3(
    index: TranscriptIndex, out: Path, contigs: Mapping[str, tuple[str, int, int]] | None = None
) -> int:
    """Write the Ensembl-style GFF3 that ``bcftools csq`` reads; returns the transcripts written.

    ``contigs`` maps a chromosome to ``(sequence name, offset, length)`` when the FASTA holds
    slices: coordinates are shifted into the slice and transcripts not wholly inside are left out.
    """
    lines = ["##gff-version 3"]
    written = 0
    for tx in sorted(index, key=lambda t: (t.chrom, t.tx_start0)):
        name, offset = tx.chrom, 0
        if contigs is not None:
            if tx.chrom not in contigs:
                continue
            name, offset, length = contigs[tx.chrom]
            if tx.tx_start0 - offset < 0 or tx.tx_end - offset > length:
                continue
        strand = "+" if tx.strand > 0 else "-"
        biotype = "protein_coding" if tx.coding else "lncRNA"
        gid = tx.gene_id or tx.gene_symbol
        s, e = tx.tx_start0 - offset + 1, tx.tx_end - offset
        lines.append(
            f"{name}\tgenopath\tgene\t{s}\t{e}\t.\t{strand}\t.\tID=gene:{gid};Name={tx.gene_symbol};biotype={biotype}"
        )
        lines.append(
            f"{name}\tgenopath\tmRNA\t{s}\t{e}\t.\t{strand}\t.\t"
            f"ID=transcript:{tx.transcript_id};Parent=gene:{gid};Name={tx.gene_symbol};biotype={biotype}"
        )
        for a, b in tx.exons:
            lines.append(
                f"{name}\tgenopath\texon\t{a - offset + 1}\t{b - offset}\t.\t{strand}\t.\tParent=transcript:{tx.transcript_id}"
            )
        segments = tx.cds_segments()
        if tx.cds_start0 is not None and tx.cds_end is not None:
            for a, b in tx.exons:
                for u0, u1, left in ((a, min(b, tx.cds_start0), True), (max(a, tx.cds_end), b, False)):
                    if u0 < u1:
                        kind = "five_prime_UTR" if left == (tx.strand > 0) else "three_prime_UTR"
                        lines.append(
                            f"{name}\tgenopath\t{kind}\t{u0 - offset + 1}\t{u1 - offset}\t.\t{strand}\t.\t"
                            f"Parent=transcript:{tx.transcript_id}"
                        )
        done = 0
        for a, b in segments if tx.strand > 0 else segments[::-1]:
            phase = (3 - done % 3) % 3
            lines.append(
                f"{name}\tgenopath\tCDS\t{a - offset + 1}\t{b - offset}\t.\t{strand}\t{phase}\t"
                f"Parent=transcript:{tx.transcript_id}"
            )
            done += b - a
        written += 1
    from genopath.core.files import write_text_atomic

    write_text_atomic(out, "\n".join(lines) + "\n")
    return written
