"""The plain-VCF annotation path when the C kernels are built: records in, one row per variant out.

:func:`annotate_records` gives the same table and summary as the NumPy code of
:func:`genopath.annotation.fastpath.annotate_records` and as the per-variant code
(:func:`genopath.annotation.pipeline.annotate_sites`), with the per-allele work done in C by
``genopath.annotation._csq``:

1. ``_csq.classify_alts`` tells single, multi-allelic, empty and symbolic ALT fields apart;
   multi-allelic records are split into their alleles here;
2. every non-symbolic allele is normalised by ``_csq.normalise`` (the port of
   :func:`pipeline.normalise`: REF check, ``Change.from_vcf``, left shift, anchor base), in
   pieces per chromosome over one segment of reference bases; the alleles it leaves (non-ASCII
   bases, REF equal to ALT, a chromosome the reference splits into several sequences) go
   through :func:`pipeline.normalise`;
3. the distinct keys are found by sorting on (chromosome, position) with NumPy and on
   (REF, ALT, first occurrence) within a position by ``_csq.distinct``;
4. ``_csq.consequences_best`` runs ``Annotator.consequence`` of every distinct variant on every
   MANE transcript within reach and keeps the result ``_choose_results`` picks, with its text
   columns and the other genes whose transcripts hold the variant; the variant IDs are hashed
   beside it;
5. :func:`annotate_chunks` turns those arrays into output tables chunk by chunk (gene columns by
   transcript index, the consequence terms by distinct mask; the ClinVar, cohort and gene joins
   are shared with :mod:`fastpath`), so that a writer can write one chunk while the next is
   built.

Steps 2 and 4 run on a thread pool (the C code releases the GIL) and hold one chromosome's
reference bases at a time. Variants a transcript's C code leaves (see :mod:`csq_kernel`) are
annotated by the per-variant code and placed among the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from genopath.annotation import csq_kernel, kernels, so
from genopath.annotation.consequence import SHIFT_WINDOW, Change
from genopath.annotation.fastpath import (
    _BIT,
    Records,
    _af_values,
    _flag_columns,
    _gene_columns,
    _int_text,
    _join_columns,
    _reordered,
    _rows,
    _sparse_lists,
)
from genopath.annotation.pipeline import (
    COLUMNS,
    SCHEMA,
    Site,
    Sources,
    Summary,
    VariantAnnotator,
    normalise,
)
from genopath.annotation.reference import worker_threads
from genopath.annotation.transcripts import FLANK, Transcript
from genopath.resources.contigs import chrom_sort_key

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

#: Alleles are numbered ``record * k + allele`` with ``k`` at least this and above any record's
#: number of ALT alleles (the first occurrence wins).
OCCURRENCE = 1024
#: Variants per call of the C consequence code (calls run in parallel threads).
PIECE = 160_000
#: (chromosome rank, position) as one sort key: positions below 2**33.
_POS_BITS = 33
#: Variants further apart than this (bp) on a chromosome are given separate reference
#: segments: reading the bases between them would cost more than another read. An exome or a
#: panel reads its genes' regions, not whole chromosomes; a genome reads each chromosome whole.
GAP = 50_000
#: Columns of few distinct values (one per transcript, consequence mask or source), built as
#: dictionary arrays: no text is copied per row, and the Parquet writer takes the dictionary
#: as it is instead of hashing every row's text.
ENCODED_COLUMNS = (
    "gene_symbol", "hgnc_id", "gene_id", "transcript", "refseq_transcript", "consequence", "most_severe",
    "impact", "annotation_source",
)  # fmt: skip
#: :data:`SCHEMA` with :data:`ENCODED_COLUMNS` as dictionary<int32, string>: the chunks of
#: ``annotate_chunks(..., encoded=True)``. Cast to :data:`SCHEMA`, they are the plain table.
ENCODED_SCHEMA = pa.schema(
    [pa.field(f.name, pa.dictionary(pa.int32(), f.type)) if f.name in ENCODED_COLUMNS else f for f in SCHEMA]
)


try:
    from genopath.annotation import _csq
except ImportError:  # built without a compiler: setup.py marks the extension optional
    _csq = None  # type: ignore[assignment]


def available() -> bool:
    """Whether this path can run: the C extension is built and not turned off."""
    return csq_kernel.HAVE_C and _csq is not None


def _parts(values: pa.Array) -> tuple[npt.NDArray[np.int32], Any]:
    """int32 offsets and data buffer of a string array without nulls (any slice)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    n = len(values)
    _validity, offsets, data = values.buffers()
    o = np.frombuffer(offsets, np.int32, n + 1, values.offset * 4) if n else np.zeros(1, np.int32)
    return o, data if data is not None else b""


def _strings(column: tuple[bytes, bytes, bytes, int], n: int) -> pa.StringArray:
    offsets, data, valid, nulls = column
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(data), pa.py_buffer(valid) if nulls else None, nulls
    )


class _Alleles:
    """Normalised alleles gathered chromosome by chromosome (or one by one by the Python code)."""

    def __init__(self) -> None:
        self.chrom: list[str] = []
        self.n: list[int] = []
        self.key_pos: list[I64] = []
        self.start: list[I64] = []
        self.mismatch: list[BOOL] = []
        self.occ: list[I64] = []
        self.text: dict[str, list[pa.Array]] = {k: [] for k in ("key_ref", "key_alt", "dele", "ins")}

    def add(self, chrom: str, key_pos: I64, start: I64, mm: BOOL, occ: I64, texts: list[pa.Array]) -> None:
        self.chrom.append(chrom)
        self.n.append(len(key_pos))
        self.key_pos.append(key_pos)
        self.start.append(start)
        self.mismatch.append(mm)
        self.occ.append(occ)
        for name, arr in zip(self.text, texts, strict=True):
            self.text[name].append(arr)


def annotate_records(
    records: Records, sources: Sources, progress: Callable[[int], None] | None = None
) -> tuple[pa.Table, Summary]:
    """Annotate a VCF read by :func:`fastpath.read_records` (see the module docstring)."""
    summary, chunks = annotate_chunks(records, sources, progress)
    tables = list(chunks)  # of SCHEMA (not encoded)
    return (tables[0] if len(tables) == 1 else pa.concat_tables(tables)), summary


def annotate_chunks(
    records: Records,
    sources: Sources,
    progress: Callable[[int], None] | None = None,
    rows_per_chunk: int | None = None,
    first_chunk_rows: int | None = None,
    *,
    encoded: bool = False,
) -> tuple[Summary, Iterator[pa.Table]]:
    """The run's summary, and its output table in chunks of ``rows_per_chunk`` rows (one chunk
    when ``None``; the first of ``first_chunk_rows``), built as they are taken: a writer can
    write one while the next is built (a small first chunk lets it start sooner).

    The chunks are of :data:`SCHEMA`, or with ``encoded`` of :data:`ENCODED_SCHEMA` (the same
    values, :data:`ENCODED_COLUMNS` as dictionary arrays), for a Parquet writer."""
    summary = Summary()
    summary.records = n = records.records
    annotator = VariantAnnotator(sources)
    ref_s, alt_s = records.ref, records.alt
    kind = np.zeros(n, np.uint8)
    _csq.classify_alts(*_parts(alt_s), kind)
    multi, no_alt, symbolic = kind == 1, kind == 2, kind == 3  # no_alt: htslib sees no ALT allele
    m_rows = np.flatnonzero(multi)
    commas = pc.count_substring(alt_s.take(pa.array(m_rows)), ",").to_numpy() if len(m_rows) else np.zeros(0, np.int64)  # fmt: skip
    summary.alleles = n - int(no_alt.sum()) + int(commas.sum())
    summary.skipped_symbolic = int(symbolic.sum())
    af_of: dict[int, list[float | None]] = {}

    def af(allele: int) -> list[float | None]:
        """INFO/AF of every record for its ALT allele number ``allele``."""
        if allele not in af_of:
            assert records.info is not None
            af_of[allele] = _af_values(records.info, allele, records.af_float32)
        return af_of[allele]

    # -- the alleles: biallelic records as they are, multi-allelic ones split ----------------
    single = ~multi & ~no_alt & ~symbolic
    rows = np.flatnonzero(single)
    all_rows = len(rows) == n
    pos = records.pos if all_rows else records.pos[rows]
    ref = ref_s if all_rows else ref_s.take(pa.array(rows))
    alt = alt_s if all_rows else alt_s.take(pa.array(rows))
    chrom = records.chrom if all_rows else records.chrom.take(pa.array(rows))
    factor = max(OCCURRENCE, int(commas.max()) + 2) if len(commas) else OCCURRENCE
    occ = rows * factor
    allele_af: list[I64] = [np.zeros(len(rows), np.int64)] if records.info is not None else []
    if len(m_rows):
        m_ref = ref_s.take(pa.array(m_rows)).to_pylist()
        m_alt = alt_s.take(pa.array(m_rows)).to_pylist()
        m_chrom = records.chrom.take(pa.array(m_rows)).to_pylist()
        extra: list[tuple[str, int, str, str, int, int]] = []
        for k, r in enumerate(m_rows.tolist()):
            for i, a in enumerate(m_alt[k].split(",")):
                if not a or a[0] in "<*." or "[" in a or "]" in a:
                    summary.skipped_symbolic += 1
                    continue
                extra.append((m_chrom[k], int(records.pos[r]), m_ref[k], a, r * factor + i, i))
        if extra:
            chrom = pa.concat_arrays([chrom, pa.array([e[0] for e in extra], pa.string())])
            pos = np.concatenate([pos, np.array([e[1] for e in extra], np.int64)])
            ref = pa.concat_arrays([ref, pa.array([e[2] for e in extra], pa.string())])
            alt = pa.concat_arrays([alt, pa.array([e[3] for e in extra], pa.string())])
            occ = np.concatenate([occ, np.array([e[4] for e in extra], np.int64)])
            if records.info is not None:
                allele_af.append(np.array([e[5] for e in extra], np.int64))
    if progress is not None:
        progress(n)
    alleles = _normalise_all(sources, chrom, pos, ref, alt, occ)
    # -- distinct variants, sorted -----------------------------------------------------------
    uniq_chroms = sorted(set(alleles.chrom), key=chrom_sort_key)
    rank_of = {c: i for i, c in enumerate(uniq_chroms)}
    rank = np.repeat(np.array([rank_of[c] for c in alleles.chrom], np.int64), alleles.n)
    key_pos = np.concatenate(alleles.key_pos) if alleles.n else np.zeros(0, np.int64)
    texts = {name: pa.concat_arrays(parts) if parts else pa.array([], pa.string()) for name, parts in alleles.text.items()}  # fmt: skip
    occ_all = np.concatenate(alleles.occ) if alleles.n else np.zeros(0, np.int64)
    keep = _distinct(rank, key_pos, texts["key_ref"], texts["key_alt"], occ_all)
    k_idx = pa.array(keep)
    d_rank, d_pos = rank[keep], key_pos[keep]
    d_ref, d_alt = texts["key_ref"].take(k_idx), texts["key_alt"].take(k_idx)
    d_start = np.concatenate(alleles.start)[keep] if alleles.n else np.zeros(0, np.int64)
    d_dele, d_ins = texts["dele"].take(k_idx), texts["ins"].take(k_idx)
    d_mm = np.concatenate(alleles.mismatch)[keep] if alleles.n else np.zeros(0, np.bool_)
    d_af: list[float | None] | None = None
    if records.info is not None:
        d_occ = occ_all[keep]
        d_which = _allele_index(np.concatenate(allele_af), occ, d_occ)
        r_of = d_occ // factor
        d_af = [af(i)[r] for r, i in zip(r_of.tolist(), d_which.tolist(), strict=True)]
    chrom_names = pa.array(uniq_chroms, pa.string())
    d_chrom = chrom_names.take(pa.array(d_rank))
    annotated = _annotate_distinct(
        sources,
        annotator,
        uniq_chroms,
        d_rank,
        d_chrom,
        d_pos,
        d_ref,
        d_alt,
        d_start,
        d_dele,
        d_ins,
        d_mm,
        d_af,
    )
    annotated.summarise(summary)
    chunks = annotated.chunks(rows_per_chunk or max(len(d_pos), 1), first_chunk_rows)
    return summary, (chunks if encoded else (t.cast(SCHEMA) for t in chunks))


def _allele_index(which: I64, occ: I64, d_occ: I64) -> I64:
    """The ALT index (0 for the first) of the alleles whose occurrence codes are ``d_occ``."""
    order = np.argsort(occ, kind="stable")
    at = order[np.searchsorted(occ[order], d_occ)]
    return which[at]


def _normalise_all(
    sources: Sources, chrom: pa.Array, pos: I64, ref: pa.Array, alt: pa.Array, occ: I64
) -> _Alleles:
    """:func:`pipeline.normalise` of every allele, by the C code chromosome by chromosome (in
    pieces of :data:`PIECE` alleles, run by a thread pool)."""
    reference = sources.reference
    out = _Alleles()
    if not len(pos):
        return out
    enc = pc.dictionary_encode(chrom)
    names = [str(c) for c in enc.dictionary.to_pylist()]
    codes = enc.indices.to_numpy(zero_copy_only=False)
    reach = int(pc.max(pc.utf8_length(ref)).as_py() or 0) + int(pc.max(pc.utf8_length(alt)).as_py() or 0) + 4

    def run(job: tuple[I64, csq_kernel.Genome | None, bool]) -> tuple[Any, ...]:
        rows, genome, whole = job  # whole: rows are all alleles, in order
        p = pos if whole else pos[rows]
        r = ref if whole else ref.take(pa.array(rows))
        a = alt if whole else alt.take(pa.array(rows))
        m = len(p)
        python, mm = np.zeros(m, np.uint8), np.zeros(m, np.uint8)
        key_pos, start = np.zeros(m, np.int64), np.zeros(m, np.int64)
        r_off, r_data = _parts(r)
        a_off, a_data = _parts(a)
        columns = _csq.normalise(
            genome.seq if genome is not None else None, genome.seg_lo if genome is not None else 0,
            genome.contig_lo if genome is not None else 0, genome.contig_hi if genome is not None else 0,
            np.ascontiguousarray(p, np.int64), r_off, r_data, a_off, a_data, python, mm, key_pos, start,
        )  # fmt: skip
        return p, r, a, python == 0, mm.view(np.bool_), key_pos, start, [_strings(col, m) for col in columns]

    with ThreadPoolExecutor(worker_threads(), thread_name_prefix="genopath-normalise") as pool:
        for k, c in enumerate(names):  # one chromosome's bases in memory at a time
            rows = np.arange(len(pos)) if len(names) == 1 else np.flatnonzero(codes == k)
            contigs = reference.contigs.get(c, []) if reference is not None else []
            if len(contigs) > 1:  # Reference.covers may pick any of them: the per-variant code
                idx = pa.array(rows)
                _normalise_python(out, reference, c, pos[rows], ref.take(idx), alt.take(idx), occ[rows])
                continue
            jobs: list[tuple[I64, csq_kernel.Genome | None, bool]] = []
            for cluster in _clusters(rows, pos[rows]):
                genome = None
                if reference is not None and contigs:
                    margin = 2 * (SHIFT_WINDOW + reach)
                    p = pos[cluster]
                    genome = csq_kernel.Genome.of(
                        reference, c, max(int(p.min()) - margin, 0), int(p.max()) + margin
                    )
                whole = len(cluster) == len(pos) and bool((cluster == np.arange(len(pos))).all())
                jobs.extend(
                    (cluster[i : i + PIECE], genome, whole and len(cluster) <= PIECE)
                    for i in range(0, len(cluster), PIECE)
                )
            pieces = [job[0] for job in jobs]
            for piece, (p, r, a, done, mm, key_pos, start, texts) in zip(
                pieces, pool.map(run, jobs), strict=True
            ):
                if done.all():
                    out.add(c, key_pos, start, mm, occ[piece], texts)
                    continue
                ok = np.flatnonzero(done)
                okx = pa.array(ok)
                out.add(c, key_pos[ok], start[ok], mm[ok], occ[piece][ok], [t.take(okx) for t in texts])
                left = np.flatnonzero(~done)
                lx = pa.array(left)
                _normalise_python(out, reference, c, p[left], r.take(lx), a.take(lx), occ[piece][left])
            del jobs
    return out


def _runs(pos: I64, a: int, b: int, first: I64, last: I64) -> list[tuple[int, int, bool]]:
    """``[a, b)`` of sorted ``pos`` in runs, with whether each lies within reach of a transcript
    (``first[i] <= p <= last[i]`` for some ``i``; a run that does not needs no reference bases).

    A new run starts wherever the next position is more than :data:`GAP` further on, or enters or
    leaves the (merged) reach of the transcripts."""
    p = pos[a:b]
    if not len(p):
        return []
    starts: list[int] = []
    ends: list[int] = []
    order = np.argsort(first, kind="stable")
    for lo, hi in zip(first[order].tolist(), last[order].tolist(), strict=True):
        if starts and lo <= ends[-1] + 1:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)
    if starts:
        k = np.searchsorted(np.array(starts, np.int64), p, side="right") - 1
        reach = np.where((k >= 0) & (p <= np.array(ends, np.int64)[np.maximum(k, 0)]), k, -1)
    else:
        reach = np.full(len(p), -1, np.int64)
    cuts = (np.flatnonzero((np.diff(p) > GAP) | (reach[1:] != reach[:-1])) + a + 1).tolist()
    return [(x, y, bool(reach[x - a] >= 0)) for x, y in zip([a, *cuts], [*cuts, b], strict=True)]


def _clusters(rows: I64, positions: I64) -> list[I64]:
    """``rows`` in runs sorted by position, a new run wherever the next position is more than
    :data:`GAP` further on (each run gets its own segment of reference bases)."""
    if not len(rows):
        return []
    steps = np.diff(positions)
    if (steps < 0).any():  # not sorted (a sorted VCF's are)
        order = np.argsort(positions, kind="stable")
        rows, steps = rows[order], np.diff(positions[order])
    return np.split(rows, np.flatnonzero(steps > GAP) + 1)


def _normalise_python(
    out: _Alleles, reference: Any, chrom: str, pos: I64, ref: pa.Array, alt: pa.Array, occ: I64
) -> None:
    """:func:`pipeline.normalise` allele by allele."""
    done = [
        normalise(reference, chrom, int(p), r, a)
        for p, r, a in zip(pos.tolist(), ref.to_pylist(), alt.to_pylist(), strict=True)
    ]
    if not done:
        return
    out.add(
        chrom,
        np.array([key[1] for key, _, _ in done], np.int64),
        np.array([change.start for _, change, _ in done], np.int64),
        np.array([mm for _, _, mm in done], np.bool_),
        occ,
        [pa.array([key[2] for key, _, _ in done], pa.string()), pa.array([key[3] for key, _, _ in done], pa.string()),
         pa.array([change.dele for _, change, _ in done], pa.string()),
         pa.array([change.ins for _, change, _ in done], pa.string())],
    )  # fmt: skip


def _distinct(rank: I64, key_pos: I64, key_ref: pa.Array, key_alt: pa.Array, occ: I64) -> I64:
    """Indices of the first allele of each distinct key, in (chromosome, position, REF, ALT) order."""
    n = len(key_pos)
    if not n:
        return np.zeros(0, np.int64)
    if key_pos.min() < 0 or key_pos.max() >= 1 << _POS_BITS:  # not a VCF position: no packing
        order = np.lexsort((key_pos, rank))
        same = np.r_[
            False, (rank[order][1:] == rank[order][:-1]) & (key_pos[order][1:] == key_pos[order][:-1])
        ]
        group = np.empty(n, np.int64)
        group[order] = np.cumsum(~same)
    else:
        group = (rank << _POS_BITS) | key_pos
        order = np.argsort(group, kind="stable")
    order = np.ascontiguousarray(order, np.int64)
    keep = np.zeros(n, np.uint8)
    r_off, r_data = _parts(key_ref)
    a_off, a_data = _parts(key_alt)
    _csq.distinct(np.ascontiguousarray(group, np.int64), order, r_off, r_data, a_off, a_data,
                  np.ascontiguousarray(occ, np.int64), keep)  # fmt: skip
    return order[keep.view(np.bool_)]


def _model_tuple(model: csq_kernel.TranscriptModel) -> tuple[Any, ...]:
    return (
        model.strand, model.starts, model.ends, model.cum, model.coding, model.cds_start0, model.cds_end,
        model.cds_cdna_start, model.cds_cdna_end, model.mrna, model.cds0, model.protein, model.malformed is not None,
    )  # fmt: skip


#: The reference bases of a chromosome for the C code: bases, segment start, contig span, alone.
_GenomeArgs = tuple[bytes | None, int, int, int, bool]
#: A transcript for the C code: first variant position it reaches, model tuple, last position
#: it reaches, rank by transcript ID, gene symbol number.
_Reach = tuple[int, tuple[Any, ...], int, int, int]


def _annotate_distinct(
    sources: Sources,
    annotator: VariantAnnotator,
    uniq_chroms: list[str],
    rank: I64,
    chrom: pa.Array,
    pos: I64,
    ref: pa.Array,
    alt: pa.Array,
    start: I64,
    dele: pa.Array,
    ins: pa.Array,
    mm: BOOL,
    af: list[float | None] | None,
) -> _Annotated:
    """The distinct variants' (sorted) chosen results, ready to be turned into output tables,
    with the variants the C code leaves annotated by the per-variant code.

    The C calls (consequences over pieces of :data:`PIECE` variants, chromosome by chromosome, and
    the variant IDs) run on a thread pool.
    """
    m = len(pos)
    reference = sources.reference
    bounds = np.flatnonzero(np.r_[True, rank[1:] != rank[:-1]]) if m else np.zeros(0, np.int64)
    spans = list(zip(bounds.tolist(), np.r_[bounds[1:], m].tolist(), strict=True)) if m else []
    txs = [t for a, _ in spans for t in sources.transcripts.by_chrom.get(uniq_chroms[rank[a]], [])]
    tx_by_rank = sorted(txs, key=lambda t: t.transcript_id)
    tx_rank = {t.transcript_id: r for r, t in enumerate(tx_by_rank)}
    gene_code: dict[str, int] = {}
    present = np.zeros(m, np.uint8)
    tx = np.full(m, -1, np.int64)
    mask = np.zeros(m, np.uint64)
    distance = np.full(m, -1, np.int64)
    pp = np.full(m, -1, np.int64)
    codon = np.full(m, -1, np.int64)
    seq_ok = np.zeros(m, np.uint8)
    unsupported = np.zeros(m, np.uint8)
    reach = int(pc.max(pc.utf8_length(dele)).as_py() or 0) + 2 if m else 2

    def piece(job: tuple[int, int, _GenomeArgs, list[_Reach]]) -> Any:
        a, b, (seq, seg_lo, contig_lo, contig_hi, alone), models = job
        p_c = pos[a:b]
        lo = np.searchsorted(p_c, np.array([x[0] for x in models], np.int64), side="left")
        hi = np.searchsorted(p_c, np.array([x[2] for x in models], np.int64), side="right")
        use = np.flatnonzero(hi > lo)
        d_off, d_data = _parts(dele.slice(a, b - a))
        i_off, i_data = _parts(ins.slice(a, b - a))
        return _csq.consequences_best(
            [models[k][1] for k in use.tolist()], lo[use], hi[use],
            np.array([models[k][3] for k in use.tolist()], np.int64),
            np.array([models[k][4] for k in use.tolist()], np.int64), seq, seg_lo, contig_lo, contig_hi, alone,
            csq_kernel._BITS, np.ascontiguousarray(start[a:b]), d_off, d_data, i_off, i_data,
            present[a:b], tx[a:b], mask[a:b], distance[a:b], pp[a:b], codon[a:b], seq_ok[a:b],
            unsupported[a:b],
        )  # fmt: skip

    def hash_ids(a: int, b: int) -> I64:
        keys = pc.binary_join_element_wise(
            chrom.slice(a, b - a), _int_text(pos[a:b]), ref.slice(a, b - a), alt.slice(a, b - a), ":"
        )
        return kernels.variant_ids(keys)

    pieces: list[tuple[int, int]] = []
    outs: list[Any] = []
    with ThreadPoolExecutor(worker_threads(), thread_name_prefix="genopath-annotate") as pool:
        hashed = [pool.submit(hash_ids, a, min(a + PIECE, m)) for a in range(0, m, PIECE)]
        reaches: dict[str, _Reach] = {}

        def reach_of(t: Transcript) -> _Reach:
            if t.transcript_id not in reaches:
                model = _model_tuple(csq_kernel.TranscriptModel.of(t, annotator.annotator.sequences.mrna(t)))
                reaches[t.transcript_id] = (
                    t.tx_start0 + 1 - FLANK - reach, model, t.tx_end + FLANK + 1, tx_rank[t.transcript_id],
                    gene_code.setdefault(t.gene_symbol, len(gene_code)),
                )  # fmt: skip
            return reaches[t.transcript_id]

        for a, b in spans:  # one chromosome's bases in memory at a time
            c = uniq_chroms[rank[a]]
            contigs = reference.contigs.get(c, []) if reference is not None else []
            on_chrom = sources.transcripts.by_chrom.get(c, [])
            first = np.array([t.tx_start0 + 1 - FLANK - reach for t in on_chrom], np.int64)
            last = np.array([t.tx_end + FLANK + 1 for t in on_chrom], np.int64)
            jobs: list[tuple[int, int, _GenomeArgs, list[_Reach]]] = []
            # a segment of reference bases per run of variants within reach of a transcript;
            # a variant out of every transcript's reach is intergenic whatever the bases
            for ca, cb, needs_bases in _runs(pos, a, b, first, last):
                genome = None
                if reference is not None and needs_bases:
                    margin = SHIFT_WINDOW + reach + 2
                    genome = csq_kernel.Genome.of(
                        reference, c, max(int(pos[ca]) - margin, 0), int(pos[cb - 1]) + margin
                    )
                g_args: _GenomeArgs = (
                    genome.seq if genome is not None else None, genome.seg_lo if genome is not None else 0,
                    genome.contig_lo if genome is not None else 0, genome.contig_hi if genome is not None else 0,
                    genome.alone if genome is not None else len(contigs) <= 1,
                )  # fmt: skip
                # the transcripts within reach of the run's variants
                near = np.flatnonzero((last >= pos[ca]) & (first <= pos[cb - 1])).tolist() if on_chrom else []
                models = [reach_of(on_chrom[i]) for i in near]
                jobs.extend((lo, min(lo + PIECE, cb), g_args, models) for lo in range(ca, cb, PIECE))
            outs.extend(pool.map(piece, jobs))
            pieces.extend((lo, hi) for lo, hi, _, _ in jobs)
            del jobs
        variant_ids = np.concatenate([h.result() for h in hashed]) if hashed else np.zeros(0, np.int64)
    text_parts: list[list[pa.Array]] = [[] for _ in range(6)]
    other: dict[int, set[str]] = {}
    symbols = {v: s for s, v in gene_code.items()}
    for (a, b), out in zip(pieces, outs, strict=True):
        for k in range(6):
            text_parts[k].append(_strings(out[k], b - a))
        ov, og = np.frombuffer(out[6], np.int64), np.frombuffer(out[7], np.int64)
        for v, g in zip((ov + a).tolist(), og.tolist(), strict=True):
            other.setdefault(v, set()).add(symbols[g])
    # kept in pieces: a chunk combines only the pieces it spans
    texts = [pa.chunked_array(parts, pa.string()) for parts in text_parts]
    return _Annotated(
        sources, annotator, tx_by_rank, chrom, pos, ref, alt, variant_ids, present.view(np.bool_), tx,
        mask, pp, codon, seq_ok.view(np.bool_), mm, af, texts, other,
        _Redo(annotator, unsupported.view(np.bool_), chrom, pos, ref, alt, start, dele, ins, mm, af),
    )  # fmt: skip


class _Redo:
    """The variants some transcript's C code left, annotated by the per-variant code (up front,
    for the summary) and placed into each chunk."""

    def __init__(
        self, annotator: VariantAnnotator, unsupported: BOOL, chrom: pa.Array, pos: I64, ref: pa.Array,
        alt: pa.Array, start: I64, dele: pa.Array, ins: pa.Array, mm: BOOL, af: list[float | None] | None,
    ) -> None:  # fmt: skip
        self.unsupported = unsupported
        self.rows = np.flatnonzero(unsupported)
        sites = [
            Site(str(chrom[k]), int(pos[k]), str(ref[k]), str(alt[k]),
                 Change(int(start[k]), str(dele[k]), str(ins[k])), bool(mm[k]), None if af is None else af[k])
            for k in self.rows.tolist()
        ]  # fmt: skip
        self.table = pa.Table.from_pydict(_rows(annotator, sites), schema=SCHEMA) if sites else None


class _Annotated:
    """The distinct variants' chosen results, turned into output tables chunk by chunk."""

    def __init__(
        self, sources: Sources, annotator: VariantAnnotator, txs: list[Transcript], chrom: pa.Array, pos: I64,
        ref: pa.Array, alt: pa.Array, variant_ids: I64, has: BOOL, tx: I64, mask: npt.NDArray[np.uint64], pp: I64, codon: I64,
        seq_ok: BOOL, mm: BOOL, af: list[float | None] | None, texts: list[pa.ChunkedArray],
        other: dict[int, set[str]], redo: _Redo,
    ) -> None:  # fmt: skip
        self.sources, self.annotator, self.txs = sources, annotator, txs
        self.chrom, self.pos, self.ref, self.alt, self.variant_ids = chrom, pos, ref, alt, variant_ids
        self.has, self.tx, self.mask, self.pp, self.codon = has, tx, mask, pp, codon
        self.seq_ok, self.mm, self.af, self.texts, self.other = seq_ok, mm, af, texts, other
        self._other_at = np.array(sorted(other), np.int64)  # to find a chunk's entries by search
        self.redo = redo

    def summarise(self, summary: Summary) -> None:
        """Put the counts of the output rows into ``summary`` (as ``fastpath._summarised`` would)."""
        fast = ~self.redo.unsupported
        summary.variants = len(self.pos)
        for u, count in zip(
            *np.unique(np.where(self.has, self.mask, 0)[fast], return_counts=True), strict=True
        ):
            impact = _terms(int(u))[2]
            summary.impacts[impact] = summary.impacts.get(impact, 0) + int(count)
        summary.ref_mismatch = int(self.mm.sum())
        available = np.where(self.has, self.seq_ok, True) & ~(self.mm & self.has)
        summary.without_sequence = int((~available & fast).sum())
        if self.redo.table is not None:
            slow = self.redo.table
            for d in pc.value_counts(pc.fill_null(slow.column("impact"), "MODIFIER")).to_pylist():
                summary.impacts[d["values"]] = summary.impacts.get(d["values"], 0) + d["counts"]
            seq = pc.fill_null(slow.column("sequence_available"), True)
            summary.without_sequence += int(pc.sum(pc.invert(seq).cast(pa.int64())).as_py() or 0)

    def chunks(self, size: int, first: int | None = None) -> Iterator[pa.Table]:
        """The output rows in chunks of ``size`` rows, the first of ``first`` rows (default ``size``)."""
        m = len(self.pos)
        if not m:
            yield self.chunk(0, 0)
        a, b = 0, min(first or size, m)
        while a < m:
            yield self.chunk(a, b)
            a, b = b, min(b + size, m)

    def chunk(self, a: int, b: int) -> pa.Table:
        """The output table of rows ``[a, b)``."""
        unsup = self.redo.unsupported[a:b]
        fr = np.flatnonzero(~unsup) + a
        whole = len(fr) == b - a

        def rows(x: Any) -> Any:
            if isinstance(x, pa.ChunkedArray):
                x = x.slice(a, b - a)
                x = x.chunk(0) if x.num_chunks == 1 else x.combine_chunks()
                return x if whole else x.take(pa.array(fr - a))
            if isinstance(x, pa.Array):
                return x.slice(a, b - a) if whole else x.take(pa.array(fr))
            return x[a:b] if whole else x[fr]

        row_of = np.full(b - a, -1, np.int64)
        row_of[fr - a] = np.arange(len(fr))

        lo, hi = np.searchsorted(self._other_at, [a, b])
        other = {
            int(row_of[k - a]): self.other[k] for k in self._other_at[lo:hi].tolist() if row_of[k - a] >= 0
        }

        table = _table(
            self.sources, self.annotator, self.txs, rows(self.chrom), rows(self.pos), rows(self.ref),
            rows(self.alt), rows(self.variant_ids), rows(self.has), rows(self.tx), rows(self.mask), rows(self.pp), rows(self.codon),
            rows(self.seq_ok), rows(self.mm), None if self.af is None else [self.af[i] for i in fr.tolist()],
            [rows(t) for t in self.texts], other,
        )  # fmt: skip
        if whole:
            return table
        redo = self.redo.rows
        sel = np.flatnonzero((redo >= a) & (redo < b))
        assert self.redo.table is not None
        slow = self.redo.table.take(pa.array(sel)).cast(ENCODED_SCHEMA)
        final = np.empty(b - a, np.int64)
        final[np.concatenate([fr, redo[sel]]) - a] = np.arange(b - a)
        return _reordered(pa.concat_tables([table, slow]), pa.array(final))


def _terms(mask: int) -> tuple[str, str, str]:
    """The consequence text, the most severe term and the impact of a term mask (0: intergenic)."""
    if mask == 0:
        return "intergenic_variant", "intergenic_variant", "MODIFIER"
    terms = so.sort_terms(tuple(t for i, (t, _, _) in enumerate(so.TERMS) if mask >> i & 1))
    return "&".join(terms), terms[0], so.impact_of(terms)


def _table(
    sources: Sources,
    annotator: VariantAnnotator,
    txs: list[Transcript],
    chrom: pa.Array,
    pos: I64,
    ref: pa.Array,
    alt: pa.Array,
    variant_ids: I64,
    has: BOOL,
    tx: I64,
    mask: npt.NDArray[np.uint64],
    pp: I64,
    codon: I64,
    seq_avail: BOOL,
    mm: BOOL,
    af: list[float | None] | None,
    texts: list[pa.Array],
    other: dict[int, set[str]],
) -> pa.Table:
    """The output columns of ``m`` variants from their chosen results (with their ClinVar,
    cohort and gene joins)."""
    m = len(pos)
    chrom_np = np.asarray(chrom.to_numpy(zero_copy_only=False), dtype=object)
    tx_i = np.where(has, tx, 0)
    tx_idx = pa.array(tx, mask=~has)
    cols: dict[str, Any] = {"chrom": chrom, "pos": pa.array(pos, pa.int64()), "ref": ref, "alt": alt,
                            "variant_id": pa.array(variant_ids, pa.int64())}  # fmt: skip
    # the chunk's own transcripts only: a row group's dictionary holds the values it uses
    used = np.zeros(len(txs), np.bool_)
    used[tx_i[has]] = True
    local = np.cumsum(used) - 1  # transcript index → index among the used ones
    chunk_txs = [txs[k] for k in np.flatnonzero(used).tolist()]
    local_i = local[tx_i] if txs else tx_i
    for name, texts_of in (
        ("gene_symbol", [t.gene_symbol for t in chunk_txs]),
        ("hgnc_id", [t.hgnc_id for t in chunk_txs]),
        ("gene_id", [t.gene_id for t in chunk_txs]),
        ("transcript", [t.transcript_id for t in chunk_txs]),
        ("refseq_transcript", [t.refseq_transcript for t in chunk_txs]),
    ):
        cols[name] = _categorical(texts_of, local_i, has)
    cols["mane_select"] = (
        pa.array([t.mane_status == "MANE Select" for t in txs], pa.bool_()).take(tx_idx)
        if txs
        else pa.nulls(m, pa.bool_())
    )
    # consequence terms: one text per distinct mask
    encoded = pc.dictionary_encode(pa.array(mask, pa.uint64()))
    described = [_terms(u) for u in encoded.dictionary.to_pylist()]
    for k, name in enumerate(("consequence", "most_severe", "impact")):
        cols[name] = pa.DictionaryArray.from_arrays(
            encoded.indices, pa.array([d[k] for d in described], pa.string())
        )
    hgvs_c, hgvs_p, exon, intron, aa_ref, aa_alt = texts
    cols.update(hgvs_c=hgvs_c, hgvs_p=hgvs_p, exon=exon, intron=intron, aa_ref=aa_ref, aa_alt=aa_alt)
    cols["protein_position"] = pa.array(pp, pa.int64(), mask=pp < 0)
    cols["other_genes"] = _sparse_lists(m, {k: sorted(v) for k, v in other.items()})
    cols.update(_flag_columns(has, seq_avail, mm, af))
    cols["annotation_source"] = _categorical(["genopath"], np.zeros(m, np.int64), np.ones(m, np.bool_))
    missense = has & (mask & _BIT["missense_variant"] != 0) & aa_alt.is_valid().to_numpy(zero_copy_only=False)
    cols.update(
        _join_columns(
            sources, annotator, chrom_np, pos, ref, alt, missense, tx_i, codon, txs,
            lambda k: str(aa_alt[k].as_py()),
        )
    )  # fmt: skip
    cols.update(_gene_columns(sources, txs, tx_i, has))
    return pa.table({name: cols[name] for name, _ in COLUMNS}, schema=ENCODED_SCHEMA)


def _categorical(texts: Sequence[str | None], index: I64, valid: BOOL) -> pa.DictionaryArray:
    """``texts[index]`` as a dictionary array: null where not ``valid`` or the text is None
    (``index`` is only read where ``valid``)."""
    present = np.array([t is not None for t in texts], np.bool_)
    ok = valid & present[np.where(valid, index, 0)] if len(texts) else np.zeros(len(index), np.bool_)
    return pa.DictionaryArray.from_arrays(
        pa.array(index.astype(np.int32), mask=~ok), pa.array([t or "" for t in texts], pa.string())
    )
