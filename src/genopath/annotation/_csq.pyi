# Type stub of the optional C extension built from _csq.c (see genopath.annotation.csq_kernel).
from typing import Any

import numpy.typing as npt
from typing_extensions import Buffer

# numpy arrays are buffers, but numpy's stubs declare __buffer__ only from Python 3.12 on.
_Buf = Buffer | npt.NDArray[Any]

#: The terms the kernel gives, in the order of the ``bits`` argument of :func:`consequences`.
TERM_NAMES: tuple[str, ...]
#: Constants shared with consequence.py and transcripts.py.
FLANK: int
SHIFT_WINDOW: int
SPLICE_SITE: int
SPLICE_REGION_EXON: int
SPLICE_REGION_INTRON: int

#: One string column: int32 offsets, data, validity bitmap (bytes) and the null count.
_Column = tuple[bytes, bytes, bytes, int]

def consequences(
    strand: int,
    starts: _Buf,
    ends: _Buf,
    cum: _Buf,
    coding: bool,
    cds_start0: int,
    cds_end: int,
    cds_cdna_start: int,
    cds_cdna_end: int,
    mrna: _Buf | None,
    cds0: int,
    protein: _Buf | None,
    genome: _Buf | None,
    seg_lo: int,
    contig_lo: int,
    contig_hi: int,
    alone: bool,
    bits: _Buf,
    start: _Buf,
    del_offsets: _Buf,
    del_data: _Buf,
    ins_offsets: _Buf,
    ins_data: _Buf,
    present: _Buf,
    mask: _Buf,
    distance: _Buf,
    protein_position: _Buf,
    codon_index: _Buf,
    sequence_available: _Buf,
    unsupported: _Buf,
    /,
) -> tuple[_Column, _Column, _Column, _Column, _Column, _Column]: ...
def translate(seq: _Buf, to_stop: bool = False, /) -> bytes: ...
def normalise(
    genome: _Buf | None,
    seg_lo: int,
    contig_lo: int,
    contig_hi: int,
    pos: _Buf,
    ref_offsets: _Buf,
    ref_data: _Buf,
    alt_offsets: _Buf,
    alt_data: _Buf,
    python: _Buf,
    mismatch: _Buf,
    key_pos: _Buf,
    start: _Buf,
    /,
) -> tuple[_Column, _Column, _Column, _Column]: ...
def classify_alts(alt_offsets: _Buf, alt_data: _Buf, kind: _Buf, /) -> None: ...
def distinct(
    group: _Buf,
    order: _Buf,
    ref_offsets: _Buf,
    ref_data: _Buf,
    alt_offsets: _Buf,
    alt_data: _Buf,
    occurrence: _Buf,
    keep: _Buf,
    /,
) -> None: ...

#: A transcript for :func:`consequences_best`: the first twelve arguments of
#: :func:`consequences` and whether the transcript is malformed.
_Model = tuple[int, _Buf, _Buf, _Buf, bool, int, int, int, int, _Buf | None, int, _Buf | None, bool]

def consequences_best(
    models: list[_Model],
    lo: _Buf,
    hi: _Buf,
    rank: _Buf,
    gene: _Buf,
    genome: _Buf | None,
    seg_lo: int,
    contig_lo: int,
    contig_hi: int,
    alone: bool,
    bits: _Buf,
    start: _Buf,
    del_offsets: _Buf,
    del_data: _Buf,
    ins_offsets: _Buf,
    ins_data: _Buf,
    present: _Buf,
    tx: _Buf,
    mask: _Buf,
    distance: _Buf,
    protein_position: _Buf,
    codon_index: _Buf,
    sequence_available: _Buf,
    unsupported: _Buf,
    /,
) -> tuple[_Column, _Column, _Column, _Column, _Column, _Column, bytes, bytes]: ...
