"""The consequence of many variants on one transcript at once, in C.

:func:`consequences` gives, for n changes and one transcript, what
:meth:`genopath.annotation.consequence.Annotator.consequence` gives for each, field by field
(terms as a bit mask over :data:`genopath.annotation.so.TERMS`). It runs the C extension
``genopath.annotation._csq`` (``_csq.c``, built by ``pip install`` through ``setup.py``), a
port of that Python code, which stays the specification: ``tests/annotation/test_csq_kernel.py``
compares the two on every change near the exon boundaries and CDS ends of the demo bundle's
transcripts and on random changes.

The extension is optional: :data:`HAVE_C` says whether it was built and is enabled (the
environment variable ``GENOPATH_NO_C_KERNELS=1`` turns it off, as for
:mod:`genopath.annotation.kernels`); without it, callers use the Python code.

Changes the C code leaves to the Python code are flagged in :attr:`Out.unsupported`:

* a change with neither deleted nor inserted bases (``REF == ALT``), or with bases outside
  ASCII;
* a pure insertion or deletion whose 3' shift or duplication check would read reference bases
  of the contig outside the segment :class:`Genome` holds, or on a chromosome the reference
  splits into several contigs (:attr:`Genome.alone` is False);
* where the Python code raises (``IndexError`` on a malformed transcript, e.g. a CDS shorter
  than a codon) — the Python code then raises for the caller too;
* every change on a transcript :meth:`TranscriptModel.of` finds malformed (no exons, a CDS edge
  outside the exons).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from genopath.annotation import so
from genopath.annotation.consequence import translate
from genopath.annotation.transcripts import Transcript

if TYPE_CHECKING:
    from genopath.annotation.reference import Reference

try:
    from genopath.annotation import _csq
except ImportError:  # built without a compiler: setup.py marks the extension optional
    _csq = None  # type: ignore[assignment]

__all__ = ["BUILT", "HAVE_C", "NO_C_KERNELS_ENV", "Genome", "Out", "TranscriptModel", "consequences"]

NO_C_KERNELS_ENV = "GENOPATH_NO_C_KERNELS"
"""Set to ``1`` to leave the C code unused even when it is built (as for :mod:`kernels`)."""

BUILT: bool = _csq is not None
"""Whether the C extension was built and imports."""

HAVE_C: bool = BUILT and os.environ.get(NO_C_KERNELS_ENV, "").strip() in ("", "0")
"""Whether :func:`consequences` can be used: the extension is built and not turned off."""

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

# The so.TERMS bit of each term the C code gives, in its order.
_BITS: I64 = (
    np.array([so.RANK[name] for name in _csq.TERM_NAMES], np.int64)
    if _csq is not None
    else np.zeros(0, np.int64)
)
if len(so.TERMS) > 64:  # pragma: no cover - a guard for whoever extends so.TERMS
    raise ImportError(f"so.TERMS holds {len(so.TERMS)} terms; the consequence mask holds 64")


@dataclass(frozen=True)
class TranscriptModel:
    """What the C code needs of one transcript (see :meth:`of`).

    Attributes
    ----------
    strand
        +1 or −1.
    starts, ends
        0-based exon starts and (exclusive) ends in ascending order (``Transcript.exon_starts``).
    cum
        Exon lengths summed in transcript order, ``n + 1`` values from 0.
    coding
        Whether the transcript has a CDS.
    cds_start0, cds_end, cds_cdna_start, cds_cdna_end
        As in :class:`Transcript` (0 when non-coding).
    mrna, cds0
        The spliced sequence (transcript orientation) and the index of the CDS start in it, as
        :meth:`TranscriptSequences.mrna` gives them; ``None`` without sequence.
    protein
        The reference protein, ``translate`` of the CDS (``None`` without sequence).
    exon_count
        Number of exons.
    malformed
        Why the C code refuses the transcript (every change is then flagged unsupported), or ``None``.
    """

    strand: int
    starts: I64
    ends: I64
    cum: I64
    coding: bool
    cds_start0: int
    cds_end: int
    cds_cdna_start: int
    cds_cdna_end: int
    mrna: bytes | None
    cds0: int
    protein: bytes | None
    exon_count: int
    malformed: str | None = None

    @classmethod
    def of(cls, tx: Transcript, mrna: tuple[str, int] | None, protein: str | None = None) -> TranscriptModel:
        """The model of ``tx``.

        Parameters
        ----------
        tx
            The transcript.
        mrna
            ``Annotator.sequences.mrna(tx)``: ``(mRNA, CDS start index)`` or ``None``.
        protein
            The translated reference CDS (``Annotator._protein`` computes it as
            ``translate(mrna[cds0 : cds0 + cds_length])``); computed here when ``None``.
        """
        malformed = None
        if not tx.exons:
            malformed = "it has no exons"
        elif tx.coding and (tx.cds_end is None or not tx.cds_cdna_start or not tx.cds_cdna_end):
            malformed = "its CDS does not start and end inside its exons"
        lengths = [e - s for s, e in tx.exons]
        cum = np.concatenate([[0], np.cumsum(lengths if tx.strand > 0 else lengths[::-1])])
        seq = cds0 = None
        if mrna is not None and malformed is None:
            seq, cds0 = mrna
            if not 0 <= cds0 <= len(seq):
                malformed = f"its CDS start index {cds0} lies outside its mRNA of {len(seq)} bases"
            elif protein is None:
                cds_len = tx.cds_cdna_end - tx.cds_cdna_start + 1
                protein = translate(seq[cds0 : cds0 + cds_len])
        if malformed is not None or not tx.exons:
            seq = protein = None
        return cls(
            strand=1 if tx.strand > 0 else -1,
            starts=np.array(tx.exon_starts, np.int64),
            ends=np.array([e for _, e in tx.exons], np.int64),
            cum=cum.astype(np.int64),
            coding=tx.coding,
            cds_start0=tx.cds_start0 or 0,
            cds_end=tx.cds_end or 0,
            cds_cdna_start=tx.cds_cdna_start,
            cds_cdna_end=tx.cds_cdna_end,
            mrna=seq.encode("ascii") if seq is not None else None,
            cds0=cds0 or 0,
            protein=protein.encode("ascii") if seq is not None and protein is not None else None,
            exon_count=len(tx.exons),
            malformed=malformed,
        )


@dataclass(frozen=True)
class Genome:
    """Reference bases of one contig around the changes, as :meth:`Reference.fetch` reads them.

    Attributes
    ----------
    seq
        Upper-case bases of genomic 0-based ``[seg_lo, seg_lo + len(seq))``.
    seg_lo
        Where ``seq`` starts.
    contig_lo, contig_hi
        The genomic 0-based half-open span of the contig that holds ``seq`` (``Contig.offset`` and
        ``offset + length``): reads outside it are ``None`` to the Python code.
    alone
        Whether this contig is the only one of its chromosome in the reference; when it is not,
        pure indels are flagged unsupported (``Reference.covers`` might pick another contig).
    """

    seq: bytes
    seg_lo: int
    contig_lo: int
    contig_hi: int
    alone: bool = True

    @property
    def seg_hi(self) -> int:
        return self.seg_lo + len(self.seq)

    @classmethod
    def of(cls, reference: Reference, chrom: str, start0: int, end: int) -> Genome | None:
        """The bases of ``chrom`` over genomic ``[start0, end)`` (clipped to the contig).

        The contig is the first of ``chrom`` that overlaps the span (else its first); ``None``
        when the reference has no sequence for ``chrom`` (then no change is shifted and no
        duplication found, as with no reference at all).
        """
        contigs = reference.contigs.get(chrom, [])
        if not contigs:
            return None
        contig = next((c for c in contigs if c.offset < end and start0 < c.offset + c.length), contigs[0])
        lo = min(max(start0, contig.offset), contig.offset + contig.length)
        hi = max(min(end, contig.offset + contig.length), lo)
        seq = reference.fetch(chrom, lo, hi) if hi > lo else ""
        if seq is None:  # cannot happen: [lo, hi) lies in the contig
            raise RuntimeError(f"the reference did not give {chrom}:{lo}-{hi} of contig {contig.name}")
        return cls(
            seq.encode("ascii"), lo, contig.offset, contig.offset + contig.length, alone=len(contigs) == 1
        )


@dataclass(frozen=True)
class Out:
    """The consequences of n changes on one transcript; row ``i`` is change ``i``.

    Rows where ``present`` is False (the change lies beyond ``FLANK``, where
    ``Annotator.consequence`` returns ``None``) or ``unsupported`` is True hold no values.

    Attributes
    ----------
    present
        bool: the Python code returns a :class:`Result`.
    unsupported
        bool: the C code left the change to the Python code (see the module docstring).
    mask
        uint64: bit ``i`` set for term ``so.TERMS[i][0]`` in ``Result.terms``.
    distance, protein_position, codon_index
        int64, −1 for ``None``.
    hgvs_c, hgvs_p, exon, intron, aa_ref, aa_alt
        Arrow strings, null for ``None``.
    sequence_available
        bool: ``Result.sequence_available``.
    """

    present: BOOL
    unsupported: BOOL
    mask: npt.NDArray[np.uint64]
    distance: I64
    hgvs_c: pa.StringArray
    hgvs_p: pa.StringArray
    exon: pa.StringArray
    intron: pa.StringArray
    aa_ref: pa.StringArray
    aa_alt: pa.StringArray
    protein_position: I64
    codon_index: I64
    sequence_available: BOOL

    def __len__(self) -> int:
        return len(self.present)

    def terms(self, i: int) -> set[str]:
        """The terms of change ``i`` as ``Result.terms`` holds them."""
        m = int(self.mask[i])
        return {name for b, (name, _, _) in enumerate(so.TERMS) if m >> b & 1}


def _string_parts(values: pa.Array | pa.ChunkedArray, name: str, n: int) -> tuple[npt.NDArray[np.int32], Any]:
    """int32 offsets (``n + 1``) and the data buffer of an Arrow string column without nulls."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        raise TypeError(f"{name} must be a pyarrow string array, got {type(values).__name__}")
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise TypeError(f"{name} must be a pyarrow string array, got an array of type {values.type}")
    if len(values) != n:
        raise ValueError(f"{name} holds {len(values)} values for {n} start positions; give one per change")
    if values.null_count:
        raise ValueError(f"{name} must not hold nulls (give '' for no bases); {values.null_count} are null")
    if pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    _validity, offsets_buf, data_buf = values.buffers()
    offsets = np.frombuffer(offsets_buf, np.int32, n + 1, values.offset * 4) if n else np.zeros(1, np.int32)
    return offsets, data_buf if data_buf is not None else b""


def _column(parts: tuple[bytes, bytes, bytes, int], n: int) -> pa.StringArray:
    offsets, data, valid, nulls = parts
    buffers = [pa.py_buffer(valid) if nulls else None, pa.py_buffer(offsets), pa.py_buffer(data)]
    array = pa.StringArray.from_buffers(n, buffers[1], buffers[2], buffers[0], nulls)
    return array


def consequences(
    model: TranscriptModel,
    genome: Genome | None,
    start: npt.ArrayLike,
    dele: pa.Array | pa.ChunkedArray,
    ins: pa.Array | pa.ChunkedArray,
) -> Out:
    """``Annotator.consequence(tx, chrom, Change(start[i], dele[i], ins[i]))`` for every ``i``.

    Parameters
    ----------
    model
        The transcript, from :meth:`TranscriptModel.of`.
    genome
        The reference bases around the transcript, ``Genome.of(reference, chrom, lo, hi)``
        (only indels inside the transcript read them: its span widened on each side by
        ``SHIFT_WINDOW`` plus the longest deleted or inserted sequence is enough; an indel that
        needs more is flagged unsupported), or ``None`` for an annotator without reference.
    start
        1-based ``Change.start`` of each change (int64).
    dele, ins
        Deleted and inserted bases (Arrow strings, ``''`` for none), trimmed as
        ``Change.from_vcf`` leaves them: SNVs, MNVs, insertions, deletions and delins.

    Returns
    -------
    Out
        One row per change.

    Raises
    ------
    RuntimeError
        The C extension is not built or is turned off (:data:`HAVE_C` is False).
    TypeError, ValueError
        The inputs do not have the types or lengths described.
    """
    if _csq is None or not HAVE_C:
        why = "is not built" if _csq is None else f"is turned off by {NO_C_KERNELS_ENV}"
        raise RuntimeError(
            f"the C extension genopath.annotation._csq {why}; use Annotator.consequence (check csq_kernel.HAVE_C)"
        )
    pos = np.ascontiguousarray(start, np.int64)
    if pos.ndim != 1:
        raise ValueError(f"start must be one-dimensional, got {pos.ndim} dimensions")
    n = len(pos)
    del_off, del_data = _string_parts(dele, "dele", n)
    ins_off, ins_data = _string_parts(ins, "ins", n)
    present = np.zeros(n, np.bool_)
    unsupported = np.zeros(n, np.bool_)
    mask = np.zeros(n, np.uint64)
    distance = np.zeros(n, np.int64)
    protein_position = np.zeros(n, np.int64)
    codon_index = np.zeros(n, np.int64)
    sequence_available = np.zeros(n, np.bool_)
    if model.malformed is not None:
        unsupported[:] = True
        distance[:] = protein_position[:] = codon_index[:] = -1
        nulls = pa.nulls(n, pa.string())
        return Out(present, unsupported, mask, distance, nulls, nulls, nulls, nulls, nulls, nulls,
                   protein_position, codon_index, sequence_available)  # fmt: skip
    g = genome
    columns = _csq.consequences(
        model.strand, model.starts, model.ends, model.cum, model.coding,
        model.cds_start0, model.cds_end, model.cds_cdna_start, model.cds_cdna_end,
        model.mrna, model.cds0, model.protein,
        g.seq if g is not None else None, g.seg_lo if g is not None else 0,
        g.contig_lo if g is not None else 0, g.contig_hi if g is not None else 0,
        g.alone if g is not None else True,
        _BITS, pos, del_off, del_data, ins_off, ins_data,
        present.view(np.uint8), mask, distance, protein_position, codon_index,
        sequence_available.view(np.uint8), unsupported.view(np.uint8),
    )  # fmt: skip
    hgvs_c, hgvs_p, exon, intron, aa_ref, aa_alt = (_column(c, n) for c in columns)
    return Out(
        present=present,
        unsupported=unsupported,
        mask=mask,
        distance=distance,
        hgvs_c=hgvs_c,
        hgvs_p=hgvs_p,
        exon=exon,
        intron=intron,
        aa_ref=aa_ref,
        aa_alt=aa_alt,
        protein_position=protein_position,
        codon_index=codon_index,
        sequence_available=sequence_available,
    )
