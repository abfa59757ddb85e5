"""A vectorised (NumPy/Arrow) path of the built-in annotator for the common case.

The per-variant code (:func:`genopath.annotation.pipeline.read_sites`,
:class:`genopath.annotation.pipeline.VariantAnnotator`, :meth:`Annotator.consequence`) stays the
reference implementation. This module gives the same rows faster for a plain VCF (one that
carries no VEP/SnpEff/bcftools annotation, or when that is ignored):

* the VCF body is parsed by Arrow's CSV reader, the header checked as before (GRCh37 refused,
  contig naming handled, a truncated file an :class:`InputError`);
* single-base substitutions are normalised, REF-checked and annotated with array operations over
  each MANE transcript's exons, cDNA map and cached mRNA (codon lookup and translation by table);
* everything else — indels, MNVs, multi-allelic records, and any SNV that touches a start or stop
  codon or an unusual transcript — goes through the per-variant code, unchanged;
* ClinVar, local-cohort, constraint and gene–disease joins are array look-ups; ClinVar residue
  matches (PS1/PM5) use the per-variant code for the few missense variants with a pathogenic
  record in their codon.

``tests/annotation/test_fastpath.py`` checks that both paths give identical tables.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from genopath.annotation import so
from genopath.annotation.consequence import _AA, BASES, THREE_LETTER, Change, translate
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
from genopath.resources.contigs import chrom_sort_key

R = TypeVar("R")
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
    except (OSError, EOFError, gzip.BadGzipFile) as e:
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


def annotate_records(
    records: Records,
    sources: Sources,
    progress: Callable[[int], None] | None = None,
) -> tuple[pa.Table, Summary]:
    """Annotate a VCF read by :func:`read_records`: the table and summary of ``annotate_sites``."""
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
    if progress is not None:
        progress(n)
    # -- everything else: the per-variant normalisation --------------------------------------
    slow_sites: list[Site] = []
    slow_order: list[int] = []
    other = np.flatnonzero(~snv & ~symbolic & ~no_alt)
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
    n_fast, n_slow = len(si), len(slow_sites)
    all_chrom = pa.concat_arrays([s_chrom, pa.array([s.chrom for s in slow_sites], pa.string())])
    all_pos = np.concatenate([s_pos, np.array([s.pos for s in slow_sites], np.int64)])
    all_ref = pa.concat_arrays([ref_u.take(pa.array(si)), pa.array([s.ref for s in slow_sites], pa.string())])
    all_alt = pa.concat_arrays([alt_u.take(pa.array(si)), pa.array([s.alt for s in slow_sites], pa.string())])
    occurrence = np.concatenate([si * 1024, np.array(slow_order, np.int64)])
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
    slow_keep = keep[keep >= n_fast] - n_fast
    # -- fast rows ------------------------------------------------------------------------------
    f_chrom = s_chrom_np[fast_keep]
    f_pos = s_pos[fast_keep]
    f_ref_b, f_alt_b = ref_b[fast_keep], alt_b[fast_keep]
    f_mm = mismatch[fast_keep]
    m = len(fast_keep)
    txs = [t for c in sorted(set(f_chrom.tolist())) for t in sources.transcripts.by_chrom.get(c, [])]
    tx_rank = {t: r for r, t in enumerate(sorted(t.transcript_id for t in txs))}
    parts: list[Pairs] = []
    for c in sorted(set(f_chrom.tolist())):
        rows_c = np.flatnonzero(f_chrom == c)
        p_c = f_pos[rows_c]  # sorted (keys are sorted by chrom then pos)
        for tx in sources.transcripts.by_chrom.get(c, []):
            lo = np.searchsorted(p_c, tx.tx_start0 - FLANK + 1, side="left")
            hi = np.searchsorted(p_c, tx.tx_end + FLANK, side="right")
            if hi <= lo:
                continue
            arrays = TranscriptArrays(tx, annotator.annotator.sequences.mrna(tx))
            rows = rows_c[lo:hi]
            pairs = arrays.snvs(rows, p_c[lo:hi], f_ref_b[rows], f_alt_b[rows])
            pairs.tx[:] = tx_rank[tx.transcript_id]
            parts.append(pairs)
    pairs = _concat(parts)
    tx_by_rank = sorted(txs, key=lambda t: t.transcript_id)
    # variants with an irregular pair go to the per-variant code
    irregular_sites = np.zeros(m, np.bool_)
    irregular_sites[pairs.site[pairs.irregular]] = True
    # choose the best pair per variant
    sev = _lowest_bit(pairs.mask)
    dist0 = np.maximum(pairs.distance, 0)
    o = np.lexsort((pairs.tx, dist0, sev, pairs.site))
    first = np.r_[True, pairs.site[o][1:] != pairs.site[o][:-1]] if len(o) else np.zeros(0, np.bool_)
    best = o[first]
    has = np.zeros(m, np.bool_)
    has[pairs.site[best]] = True
    bi = np.full(m, -1, np.int64)
    bi[pairs.site[best]] = best
    regular = ~irregular_sites
    # rows that the per-variant code annotates: irregular SNVs and all slow sites
    redo = np.flatnonzero(irregular_sites)
    for k in redo.tolist():
        slow_sites.append(
            Site(str(f_chrom[k]), int(f_pos[k]), chr(f_ref_b[k]), chr(f_alt_b[k]),
                 Change(int(f_pos[k]), chr(f_ref_b[k]), chr(f_alt_b[k])), bool(f_mm[k]),
                 None if af_first is None else af_first[int(si[fast_keep[k]])])
        )  # fmt: skip
    slow_rows_idx = list(slow_keep.tolist()) + list(range(n_slow, n_slow + len(redo)))
    fr = np.flatnonzero(regular)  # fast rows kept on the fast path
    table_fast = _fast_table(
        sources, annotator, fr, f_chrom, f_pos, f_ref_b, f_alt_b, f_mm, pairs, bi, has, tx_by_rank,
        None if af_first is None else [af_first[int(x)] for x in si[fast_keep[fr]].tolist()],
    )  # fmt: skip
    table_slow = pa.Table.from_pydict(_rows(annotator, [slow_sites[i] for i in slow_rows_idx]), schema=SCHEMA)
    table = pa.concat_tables([table_fast, table_slow]).combine_chunks()
    ranks = {c: i for i, c in enumerate(uniq_chroms)}
    sort_key = pa.table(
        {
            "c": pa.array([ranks[c] for c in table.column("chrom").unique().to_pylist()], pa.int64()).take(
                pc.index_in(table.column("chrom"), value_set=table.column("chrom").unique())
            ),
            "p": table.column("pos"),
            "r": table.column("ref"),
            "a": table.column("alt"),
        }
    )
    final = pc.sort_indices(sort_key, sort_keys=[("c", "ascending"), ("p", "ascending"), ("r", "ascending"), ("a", "ascending")])  # fmt: skip
    table = table.take(final)
    summary.variants = table.num_rows
    impacts = pc.value_counts(pc.fill_null(table.column("impact"), "MODIFIER")).to_pylist()
    summary.impacts.update({d["values"]: d["counts"] for d in impacts})
    summary.ref_mismatch = int(pc.sum(table.column("ref_mismatch").cast(pa.int64())).as_py() or 0)
    summary.without_sequence = int(
        pc.sum(pc.invert(pc.fill_null(table.column("sequence_available"), True)).cast(pa.int64())).as_py()
        or 0
    )
    return table, summary


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


def _variant_ids(chrom: list[str], pos: list[int], ref: list[str], alt: list[str]) -> I64:
    b2 = hashlib.blake2b
    digests = b"".join(
        [
            b2(f"{c}:{p}:{r}:{a}".encode(), digest_size=8).digest()
            for c, p, r, a in zip(chrom, pos, ref, alt, strict=True)
        ]
    )
    return np.frombuffer(digests, ">i8").astype(np.int64)


def _fast_table(
    sources: Sources,
    annotator: VariantAnnotator,
    fr: I64,
    f_chrom: npt.NDArray[Any],
    f_pos: I64,
    f_ref_b: U8,
    f_alt_b: U8,
    f_mm: BOOL,
    pairs: Pairs,
    bi: I64,
    has: BOOL,
    txs: list[Transcript],
    af: list[float | None] | None,
) -> pa.Table:
    m = len(fr)
    chrom = f_chrom[fr]
    pos = f_pos[fr]
    ref = pa.array(f_ref_b[fr].view("S1").astype(str), pa.string()) if m else pa.array([], pa.string())
    alt = pa.array(f_alt_b[fr].view("S1").astype(str), pa.string()) if m else pa.array([], pa.string())
    mm = f_mm[fr]
    hb = has[fr]
    b = bi[fr]
    bsafe = np.where(hb, b, 0)
    cols: dict[str, Any] = {}
    chrom_list = chrom.tolist()
    cols["chrom"] = pa.array(chrom_list, pa.string())
    cols["pos"] = pa.array(pos, pa.int64())
    cols["ref"], cols["alt"] = ref, alt
    cols["variant_id"] = pa.array(
        _variant_ids(chrom_list, pos.tolist(), ref.to_pylist(), alt.to_pylist()), pa.int64()
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
    um, inv = np.unique(masks, return_inverse=True)
    cons, most, imp = [], [], []
    for u in um.tolist():
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
    inv_a = pa.array(inv.ravel().astype(np.int64))
    cols["consequence"] = pa.array(cons, pa.string()).take(inv_a)
    cols["most_severe"] = pa.array(most, pa.string()).take(inv_a)
    cols["impact"] = pa.array(imp, pa.string()).take(inv_a)

    # HGVS c.
    def pick(arr: npt.NDArray[Any], fill: Any = 0) -> npt.NDArray[Any]:
        if not len(pairs.site):
            return np.full(m, fill, dtype=arr.dtype)
        return np.where(hb, arr[bsafe], fill)

    c_kind, c_num, c_off = pick(pairs.c_kind, -1), pick(pairs.c_num), pick(pairs.c_off)
    dist = pick(pairs.distance, -1)
    coding = np.array([t.coding for t in txs], np.bool_)[tx_i] if txs else np.zeros(m, np.bool_)
    plus = np.array([t.strand > 0 for t in txs], np.bool_)[tx_i] if txs else np.zeros(m, np.bool_)
    r_tx = np.where(plus, f_ref_b[fr], _COMP[f_ref_b[fr]])
    a_tx = np.where(plus, f_alt_b[fr], _COMP[f_alt_b[fr]])
    has_c = hb & (dist < 0) & (c_kind >= 0)
    prefix = pa.array(np.where(coding, "c.", "n.").astype(object), pa.string())
    kind_text = pa.array(["", "-", "*"], pa.string()).take(pa.array(np.maximum(c_kind, 0)))
    off_text = pc.if_else(
        pa.array(c_off == 0),
        "",
        _strings(
            pa.array(np.where(c_off > 0, "+", "-").astype(object), pa.string()), _int_text(np.abs(c_off))
        ),
    )
    bases = pa.array([chr(i) if 32 <= i < 127 else "" for i in range(256)], pa.string())
    hgvs_c = _strings(prefix, kind_text, _int_text(c_num), off_text, bases.take(pa.array(r_tx.astype(np.int64))), ">",
                      bases.take(pa.array(a_tx.astype(np.int64))))  # fmt: skip
    cols["hgvs_c"] = pc.if_else(pa.array(has_c), hgvs_c, pa.nulls(m, pa.string()))
    # protein
    codon = pick(pairs.codon, -1)
    aa_r, aa_a = pick(pairs.aa_ref).astype(np.int64), pick(pairs.aa_alt).astype(np.int64)
    has_p = hb & (aa_r > 0)
    aa3 = pa.array(_AA3.tolist(), pa.string())
    aa1 = pa.array([chr(i) for i in range(256)], pa.string())
    ppos = codon + 1
    hgvs_p = _strings(
        "p.", aa3.take(pa.array(aa_r)), _int_text(ppos),
        pc.if_else(pa.array(aa_r == aa_a), "=", aa3.take(pa.array(aa_a))),
    )  # fmt: skip
    cols["hgvs_p"] = pc.if_else(pa.array(has_p), hgvs_p, pa.nulls(m, pa.string()))
    exon_no, intron_no = pick(pairs.exon), pick(pairs.intron)
    n_ex = np.array([t.exon_count for t in txs], np.int64)[tx_i] if txs else np.zeros(m, np.int64)
    cols["exon"] = pc.if_else(pa.array(hb & (exon_no > 0)), _strings(_int_text(exon_no), "/", _int_text(n_ex)), pa.nulls(m, pa.string()))  # fmt: skip
    cols["intron"] = pc.if_else(pa.array(hb & (intron_no > 0)), _strings(_int_text(intron_no), "/", _int_text(n_ex - 1)), pa.nulls(m, pa.string()))  # fmt: skip
    cols["protein_position"] = _masked(ppos, hb & (codon >= 0), pa.int64())
    cols["aa_ref"] = pc.if_else(pa.array(has_p), aa1.take(pa.array(aa_r)), pa.nulls(m, pa.string()))
    cols["aa_alt"] = pc.if_else(pa.array(has_p), aa1.take(pa.array(aa_a)), pa.nulls(m, pa.string()))
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
    cols["annotation_source"] = pa.array(np.full(m, "genopath", dtype=object), pa.string())
    seq_ok = np.where(hb, pick(pairs.seq_ok, True), True) & ~(mm & hb)
    cols["sequence_available"] = pa.array(seq_ok, pa.bool_())
    cols["ref_mismatch"] = pa.array(mm, pa.bool_())
    cols["af_input"] = pa.array(af, pa.float64()) if af is not None else pa.nulls(m, pa.float64())
    for name in (
        "max_af",
        "gnomade_af",
        "gnomadg_af",
        "gnomadg_eas_af",
        "revel",
        "spliceai_max",
        "cadd_phred",
    ):
        cols[name] = pa.nulls(m, pa.float64())
    # ClinVar exact and residue matches, cohort
    same_aa: dict[int, list[str]] = {}
    same_codon: dict[int, list[str]] = {}
    cv: dict[str, dict[int, Any]] = {k: {} for k in ("clinvar_id", "clinvar_significance", "clinvar_class",
                                                     "clinvar_stars", "clinvar_conditions", "clinvar_release")}  # fmt: skip
    local: dict[str, dict[int, Any]] = {k: {} for k in ("local_ac", "local_an", "local_af")}
    keyed = _position_codes(chrom, pos)
    ref_l, alt_l = ref.to_pylist(), alt.to_pylist()
    clinvar = sources.clinvar
    if clinvar is not None and m:
        cpos = _position_codes(
            np.array([k[0] for k in clinvar.exact], dtype=object),
            np.array([k[1] for k in clinvar.exact], np.int64),
        )
        for k in np.flatnonzero(np.isin(keyed, cpos)).tolist():
            rec = clinvar.exact.get((chrom_list[k], int(pos[k]), ref_l[k], alt_l[k]))
            if rec is not None:
                cv["clinvar_id"][k] = rec.variation_id
                cv["clinvar_significance"][k] = rec.significance
                cv["clinvar_class"][k] = rec.sig_class
                cv["clinvar_stars"][k] = rec.stars
                cv["clinvar_conditions"][k] = rec.conditions
                cv["clinvar_release"][k] = rec.release
        # residue level: missense variants with a pathogenic record in their codon
        miss = np.flatnonzero(hb & (masks & _BIT["missense_variant"] != 0) & (aa_a > 0))
        if len(miss) and clinvar.pathogenic_at:
            ppos_codes = _position_codes(
                np.array([k[0] for k in clinvar.pathogenic_at], dtype=object),
                np.array([k[1] for k in clinvar.pathogenic_at], np.int64),
            )
            for t_i in np.unique(tx_i[miss]).tolist():
                tx = txs[t_i]
                rows = miss[tx_i[miss] == t_i]
                arrays = TranscriptArrays(tx, None)
                firstc = tx.cds_cdna_start + 3 * codon[rows]
                hit = np.zeros(len(rows), np.bool_)
                for d in range(3):
                    g = arrays.genomic(firstc + d)
                    hit |= np.isin(_position_codes(chrom[rows], g), ppos_codes)
                from genopath.annotation.consequence import Result

                for k in rows[hit].tolist():
                    res = Result(
                        tx, terms={"missense_variant"}, codon_index=int(codon[k]), aa_alt=chr(aa_a[k])
                    )
                    site = Site(
                        chrom_list[k],
                        int(pos[k]),
                        ref_l[k],
                        alt_l[k],
                        Change(int(pos[k]), ref_l[k], alt_l[k]),
                    )
                    same_aa[k], same_codon[k] = annotator._residue_matches(site, tx, res)
    if sources.cohort is not None and m:
        cpos = _position_codes(
            np.array([k[0] for k in sources.cohort], dtype=object),
            np.array([k[1] for k in sources.cohort], np.int64),
        )
        for k in np.flatnonzero(np.isin(keyed, cpos)).tolist():
            counts = sources.cohort.get((chrom_list[k], int(pos[k]), ref_l[k], alt_l[k]))
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
    return pa.table({name: cols[name] for name, _ in COLUMNS}, schema=SCHEMA)


def _sparse(m: int, values: dict[int, Any], type_: pa.DataType) -> pa.Array:
    """An array of ``m`` nulls with ``values`` at their indices."""
    if not values:
        return pa.nulls(m, type_)
    idx = np.fromiter(values, np.int64, len(values))
    full = np.full(m, -1, np.int64)
    full[idx] = np.arange(len(idx))
    dense = pa.array(list(values.values()), type_)
    return dense.take(pa.array(full, mask=full < 0))


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
    names, inv = np.unique(np.asarray(chrom, dtype=object).astype(str), return_inverse=True)
    ids = np.array([hash(str(n)) & 0xFFFFF for n in names], np.int64)
    return ids[inv.ravel()] * (1 << 33) + np.asarray(pos, np.int64)
