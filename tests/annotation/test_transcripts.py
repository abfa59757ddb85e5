"""Transcript coordinate mapping: cDNA/genomic, HGVS c. positions, exon/intron numbering.

Expectations are hand-computed, or (for the property tests) come from a naive model written
here: the list of exonic genomic positions in transcript order.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.annotation import transcripts
from genopath.annotation.transcripts import Transcript


def _row(tid, strand, n, s0, e, cds, chrom="chr5"):
    return {
        "chrom": chrom,
        "exon_start0": s0,
        "exon_end": e,
        "strand": strand,
        "exon_number": n,
        "cds_start0": cds[0] if cds else ".",
        "cds_end": cds[1] if cds else ".",
        "gene_symbol": "G" + tid,
        "hgnc_id": "HGNC:1",
        "ensembl_gene": "ENSG_" + tid,
        "ensembl_transcript": tid,
        "refseq_transcript": "NM_" + tid,
        "ensembl_protein": "ENSP_" + tid,
        "refseq_protein": "NP_" + tid,
        "mane_status": "MANE Select",
    }


# The same layouts as in test_consequence.py:
# TXP (+): exons 10101-10140, 10202-10231, 10292-10341; CDS 10110..10311 (c.1..c.81)
# TXM (−): exons 10401-10440, 10501-10530, 10592-10631; CDS 10622..10421 (c.1..c.81)
ROWS = [
    _row("TXP", "+", 1, 10100, 10140, (10109, 10140)),
    _row("TXP", "+", 2, 10201, 10231, (10201, 10231)),
    _row("TXP", "+", 3, 10291, 10341, (10291, 10311)),
    # − strand rows deliberately not in genomic order
    _row("TXM", "-", 2, 10500, 10530, (10500, 10530)),
    _row("TXM", "-", 1, 10591, 10631, (10591, 10622)),
    _row("TXM", "-", 3, 10400, 10440, (10420, 10440)),
    _row("TXN", "+", 1, 500, 520, None, chrom="7"),
    _row("TXN", "+", 2, 530, 560, None, chrom="7"),
]
INDEX = transcripts.from_rows(ROWS)
TXP = INDEX.by_id["TXP"]
TXM = INDEX.by_id["TXM"]
TXN = INDEX.by_id["TXN"]


def test_from_rows_fields():
    assert (TXP.strand, TXP.chrom, TXP.exon_count, TXP.cdna_length) == (1, "chr5", 3, 120)
    assert (TXP.cds_start0, TXP.cds_end, TXP.cds_cdna_start, TXP.cds_cdna_end) == (10109, 10311, 10, 90)
    assert (TXM.strand, TXM.exon_count, TXM.cdna_length) == (-1, 3, 110)
    assert (TXM.cds_start0, TXM.cds_end, TXM.cds_cdna_start, TXM.cds_cdna_end) == (10420, 10622, 10, 90)
    assert TXM.exons == [(10400, 10440), (10500, 10530), (10591, 10631)]
    assert (TXM.tx_start0, TXM.tx_end) == (10400, 10631)
    assert TXP.gene_id == "ENSG_TXP" and TXP.protein_id == "ENSP_TXP" and TXP.refseq_transcript == "NM_TXP"
    assert TXN.chrom == "chr7" and not TXN.coding and TXN.cds_start0 is None
    assert len(INDEX) == 3


def test_cdna_hand_computed():
    # + strand
    assert [TXP.cdna(p) for p in (10101, 10140, 10202, 10231, 10292, 10341)] == [1, 40, 41, 70, 71, 120]
    assert [TXP.cdna(p) for p in (10100, 10141, 10201, 10232, 10291, 10342)] == [None] * 6
    # − strand: transcript exon 1 is 10631..10592
    assert [TXM.cdna(p) for p in (10631, 10592, 10530, 10501, 10440, 10401)] == [1, 40, 41, 70, 71, 110]
    assert [TXM.cdna(p) for p in (10632, 10591, 10531, 10500, 10441, 10400)] == [None] * 6
    assert [TXM.genomic(c) for c in (1, 40, 41, 70, 71, 110)] == [10631, 10592, 10530, 10501, 10440, 10401]


def test_c_position_exonic():
    got = [TXP.c_position(p) for p in (10101, 10109, 10110, 10140, 10202, 10231, 10292, 10311, 10312, 10341)]
    assert got == ["-9", "-1", "1", "31", "32", "61", "62", "81", "*1", "*30"]
    got = [TXM.c_position(p) for p in (10631, 10623, 10622, 10592, 10530, 10501, 10440, 10421, 10420, 10401)]
    assert got == ["-9", "-1", "1", "31", "32", "61", "62", "81", "*1", "*20"]


def test_c_position_intronic_plus():
    # intron 1: 10141-10201 (61 bp, odd: the middle base 10171 is +31); intron 2: 10232-10291 (60 bp)
    cases = {
        10141: "31+1",
        10142: "31+2",
        10170: "31+30",
        10171: "31+31",
        10172: "32-30",
        10200: "32-2",
        10201: "32-1",
        10232: "61+1",
        10261: "61+30",
        10262: "62-30",
        10291: "62-1",
    }
    assert {p: TXP.c_position(p) for p in cases} == cases


def test_c_position_intronic_minus():
    # transcript intron 1: 10591..10531 (61 bp, middle 10561); intron 2: 10500..10441 (60 bp)
    cases = {
        10591: "31+1",
        10590: "31+2",
        10562: "31+30",
        10561: "31+31",
        10560: "32-30",
        10532: "32-2",
        10531: "32-1",
        10500: "61+1",
        10471: "61+30",
        10470: "62-30",
        10441: "62-1",
    }
    assert {p: TXM.c_position(p) for p in cases} == cases


def test_c_position_intron_in_utr():
    # an intron inside the 5' UTR: exon 1 is all UTR
    tx = transcripts.from_rows(
        [_row("U", "+", 1, 100, 110, None), _row("U", "+", 2, 120, 150, (125, 150))]
    ).by_id["U"]
    # cDNA: 101-110 → 1-10, 121-150 → 11-40; c.1 = 126 = cDNA 16
    assert tx.c_position(101) == "-15"
    assert tx.c_position(110) == "-6"
    assert tx.c_position(111) == "-6+1"
    assert tx.c_position(120) == "-5-1"
    assert tx.c_position(121) == "-5"
    assert tx.c_position(126) == "1"


def test_c_position_outside_and_non_coding():
    assert TXP.c_position(10100) is None and TXP.c_position(10342) is None
    assert TXM.c_position(10400) is None and TXM.c_position(10632) is None
    # non-coding: n. numbering is the cDNA position
    assert [TXN.c_position(p) for p in (501, 520, 521, 525, 526, 530, 531, 560)] == [
        "1",
        "20",
        "20+1",
        "20+5",
        "21-5",
        "21-1",
        "21",
        "50",
    ]


def test_exon_and_intron_numbers():
    # genomic-order index → transcript-order number
    assert [TXP.tx_number(i) for i in range(3)] == [1, 2, 3]
    assert [TXM.tx_number(i) for i in range(3)] == [3, 2, 1]
    assert [TXP.intron_number(i) for i in range(2)] == [1, 2]
    assert [TXM.intron_number(i) for i in range(2)] == [2, 1]
    assert [TXM.exon_index(p) for p in (10401, 10440, 10441, 10501, 10631, 10632)] == [0, 0, None, 1, 2, None]
    assert [TXM.intron_index(p) for p in (10440, 10441, 10500, 10501, 10531, 10591, 10592)] == [
        None,
        0,
        0,
        None,
        1,
        1,
        None,
    ]


def test_cds_index_and_segments():
    assert [TXP.cds_index(p) for p in (10109, 10110, 10140, 10202, 10311, 10312)] == [
        None,
        0,
        30,
        31,
        80,
        None,
    ]
    assert [TXM.cds_index(p) for p in (10623, 10622, 10592, 10530, 10421, 10420)] == [
        None,
        0,
        30,
        31,
        80,
        None,
    ]
    assert TXP.cds_segments() == [(10109, 10140), (10201, 10231), (10291, 10311)]
    assert TXM.cds_segments() == [(10420, 10440), (10500, 10530), (10591, 10622)]
    assert TXN.cds_segments() == [] and TXN.cds_index(505) is None


def test_index_near():
    assert [t.transcript_id for t in INDEX.near("chr5", 10000, 10000)] == ["TXP", "TXM"]
    assert [t.transcript_id for t in INDEX.near("chr5", 15632, 15700)] == []
    assert [t.transcript_id for t in INDEX.near("chr5", 15631, 15700)] == ["TXM"]
    assert [t.transcript_id for t in INDEX.near("chr5", 5000, 5101)] == ["TXP"]
    assert [t.transcript_id for t in INDEX.near("chr7", 1, 1, flank=0)] == []
    assert [t.transcript_id for t in INDEX.near("chr7", 560, 560, flank=0)] == ["TXN"]
    assert [t.transcript_id for t in INDEX.near("chr7", 561, 600, flank=0)] == []


# -- property tests over random transcript layouts ----------------------------------------------


@st.composite
def layouts(draw):
    n = draw(st.integers(1, 5))
    start0 = draw(st.integers(0, 1000))
    exons = []
    pos = start0
    for i in range(n):
        if i:
            pos += draw(st.integers(1, 25))  # intron length
        length = draw(st.integers(1, 25))
        exons.append((pos, pos + length))
        pos += length
    strand = draw(st.sampled_from(["+", "-"]))
    coding = draw(st.booleans())
    # the model: exonic genomic positions (1-based) in transcript order
    order = [p for s, e in exons for p in range(s + 1, e + 1)]
    if strand == "-":
        order.reverse()
    cds = None
    if coding:
        a = draw(st.integers(0, len(order) - 1))
        b = draw(st.integers(a, len(order) - 1))
        lo, hi = min(order[a], order[b]), max(order[a], order[b])
        cds = (a, b, lo - 1, hi)
    return exons, strand, order, cds


def _build(exons, strand, cds):
    rows = []
    for i, (s, e) in enumerate(exons):
        piece = None
        if cds is not None:
            a, b = max(s, cds[2]), min(e, cds[3])
            piece = (a, b) if a < b else None
        rows.append(_row("R", strand, i + 1, s, e, piece))
    return transcripts.from_rows(rows[::-1]).by_id["R"]  # row order must not matter


def _model_c(i: int, cds) -> str:
    """HGVS c. of 0-based transcript-order index ``i`` (cDNA ``i + 1``)."""
    if cds is None:
        return str(i + 1)
    a, b = cds[0], cds[1]
    if i < a:
        return f"-{a - i}"
    if i > b:
        return f"*{i - b}"
    return str(i - a + 1)


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_cdna_genomic_round_trip(layout):
    exons, strand, order, cds = layout
    tx: Transcript = _build(exons, strand, cds)
    assert tx.cdna_length == len(order)
    for i, p in enumerate(order):
        assert tx.cdna(p) == i + 1
        assert tx.genomic(i + 1) == p
        assert tx.c_position(p) == _model_c(i, cds)
    exonic = set(order)
    for p in range(exons[0][0] - 2, exons[-1][1] + 3):
        if p not in exonic:
            assert tx.cdna(p) is None


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_c_position_intronic_model(layout):
    exons, strand, order, cds = layout
    tx = _build(exons, strand, cds)
    rank = {p: i for i, p in enumerate(order)}
    for (_, e), (s_next, _) in itertools.pairwise(exons):
        left, right = e, s_next + 1  # flanking exonic bases (1-based)
        for p in range(e + 1, s_next + 1):
            up, down = (left, right) if strand == "+" else (right, left)
            d_up, d_down = abs(p - up), abs(p - down)
            # HGVS: the nearer exon; the middle base of an odd intron takes '+'
            if d_up <= d_down:
                want = f"{_model_c(rank[up], cds)}+{d_up}"
            else:
                want = f"{_model_c(rank[down], cds)}-{d_down}"
            assert tx.c_position(p) == want, (p, exons, strand)
    assert tx.c_position(exons[0][0]) is None
    assert tx.c_position(exons[-1][1] + 1) is None


@settings(max_examples=200, deadline=None)
@given(layouts(), st.data())
def test_exon_numbering_model(layout, data):
    exons, strand, order, cds = layout
    tx = _build(exons, strand, cds)
    n = len(exons)
    i = data.draw(st.integers(0, n - 1))
    s, e = exons[i]
    p = data.draw(st.integers(s + 1, e))
    assert tx.exon_index(p) == i
    assert tx.tx_number(i) == (i + 1 if strand == "+" else n - i)
    if strand == "+":
        assert order.index(p) + 1 == tx.cdna(p)
