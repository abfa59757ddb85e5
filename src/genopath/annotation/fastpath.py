"""A vectorised (NumPy/Arrow) path of the built-in annotator for the common case.

The per-variant code (:func:`genopath.annotation.pipeline.read_sites`,
:class:`genopath.annotation.pipeline.VariantAnnotator`, :meth:`Annotator.consequence`) stays the
reference implementation. This module gives the same rows faster for a plain VCF (one that
carries no VEP/SnpEff/bcftools annotation, or when that is ignored):

* the VCF body is parsed by Arrow's CSV reader, the header checked as before (GRCh37 refused,
  contig naming handled, a truncated file an :class:`InputError`);
* single-base substitutions are normalised, REF-checked and annotated with array operations over
  each MANE transcript's exons, cDNA map and cached mRNA (codon lookup and translation by table);
* pure insertions and deletions (biallelic, anchored, up to :data:`INDEL_MAX` bases) are
  REF-checked and left-shifted on the reference bases held as one byte array per contig; their
  region classes (splice, UTR, intron, exon, up/downstream) and HGVS ``c.`` (3' shifted, ``dup``
  detection) are computed with array operations; those wholly inside a CDS get their altered
  protein from the three translated frames of the transcript (only the codons spanning the edit
  are built), and :func:`consequence.describe_protein` — the per-variant code's own rules —
  names the change (frameshift, inframe, stop gained/lost, start lost, HGVS ``p.``);
* everything else — MNVs, delins, multi-allelic records, a REF not matching the FASTA, indels
  that cross an exon–intron boundary inside the CDS or whose shift reaches
  :data:`consequence.SHIFT_WINDOW`, and any SNV that touches a start or stop codon or an unusual
  transcript — goes through the per-variant code, unchanged;
* with two or more CPUs, a forked child annotates the indels (and hashes the SNVs' variant IDs)
  while the parent annotates the SNVs;
* ClinVar, local-cohort, constraint and gene–disease joins are array look-ups; ClinVar residue
  matches (PS1/PM5) use the per-variant code for the few missense variants with a pathogenic
  record in their codon.

When the C extension of :mod:`genopath.annotation.csq_kernel` is built, every distinct variant
(SNVs, the normalised indels and the sites the per-variant normaliser handled) is annotated by
it instead of the array code above (:func:`_annotate_with_kernel`); changes it flags go to the
per-variant code.

``tests/annotation/test_fastpath.py`` checks that every path gives identical tables.
"""

from __future__ import annotations

import gzip
import os
import pickle
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from genopath.annotation import csq_kernel, kernels, so
from genopath.annotation.consequence import (
    _AA,
    BASES,
    SHIFT_WINDOW,
    THREE_LETTER,
    Change,
    Result,
    describe_protein,
    translate,
)
from genopath.annotation.pipeline import (
    COLUMNS,
    SCHEMA,
    Site,
    Sources,
    Summary,
    VariantAnnotator,
    _refuse_build,
    header_contigs,
    normalise,
)
from genopath.annotation.reference import Reference, canonical_chrom
from genopath.annotation.transcripts import FLANK, Transcript
from genopath.core.errors import InputError
from genopath.resources.contigs import Contig, chrom_sort_key

R = TypeVar("R")
S = TypeVar("S")
I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]
U8 = npt.NDArray[np.uint8]

_BIT = {term: np.uint64(1) << np.uint64(i) for i, (term, _, _) in enumerate(so.TERMS)}
_EXON_BIT = np.uint64(1) << np.uint64(63)  # the pseudo-term "exon" (dropped before output)

#: base byte → index in "TCAG" (4 for anything else), for codon → amino-acid look-up
_CODE = np.full(256, 4, dtype=np.int64)
for _i, _b in enumerate(BASES):
    _CODE[ord(_b)] = _i
_AA_LUT = np.array([ord(a) for a in _AA] + [ord("X")], dtype=np.uint8)
_COMP = np.arange(256, dtype=np.uint8)
for _x, _y in zip(b"ACGTN", b"TGCAN", strict=True):
    _COMP[_x] = _y
_AA3 = np.array([THREE_LETTER.get(chr(i), "Xaa") for i in range(256)], dtype=object)


def _aa_of(codons: I64) -> U8:
    """Amino-acid byte codes of codon indices (``16*b0 + 4*b1 + b2``; ``>= 64`` → ``X``)."""
    return _AA_LUT[np.minimum(codons, 64)]


# ---------------------------------------------------------------------------------------------
# reading


@dataclass
class Records:
    """The body of a plain VCF as arrays, with the header text."""

    header: str
    chrom: pa.Array  # canonical chromosome names
    pos: I64
    ref: pa.Array
    alt: pa.Array
    info: pa.Array | None
    records: int
    af_float32: bool = False  # INFO/AF declared Float: htslib holds it as a 32-bit float


_GZIP_MAGIC = b"\x1f\x8b"


def read_records(path: Path) -> Records | None:
    """Parse a VCF's header and body with Arrow, or ``None`` when the file needs the htslib reader.

    A BCF file, a body with an unusual layout, or a header declaring INFO/AF with a type other
    than Float, Integer or String is left to :func:`genopath.annotation.pipeline.read_sites`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"VCF {path} does not exist")
    with open(path, "rb") as f:
        magic = f.read(2)
    try:
        if magic == _GZIP_MAGIC:
            with gzip.open(path, "rb") as g:
                data = g.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise InputError(f"{path} is truncated or corrupt after 0 records: {e}") from e
    if not data.startswith(b"##fileformat=VCF"):
        return None
    i = data.find(b"\n#CHROM")
    if i < 0:
        return None
    j = data.find(b"\n", i + 1)
    j = len(data) if j < 0 else j
    header = data[: j + 1].decode("utf-8", "replace")
    columns = header.rstrip("\r\n").rsplit("\n", 1)[-1].lstrip("#").rstrip("\r").split("\t")
    if columns[:8] != ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
        return None
    af = re.search(r"^##INFO=<ID=AF,.*?Type=(\w+)", header, re.MULTILINE)
    if af is not None and af[1] not in ("Float", "String"):
        return None
    contigs = header_contigs(header)
    _refuse_build(header, contigs, path)
    body = memoryview(data)[j + 1 :]
    names = [f"c{k}" for k in range(len(columns))]
    if len(body) == 0 or not bytes(body[:4096]).strip():
        empty = pa.array([], pa.string())
        return Records(header, empty, np.zeros(0, np.int64), empty, empty, None, 0)
    try:
        table = pcsv.read_csv(
            pa.py_buffer(body),
            read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False),
            convert_options=pcsv.ConvertOptions(
                column_types={"c0": pa.string(), "c1": pa.int64(), "c3": pa.string(), "c4": pa.string(),
                              "c7": pa.string()},
                include_columns=["c0", "c1", "c3", "c4", "c7"],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise InputError(f"{path} is truncated or corrupt: {e}") from e
    n = table.num_rows
    raw = table.column("c0").combine_chunks()
    uniq = pc.unique(raw)
    canon = pa.array([canonical_chrom(str(c)) for c in uniq.to_pylist()], pa.string())
    chrom = canon.take(pc.index_in(raw, value_set=uniq))
    info = table.column("c7").combine_chunks()
    has_af = bool(pc.any(pc.match_substring(info, "AF=")).as_py()) if n else False
    return Records(
        header=header,
        chrom=chrom,
        pos=table.column("c1").to_numpy().astype(np.int64),
        ref=table.column("c3").combine_chunks(),
        alt=table.column("c4").combine_chunks(),
        info=info if has_af else None,
        records=n,
        af_float32=af is not None and af[1] == "Float",
    )


def _af_values(info: pa.Array, index: int = 0, float32: bool = False) -> list[float | None]:
    """INFO/AF of ALT ``index`` per record, as ``float(...)`` reads it (``None`` when absent or bad)."""
    # a Float AF is split per ALT; a String one (declared or not) is read whole, as cyvcf2 gives it
    pattern = r"(?:^|;)AF=" + (r"(?:[^;,]*,)" * index + r"(?P<v>[^;,]*)" if float32 else r"(?P<v>[^;]*)")
    raw = pc.struct_field(pc.extract_regex(info, pattern), [0])
    uniq = pc.unique(raw).to_pylist()
    values: list[float | None] = []
    for u in uniq:
        try:
            v = float(u) if u is not None else None
            values.append(float(np.float32(v)) if v is not None and float32 else v)
        except ValueError:
            values.append(None)
    out: list[float | None] = (
        pa.array(values, pa.float64())
        .take(pc.index_in(raw, value_set=pa.array(uniq, pa.string())))
        .to_pylist()
    )
    return out


# ---------------------------------------------------------------------------------------------
# reference sequence in memory


class Bases:
    """Upper-case reference bases at many positions, read in a few large slices."""

    GAP = 100_000

    def __init__(self, reference: Reference | None) -> None:
        self.reference = reference

    def at(self, chrom: str, pos: I64) -> U8:
        """Reference byte at 1-based ``pos`` (0 where no contig covers it). ``pos`` must be sorted."""
        out = np.zeros(len(pos), np.uint8)
        if self.reference is None or not len(pos):
            return out
        done = np.zeros(len(pos), np.bool_)
        for contig in self.reference.contigs.get(chrom, ()):
            inside = (~done) & (pos > contig.offset) & (pos <= contig.offset + contig.length)
            idx = np.flatnonzero(inside)
            if not len(idx):
                continue
            p = pos[idx]
            breaks = np.flatnonzero(np.diff(p) > self.GAP) + 1
            for a, b in zip(np.r_[0, breaks], np.r_[breaks, len(p)], strict=True):
                lo, hi = int(p[a]) - 1, int(p[b - 1])
                seq = self.reference.fetch(chrom, lo, hi)
                if seq is None:
                    continue
                arr = np.frombuffer(seq.encode("ascii", "replace"), np.uint8)
                out[idx[a:b]] = arr[p[a:b] - 1 - lo]
            done[idx] = True
        return out


# ---------------------------------------------------------------------------------------------
# SNV consequences on one transcript


@dataclass
class Pairs:
    """Consequences of SNVs (rows of the site arrays) on transcripts, one entry per pair."""

    site: I64
    tx: I64  # index into the transcript list
    mask: npt.NDArray[np.uint64]
    distance: I64  # -1: inside the transcript
    exon: I64  # transcript-order exon number, 0 for none
    intron: I64
    c_num: I64  # HGVS c. number; c_kind 0 plain, 1 '-', 2 '*', -1 none
    c_kind: I64
    c_off: I64  # intronic offset (signed), 0 none
    codon: I64  # 0-based codon index, -1 none
    aa_ref: U8  # 0 none
    aa_alt: U8
    seq_ok: BOOL
    irregular: BOOL


def _empty_pairs() -> Pairs:
    z = np.zeros(0, np.int64)
    return Pairs(z, z, np.zeros(0, np.uint64), z, z, z, z, z, z, z, np.zeros(0, np.uint8),
                 np.zeros(0, np.uint8), np.zeros(0, np.bool_), np.zeros(0, np.bool_))  # fmt: skip


class TranscriptArrays:
    """A transcript's exon model and sequence as arrays."""

    def __init__(self, tx: Transcript, mrna: tuple[str, int] | None) -> None:
        self.tx = tx
        self.starts = np.array(tx._starts, np.int64)  # 0-based
        self.ends = np.array(tx._ends, np.int64)
        self.cum = np.array(tx._cum, np.int64)
        n = len(self.starts)
        self.n = n
        # an exon model whose exons overlap or touch goes to the per-variant code
        self.regular = bool(
            n == 0 or (np.all(self.ends > self.starts) and np.all(self.starts[1:] > self.ends[:-1]))
        )
        self.seq: U8 | None = None
        self.protein: U8 | None = None
        self.cds0 = 0
        if mrna is not None:
            seq, cds0 = mrna
            self.seq = np.frombuffer(seq.encode("ascii", "replace"), np.uint8)
            self.cds0 = cds0
            cds_len = tx.cds_cdna_end - tx.cds_cdna_start + 1
            self.protein = np.frombuffer(translate(seq[cds0 : cds0 + cds_len]).encode("ascii"), np.uint8)

    def cdna(self, p: I64, ei: I64) -> I64:
        """1-based cDNA positions of exonic ``p`` in genomic-order exons ``ei``."""
        if self.tx.strand > 0:
            return self.cum[ei] + p - self.starts[ei]
        return self.cum[self.n - 1 - ei] + self.ends[ei] - p + 1

    def genomic(self, cdna: I64) -> I64:
        j = np.searchsorted(self.cum, cdna - 1, side="right") - 1
        offset = cdna - self.cum[j] - 1
        if self.tx.strand > 0:
            return self.starts[j] + offset + 1
        return self.ends[self.n - 1 - j] - offset

    def c_parts(self, cdna: I64) -> tuple[I64, I64]:
        """``(number, kind)`` of :meth:`Transcript.c_of_cdna`: kind 0 plain, 1 ``-``, 2 ``*``."""
        tx = self.tx
        if not tx.coding:
            return cdna, np.zeros(len(cdna), np.int64)
        cs, ce = tx.cds_cdna_start, tx.cds_cdna_end
        kind = np.where(cdna < cs, 1, np.where(cdna > ce, 2, 0))
        num = np.where(kind == 1, cs - cdna, np.where(kind == 2, cdna - ce, cdna - cs + 1))
        return num, kind

    def snvs(self, site: I64, p: I64, ref_b: U8, alt_b: U8) -> Pairs:
        """Consequences of SNVs at 1-based ``p`` (each within :data:`FLANK` of the transcript)."""
        tx = self.tx
        m = len(p)
        plus = tx.strand > 0
        first, last = tx.tx_start0 + 1, tx.tx_end
        mask = np.zeros(m, np.uint64)
        irregular = np.full(m, not self.regular)
        outside = (p < first) | (p > last)
        distance = np.where(p < first, first - p, np.where(p > last, p - last, -1))
        before = p < first
        up = before == plus
        mask[outside & up] = _BIT["upstream_gene_variant"]
        mask[outside & ~up] = _BIT["downstream_gene_variant"]
        inside = ~outside
        n = self.n
        starts, ends = self.starts, self.ends
        # exon holding p
        ei = np.searchsorted(starts, p - 1, side="right") - 1
        in_exon = inside & (ei >= 0) & (p <= ends[np.maximum(ei, 0)])
        exon_no = np.zeros(m, np.int64)
        exon_no[in_exon] = (ei[in_exon] + 1) if plus else (n - ei[in_exon])
        mask[in_exon] |= _EXON_BIT
        # introns: every intron j with ends[j] - 2 <= p <= starts[j+1] + 3 can give a term
        intron_no = np.zeros(m, np.int64)
        site_term = np.zeros(m, np.bool_)
        only_sites = np.zeros(m, np.bool_)
        touched = np.zeros(m, np.bool_)
        if n > 1 and self.regular:
            a_all, b_all, e_all = ends[:-1] + 1, starts[1:], ends[:-1]
            j_lo = np.searchsorted(b_all + 3, p, side="left")
            j_hi = np.searchsorted(e_all - 2, p, side="right")
            span = np.where(inside, j_hi - j_lo, 0)
            donor, acceptor = (_BIT["splice_donor_variant"], _BIT["splice_acceptor_variant"])
            left_term, right_term = (donor, acceptor) if plus else (acceptor, donor)
            for d in range(int(span.max()) if m else 0):
                act = np.flatnonzero(span > d)
                j = j_lo[act] + d
                q = p[act]
                a, b, e = a_all[j], b_all[j], e_all[j]
                t = (a <= q) & (q <= b)
                left = (a <= q) & (q <= a + 1)
                right = (b - 1 <= q) & (q <= b)
                region = (
                    ((a + 2 <= q) & (q <= a + 7))
                    | ((b - 7 <= q) & (q <= b - 2))
                    | ((e - 2 <= q) & (q <= e))
                    | ((b + 1 <= q) & (q <= b + 3))
                )
                mask[act[left]] |= left_term
                mask[act[right]] |= right_term
                mask[act[region & ~(left | right)]] |= _BIT["splice_region_variant"]
                site_term[act[left | right]] = True
                hit = act[t]
                touched[hit] = True
                jt = j[t]
                intron_no[hit] = (jt + 1) if plus else (n - 1 - jt)
                only_sites[hit] = ((e[t] + 1 <= q[t]) & (q[t] <= e[t] + 2)) | (
                    (b[t] - 1 <= q[t]) & (q[t] <= b[t])
                )
        mask[touched & ~(site_term & only_sites)] |= _BIT["intron_variant"]
        # cDNA / HGVS c. position
        c_num = np.zeros(m, np.int64)
        c_kind = np.full(m, -1, np.int64)
        c_off = np.zeros(m, np.int64)
        cdna = np.zeros(m, np.int64)
        xi = np.flatnonzero(in_exon)
        cdna[xi] = self.cdna(p[xi], ei[xi])
        c_num[xi], c_kind[xi] = self.c_parts(cdna[xi])
        ii = np.flatnonzero(touched)
        if len(ii):
            q = p[ii]
            gi = np.searchsorted(starts, q - 1, side="right") - 1  # exon left of the intron
            left_b, right_b = ends[gi], starts[gi + 1] + 1
            d_left, d_right = q - left_b, right_b - q
            if plus:
                use_left = d_left <= d_right
                anchor_e = np.where(use_left, gi, gi + 1)
                anchor = np.where(use_left, left_b, right_b)
                off = np.where(use_left, d_left, -d_right)
            else:
                use_right = d_right <= d_left
                anchor_e = np.where(use_right, gi + 1, gi)
                anchor = np.where(use_right, right_b, left_b)
                off = np.where(use_right, d_right, -d_left)
            c_num[ii], c_kind[ii] = self.c_parts(self.cdna(anchor, anchor_e))
            c_off[ii] = off
        codon = np.full(m, -1, np.int64)
        aa_ref = np.zeros(m, np.uint8)
        aa_alt = np.zeros(m, np.uint8)
        seq_ok = np.ones(m, np.bool_)
        if tx.coding:
            assert tx.cds_start0 is not None and tx.cds_end is not None
            cs, ce = tx.cds_cdna_start, tx.cds_cdna_end
            in_cds = in_exon & (cdna >= cs) & (cdna <= ce)
            utr = in_exon & ~in_cds
            five = (p < tx.cds_start0 + 1) if plus else (p > tx.cds_end)
            mask[utr & five] |= _BIT["5_prime_UTR_variant"]
            mask[utr & ~five] |= _BIT["3_prime_UTR_variant"]
            ci = np.flatnonzero(in_cds)
            idx = cdna[ci] - cs
            a0 = idx // 3
            codon[ci] = a0
            if self.seq is None or self.protein is None:
                seq_ok[ci] = False
                mask[ci] |= _BIT["coding_sequence_variant"]
                mask[ci[idx < 3]] |= _BIT["start_lost"]
            else:
                seq, prot = self.seq, self.protein
                r_tx = ref_b[ci] if plus else _COMP[ref_b[ci]]
                a_tx = alt_b[ci] if plus else _COMP[alt_b[ci]]
                k = self.cds0 + idx
                matches = seq[k] == r_tx
                bad = ci[~matches]
                seq_ok[bad] = False
                mask[bad] |= _BIT["coding_sequence_variant"]
                mask[bad[idx[~matches] < 3]] |= _BIT["start_lost"]
                n_ref = len(prot)
                ok = matches & (a0 >= 1) & (a0 <= n_ref - 2)
                ref_aa = (
                    np.where(ok, prot[np.clip(a0, 0, max(n_ref - 1, 0))], 0)
                    if n_ref
                    else np.zeros(len(ci), np.uint8)
                )
                ok &= (ref_aa != ord("*")) & (ref_aa != ord("X"))
                irregular[ci[matches & ~ok]] = True
                g = ci[ok]
                a0k, ph = a0[ok], idx[ok] % 3
                base = self.cds0 + 3 * a0k
                b0, b1, b2 = seq[base], seq[base + 1], seq[base + 2]
                b0 = np.where(ph == 0, a_tx[ok], b0)
                b1 = np.where(ph == 1, a_tx[ok], b1)
                b2 = np.where(ph == 2, a_tx[ok], b2)
                alt_aa = _aa_of(16 * _CODE[b0] + 4 * _CODE[b1] + _CODE[b2])
                r_aa = ref_aa[ok].astype(np.uint8)
                aa_ref[g], aa_alt[g] = r_aa, alt_aa
                syn = alt_aa == r_aa
                stop = alt_aa == ord("*")
                mask[g[syn]] |= _BIT["synonymous_variant"]
                mask[g[stop]] |= _BIT["stop_gained"]
                mask[g[~syn & ~stop]] |= _BIT["missense_variant"]
                irregular[g[alt_aa == ord("X")]] = True
        else:
            mask[in_exon] |= _BIT["non_coding_transcript_exon_variant"]
        mask &= ~_EXON_BIT
        empty = inside & (mask == 0)
        mask[empty] = _BIT["coding_transcript_variant" if tx.coding else "non_coding_transcript_variant"]
        c_kind[outside] = -1
        return Pairs(site, np.zeros(m, np.int64), mask, distance, exon_no, intron_no, c_num, c_kind, c_off,
                     codon, aa_ref, aa_alt, seq_ok, irregular)  # fmt: skip


def _concat(parts: list[Pairs]) -> Pairs:
    if not parts:
        return _empty_pairs()
    return Pairs(*(np.concatenate([getattr(p, f) for p in parts]) for f in Pairs.__dataclass_fields__))


# ---------------------------------------------------------------------------------------------
# annotating


def _strings(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation (null when any part is null)."""
    return pc.binary_join_element_wise(*parts, "")


def _int_text(values: I64) -> pa.Array:
    return pc.cast(pa.array(values, pa.int64()), pa.string())


def _masked(values: npt.NDArray[Any], valid: BOOL, type_: pa.DataType) -> pa.Array:
    return pa.array(values, type_, mask=~valid)


# ---------------------------------------------------------------------------------------------
# indels: normalisation, consequences and HGVS with array operations

#: Longest pure insertion or deletion (changed bases) the vectorised path takes.
INDEL_MAX = 64
#: Bases read either side of an indel: enough for :data:`SHIFT_WINDOW` shifts both ways.
_MARGIN = SHIFT_WINDOW + 100


def _padded(strings: pa.Array, width: int) -> tuple[U8, I64]:
    """The bytes of each string in a row of ``width`` (0-padded), and the string lengths."""
    arr = pc.cast(strings, pa.binary())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if not n:
        return np.zeros((0, width), np.uint8), np.zeros(0, np.int64)
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1].astype(np.int64)
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, np.uint8) if buf is not None and buf.size else np.zeros(1, np.uint8)
    lengths = np.diff(offsets)
    idx = np.minimum(offsets[:-1, None] + np.arange(width), len(data) - 1)
    rows = np.where(np.arange(width) < lengths[:, None], data[idx], 0).astype(np.uint8)
    return rows, lengths


def _from_rows(rows: U8, lengths: I64) -> pa.Array:
    """Strings of the first ``lengths`` bytes of each row."""
    data = rows[np.arange(rows.shape[1]) < lengths[:, None]]
    offsets = np.zeros(len(lengths) + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))


def _rotate(seq: U8, length: I64, by: I64) -> U8:
    """Rows of ``seq`` (first ``length`` bytes) rotated: ``out[j] = seq[(j - by) mod length]``."""
    j = np.arange(seq.shape[1])
    idx = (j[None, :] - by[:, None]) % np.maximum(length, 1)[:, None]
    out = np.take_along_axis(seq, idx, axis=1)
    out[j[None, :] >= length[:, None]] = 0
    return out


class ContigBases:
    """Upper-case bases of one contig around many positions, in one byte array (0 elsewhere)."""

    GAP = 10_000

    def __init__(self, reference: Reference, chrom: str, contig: Contig, lo0: I64, hi0: I64) -> None:
        first, end = contig.offset, contig.offset + contig.length
        lo, hi = np.clip(lo0, first, end), np.clip(hi0, first, end)
        order = np.argsort(lo, kind="stable")
        lo, hi = lo[order], hi[order]
        reach = np.maximum.accumulate(hi) if len(hi) else hi
        new = (
            np.flatnonzero(np.r_[True, lo[1:] > reach[:-1] + self.GAP]) if len(lo) else np.zeros(0, np.int64)
        )
        self.lo = lo[new]
        self.hi = reach[np.r_[new[1:] - 1, len(lo) - 1]] if len(new) else lo[new]
        pieces: list[bytes] = []
        offsets = [0]
        for a, b in zip(self.lo.tolist(), self.hi.tolist(), strict=True):
            seq = reference.fetch(chrom, a, b) or ""
            data = seq.encode("ascii", "replace")
            if len(data) != b - a:  # cannot happen inside one contig; keep the lookup safe
                data = b"\0" * (b - a)
            pieces.append(data)
            offsets.append(offsets[-1] + b - a)
        self.buf = np.frombuffer(b"".join(pieces) + b"\0", np.uint8)
        self.off = np.array(offsets[:-1], np.int64)

    def at(self, g0: I64) -> U8:
        """The bases at 0-based positions ``g0`` (any order); 0 outside the regions read."""
        if not len(self.lo):
            return np.zeros(np.shape(g0), np.uint8)
        if len(self.lo) == 1:  # one region (the usual case): no search
            k = g0 - self.lo[0]
            return self.buf[np.where((k >= 0) & (k < self.hi[0] - self.lo[0]), k, len(self.buf) - 1)]
        j = np.searchsorted(self.lo, g0, side="right") - 1
        js = np.maximum(j, 0)
        ok = (j >= 0) & (g0 < self.hi[js])
        idx = np.where(ok, self.off[js] + g0 - self.lo[js], len(self.buf) - 1)
        return self.buf[idx]


@dataclass
class Indels:
    """Pure deletions and insertions, left-normalised as :func:`pipeline.normalise` does.

    ``seq`` holds the deleted or inserted bases (genome orientation, rows 0-padded); ``right_*``
    is the change shifted to its most 3' place on the genome (for HGVS on plus-strand transcripts).
    """

    row: I64  # record index
    chrom: npt.NDArray[Any]
    start: I64  # Change.start: the first deleted base, or the base after the insertion point
    is_del: BOOL
    length: I64
    seq: U8
    key_pos: I64
    key_ref: pa.Array
    key_alt: pa.Array
    right_start: I64
    right_seq: U8
    dup_plus: BOOL  # an insertion repeating the bases before it (3' place, plus strand)
    dup_minus: BOOL  # the same at the normalised place, read on the minus strand

    def take(self, idx: I64) -> Indels:
        return Indels(
            self.row[idx], self.chrom[idx], self.start[idx], self.is_del[idx], self.length[idx],
            self.seq[idx], self.key_pos[idx], self.key_ref.take(pa.array(idx)),
            self.key_alt.take(pa.array(idx)), self.right_start[idx], self.right_seq[idx], self.dup_plus[idx],
            self.dup_minus[idx],
        )  # fmt: skip

    def change(self, k: int) -> Change:
        seq = bytes(self.seq[k, : self.length[k]]).decode()
        start = int(self.start[k])
        return Change(start, seq, "") if self.is_del[k] else Change(start, "", seq)


def _indel_candidates(ref_s: pa.Array, alt_s: pa.Array, multi: BOOL) -> BOOL:
    """Records that may be a pure, anchored insertion or deletion of at most :data:`INDEL_MAX` bases."""
    lr = pc.utf8_length(ref_s).to_numpy(zero_copy_only=False)
    la = pc.utf8_length(alt_s).to_numpy(zero_copy_only=False)
    out: BOOL = (
        ~multi
        & (lr != la)
        & ((lr == 1) | (la == 1))
        & (np.maximum(lr, la) <= INDEL_MAX + 1)
        & pc.match_substring_regex(ref_s, r"^[ACGTacgt]+$").to_numpy(zero_copy_only=False)
        & pc.match_substring_regex(alt_s, r"^[ACGTacgt]+$").to_numpy(zero_copy_only=False)
    )
    return out


def _normalise_indels(
    reference: Reference | None, chrom: str, rows: I64, pos: I64, ref_u: pa.Array, alt_u: pa.Array
) -> tuple[Indels | None, BOOL]:
    """Normalise candidate indels of one chromosome: the indels done and which ``rows`` they are.

    Rows not done (REF not matching the FASTA, not a pure anchored indel, near a contig edge, a
    shift reaching :data:`SHIFT_WINDOW`, or a chromosome in several FASTA sequences) are left to
    :func:`pipeline.normalise`.
    """
    n = len(rows)
    done = np.zeros(n, np.bool_)
    contigs = reference.contigs.get(chrom, []) if reference is not None else []
    if reference is None or len(contigs) != 1 or not n:
        return None, done
    contig = contigs[0]
    lr = pc.utf8_length(ref_u).to_numpy(zero_copy_only=False).astype(np.int64)
    la = pc.utf8_length(alt_u).to_numpy(zero_copy_only=False).astype(np.int64)
    width = int(max(lr.max(), la.max()))
    r_rows, _ = _padded(ref_u, width)
    a_rows, _ = _padded(alt_u, width)
    ar = np.arange(n)
    is_del = la == 1
    src = np.where(is_del[:, None], r_rows, a_rows)
    src_len = np.where(is_del, lr, la)
    other_first = np.where(is_del, a_rows[:, 0], r_rows[:, 0])
    # Change.from_vcf: the shared last base is trimmed first, else the shared first base
    suffix = src[ar, src_len - 1] == other_first
    prefix = src[:, 0] == other_first
    length = src_len - 1
    start = pos + np.where(suffix, 0, 1)
    seq = np.where(suffix[:, None], src, np.concatenate([src[:, 1:], np.zeros((n, 1), np.uint8)], axis=1))
    seq[np.arange(width)[None, :] >= length[:, None]] = 0
    first, end = contig.offset, contig.offset + contig.length
    ok = (suffix | prefix) & (pos - 2 >= first) & (pos - 1 + lr <= end)
    bases = ContigBases(reference, chrom, contig, pos - 1 - _MARGIN - width, pos + lr + _MARGIN + width)
    # REF check against the FASTA (a mismatch is flagged by the per-variant code)
    g = (pos - 1)[:, None] + np.arange(width)[None, :]
    fasta = bases.at(g.ravel()).reshape(n, width)
    ok &= ~np.any((np.arange(width)[None, :] < lr[:, None]) & (fasta != r_rows), axis=1)
    # left shift (consequence.shift, direction -1)
    lo_win = np.maximum(first, start - 1 - SHIFT_WINDOW)
    shifts = np.zeros(n, np.int64)
    bounded = np.zeros(n, np.bool_)
    act = np.flatnonzero(ok)
    while len(act):
        g0 = start[act] - shifts[act] - 2
        inside = g0 >= lo_win[act]
        bounded[act[~inside]] = True
        act, g0 = act[inside], g0[inside]
        want = seq[act, (length[act] - 1 - shifts[act]) % length[act]]
        act = act[bases.at(g0) == want]
        shifts[act] += 1
    ok &= ~bounded  # stopped by the window or the contig edge: the per-variant code decides
    keep = np.flatnonzero(ok)
    start, length, seq, is_del, shifts = start[keep], length[keep], seq[keep], is_del[keep], shifts[keep]
    start = start - shifts
    seq = _rotate(seq, length, shifts)
    anchor = bases.at(start - 2)
    full = np.concatenate([anchor[:, None], seq], axis=1)
    key_ref = _from_rows(full, np.where(is_del, length + 1, 1))
    key_alt = _from_rows(full, np.where(is_del, 1, length + 1))
    # the most 3' place (consequence.shift, direction +1), for HGVS on plus-strand transcripts
    change_end = np.where(is_del, start + length - 1, start - 1)
    hi_win = np.minimum(end, change_end + SHIFT_WINDOW)
    moved = np.zeros(len(keep), np.int64)
    act = np.arange(len(keep))
    while len(act):
        nxt = np.where(is_del[act], start[act] + moved[act] + length[act] - 1, start[act] + moved[act] - 1)
        inside = nxt < hi_win[act]
        act, nxt = act[inside], nxt[inside]
        act = act[bases.at(nxt) == seq[act, moved[act] % length[act]]]
        moved[act] += 1
    right_seq = _rotate(seq, length, -moved)
    right_start = start + moved
    cols = np.arange(width)[None, :]
    beyond = cols >= length[:, None]
    dup_plus = np.all(beyond | (bases.at((right_start - 1 - length)[:, None] + cols) == right_seq), axis=1)
    dup_minus = np.all(beyond | (bases.at((start - 1)[:, None] + cols) == seq), axis=1)
    done[keep] = True
    indels = Indels(
        rows[keep], np.full(len(keep), chrom, dtype=object), start, is_del, length, seq, start - 1,
        key_ref, key_alt, right_start, right_seq, dup_plus, dup_minus,
    )  # fmt: skip
    return indels, done


def _concat_indels(parts: list[Indels]) -> Indels:
    width = max((p.seq.shape[1] for p in parts), default=1)

    def pad(a: U8) -> U8:
        return np.pad(a, ((0, 0), (0, width - a.shape[1])))

    if not parts:
        z = np.zeros(0, np.int64)
        e = pa.array([], pa.string())
        b = np.zeros(0, np.bool_)
        return Indels(z, np.zeros(0, object), z, b, z, np.zeros((0, 1), np.uint8), z, e, e,
                      z, np.zeros((0, 1), np.uint8), b, b)  # fmt: skip
    return Indels(
        np.concatenate([p.row for p in parts]),
        np.concatenate([p.chrom for p in parts]),
        np.concatenate([p.start for p in parts]),
        np.concatenate([p.is_del for p in parts]),
        np.concatenate([p.length for p in parts]),
        np.concatenate([pad(p.seq) for p in parts]),
        np.concatenate([p.key_pos for p in parts]),
        pa.concat_arrays([p.key_ref for p in parts]),
        pa.concat_arrays([p.key_alt for p in parts]),
        np.concatenate([p.right_start for p in parts]),
        np.concatenate([pad(p.right_seq) for p in parts]),
        np.concatenate([p.dup_plus for p in parts]),
        np.concatenate([p.dup_minus for p in parts]),
    )


@dataclass
class IndelPairs:
    """Consequences of indels on transcripts, one entry per (indel, transcript within 5 kb)."""

    pairs: Pairs
    slow: BOOL  # the per-variant code must annotate the variant
    cds: BOOL  # wholly inside the CDS: protein consequence still to add
    first_idx: I64  # 0-based CDS index of the first changed base (or the base before an insertion)
    last_idx: I64  # for a deletion: of the last deleted base; for an insertion: of the base after


def indel_pairs(arrays: TranscriptArrays, site: I64, start: I64, is_del: BOOL, length: I64) -> IndelPairs:
    """Region classes (:meth:`Annotator._splice_and_structure` and the non-protein part of
    :meth:`Annotator._coding`) of indels on one transcript, for those within :data:`FLANK`."""
    tx = arrays.tx
    plus = tx.strand > 0
    ins = ~is_del
    lo = np.where(is_del, start, start - 1)
    hi = np.where(is_del, start + length - 1, start)
    first, last = tx.tx_start0 + 1, tx.tx_end
    outside = (hi < first) | (lo > last) | (ins & ((hi == first) | (lo == last)))
    distance = np.where(hi <= first, first - hi, lo - last)
    near = ~outside | (distance <= FLANK)
    site, lo, hi, ins, is_del, outside = (
        site[near],
        lo[near],
        hi[near],
        ins[near],
        is_del[near],
        outside[near],
    )
    distance = np.where(outside, distance[near], -1)
    m = len(site)
    mask = np.zeros(m, np.uint64)
    up = (hi <= first) == plus
    mask[outside & up] = _BIT["upstream_gene_variant"]
    mask[outside & ~up] = _BIT["downstream_gene_variant"]
    inside = ~outside
    n = arrays.n
    starts, ends = arrays.starts, arrays.ends
    slow = np.full(m, not arrays.regular) & inside
    # exons: a deletion touches those it overlaps, an insertion the one holding both flanking bases
    i_first = np.where(
        ins, np.searchsorted(starts, lo - 1, side="right") - 1, np.searchsorted(ends, lo, side="left")
    )
    i_last = np.where(ins, i_first, np.searchsorted(starts, hi, side="left") - 1)
    ifs = np.clip(i_first, 0, max(n - 1, 0))
    touched_exon = inside & np.where(ins, (i_first >= 0) & (hi <= ends[ifs]), i_first <= i_last)
    ex = i_first if plus else i_last
    exon_no = np.where(touched_exon, (ex + 1) if plus else (n - ex), 0)
    # introns within reach of a splice class: e - 2 ... b + 3
    intron_no = np.zeros(m, np.int64)
    site_any = np.zeros(m, np.bool_)
    only_sites = np.ones(m, np.bool_)
    touched_intron = np.zeros(m, np.bool_)
    if n > 1 and arrays.regular:
        a_all, b_all, e_all = ends[:-1] + 1, starts[1:], ends[:-1]
        j_lo = np.searchsorted(b_all + 3, lo, side="left")
        j_hi = np.searchsorted(e_all - 2, hi, side="right")
        span = np.where(inside, j_hi - j_lo, 0)
        donor, acceptor = _BIT["splice_donor_variant"], _BIT["splice_acceptor_variant"]
        left_term, right_term = (donor, acceptor) if plus else (acceptor, donor)
        for d in range(int(span.max()) if m else 0):
            act = np.flatnonzero(span > d)
            j = j_lo[act] + d
            q0, q1, qi = lo[act], hi[act], ins[act]
            a, b, e = a_all[j], b_all[j], e_all[j]

            def ov(x: I64, y: I64) -> BOOL:
                out: BOOL = (q0 <= y) & (x <= q1)  # noqa: B023
                return out

            t = np.where(qi, (a <= q0) & (q1 <= b), ov(a, b))
            left = np.where(qi, (a <= q0) & (q1 <= a + 1), ov(a, a + 1))
            right = np.where(qi, (b - 1 <= q0) & (q1 <= b), ov(b - 1, b))
            region = ov(a + 2, a + 7) | ov(b - 7, b - 2)
            region |= np.where(
                qi,
                ((q0 == e) & (q1 == a)) | ((q0 == b) & (q1 == b + 1)) | (ov(e - 1, e) & (q1 <= e))
                | (ov(b + 1, b + 2) & (q0 >= b + 1)),
                ov(e - 2, e) | ov(b + 1, b + 3),
            )  # fmt: skip
            mask[act[left]] |= left_term
            mask[act[right]] |= right_term
            mask[act[region & ~(left | right)]] |= _BIT["splice_region_variant"]
            site_any[act[left | right]] = True
            hit = act[t]
            jt = j[t]
            if plus:
                fresh = ~touched_intron[hit]
                intron_no[hit[fresh]] = jt[fresh] + 1
            else:
                intron_no[hit] = n - 1 - jt
            touched_intron[hit] = True
            only_sites[hit] &= ((e[t] + 1 <= q0[t]) & (q1[t] <= e[t] + 2)) | (
                (b[t] - 1 <= q0[t]) & (q1[t] <= b[t])
            )
    skip_intron = site_any & (ins | only_sites)
    mask[touched_intron & ~skip_intron] |= _BIT["intron_variant"]
    cds = np.zeros(m, np.bool_)
    first_idx = np.zeros(m, np.int64)
    last_idx = np.zeros(m, np.int64)
    if tx.coding:
        assert tx.cds_start0 is not None and tx.cds_end is not None
        cds_lo, cds_hi = tx.cds_start0 + 1, tx.cds_end
        # any CDS base: a deletion overlapping an exon inside the CDS; an insertion: either flank
        lo2, hi2 = np.maximum(lo, cds_lo), np.minimum(hi, cds_hi)
        x = np.minimum(np.searchsorted(ends, lo2, side="left"), max(n - 1, 0))
        del_any = (lo2 <= hi2) & (np.searchsorted(ends, lo2, side="left") < n) & (starts[x] + 1 <= hi2)
        in_lo = (cds_lo <= lo) & (lo <= cds_hi)
        in_hi = (cds_lo <= hi) & (hi <= cds_hi)
        any_cds = touched_exon & np.where(ins, in_lo | in_hi, del_any)
        whole = touched_exon & np.where(
            ins,
            in_lo & in_hi,
            (i_first == i_last) & (starts[ifs] + 1 <= lo) & (hi <= ends[ifs]) & in_lo & in_hi,
        )
        five = (hi < cds_lo) if plus else (lo > cds_hi)
        five |= ins & ((lo < cds_lo) if plus else (hi > cds_hi))
        utr = touched_exon & ~any_cds
        mask[utr & five] |= _BIT["5_prime_UTR_variant"]
        mask[utr & ~five] |= _BIT["3_prime_UTR_variant"]
        slow |= any_cds & ~whole
        cds = whole & ~slow
        ci = np.flatnonzero(cds)
        cs = tx.cds_cdna_start
        ei_lo = np.searchsorted(starts, lo[ci] - 1, side="right") - 1
        ei_hi = np.searchsorted(starts, hi[ci] - 1, side="right") - 1
        k_lo = arrays.cdna(lo[ci], ei_lo) - cs
        k_hi = arrays.cdna(hi[ci], ei_hi) - cs
        first_idx[ci], last_idx[ci] = np.minimum(k_lo, k_hi), np.maximum(k_lo, k_hi)
    else:
        mask[touched_exon] |= _BIT["non_coding_transcript_exon_variant"]
    pairs = Pairs(
        site, np.zeros(m, np.int64), mask, distance, exon_no, np.where(touched_intron, intron_no, 0),
        np.zeros(m, np.int64), np.full(m, -1, np.int64), np.zeros(m, np.int64), np.full(m, -1, np.int64),
        np.zeros(m, np.uint8), np.zeros(m, np.uint8), np.ones(m, np.bool_), slow,
    )  # fmt: skip
    return IndelPairs(pairs, slow, cds, first_idx, last_idx)


class Frames:
    """A coding transcript's CDS + 3' UTR (``tail``) translated in its three frames."""

    def __init__(self, arrays: TranscriptArrays) -> None:
        assert arrays.seq is not None
        self.tx = arrays.tx
        self.tail = arrays.seq[arrays.cds0 :]
        tx = arrays.tx
        cds_len = tx.cds_cdna_end - tx.cds_cdna_start + 1
        self.ref_p = translate(bytes(self.tail[:cds_len]).decode("ascii", "replace"))
        self.aa: list[U8] = []
        self.stops: list[I64] = []
        self.text: list[str] = []
        for f in range(3):
            k = (len(self.tail) - f) // 3
            cod = self.tail[f : f + 3 * k].reshape(k, 3)
            aa = _codon_aa(cod[:, 0], cod[:, 1], cod[:, 2])
            self.aa.append(aa)
            self.stops.append(np.flatnonzero(aa == ord("*")))
        self.text = [bytes(aa).decode("ascii") for aa in self.aa]


def _codon_aa(b0: U8, b1: U8, b2: U8) -> U8:
    """Amino acids of codons (``X`` for a codon with any base other than A, C, G, T)."""
    c0, c1, c2 = _CODE[b0], _CODE[b1], _CODE[b2]
    code = np.where((c0 | c1 | c2) & 4, 64, 16 * c0 + 4 * c1 + c2)
    return _aa_of(code)


def _translations(frames: Frames, e0: I64, ins_len: I64, del_len: I64, ins_tx: U8, c0: I64,
                  count: I64 | None) -> list[str]:  # fmt: skip
    """``translate(alt_tail[3*c0 : ...], to_stop=True)`` for indels at CDS index ``e0``.

    ``alt_tail`` is the tail with ``del_len`` bases removed at ``e0`` or ``ins_tx`` (rows,
    transcript orientation) inserted before it. With ``count`` only that many codons are read
    (the in-frame "local" translation); otherwise to the first stop or the end of the tail.
    """
    tail = frames.tail
    t_len = len(tail)
    alt_len = t_len - del_len + ins_len
    m = len(e0)
    limit = alt_len if count is None else np.minimum(alt_len, 3 * (c0 + count))
    # codons overlapping the edit are built base by base; those after it are read from a frame
    after = np.where(ins_len > 0, e0 + ins_len, e0)
    n_junction = np.maximum(0, (after - 3 * c0 + 2) // 3)
    if count is not None:
        n_junction = np.minimum(n_junction, count)
    width = int(n_junction.max()) if m else 0
    c = c0[:, None] + np.arange(width)[None, :]
    exists = (np.arange(width)[None, :] < n_junction[:, None]) & (3 * c + 2 < limit[:, None])
    bases = []
    for b in range(3):
        x = 3 * c + b
        from_ins = (x >= e0[:, None]) & (x < e0[:, None] + ins_len[:, None])
        t_idx = np.where(x < e0[:, None], x, x - ins_len[:, None] + del_len[:, None])
        v = tail[np.clip(t_idx, 0, max(t_len - 1, 0))]
        if ins_tx.shape[1]:
            iv = np.take_along_axis(ins_tx, np.clip(x - e0[:, None], 0, ins_tx.shape[1] - 1), axis=1)
            v = np.where(from_ins, iv, v)
        bases.append(v)
    aa = _codon_aa(*bases) if width else np.zeros((m, 0), np.uint8)
    aa = np.where(exists, aa, 0)
    # where the junction ends the translation: at a stop, or where the alt tail ends
    is_stop = aa == ord("*")
    has_stop = is_stop.any(axis=1)
    n_exist = exists.sum(axis=1)
    first_stop = np.argmax(is_stop, axis=1) if width else np.zeros(m, np.int64)
    junction_len = np.where(has_stop, first_stop + 1, n_exist)
    go_on = ~has_stop & (n_exist == n_junction)
    # then whole codons of the tail in the frame after the edit, to the next stop
    t_first = 3 * (c0 + n_junction) - ins_len + del_len  # tail index of the first codon after the edit
    f, q = t_first % 3, t_first // 3
    end_q = np.zeros(m, np.int64)
    for k in range(3):
        rows = np.flatnonzero(go_on & (f == k))
        stops = frames.stops[k]
        i = np.searchsorted(stops, q[rows])
        nxt = np.where(i < len(stops), stops[np.minimum(i, max(len(stops) - 1, 0))] + 1, len(frames.aa[k]))
        end_q[rows] = np.minimum(nxt if len(stops) else len(frames.aa[k]), len(frames.aa[k]))
    if count is not None:
        end_q = np.minimum(end_q, q + np.maximum(0, count - n_junction))
    junction = aa.tobytes()
    text = frames.text
    out: list[str] = []
    for r, (jl, gi, fr, qr, er) in enumerate(
        zip(junction_len.tolist(), go_on.tolist(), f.tolist(), q.tolist(), end_q.tolist(), strict=True)
    ):
        head = junction[r * width : r * width + jl].decode()
        out.append(head + text[fr][qr:er] if gi else head)
    return out


def _revcomp_rows(seq: U8, length: I64) -> U8:
    """Reverse complement of the first ``length`` bytes of each row (0-padded)."""
    j = np.arange(seq.shape[1])
    idx = np.clip(length[:, None] - 1 - j[None, :], 0, max(seq.shape[1] - 1, 0))
    out = _COMP[np.take_along_axis(seq, idx, axis=1)]
    out[j[None, :] >= length[:, None]] = 0
    return out


def indel_proteins(
    frames: Frames, plus: bool, is_del: BOOL, length: I64, seq: U8, first_idx: I64, last_idx: I64
) -> tuple[list[Result | None], BOOL]:
    """Protein consequences of indels wholly inside the CDS (:meth:`Annotator._protein`).

    Returns a :class:`Result` per indel (terms, HGVS ``p.``, residues, protein position), or
    ``None`` where the per-variant code must decide, and that flag.
    """
    m = len(length)
    seq_tx = seq if plus else _revcomp_rows(seq, length)
    ins = ~is_del
    # a deletion: its bases must be the transcript's (always so when REF matched the FASTA)
    tail = frames.tail
    j = np.arange(seq.shape[1])
    t_idx = np.clip(first_idx[:, None] + j[None, :], 0, len(tail) - 1)
    same = (tail[t_idx] == seq_tx) | (j[None, :] >= length[:, None])
    bad = is_del & ~np.all(same, axis=1)
    lc = np.where(is_del, -length, length)
    e0 = np.where(is_del, first_idx, last_idx)
    span0, span1 = e0, np.where(is_del, last_idx, last_idx - 1)
    a0 = span0 // 3
    a1 = np.where(span1 >= span0, np.maximum(a0, span1 // 3), a0)
    n_ref = len(frames.ref_p)
    frameshift = lc % 3 != 0
    ins_len, del_len = np.where(ins, length, 0), np.where(is_del, length, 0)
    ins_tx = np.where(ins[:, None], seq_tx, 0).astype(np.uint8)
    local: list[str] = [""] * m
    inframe = np.flatnonzero(~frameshift)
    if len(inframe):
        count = ((a1 + 1) * 3 + lc - 3 * a0)[inframe] // 3
        got = _translations(frames, e0[inframe], ins_len[inframe], del_len[inframe], ins_tx[inframe],
                            a0[inframe], count)  # fmt: skip
        for i, text in zip(inframe.tolist(), got, strict=True):
            local[i] = text
    stop_in_local = np.array(["*" in t for t in local], np.bool_)
    long = frameshift | ((a1 >= n_ref - 1) & ~stop_in_local)
    whole: list[str] = [""] * m
    li = np.flatnonzero(long)
    if len(li):
        got = _translations(frames, e0[li], ins_len[li], del_len[li], ins_tx[li], a0[li], None)
        for i, text in zip(li.tolist(), got, strict=True):
            whole[i] = text
    ref_p = frames.ref_p
    out: list[Result | None] = []
    for i in range(m):
        if bad[i]:
            out.append(None)
            continue
        a0i, a1i = int(a0[i]), int(a1[i])
        if long[i]:
            alt_p = ref_p[:a0i] + whole[i]
        elif stop_in_local[i]:
            alt_p = ref_p[:a0i] + local[i]
        else:
            alt_p = ref_p[:a0i] + local[i] + ref_p[a1i + 1 :]
        res = Result(frames.tx)
        fi = int(first_idx[i])
        res.codon_index, res.protein_position = fi // 3, fi // 3 + 1
        describe_protein(ref_p, alt_p, int(lc[i]), (int(span0[i]), int(span1[i])), fi < 3, res)
        out.append(res)
    return out, bad


def _c_text(arrays: TranscriptArrays, g: I64) -> tuple[BOOL, pa.Array]:
    """HGVS ``c.``/``n.`` position text of 1-based genomic ``g`` (:meth:`Transcript.c_position`)."""
    tx = arrays.tx
    plus = tx.strand > 0
    starts, ends, n = arrays.starts, arrays.ends, arrays.n
    valid = (g >= tx.tx_start0 + 1) & (g <= tx.tx_end)
    ei = np.clip(np.searchsorted(starts, g - 1, side="right") - 1, 0, n - 1)
    exonic = valid & (g <= ends[ei])
    gi = np.clip(ei, 0, max(n - 2, 0))
    left_b, right_b = ends[gi], starts[np.minimum(gi + 1, n - 1)] + 1
    d_left, d_right = g - left_b, right_b - g
    use_left = (d_left <= d_right) if plus else ~(d_right <= d_left)
    anchor = np.where(exonic, g, np.where(use_left, left_b, right_b))
    anchor_e = np.where(exonic, ei, np.where(use_left, gi, np.minimum(gi + 1, n - 1)))
    off = np.where(exonic, 0, np.where(use_left, d_left, -d_right))
    if not plus:
        off = -off
    num, kind = arrays.c_parts(arrays.cdna(anchor, anchor_e))
    kind_text = pa.array(["", "-", "*"], pa.string()).take(pa.array(kind))
    off_text = pc.if_else(
        pa.array(off == 0),
        "",
        _strings(pa.array(np.where(off > 0, "+", "-").astype(object), pa.string()), _int_text(np.abs(off))),
    )
    return valid, _strings(kind_text, _int_text(num), off_text)


def indel_hgvs_c(arrays: TranscriptArrays, ind: Indels) -> pa.Array:
    """HGVS ``c.`` of indels inside a transcript (:meth:`Annotator._hgvs_c`); null where it has none."""
    plus = arrays.tx.strand > 0
    length, is_del = ind.length, ind.is_del
    st = ind.right_start if plus else ind.start
    sq = ind.right_seq if plus else ind.seq
    dup = ~is_del & (ind.dup_plus if plus else ind.dup_minus)
    if plus:
        g1 = np.where(is_del, st, np.where(dup, st - length, st - 1))
        g2 = np.where(is_del, st + length - 1, np.where(dup, st - 1, st))
    else:
        g1 = np.where(is_del, st + length - 1, np.where(dup, st + length - 1, st))
        g2 = np.where(is_del, st, np.where(dup, st, st - 1))
    v1, c1 = _c_text(arrays, g1)
    v2, c2 = _c_text(arrays, g2)
    single = (is_del | dup) & (length == 1)
    inserted = _from_rows(sq if plus else _revcomp_rows(sq, length), np.where(is_del | dup, 0, length))
    suffix = pc.if_else(pa.array(is_del), "del", pc.if_else(pa.array(dup), "dup", _strings("ins", inserted)))
    prefix = "c." if arrays.tx.coding else "n."
    text = _strings(prefix, c1, pc.if_else(pa.array(single), "", _strings("_", c2)), suffix)
    return pc.if_else(pa.array(v1 & v2), text, pa.nulls(len(length), pa.string()))


def annotate_records(
    records: Records,
    sources: Sources,
    progress: Callable[[int], None] | None = None,
) -> tuple[pa.Table, Summary]:
    """Annotate a VCF read by :func:`read_records`: the table and summary of ``annotate_sites``."""
    from genopath.annotation import kernel_path

    if kernel_path.available():
        return kernel_path.annotate_records(records, sources, progress)
    reference = sources.reference
    summary = Summary()
    summary.records = records.records
    annotator = VariantAnnotator(sources)
    n = records.records
    ref_s, alt_s = records.ref, records.alt
    ref_u, alt_u = pc.utf8_upper(ref_s), pc.utf8_upper(alt_s)
    multi = pc.match_substring(alt_s, ",").to_numpy(zero_copy_only=False)
    n_alts = np.ones(n, np.int64)
    if multi.any():
        n_alts[multi] = pc.count_substring(alt_s.filter(pa.array(multi)), ",").to_numpy() + 1
    no_alt = pc.equal(alt_s, ".").to_numpy(zero_copy_only=False)  # htslib: no ALT allele at all
    n_alts[no_alt] = 0
    summary.alleles = int(n_alts.sum())
    symbolic = (
        ~multi & ~no_alt & pc.match_substring_regex(alt_s, r"^[<*.]|^$|\[|\]").to_numpy(zero_copy_only=False)
    )
    snv = (
        ~multi
        & pc.match_substring_regex(ref_s, r"^[ACGTacgt]$").to_numpy(zero_copy_only=False)
        & pc.match_substring_regex(alt_s, r"^[ACGTacgt]$").to_numpy(zero_copy_only=False)
        & pc.not_equal(ref_u, alt_u).to_numpy(zero_copy_only=False)
    )
    summary.skipped_symbolic = int(symbolic.sum())
    af_first: list[float | None] | None = None
    if records.info is not None:
        af_first = _af_values(records.info, 0, records.af_float32)
    chrom_np = np.asarray(records.chrom.to_numpy(zero_copy_only=False), dtype=object)
    pos = records.pos
    # -- SNVs: REF check against the FASTA -------------------------------------------------
    si = np.flatnonzero(snv)
    ref_b = _single_bytes(ref_u.take(pa.array(si)))
    alt_b = _single_bytes(alt_u.take(pa.array(si)))
    s_chrom = records.chrom.take(pa.array(si))
    s_pos = pos[si]
    fasta = np.zeros(len(si), np.uint8)
    bases = Bases(reference)
    s_chrom_np = chrom_np[si]
    chroms = sorted(set(s_chrom_np.tolist()), key=chrom_sort_key)
    for c in chroms:
        ix = np.flatnonzero(s_chrom_np == c)
        order = np.argsort(s_pos[ix], kind="stable")
        fasta[ix[order]] = bases.at(c, s_pos[ix][order])
    mismatch = (fasta != 0) & (fasta != ref_b)
    # -- pure insertions and deletions: normalised with array operations ----------------------
    indels, fast_indel = _indels_of(records, reference, ref_u, alt_u, multi | no_alt, chrom_np)
    if progress is not None:
        progress(n)
    # -- everything else: the per-variant normalisation --------------------------------------
    slow_sites: list[Site] = []
    slow_order: list[int] = []
    other = np.flatnonzero(~snv & ~symbolic & ~no_alt & ~fast_indel)
    if len(other):
        o_ref, o_alt = ref_s.take(pa.array(other)).to_pylist(), alt_s.take(pa.array(other)).to_pylist()
        alleles: list[tuple[int, int, str, str]] = []
        for k, r in enumerate(other.tolist()):
            alts = o_alt[k].split(",")
            for i, alt in enumerate(alts):
                if not alt or alt[0] in "<*." or "[" in alt or "]" in alt:
                    if len(alts) > 1:
                        summary.skipped_symbolic += 1
                    continue
                alleles.append((r, i, o_ref[k], alt))
        normalised = _in_two_processes(
            lambda part: [
                normalise(reference, chrom_np[r], int(pos[r]), ref, alt) for r, _, ref, alt in part
            ],
            alleles,
            lambda x, y: x + y,
            reference,
        )
        af_cache: dict[int, list[float | None]] = {}
        for (r, i, _, _), (key, change, mm) in zip(alleles, normalised, strict=True):
            af: float | None = None
            if records.info is not None:
                if i not in af_cache:
                    af_cache[i] = _af_values(records.info, i, records.af_float32) if i else (af_first or [])
                af = af_cache[i][r]
            slow_sites.append(Site(key[0], key[1], key[2], key[3], change, mm, af))
            slow_order.append(r * 1024 + min(i, 1023))
    # -- distinct variants: the first occurrence of each key wins ------------------------------
    n_fast, n_ind, n_slow = len(si), len(indels.row), len(slow_sites)
    all_chrom = pa.concat_arrays(
        [s_chrom, pa.array(indels.chrom.tolist(), pa.string()), pa.array([s.chrom for s in slow_sites], pa.string())]
    )  # fmt: skip
    all_pos = np.concatenate([s_pos, indels.key_pos, np.array([s.pos for s in slow_sites], np.int64)])
    all_ref = pa.concat_arrays(
        [ref_u.take(pa.array(si)), indels.key_ref, pa.array([s.ref for s in slow_sites], pa.string())]
    )
    all_alt = pa.concat_arrays(
        [alt_u.take(pa.array(si)), indels.key_alt, pa.array([s.alt for s in slow_sites], pa.string())]
    )
    occurrence = np.concatenate([si * 1024, indels.row * 1024, np.array(slow_order, np.int64)])
    uniq_chroms = sorted(set(chrom_np.tolist()) | {s.chrom for s in slow_sites}, key=chrom_sort_key)
    chrom_rank = pc.index_in(all_chrom, value_set=pa.array(uniq_chroms, pa.string()))
    keys = pa.table({"c": chrom_rank, "p": all_pos, "r": all_ref, "a": all_alt, "o": occurrence})
    order = pc.sort_indices(
        keys, sort_keys=[("c", "ascending"), ("p", "ascending"), ("r", "ascending"), ("a", "ascending"),
                         ("o", "ascending")]
    ).to_numpy()  # fmt: skip
    sk = keys.take(pa.array(order))
    if len(order) > 1:
        same = (
            pc.equal(sk["c"][1:], sk["c"][:-1]).to_numpy(zero_copy_only=False)
            & (np.diff(sk["p"].to_numpy()) == 0)
            & pc.equal(sk["r"][1:], sk["r"][:-1]).to_numpy(zero_copy_only=False)
            & pc.equal(sk["a"][1:], sk["a"][:-1]).to_numpy(zero_copy_only=False)
        )
        keep = order[np.r_[True, ~same]]
    else:
        keep = order
    fast_keep = keep[keep < n_fast]  # sorted output order among fast rows
    ind_keep = keep[(keep >= n_fast) & (keep < n_fast + n_ind)] - n_fast
    slow_keep = keep[keep >= n_fast + n_ind] - n_fast - n_ind
    # -- fast rows ------------------------------------------------------------------------------
    f_chrom = s_chrom_np[fast_keep]
    f_pos = s_pos[fast_keep]
    f_ref_b, f_alt_b = ref_b[fast_keep], alt_b[fast_keep]
    f_mm = mismatch[fast_keep]
    m = len(fast_keep)
    ik = indels.take(ind_keep)
    used = sorted(set(f_chrom.tolist()) | set(ik.chrom.tolist()))
    txs = [t for c in used for t in sources.transcripts.by_chrom.get(c, [])]
    tx_rank = {t: r for r, t in enumerate(sorted(t.transcript_id for t in txs))}
    tx_by_rank = sorted(txs, key=lambda t: t.transcript_id)
    if csq_kernel.HAVE_C:
        table = _annotate_with_kernel(
            sources, annotator, keep, n_fast, n_ind, (f_chrom, f_pos, f_ref_b, f_alt_b, f_mm),
            None if af_first is None else [af_first[int(x)] for x in si[fast_keep].tolist()],
            ik, None if af_first is None else [af_first[int(x)] for x in ik.row.tolist()],
            [slow_sites[i] for i in slow_keep.tolist()],
        )  # fmt: skip
        return table, _summarised(table, summary)
    arrays_of: dict[str, TranscriptArrays] = {}

    def arrays(tx: Transcript) -> TranscriptArrays:
        a = arrays_of.get(tx.transcript_id)
        if a is None:
            a = arrays_of[tx.transcript_id] = TranscriptArrays(tx, annotator.annotator.sequences.mrna(tx))
        return a

    def snv_ids() -> I64:
        ref_t = pa.array(f_ref_b.view("S1").astype(str), pa.string()) if m else pa.array([], pa.string())
        alt_t = pa.array(f_alt_b.view("S1").astype(str), pa.string()) if m else pa.array([], pa.string())
        return _variant_ids(pa.array(f_chrom.tolist(), pa.string()), f_pos, ref_t, alt_t)

    def snv_table(ids: bool) -> tuple[pa.Table, I64, I64]:
        """The SNV rows, the fast rows they are, and the (irregular) ones left to the per-variant code."""
        parts: list[Pairs] = []
        for c in sorted(set(f_chrom.tolist())):
            rows_c = np.flatnonzero(f_chrom == c)
            p_c = f_pos[rows_c]  # sorted (keys are sorted by chrom then pos)
            for tx in sources.transcripts.by_chrom.get(c, []):
                lo = np.searchsorted(p_c, tx.tx_start0 - FLANK + 1, side="left")
                hi = np.searchsorted(p_c, tx.tx_end + FLANK, side="right")
                if hi <= lo:
                    continue
                rows = rows_c[lo:hi]
                pairs = arrays(tx).snvs(rows, p_c[lo:hi], f_ref_b[rows], f_alt_b[rows])
                pairs.tx[:] = tx_rank[tx.transcript_id]
                parts.append(pairs)
        pairs = _concat(parts)
        # variants with an irregular pair go to the per-variant code
        irregular = np.zeros(m, np.bool_)
        irregular[pairs.site[pairs.irregular]] = True
        bi, has = _best_pairs(pairs, m)
        fr = np.flatnonzero(~irregular)  # fast rows kept on the fast path
        f_ref = (
            pa.array(f_ref_b[fr].view("S1").astype(str), pa.string())
            if len(fr)
            else pa.array([], pa.string())
        )
        f_alt = (
            pa.array(f_alt_b[fr].view("S1").astype(str), pa.string())
            if len(fr)
            else pa.array([], pa.string())
        )
        table = _fast_table(
            sources, annotator, fr, f_chrom, f_pos, f_ref, f_alt, f_mm, pairs, bi, has, tx_by_rank,
            None if af_first is None else [af_first[int(x)] for x in si[fast_keep[fr]].tolist()],
            snv_bases=(f_ref_b[fr], f_alt_b[fr]), variant_ids=snv_ids()[fr] if ids else np.zeros(len(fr), np.int64),
        )  # fmt: skip
        return table, fr, np.flatnonzero(irregular)

    # SNVs here; indels (and the SNVs' variant IDs) in a forked child when both are many
    fork = min(m, len(ik.row)) >= PARALLEL_MIN
    if fork:
        (table_fast, fr, redo), (table_ind, ind_slow, ids) = _alongside(
            lambda: snv_table(ids=False),
            lambda: (*_indel_table(sources, annotator, ik, arrays, tx_rank, tx_by_rank, af_first), snv_ids()),
            reference,
            fork=True,
        )
        column = table_fast.schema.get_field_index("variant_id")
        table_fast = table_fast.set_column(column, "variant_id", pa.array(ids[fr], pa.int64()))
    else:
        table_fast, fr, redo = snv_table(ids=True)
        table_ind, ind_slow = _indel_table(sources, annotator, ik, arrays, tx_rank, tx_by_rank, af_first)
    # rows that the per-variant code annotates: all slow sites, irregular SNVs, some indels
    slow_rows_idx = list(slow_keep.tolist()) + list(range(n_slow, n_slow + len(redo)))
    for k in redo.tolist():
        slow_sites.append(
            Site(str(f_chrom[k]), int(f_pos[k]), chr(f_ref_b[k]), chr(f_alt_b[k]),
                 Change(int(f_pos[k]), chr(f_ref_b[k]), chr(f_alt_b[k])), bool(f_mm[k]),
                 None if af_first is None else af_first[int(si[fast_keep[k]])])
        )  # fmt: skip
    ind_redo = np.flatnonzero(ind_slow)
    for k in ind_redo.tolist():
        slow_rows_idx.append(len(slow_sites))
        slow_sites.append(
            Site(str(ik.chrom[k]), int(ik.key_pos[k]), str(ik.key_ref[k]), str(ik.key_alt[k]), ik.change(k), False,
                 None if af_first is None else af_first[int(ik.row[k])])
        )  # fmt: skip
    table_slow = pa.Table.from_pydict(_rows(annotator, [slow_sites[i] for i in slow_rows_idx]), schema=SCHEMA)
    # the output order is the order of the distinct keys: place each table's rows there
    pf = np.flatnonzero(keep < n_fast)
    pi = np.flatnonzero((keep >= n_fast) & (keep < n_fast + n_ind))
    ps = np.flatnonzero(keep >= n_fast + n_ind)
    dest = np.concatenate([pf[fr], pi[~ind_slow], ps, pf[redo], pi[ind_redo]])
    final = np.empty(len(dest), np.int64)
    final[dest] = np.arange(len(dest))
    table = _reordered(pa.concat_tables([table_fast, table_ind, table_slow]), pa.array(final))
    return table, _summarised(table, summary)


def _summarised(table: pa.Table, summary: Summary) -> Summary:
    """``summary`` with the counts of the output ``table``."""
    summary.variants = table.num_rows
    impacts = pc.value_counts(pc.fill_null(table.column("impact"), "MODIFIER")).to_pylist()
    summary.impacts.update({d["values"]: d["counts"] for d in impacts})
    summary.ref_mismatch = int(pc.sum(table.column("ref_mismatch").cast(pa.int64())).as_py() or 0)
    summary.without_sequence = int(
        pc.sum(pc.invert(pc.fill_null(table.column("sequence_available"), True)).cast(pa.int64())).as_py()
        or 0
    )
    return summary


def _byte_strings(values: U8) -> pa.Array:
    """One-character strings of bytes."""
    offsets = np.arange(len(values) + 1, dtype=np.int32)
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(values.tobytes()))


def _first_bytes(strings: pa.Array) -> U8:
    """The byte of each one-character string; 0 for null, empty or longer strings."""
    out = np.zeros(len(strings), np.uint8)
    if not len(strings):
        return out
    arr = pc.cast(strings, pa.binary())
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + len(arr) + 1]
    one = (np.diff(offsets) == 1) & ~arr.is_null().to_numpy(zero_copy_only=False)
    if one.any():
        data = np.frombuffer(arr.buffers()[2], np.uint8)
        out[one] = data[offsets[:-1][one]]
    return out


def _annotate_with_kernel(
    sources: Sources,
    annotator: VariantAnnotator,
    keep: I64,
    n_fast: int,
    n_ind: int,
    snvs: tuple[npt.NDArray[Any], I64, U8, U8, BOOL],
    snv_af: list[float | None] | None,
    ik: Indels,
    ind_af: list[float | None] | None,
    slow: list[Site],
) -> pa.Table:
    """The output table of the distinct variants (SNVs, indels, other normalised sites) by the C
    kernel (:mod:`csq_kernel`), with what it leaves to the per-variant code done there."""
    f_chrom, f_pos, f_ref_b, f_alt_b, f_mm = snvs
    ins_seq = _from_rows(ik.seq, ik.length) if len(ik.row) else pa.array([], pa.string())
    empty = _constant_strings("", len(ik.row))
    is_del = pa.array(ik.is_del)
    # every distinct variant: SNVs, then indels, then the rest, then placed in output order
    chrom = np.concatenate([f_chrom, ik.chrom, np.array([x.chrom for x in slow], dtype=object)])
    pos = np.concatenate([f_pos, ik.key_pos, np.array([x.pos for x in slow], np.int64)])
    ref = pa.concat_arrays([_byte_strings(f_ref_b), ik.key_ref, pa.array([x.ref for x in slow], pa.string())])
    alt = pa.concat_arrays([_byte_strings(f_alt_b), ik.key_alt, pa.array([x.alt for x in slow], pa.string())])
    start = np.concatenate([f_pos, ik.start, np.array([x.change.start for x in slow], np.int64)])
    dele = pa.concat_arrays([_byte_strings(f_ref_b), pc.if_else(is_del, ins_seq, empty),
                             pa.array([x.change.dele for x in slow], pa.string())])  # fmt: skip
    ins = pa.concat_arrays([_byte_strings(f_alt_b), pc.if_else(is_del, empty, ins_seq),
                            pa.array([x.change.ins for x in slow], pa.string())])  # fmt: skip
    mm = np.concatenate(
        [f_mm, np.zeros(len(ik.row), np.bool_), np.array([x.ref_mismatch for x in slow], np.bool_)]
    )
    af: list[float | None] | None = None
    if snv_af is not None and ind_af is not None:
        af = snv_af + ind_af + [x.af_input for x in slow]
    dest = np.concatenate([np.flatnonzero(keep < n_fast), np.flatnonzero((keep >= n_fast) & (keep < n_fast + n_ind)),
                           np.flatnonzero(keep >= n_fast + n_ind)])  # fmt: skip
    order = np.empty(len(dest), np.int64)
    order[dest] = np.arange(len(dest))  # output row -> variant
    o = pa.array(order)
    chrom, pos, start, mm = chrom[order], pos[order], start[order], mm[order]
    ref, alt, dele, ins = ref.take(o), alt.take(o), dele.take(o), ins.take(o)
    if af is not None:
        af = [af[i] for i in order.tolist()]
    pairs, texts, unsupported, txs = _kernel_pairs(sources, annotator, chrom, pos, start, dele, ins)
    m = len(pos)
    bi, has = _best_pairs(pairs, m)
    fr = np.flatnonzero(~unsupported)
    chosen = pa.array(np.where(has[fr], bi[fr], 0), mask=~has[fr])
    fr_texts = {name: column.take(chosen) for name, column in texts.items()}

    table = _fast_table(
        sources, annotator, fr, chrom, pos, ref.take(pa.array(fr)), alt.take(pa.array(fr)), mm, pairs, bi, has, txs,
        None if af is None else [af[i] for i in fr.tolist()], texts=fr_texts,
    )  # fmt: skip
    redo = np.flatnonzero(unsupported)
    if not len(redo):
        return table
    sites = [
        Site(str(chrom[k]), int(pos[k]), str(ref[k]), str(alt[k]), Change(int(start[k]), str(dele[k]), str(ins[k])),
             bool(mm[k]), None if af is None else af[k])
        for k in redo.tolist()
    ]  # fmt: skip
    table_slow = pa.Table.from_pydict(_rows(annotator, sites), schema=SCHEMA)
    final = np.empty(m, np.int64)
    final[np.concatenate([fr, redo])] = np.arange(m)
    return _reordered(pa.concat_tables([table, table_slow]), pa.array(final))


def _kernel_pairs(
    sources: Sources,
    annotator: VariantAnnotator,
    chrom: npt.NDArray[Any],
    pos: I64,
    start: I64,
    dele: pa.Array,
    ins: pa.Array,
) -> tuple[Pairs, dict[str, pa.Array], BOOL, list[Transcript]]:
    """Consequences of variants sorted by (chromosome, key position) on their transcripts, by the
    C kernel: the pairs (without those of variants it leaves to the per-variant code), their text
    columns, which variants it left, and the transcripts by rank."""
    m = len(pos)
    reference = sources.reference
    reach = int(pc.max(pc.utf8_length(dele)).as_py() or 0) + 2 if m else 2
    bounds = np.flatnonzero(np.r_[True, chrom[1:] != chrom[:-1]]) if m else np.zeros(0, np.int64)
    spans = list(zip(bounds.tolist(), np.r_[bounds[1:], m].tolist(), strict=True))
    txs = [t for a, _ in spans for t in sources.transcripts.by_chrom.get(str(chrom[a]), [])]
    tx_by_rank = sorted(txs, key=lambda t: t.transcript_id)
    rank = {t.transcript_id: r for r, t in enumerate(tx_by_rank)}
    unsupported = np.zeros(m, np.bool_)
    parts: list[tuple[I64, int, csq_kernel.Out, BOOL]] = []
    for a, b in spans:
        c = str(chrom[a])
        p_c = pos[a:b]
        genome = None
        if reference is not None:
            margin = SHIFT_WINDOW + reach + 2
            genome = csq_kernel.Genome.of(reference, c, max(int(p_c[0]) - margin, 0), int(p_c[-1]) + margin)
        for tx in sources.transcripts.by_chrom.get(c, []):
            lo = a + int(np.searchsorted(p_c, tx.tx_start0 + 1 - FLANK - reach, side="left"))
            hi = a + int(np.searchsorted(p_c, tx.tx_end + FLANK + 1, side="right"))
            if hi <= lo:
                continue
            model = csq_kernel.TranscriptModel.of(tx, annotator.annotator.sequences.mrna(tx))
            out = csq_kernel.consequences(model, genome, start[lo:hi], dele[lo:hi], ins[lo:hi])
            unsupported[lo:hi] |= out.unsupported
            parts.append((np.arange(lo, hi), rank[tx.transcript_id], out, out.present & ~out.unsupported))
    site = np.concatenate([r[k] for r, _, _, k in parts]) if parts else np.zeros(0, np.int64)
    keep = ~unsupported[site]
    sel = [(r, t, out, k & ~unsupported[r]) for r, t, out, k in parts]

    def cat(name: str) -> npt.NDArray[Any]:
        return (
            np.concatenate([getattr(out, name)[k] for _, _, out, k in sel]) if sel else np.zeros(0, np.int64)
        )

    n = int(keep.sum())
    zeros = np.zeros(n, np.int64)
    texts_of = {
        name: pa.concat_arrays([getattr(out, name).filter(pa.array(k)) for _, _, out, k in sel])
        if sel
        else pa.array([], pa.string())
        for name in ("hgvs_c", "hgvs_p", "exon", "intron", "aa_ref", "aa_alt")
    }
    pp = cat("protein_position")
    texts = {**texts_of, "protein_position": pa.array(pp, pa.int64(), mask=pp < 0)}
    pairs = Pairs(
        site=site[keep],
        tx=np.concatenate([np.full(int(k.sum()), t, np.int64) for _, t, _, k in sel]) if sel else zeros,
        mask=cat("mask").astype(np.uint64),
        distance=cat("distance"),
        exon=zeros, intron=zeros, c_num=zeros, c_kind=zeros, c_off=zeros,
        codon=cat("codon_index"),
        aa_ref=np.zeros(n, np.uint8),
        aa_alt=_first_bytes(texts_of["aa_alt"]),
        seq_ok=cat("sequence_available").astype(np.bool_),
        irregular=np.zeros(n, np.bool_),
    )  # fmt: skip
    return pairs, texts, unsupported, tx_by_rank


def _reordered(table: pa.Table, order: pa.Array) -> pa.Table:
    """``table.take(order)`` column by column on combined chunks (a take over chunks is slower)."""
    columns = [
        pc.take(col.combine_chunks(memory_pool=_TAKE_POOL), order, memory_pool=_TAKE_POOL)
        for col in table.columns
    ]
    return pa.Table.from_arrays(columns, schema=table.schema)


def _best_pairs(pairs: Pairs, m: int) -> tuple[I64, BOOL]:
    """The chosen pair of each of ``m`` variants (``_choose_results``) and which have one."""
    sev = _lowest_bit(pairs.mask)
    dist0 = np.maximum(pairs.distance, 0)
    o = np.lexsort((pairs.tx, dist0, sev, pairs.site))
    first = np.r_[True, pairs.site[o][1:] != pairs.site[o][:-1]] if len(o) else np.zeros(0, np.bool_)
    best = o[first]
    has = np.zeros(m, np.bool_)
    has[pairs.site[best]] = True
    bi = np.full(m, -1, np.int64)
    bi[pairs.site[best]] = best
    return bi, has


def _indels_of(
    records: Records, reference: Reference | None, ref_u: pa.Array, alt_u: pa.Array, excluded: BOOL,
    chrom_np: npt.NDArray[Any],
) -> tuple[Indels, BOOL]:  # fmt: skip
    """The records normalised as pure indels by :func:`_normalise_indels`, and which they are."""
    fast = np.zeros(records.records, np.bool_)
    cand = np.flatnonzero(_indel_candidates(records.ref, records.alt, excluded))
    parts: list[Indels] = []
    if len(cand):
        cand_chrom = chrom_np[cand]
        for c in sorted(set(cand_chrom.tolist()), key=chrom_sort_key):
            rows = cand[cand_chrom == c]
            idx = pa.array(rows)
            ind, done = _normalise_indels(
                reference, c, rows, records.pos[rows], ref_u.take(idx), alt_u.take(idx)
            )
            if ind is not None:
                parts.append(ind)
                fast[rows[done]] = True
    return _concat_indels(parts), fast


def _indel_table(
    sources: Sources,
    annotator: VariantAnnotator,
    ik: Indels,
    arrays: Callable[[Transcript], TranscriptArrays],
    tx_rank: dict[str, int],
    txs: list[Transcript],
    af_first: list[float | None] | None,
) -> tuple[pa.Table, BOOL]:
    """Rows of distinct indels (sorted) and which of them the per-variant code must annotate."""
    m = len(ik.row)
    parts: list[Pairs] = []
    protein: list[Result | None] = []
    slow = np.zeros(m, np.bool_)
    frames_of: dict[str, Frames] = {}
    for c in sorted(set(ik.chrom.tolist())):
        rows_c = np.flatnonzero(ik.chrom == c)
        st = ik.start[rows_c]  # sorted: the key position is start - 1
        for tx in sources.transcripts.by_chrom.get(c, []):
            lo = np.searchsorted(st, tx.tx_start0 + 1 - FLANK - INDEL_MAX - 2, side="left")
            hi = np.searchsorted(st, tx.tx_end + FLANK + 2, side="right")
            if hi <= lo:
                continue
            rows = rows_c[lo:hi]
            ta = arrays(tx)
            ip = indel_pairs(ta, rows, st[lo:hi], ik.is_del[rows], ik.length[rows])
            ip.pairs.tx[:] = tx_rank[tx.transcript_id]
            res: list[Result | None] = [None] * len(ip.pairs.site)
            ci = np.flatnonzero(ip.cds)
            if len(ci) and ta.seq is None:
                ip.slow[ci] = True  # no sequence for the transcript: the per-variant code
            elif len(ci):
                fr = frames_of.get(tx.transcript_id)
                if fr is None:
                    fr = frames_of[tx.transcript_id] = Frames(ta)
                s = ip.pairs.site[ci]
                got, bad = indel_proteins(fr, tx.strand > 0, ik.is_del[s], ik.length[s], ik.seq[s],
                                          ip.first_idx[ci], ip.last_idx[ci])  # fmt: skip
                ip.slow[ci[bad]] = True
                for i, r in zip(ci.tolist(), got, strict=True):
                    if r is not None:
                        res[i] = r
                        ip.pairs.mask[i] |= sum((_BIT[t] for t in r.terms), np.uint64(0))
            empty = (ip.pairs.distance < 0) & (ip.pairs.mask & ~_EXON_BIT == 0)
            ip.pairs.mask &= ~_EXON_BIT
            ip.pairs.mask[empty] = _BIT[
                "coding_transcript_variant" if tx.coding else "non_coding_transcript_variant"
            ]
            slow[ip.pairs.site[ip.slow]] = True
            parts.append(ip.pairs)
            protein.extend(res)
    pairs = _concat(parts)
    bi, has = _best_pairs(pairs, m)
    fr_rows = np.flatnonzero(~slow)
    k = len(fr_rows)
    # HGVS c. and protein text of the chosen pairs
    hgvs_c: list[pa.Array] = []
    at: list[I64] = []
    b = bi[fr_rows]
    inside = np.zeros(k, np.bool_)
    if len(pairs.site):
        inside = has[fr_rows] & (pairs.distance[np.maximum(b, 0)] < 0)
    for t in np.unique(pairs.tx[b[inside]]).tolist():
        sel = np.flatnonzero(inside & (pairs.tx[np.maximum(b, 0)] == t))
        hgvs_c.append(indel_hgvs_c(arrays(txs[t]), ik.take(fr_rows[sel])))
        at.append(sel)
    c_col = pa.nulls(k, pa.string())
    if at:
        idx = np.concatenate(at)
        full = np.full(k, -1, np.int64)
        full[idx] = np.arange(len(idx))
        c_col = pa.concat_arrays(hgvs_c).take(pa.array(full, mask=full < 0))
    chosen = [protein[int(x)] if h else None for x, h in zip(b.tolist(), has[fr_rows].tolist(), strict=True)]
    texts = {
        "hgvs_c": c_col,
        "hgvs_p": pa.array([r.hgvs_p if r else None for r in chosen], pa.string()),
        "aa_ref": pa.array([r.aa_ref if r else None for r in chosen], pa.string()),
        "aa_alt": pa.array([r.aa_alt if r else None for r in chosen], pa.string()),
        "protein_position": pa.array([r.protein_position if r else None for r in chosen], pa.int64()),
    }
    table = _fast_table(
        sources, annotator, fr_rows, ik.chrom, ik.key_pos, ik.key_ref.take(pa.array(fr_rows)),
        ik.key_alt.take(pa.array(fr_rows)), np.zeros(m, np.bool_), pairs, bi, has, txs,
        None if af_first is None else [af_first[int(x)] for x in ik.row[fr_rows].tolist()], texts=texts,
    )  # fmt: skip
    return table, slow


def fast_memory_pool() -> pa.MemoryPool:
    """jemalloc where Arrow has it: annotation builds large tables in fresh memory, which Arrow's
    default mimalloc pool hands out page by page (the final reordering was about twice as slow
    with it). ``genopath annotate`` makes it the process's default pool; the final reordering
    uses it in any case."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # pragma: no cover - a build of Arrow without jemalloc
        return pa.default_memory_pool()


_TAKE_POOL = fast_memory_pool()

#: Below this many variants for the per-variant code, one process does them all.
PARALLEL_MIN = 20_000


def _columns(annotator: VariantAnnotator, sites: list[Site]) -> dict[str, list[Any]]:
    rows = [annotator.row(site) for site in sites]
    return {name: [r.get(name) for r in rows] for name, _ in COLUMNS}


def _in_two_processes(
    work: Callable[[list[Any]], R], items: list[Any], merge: Callable[[R, R], R], reference: Reference | None
) -> R:
    """``work(items)``; with two or more CPUs and many items, a forked child does the second half.

    The items must not depend on each other. If the child fails, its half is done here.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(items) < PARALLEL_MIN or cpus < 2 or not hasattr(os, "fork"):
        return work(items)
    half = len(items) // 2
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process (its output is checked by the parent)
        code = 1
        try:
            os.close(read_fd)
            if reference is not None:
                reference.reopen()  # never share the parent's file offset
            with os.fdopen(write_fd, "wb") as f:
                pickle.dump(work(items[half:]), f, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        mine = work(items[:half])
    finally:
        with os.fdopen(read_fd, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        return merge(mine, work(items[half:]))
    return merge(mine, pickle.loads(data))


def _alongside(
    mine: Callable[[], R], theirs: Callable[[], S], reference: Reference | None, fork: bool
) -> tuple[R, S]:
    """``(mine(), theirs())``; with ``fork`` and two or more CPUs, a forked child runs ``theirs``.

    If the child fails, ``theirs`` runs here after ``mine``.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if not fork or cpus < 2 or not hasattr(os, "fork"):
        return mine(), theirs()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process (its output is checked by the parent)
        code = 1
        try:
            os.close(read_fd)
            if reference is not None:
                reference.reopen()  # never share the parent's file offset
            with os.fdopen(write_fd, "wb") as f:
                pickle.dump(theirs(), f, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        first = mine()
    finally:
        with os.fdopen(read_fd, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        return first, theirs()
    second: S = pickle.loads(data)
    return first, second


def _rows(annotator: VariantAnnotator, sites: list[Site]) -> dict[str, list[Any]]:
    """Output columns of the variants left to the per-variant code, in order."""
    return _in_two_processes(
        lambda part: _columns(annotator, part),
        sites,
        lambda x, y: {name: x[name] + y[name] for name in x},
        annotator.sources.reference,
    )


def _single_bytes(strings: pa.Array) -> U8:
    """The byte of each one-character string."""
    if not len(strings):
        return np.zeros(0, np.uint8)
    arr = (
        pc.cast(strings, pa.binary()).combine_chunks()
        if isinstance(strings, pa.ChunkedArray)
        else pc.cast(strings, pa.binary())
    )
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], np.uint8)
    return data[offsets[:-1]].copy()


def _lowest_bit(mask: npt.NDArray[np.uint64]) -> I64:
    """Index of the lowest set bit (the most severe term's rank)."""
    low = mask & (~mask + np.uint64(1))
    return np.log2(low.astype(np.float64)).astype(np.int64)


def _variant_ids(chrom: pa.Array, pos: I64, ref: pa.Array, alt: pa.Array) -> I64:
    """:func:`pipeline.variant_id` of many keys: the same bytes hashed, the texts built by Arrow."""
    if not len(pos):
        return np.zeros(0, np.int64)
    return kernels.variant_ids(pc.binary_join_element_wise(chrom, _int_text(pos), ref, alt, ":"))


def _fast_table(
    sources: Sources,
    annotator: VariantAnnotator,
    fr: I64,
    f_chrom: npt.NDArray[Any],
    f_pos: I64,
    ref: pa.Array,
    alt: pa.Array,
    f_mm: BOOL,
    pairs: Pairs,
    bi: I64,
    has: BOOL,
    txs: list[Transcript],
    af: list[float | None] | None,
    *,
    snv_bases: tuple[U8, U8] | None = None,
    texts: dict[str, pa.Array] | None = None,
    variant_ids: I64 | None = None,
) -> pa.Table:
    """The output table of variants ``fr`` (``ref``/``alt`` are theirs) from their chosen pairs.

    SNVs pass their REF/ALT bytes (``snv_bases``) and get HGVS and residues from the pair
    arrays; indels pass those columns ready-made (``texts``). ``variant_ids`` may be given.
    """
    m = len(fr)
    chrom = f_chrom[fr]
    pos = f_pos[fr]
    mm = f_mm[fr]
    hb = has[fr]
    b = bi[fr]
    bsafe = np.where(hb, b, 0)
    cols: dict[str, Any] = {}
    cols["chrom"] = pa.array(chrom, pa.string())
    cols["pos"] = pa.array(pos, pa.int64())
    cols["ref"], cols["alt"] = ref, alt
    cols["variant_id"] = pa.array(
        _variant_ids(cols["chrom"], pos, ref, alt) if variant_ids is None else variant_ids, pa.int64()
    )
    if not len(pairs.site):
        bsafe = np.zeros(m, np.int64)
        tx_i = np.zeros(m, np.int64)
    else:
        tx_i = pairs.tx[bsafe]
    # transcript-level columns
    tx_valid = pa.array(~hb)

    def tx_col(values: list[Any], type_: pa.DataType) -> pa.Array:
        arr = pa.array(values, type_)
        if not len(values):
            return pa.nulls(m, type_)
        taken = arr.take(pa.array(tx_i))
        return pc.if_else(tx_valid, pa.nulls(m, type_), taken)

    cols["gene_symbol"] = tx_col([t.gene_symbol for t in txs], pa.string())
    cols["hgnc_id"] = tx_col([t.hgnc_id for t in txs], pa.string())
    cols["gene_id"] = tx_col([t.gene_id for t in txs], pa.string())
    cols["transcript"] = tx_col([t.transcript_id for t in txs], pa.string())
    cols["refseq_transcript"] = tx_col([t.refseq_transcript for t in txs], pa.string())
    cols["mane_select"] = tx_col([t.mane_status == "MANE Select" for t in txs], pa.bool_())
    # consequence terms
    masks = np.where(hb, pairs.mask[bsafe] if len(pairs.site) else 0, 0).astype(np.uint64)
    encoded = pc.dictionary_encode(pa.array(masks, pa.uint64()))
    um, inv_a = encoded.dictionary, encoded.indices
    cons, most, imp = [], [], []
    for u in um.to_pylist():
        if u == 0:
            cons.append("intergenic_variant")
            most.append("intergenic_variant")
            imp.append("MODIFIER")
            continue
        terms = tuple(t for i, (t, _, _) in enumerate(so.TERMS) if u >> i & 1)
        terms = so.sort_terms(terms)
        cons.append("&".join(terms))
        most.append(terms[0])
        imp.append(so.impact_of(terms))
    cols["consequence"] = pa.array(cons, pa.string()).take(inv_a)
    cols["most_severe"] = pa.array(most, pa.string()).take(inv_a)
    cols["impact"] = pa.array(imp, pa.string()).take(inv_a)

    # HGVS c.
    def pick(arr: npt.NDArray[Any], fill: Any = 0) -> npt.NDArray[Any]:
        if not len(pairs.site):
            return np.full(m, fill, dtype=arr.dtype)
        return np.where(hb, arr[bsafe], fill)

    codon = pick(pairs.codon, -1)
    aa_r, aa_a = pick(pairs.aa_ref).astype(np.int64), pick(pairs.aa_alt).astype(np.int64)
    if texts is not None:
        cols.update(texts)
    else:
        assert snv_bases is not None
        ref_b, alt_b = snv_bases
        c_kind, c_num, c_off = pick(pairs.c_kind, -1), pick(pairs.c_num), pick(pairs.c_off)
        dist = pick(pairs.distance, -1)
        coding = np.array([t.coding for t in txs], np.bool_)[tx_i] if txs else np.zeros(m, np.bool_)
        plus = np.array([t.strand > 0 for t in txs], np.bool_)[tx_i] if txs else np.zeros(m, np.bool_)
        r_tx = np.where(plus, ref_b, _COMP[ref_b])
        a_tx = np.where(plus, alt_b, _COMP[alt_b])
        has_c = hb & (dist < 0) & (c_kind >= 0)
        prefix = pa.array(["n.", "c."], pa.string()).take(pa.array(coding.view(np.int8)))
        kind_text = pa.array(["", "-", "*"], pa.string()).take(pa.array(np.maximum(c_kind, 0)))
        off_text = pc.if_else(
            pa.array(c_off == 0),
            "",
            _strings(
                pa.array(["-", "+"], pa.string()).take(pa.array((c_off > 0).view(np.int8))),
                _int_text(np.abs(c_off)),
            ),
        )
        bases = pa.array([chr(i) if 32 <= i < 127 else "" for i in range(256)], pa.string())
        hgvs_c = _strings(prefix, kind_text, _int_text(c_num), off_text, bases.take(pa.array(r_tx.astype(np.int64))), ">",
                          bases.take(pa.array(a_tx.astype(np.int64))))  # fmt: skip
        cols["hgvs_c"] = pc.if_else(pa.array(has_c), hgvs_c, pa.nulls(m, pa.string()))
        # protein
        has_p = hb & (aa_r > 0)
        aa3 = pa.array(_AA3.tolist(), pa.string())
        aa1 = pa.array([chr(i) for i in range(256)], pa.string())
        ppos = codon + 1
        hgvs_p = _strings(
            "p.", aa3.take(pa.array(aa_r)), _int_text(ppos),
            pc.if_else(pa.array(aa_r == aa_a), "=", aa3.take(pa.array(aa_a))),
        )  # fmt: skip
        cols["hgvs_p"] = pc.if_else(pa.array(has_p), hgvs_p, pa.nulls(m, pa.string()))
        cols["protein_position"] = _masked(ppos, hb & (codon >= 0), pa.int64())
        cols["aa_ref"] = pc.if_else(pa.array(has_p), aa1.take(pa.array(aa_r)), pa.nulls(m, pa.string()))
        cols["aa_alt"] = pc.if_else(pa.array(has_p), aa1.take(pa.array(aa_a)), pa.nulls(m, pa.string()))
    if "exon" not in cols:
        exon_no, intron_no = pick(pairs.exon), pick(pairs.intron)
        n_ex = np.array([t.exon_count for t in txs], np.int64)[tx_i] if txs else np.zeros(m, np.int64)
        cols["exon"] = pc.if_else(pa.array(hb & (exon_no > 0)), _strings(_int_text(exon_no), "/", _int_text(n_ex)), pa.nulls(m, pa.string()))  # fmt: skip
        cols["intron"] = pc.if_else(pa.array(hb & (intron_no > 0)), _strings(_int_text(intron_no), "/", _int_text(n_ex - 1)), pa.nulls(m, pa.string()))  # fmt: skip
    # other genes overlapping the variant
    other: dict[int, list[str]] = {}
    if len(pairs.site):
        row_of = np.full(len(has), -1, np.int64)
        row_of[fr] = np.arange(m)
        pr = row_of[pairs.site]
        genes = np.array([t.gene_symbol for t in txs], dtype=object)
        best_gene = genes[tx_i]
        cand = np.flatnonzero((pr >= 0) & (pairs.distance < 0))
        cand = cand[bi[pairs.site[cand]] != cand]
        cand = cand[genes[pairs.tx[cand]] != best_gene[pr[cand]]]
        acc: dict[int, set[str]] = {}
        for k, g in zip(pr[cand].tolist(), genes[pairs.tx[cand]].tolist(), strict=True):
            acc.setdefault(k, set()).add(g)
        for k, gs in acc.items():
            other[k] = sorted(gs)
    cols["other_genes"] = _sparse_lists(m, other)
    cols.update(_flag_columns(hb, pick(pairs.seq_ok, True), mm, af))
    aa_text = texts.get("aa_alt") if texts is not None else None
    has_aa = aa_a > 0 if aa_text is None else aa_text.is_valid().to_numpy(zero_copy_only=False)
    cols.update(
        _join_columns(
            sources,
            annotator,
            chrom,
            pos,
            ref,
            alt,
            hb & (masks & _BIT["missense_variant"] != 0) & has_aa,
            tx_i,
            codon,
            txs,
            (lambda k: chr(aa_a[k])) if aa_text is None else (lambda k: str(aa_text[k].as_py())),
        )
    )
    cols.update(_gene_columns(sources, txs, tx_i, hb))
    return pa.table({name: cols[name] for name, _ in COLUMNS}, schema=SCHEMA)


def _flag_columns(has: BOOL, seq_ok: BOOL, mm: BOOL, af: list[float | None] | None) -> dict[str, pa.Array]:
    """The source, sequence and REF flags, the input AF and the frequency and score columns the
    built-in annotator leaves empty, of variants with (``has``) or without a chosen result."""
    m = len(has)
    no_values = pa.nulls(m, pa.float64())
    return {
        "annotation_source": _constant_strings("genopath", m),
        "sequence_available": pa.array(np.where(has, seq_ok, True) & ~(mm & has), pa.bool_()),
        "ref_mismatch": pa.array(mm, pa.bool_()),
        "af_input": pa.array(af, pa.float64()) if af is not None else no_values,
        **dict.fromkeys(
            ("max_af", "gnomade_af", "gnomadg_af", "gnomadg_eas_af", "revel", "spliceai_max", "cadd_phred"),
            no_values,
        ),
    }


def _join_columns(
    sources: Sources,
    annotator: VariantAnnotator,
    chrom: npt.NDArray[Any],
    pos: I64,
    ref: pa.Array,
    alt: pa.Array,
    missense: BOOL,
    tx_i: I64,
    codon: I64,
    txs: list[Transcript],
    aa_alt_of: Callable[[int], str],
    matched: dict[int, Any] | None = None,
) -> dict[str, pa.Array]:
    """The ClinVar (exact and residue level) and local-cohort columns of ``m`` variants.

    ``missense`` marks the variants whose chosen result is a missense change with a known
    altered residue (``aa_alt_of(k)``); ``tx_i`` and ``codon`` are their chosen transcript (an
    index into ``txs``) and 0-based codon. ``matched`` may hold ``clinvar.match`` of the
    variants, looked up already.
    """
    m = len(pos)
    cols: dict[str, pa.Array] = {}
    # ClinVar exact and residue matches, cohort
    same_aa: dict[int, list[str]] = {}
    same_codon: dict[int, list[str]] = {}
    cv: dict[str, dict[int, Any]] = {k: {} for k in ("clinvar_id", "clinvar_significance", "clinvar_class",
                                                     "clinvar_stars", "clinvar_conditions", "clinvar_release")}  # fmt: skip
    local: dict[str, dict[int, Any]] = {k: {} for k in ("local_ac", "local_an", "local_af")}
    key_of = _KeyTexts(chrom, ref, alt)
    clinvar = sources.clinvar
    if clinvar is not None and m:
        for k, rec in (clinvar.match(chrom, pos, ref, alt) if matched is None else matched).items():
            if rec is not None:
                cv["clinvar_id"][k] = rec.variation_id
                cv["clinvar_significance"][k] = rec.significance
                cv["clinvar_class"][k] = rec.sig_class
                cv["clinvar_stars"][k] = rec.stars
                cv["clinvar_conditions"][k] = rec.conditions
                cv["clinvar_release"][k] = rec.release
        # residue level: missense variants with a pathogenic record in their codon
        miss = np.flatnonzero(missense)
        if len(miss) and clinvar.pathogenic_at:
            ppos_codes = clinvar.codes(pathogenic=True)
            for t_i in np.unique(tx_i[miss]).tolist():
                tx = txs[t_i]
                rows = miss[tx_i[miss] == t_i]
                arrays = TranscriptArrays(tx, None)
                firstc = tx.cds_cdna_start + 3 * codon[rows]
                hit = np.zeros(len(rows), np.bool_)
                for d in range(3):
                    g = arrays.genomic(firstc + d)
                    codes = clinvar.position_codes(chrom[rows], g)
                    at = np.minimum(np.searchsorted(ppos_codes, codes), len(ppos_codes) - 1)
                    hit |= ppos_codes[at] == codes
                if csq_kernel.HAVE_C:
                    hits = rows[hit]
                    _prefill_residues(
                        annotator, tx, [(key_of.chrom(k), int(pos[k]), key_of.ref(k), key_of.alt(k)) for k in hits.tolist()],
                        [arrays.genomic(firstc[hit] + d).tolist() for d in range(3)],
                    )  # fmt: skip
                for k in rows[hit].tolist():
                    res = Result(
                        tx,
                        terms={"missense_variant"},
                        codon_index=int(codon[k]),
                        aa_alt=aa_alt_of(k),
                    )
                    r_k, a_k = key_of.ref(k), key_of.alt(k)
                    site = Site(key_of.chrom(k), int(pos[k]), r_k, a_k, Change(int(pos[k]), r_k, a_k))
                    same_aa[k], same_codon[k] = annotator._residue_matches(site, tx, res)
    if sources.cohort is not None and m:
        keyed = _position_codes(chrom, pos)
        cpos = _position_codes(
            np.array([k[0] for k in sources.cohort], dtype=object),
            np.array([k[1] for k in sources.cohort], np.int64),
        )
        for k in np.flatnonzero(np.isin(keyed, cpos)).tolist():
            counts = sources.cohort.get((key_of.chrom(k), int(pos[k]), key_of.ref(k), key_of.alt(k)))
            if counts is not None:
                ac, an = counts
                local["local_ac"][k], local["local_an"][k] = ac, an
                local["local_af"][k] = ac / an if an else None
    for name, entries in (*cv.items(), *local.items()):
        cols[name] = _sparse(m, entries, SCHEMA.field(name).type)
    cols["clinvar_same_aa"], cols["clinvar_same_codon"] = (
        _sparse_lists(m, same_aa),
        _sparse_lists(m, same_codon),
    )
    return cols


def _gene_columns(sources: Sources, txs: list[Transcript], tx_i: I64, hb: BOOL) -> dict[str, pa.Array]:
    """pLI, LOEUF and gene–disease links of the chosen transcripts' genes (null without one)."""
    m = len(tx_i)
    cols: dict[str, pa.Array] = {}
    # gene-level joins
    gene_pli: list[Any] = []
    gene_loeuf: list[Any] = []
    gene_dis: list[Any] = []
    for t in txs:
        pli, loeuf = (sources.constraint.get(t.gene_symbol, (None, None)) if sources.constraint is not None
                      and t.gene_symbol else (None, None))  # fmt: skip
        gene_pli.append(pli)
        gene_loeuf.append(loeuf)
        gene_dis.append(
            sources.gene_diseases.get(t.gene_symbol, [])
            if sources.gene_diseases is not None and t.gene_symbol
            else []
        )
    gsym = np.array([bool(t.gene_symbol) for t in txs], np.bool_)[tx_i] if txs else np.zeros(m, np.bool_)
    tx_valid_g = pa.array(~(hb & gsym))
    for name, values, type_ in (("pli", gene_pli, pa.float64()), ("loeuf", gene_loeuf, pa.float64()),
                                ("diseases", gene_dis, pa.list_(pa.string()))):  # fmt: skip
        if not txs:
            cols[name] = pa.nulls(m, type_) if name != "diseases" else _sparse_lists(m, {})
            continue
        taken = pa.array(values, type_).take(pa.array(tx_i))
        fill = pa.nulls(m, type_) if name != "diseases" else _sparse_lists(m, {})
        cols[name] = pc.if_else(tx_valid_g, fill, taken) if m else fill
    return cols


class _KeyTexts:
    """The key texts of single rows, converted to Python only for the rows a join looks at."""

    def __init__(self, chrom: npt.NDArray[Any], ref: pa.Array, alt: pa.Array) -> None:
        self._chrom, self._ref, self._alt = chrom, ref, alt

    def chrom(self, k: int) -> str:
        return str(self._chrom[k])

    def ref(self, k: int) -> str:
        return str(self._ref[k].as_py())

    def alt(self, k: int) -> str:
        return str(self._alt[k].as_py())


def _constant_strings(text: str, m: int) -> pa.Array:
    """``m`` copies of ``text`` as a string array (built from buffers, not from ``m`` objects)."""
    data = text.encode()
    offsets = np.arange(m + 1, dtype=np.int32) * len(data)
    return pa.StringArray.from_buffers(m, pa.py_buffer(offsets), pa.py_buffer(data * m))


def _prefill_residues(
    annotator: VariantAnnotator,
    tx: Transcript,
    keys: list[tuple[str, int, str, str]],
    codons: list[list[int]],
) -> None:
    """Put in ``annotator``'s cache what :meth:`VariantAnnotator._residue_matches` would compute
    with the per-variant code for the ClinVar P/LP records in the codons of variants ``keys`` on
    ``tx`` (``codons[d][i]``: the genomic position of base ``d`` of variant ``i``'s codon), by the
    C kernel in one call. Records the kernel leaves are left to ``_residue_matches``."""
    clinvar = annotator.sources.clinvar
    if clinvar is None or not keys:
        return
    cache = annotator._clinvar_aa
    chrom = keys[0][0]
    positions = np.unique(np.concatenate([np.asarray(c, np.int64) for c in codons]))
    clinvar.preload(chrom, positions)
    todo: dict[tuple[str, int, str, str], Change] = {}
    for p in positions.tolist():  # every record in the codons (cached even where it is one of keys)
        for ref, alt, _ in clinvar.pathogenic_at.get((chrom, p), ()):
            other = (chrom, p, ref, alt)
            if (tx.transcript_id, other) not in cache and other not in todo:
                todo[other] = Change.from_vcf(p, ref, alt)
    if not todo:
        return
    changes = list(todo.values())
    lo = min(c.start for c in changes) - SHIFT_WINDOW - 2
    hi = max(c.end for c in changes) + SHIFT_WINDOW + max(len(c.dele) + len(c.ins) for c in changes) + 2
    reference = annotator.sources.reference
    genome = csq_kernel.Genome.of(reference, chrom, max(lo, 0), hi) if reference is not None else None
    out = csq_kernel.consequences(
        csq_kernel.TranscriptModel.of(tx, annotator.annotator.sequences.mrna(tx)),
        genome,
        np.array([c.start for c in changes], np.int64),
        pa.array([c.dele for c in changes], pa.string()),
        pa.array([c.ins for c in changes], pa.string()),
    )
    missense = out.mask & _BIT["missense_variant"] != 0
    aa_alt, hgvs_p = out.aa_alt.to_pylist(), out.hgvs_p.to_pylist()
    for i, key in enumerate(todo):
        if out.unsupported[i]:
            continue
        if not out.present[i]:
            cache[tx.transcript_id, key] = ("", None, None)
            continue
        codon = int(out.codon_index[i])
        cache[tx.transcript_id, key] = (
            (bool(missense[i]) and aa_alt[i]) or "",
            codon if codon >= 0 else None,
            hgvs_p[i],
        )


def _sparse(m: int, values: dict[int, Any], type_: pa.DataType) -> pa.Array:
    """An array of ``m`` nulls with ``values`` at their indices (built from buffers: no take)."""
    if not values:
        return pa.nulls(m, type_)
    idx = np.fromiter(values, np.int64, len(values))
    order = np.argsort(idx, kind="stable")
    idx = idx[order]
    dense = pa.array(list(values.values()), type_).take(pa.array(order))
    valid = np.zeros(m, np.bool_)
    valid[idx] = dense.is_valid().to_numpy(zero_copy_only=False)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    nulls = m - int(valid.sum())
    if pa.types.is_string(type_):
        lengths = np.zeros(m, np.int32)
        lengths[idx] = pc.fill_null(pc.binary_length(dense), 0).to_numpy(zero_copy_only=False)
        offsets = np.zeros(m + 1, np.int32)
        np.cumsum(lengths, out=offsets[1:])
        data = pc.binary_join_element_wise(pc.fill_null(dense, ""), "")  # contiguous, from offset 0
        data_buf = data.buffers()[2] if len(data) and data.buffers()[2] is not None else pa.py_buffer(b"")
        return pa.StringArray.from_buffers(m, pa.py_buffer(offsets), data_buf, bitmap, nulls)
    if pa.types.is_integer(type_) or pa.types.is_floating(type_):
        full = np.zeros(m, type_.to_pandas_dtype())
        full[idx] = pc.fill_null(dense, 0).to_numpy(zero_copy_only=False)
        return pa.Array.from_buffers(type_, m, [bitmap, pa.py_buffer(full)], nulls)
    full_idx = np.full(m, -1, np.int64)
    full_idx[idx] = np.arange(len(idx))
    return dense.take(pa.array(full_idx, mask=full_idx < 0))


def _sparse_lists(m: int, values: dict[int, list[str]]) -> pa.Array:
    """A list<string> array of ``m`` empty lists with ``values`` at their indices."""
    lengths = np.zeros(m, np.int32)
    items: list[str] = []
    for k in sorted(values):
        lengths[k] = len(values[k])
        items.extend(values[k])
    offsets = np.zeros(m + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(items, pa.string()))


def _position_codes(chrom: npt.NDArray[Any], pos: I64) -> I64:
    """One 64-bit code per (chromosome, position), for membership tests."""
    if not len(pos):
        return np.zeros(0, np.int64)
    chrom = np.asarray(chrom, dtype=object)
    if bool(np.all(chrom == chrom[0])):  # the usual case: one chromosome, no sorting of names
        return (hash(str(chrom[0])) & 0xFFFFF) * (1 << 33) + np.asarray(pos, np.int64)
    names, inv = np.unique(chrom.astype(str), return_inverse=True)
    ids = np.array([hash(str(n)) & 0xFFFFF for n in names], np.int64)
    return ids[inv.ravel()] * (1 << 33) + np.asarray(pos, np.int64)
