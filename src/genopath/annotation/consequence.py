"""Consequences of one variant on one transcript: Sequence Ontology terms and HGVS.

The rules follow Ensembl VEP's definitions (also used by ``bcftools csq``): splice donor and
acceptor are the first and last two intronic bases; the splice region is 1–3 exonic or 3–8
intronic bases from an internal exon boundary; up/downstream reaches 5 kb. HGVS ``c.`` is given
on the transcript with indels shifted to their most 3' position; ``p.`` is derived by
translating the reference and altered coding sequence (incl. the 3' UTR for frameshifts and
lost stops), trimmed to the changed residues, which puts repeats at their most C-terminal place.

Where the reference FASTA does not cover a transcript, the classes that need no sequence are
still given (UTR, intron, splice, frameshift/inframe from lengths) and a substitution in the
CDS is ``coding_sequence_variant``; the result is marked ``sequence_available=False``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from genopath.annotation import so
from genopath.annotation.reference import Reference
from genopath.annotation.transcripts import FLANK, Transcript

BASES = "TCAG"
_AA = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODON_TABLE: dict[str, str] = {
    a + b + c: _AA[16 * i + 4 * j + k]
    for i, a in enumerate(BASES)
    for j, b in enumerate(BASES)
    for k, c in enumerate(BASES)
}
THREE_LETTER = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly",
    "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser",
    "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Xaa", "U": "Sec",
}  # fmt: skip
_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")

SPLICE_SITE = 2
SPLICE_REGION_EXON = 3
SPLICE_REGION_INTRON = 8
#: Bases fetched either side of a variant for 3' shifting.
SHIFT_WINDOW = 300


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


def translate(seq: str, to_stop: bool = False) -> str:
    """Translate whole codons; unknown codons (with N) give ``X``."""
    out = []
    for i in range(0, len(seq) - 2, 3):
        aa = CODON_TABLE.get(seq[i : i + 3], "X")
        out.append(aa)
        if to_stop and aa == "*":
            break
    return "".join(out)


def aa3(seq: str) -> str:
    return "".join(THREE_LETTER.get(a, "Xaa") for a in seq)


@dataclass(frozen=True, slots=True)
class Change:
    """A variant reduced to its changed bases: ``dele`` at 1-based ``start`` replaced by ``ins``.

    For a pure insertion ``dele`` is empty and the insertion lies between ``start - 1`` and
    ``start``. ``end`` is the last deleted base (``start - 1`` for an insertion).
    """

    start: int
    dele: str
    ins: str

    @property
    def end(self) -> int:
        return self.start + len(self.dele) - 1

    @property
    def is_insertion(self) -> bool:
        return not self.dele

    @property
    def length_change(self) -> int:
        return len(self.ins) - len(self.dele)

    @classmethod
    def from_vcf(cls, pos: int, ref: str, alt: str) -> Change:
        """Trim the shared suffix, then the shared prefix (VCF alleles are left-anchored)."""
        r, a = ref.upper(), alt.upper()
        while len(r) > 0 and len(a) > 0 and r[-1] == a[-1]:
            r, a = r[:-1], a[:-1]
        k = 0
        while k < len(r) and k < len(a) and r[k] == a[k]:
            k += 1
        return cls(pos + k, r[k:], a[k:])


@dataclass(slots=True)
class Result:
    """The consequence of one variant on one transcript."""

    transcript: Transcript
    terms: set[str] = field(default_factory=set)
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    exon: str | None = None
    intron: str | None = None
    protein_position: int | None = None
    codon_index: int | None = None
    aa_ref: str | None = None
    aa_alt: str | None = None
    distance: int | None = None
    sequence_available: bool = True

    @property
    def consequences(self) -> tuple[str, ...]:
        return so.sort_terms(self.terms)


class TranscriptSequences:
    """Spliced transcript sequences (transcript orientation), cached, from a reference."""

    def __init__(self, reference: Reference | None) -> None:
        self.reference = reference
        self._cache: dict[str, tuple[str, int] | None] = {}

    def mrna(self, tx: Transcript) -> tuple[str, int] | None:
        """``(mRNA sequence, index of the CDS start in it)`` or ``None`` without sequence."""
        if tx.transcript_id in self._cache:
            return self._cache[tx.transcript_id]
        value: tuple[str, int] | None = None
        if self.reference is not None and tx.coding:
            span = self.reference.fetch(tx.chrom, tx.tx_start0, tx.tx_end)
            if span is not None:
                parts = [span[s - tx.tx_start0 : e - tx.tx_start0] for s, e in tx.exons]
                seq = "".join(parts)
                if tx.strand < 0:
                    seq = revcomp(seq)
                value = (seq, tx.cds_cdna_start - 1)
        self._cache[tx.transcript_id] = value
        return value


def shift(reference: Reference | None, chrom: str, change: Change, direction: int) -> Change:
    """Move an indel as far as it goes in ``direction`` (+1 right, −1 left) along the genome."""
    if reference is None or (change.dele and change.ins) or not (change.dele or change.ins):
        return change
    contig = reference.covers(chrom, max(0, change.start - 2), max(change.end, change.start))
    if contig is None:
        return change
    # the window stops at the edges of the sequence that holds the variant
    lo = max(contig.offset, change.start - 1 - SHIFT_WINDOW)
    hi = min(contig.offset + contig.length, change.end + SHIFT_WINDOW)
    window = reference.fetch(chrom, lo, hi)
    if window is None:
        return change
    seq = change.dele or change.ins
    is_del = bool(change.dele)
    start = change.start  # 1-based first deleted base / base after the insertion point
    if direction > 0:
        # the base after the event (deletion: after its end; insertion: at start) must equal seq[0]
        while True:
            nxt = (start + len(seq) - 1 if is_del else start - 1) - lo  # 0-based index in window
            if nxt < 0 or nxt >= len(window) or window[nxt] != seq[0]:
                break
            seq = seq[1:] + seq[0]
            start += 1
    else:
        while True:
            prv = start - 2 - lo
            if prv < 0 or prv >= len(window) or window[prv] != seq[-1]:
                break
            seq = seq[-1] + seq[:-1]
            start -= 1
    return Change(start, seq, "") if is_del else Change(start, "", seq)


def _in_span(lo: int, hi: int, a: int, b: int) -> bool:
    """Does ``[lo, hi]`` overlap ``[a, b]`` (1-based, inclusive)?"""
    return lo <= b and a <= hi


def describe_protein(
    ref_p: str, alt_p: str, length_change: int, span: tuple[int, int], start: bool, res: Result
) -> None:
    """Terms, HGVS ``p.`` and residues of an altered protein ``alt_p`` against ``ref_p``.

    ``span`` is the 0-based CDS index range the change covers (``(k, k - 1)`` for an insertion
    before index ``k``); ``start`` says whether it touches the start codon. ``alt_p`` is the
    reference protein up to the first affected codon followed by the translation that
    :meth:`Annotator._protein` builds (to the first stop).
    """
    n_ref = len(ref_p)
    frameshift = length_change % 3 != 0
    a0 = span[0] // 3
    a1 = max(a0, span[1] // 3) if span[1] >= span[0] else a0
    k = a0
    while k < len(alt_p) and k < n_ref and alt_p[k] == ref_p[k]:
        k += 1
    if start and (not alt_p or alt_p[0] != "M"):
        res.terms.add("start_lost")
        res.hgvs_p = "p.Met1?"
        res.aa_ref, res.aa_alt = "M", alt_p[:1] or "?"
        if frameshift:
            res.terms.add("frameshift_variant")
        return
    if frameshift:
        res.terms.add("frameshift_variant")
        if k >= n_ref:  # nothing changed before the stop (cannot really happen)
            return
        res.protein_position = k + 1
        res.aa_ref = ref_p[k]
        if k < len(alt_p) and alt_p[k] == "*":
            res.aa_alt = "*"
            res.hgvs_p = f"p.{aa3(ref_p[k])}{k + 1}Ter"
            if ref_p[k] == "*":
                res.hgvs_p = f"p.Ter{k + 1}="
            return
        if ref_p[k] == "*":
            res.terms.add("stop_lost")
            ext = f"Ter{len(alt_p) - k - 1}" if alt_p.endswith("*") else "Ter?"
            res.aa_alt = alt_p[k] if k < len(alt_p) else "?"
            res.hgvs_p = f"p.Ter{k + 1}{aa3(res.aa_alt)}ext{ext}"
            return
        res.aa_alt = alt_p[k] if k < len(alt_p) else "?"
        n = f"{len(alt_p) - k}" if alt_p.endswith("*") else "?"
        res.hgvs_p = f"p.{aa3(ref_p[k])}{k + 1}{aa3(res.aa_alt)}fsTer{n}"
        return
    # in frame
    if k == min(len(alt_p), n_ref) and len(alt_p) == n_ref:
        # protein unchanged
        pos = span[0] // 3 + 1
        pos = min(pos, n_ref)
        aa = ref_p[pos - 1]
        res.protein_position = pos
        res.aa_ref = res.aa_alt = aa
        if length_change == 0:
            res.terms.add("stop_retained_variant" if aa == "*" else "synonymous_variant")
            res.hgvs_p = f"p.{aa3(aa)}{pos}="
        else:
            res.terms.add("inframe_insertion" if length_change > 0 else "inframe_deletion")
            res.hgvs_p = f"p.{aa3(aa)}{pos}="
        return
    res.protein_position = k + 1
    if k < n_ref and ref_p[k] == "*":
        res.terms.add("stop_lost")
        res.aa_ref, res.aa_alt = "*", alt_p[k] if k < len(alt_p) else "?"
        ext = f"Ter{len(alt_p) - k - 1}" if alt_p.endswith("*") else "Ter?"
        res.hgvs_p = f"p.Ter{k + 1}{aa3(res.aa_alt)}ext{ext}"
        return
    # premature stop inside the changed segment
    expected = n_ref + length_change // 3
    j = alt_p.find("*", k)
    if alt_p.endswith("*") and len(alt_p) < expected and 0 <= j < n_ref:
        # is the stop within what the variant changed, not a reading through?
        res.terms.add("stop_gained")
        res.aa_ref = ref_p[k]
        res.aa_alt = "*"
        if j == k:
            res.hgvs_p = f"p.{aa3(ref_p[k])}{k + 1}Ter"
        else:
            res.hgvs_p = f"p.{aa3(ref_p[k])}{k + 1}_{aa3(ref_p[j])}{j + 1}delins{aa3(alt_p[k : j + 1])}"
        if length_change > 0:
            res.terms.add("inframe_insertion")
        elif length_change < 0:
            res.terms.add("inframe_deletion")
        return
    # trim the common suffix (both end with the stop); what follows the change is shared
    shared = max(0, min(n_ref - (a1 + 1), n_ref - k, len(alt_p) - k))
    r_end, a_end = n_ref - shared, len(alt_p) - shared
    while r_end > k and a_end > k and ref_p[r_end - 1] == alt_p[a_end - 1]:
        r_end -= 1
        a_end -= 1
    rseg, aseg = ref_p[k:r_end], alt_p[k:a_end]
    res.aa_ref, res.aa_alt = rseg or "-", aseg or "-"
    if length_change == 0:
        # VEP: a changed residue sequence of preserved length is missense, however many residues
        res.terms.add("missense_variant" if len(rseg) == len(aseg) else "protein_altering_variant")
    elif length_change > 0:
        res.terms.add("inframe_insertion")
    else:
        res.terms.add("inframe_deletion")
    if len(rseg) == 1 and len(aseg) == 1:
        res.hgvs_p = f"p.{aa3(rseg)}{k + 1}{aa3(aseg)}"
    elif not aseg:
        res.hgvs_p = (
            f"p.{aa3(rseg)}{k + 1}del"
            if len(rseg) == 1
            else f"p.{aa3(rseg[0])}{k + 1}_{aa3(rseg[-1])}{k + len(rseg)}del"
        )
    elif not rseg:
        m = len(aseg)
        if k >= n_ref:  # residues after the last one: a CDS without its stop codon (malformed)
            res.protein_position = n_ref
            res.hgvs_p = "p.?"  # HGVS: the effect on the protein cannot be predicted
        elif k - m >= 0 and ref_p[k - m : k] == aseg:
            res.protein_position = k - m + 1
            res.hgvs_p = (
                f"p.{aa3(aseg)}{k}dup" if m == 1 else f"p.{aa3(aseg[0])}{k - m + 1}_{aa3(aseg[-1])}{k}dup"
            )
        else:
            res.protein_position = k
            res.hgvs_p = f"p.{aa3(ref_p[k - 1])}{k}_{aa3(ref_p[k])}{k + 1}ins{aa3(aseg)}"
    else:
        rng = (
            f"{aa3(rseg)}{k + 1}"
            if len(rseg) == 1
            else f"{aa3(rseg[0])}{k + 1}_{aa3(rseg[-1])}{k + len(rseg)}"
        )
        res.hgvs_p = f"p.{rng}delins{aa3(aseg)}"


class Annotator:
    """Consequences of variants on transcripts, with sequence from an optional reference."""

    def __init__(self, reference: Reference | None) -> None:
        self.reference = reference
        self.sequences = TranscriptSequences(reference)
        self._proteins: dict[str, str] = {}

    # -- region classes --------------------------------------------------------------------
    def consequence(self, tx: Transcript, chrom: str, change: Change) -> Result | None:
        """The consequence on ``tx``, or ``None`` when the variant is farther than 5 kb."""
        lo, hi = change.start, change.end
        if change.is_insertion:
            lo, hi = change.start - 1, change.start  # the two flanking bases
        res = Result(tx)
        first, last = tx.tx_start0 + 1, tx.tx_end
        if hi < first or lo > last or (change.is_insertion and (hi == first or lo == last)):
            distance = first - hi if hi <= first else lo - last
            if distance > FLANK:
                return None
            before = hi <= first
            res.terms.add("upstream_gene_variant" if before == (tx.strand > 0) else "downstream_gene_variant")
            res.distance = distance
            return res
        self._splice_and_structure(tx, change, lo, hi, res)
        if tx.coding:
            self._coding(tx, chrom, change, lo, hi, res)
        res.terms.discard("exon")
        if not tx.coding and res.exon is not None:
            res.terms.add("non_coding_transcript_exon_variant")
        self._hgvs_c(tx, chrom, change, res)
        if not res.terms:
            res.terms.add("coding_transcript_variant" if tx.coding else "non_coding_transcript_variant")
        return res

    def _splice_and_structure(self, tx: Transcript, change: Change, lo: int, hi: int, res: Result) -> None:
        ins = change.is_insertion
        exons = tx.exons
        n = len(exons)
        touched_exons: list[int] = []
        touched_introns: list[int] = []
        # only the exons whose boundaries lie within reach of the change can matter
        first = max(0, bisect.bisect_right(tx.exon_starts, lo - SPLICE_REGION_INTRON - 2) - 1)
        last = min(n, bisect.bisect_right(tx.exon_starts, hi + SPLICE_REGION_INTRON + 1) + 1)
        for i in range(first, last):
            s0, e = exons[i]
            if ins:
                if s0 + 1 <= lo and hi <= e:
                    touched_exons.append(i)
            elif _in_span(lo, hi, s0 + 1, e):
                touched_exons.append(i)
            if i < n - 1:
                a, b = e + 1, exons[i + 1][0]  # intron, 1-based inclusive
                if a > b:
                    continue
                if ins:
                    inside = a <= lo and hi <= b
                    if inside:
                        touched_introns.append(i)
                    # splice sites: both flanks inside the site; region: either flank
                    left_site = a <= lo and hi <= a + SPLICE_SITE - 1
                    right_site = b - SPLICE_SITE + 1 <= lo and hi <= b
                    region = (
                        _in_span(lo, hi, a + SPLICE_SITE, a + SPLICE_REGION_INTRON - 1)
                        or _in_span(lo, hi, b - SPLICE_REGION_INTRON + 1, b - SPLICE_SITE)
                        or (lo == e and hi == a)  # exon|intron junction
                        or (lo == b and hi == b + 1)
                        or (_in_span(lo, hi, e - SPLICE_REGION_EXON + 2, e) and hi <= e)
                        or (_in_span(lo, hi, b + 1, b + SPLICE_REGION_EXON - 1) and lo >= b + 1)
                    )
                else:
                    if _in_span(lo, hi, a, b):
                        touched_introns.append(i)
                    left_site = _in_span(lo, hi, a, a + SPLICE_SITE - 1)
                    right_site = _in_span(lo, hi, b - SPLICE_SITE + 1, b)
                    region = (
                        _in_span(lo, hi, a + SPLICE_SITE, a + SPLICE_REGION_INTRON - 1)
                        or _in_span(lo, hi, b - SPLICE_REGION_INTRON + 1, b - SPLICE_SITE)
                        or _in_span(lo, hi, e - SPLICE_REGION_EXON + 1, e)
                        or _in_span(lo, hi, b + 1, b + SPLICE_REGION_EXON)
                    )
                if left_site:
                    res.terms.add("splice_donor_variant" if tx.strand > 0 else "splice_acceptor_variant")
                if right_site:
                    res.terms.add("splice_acceptor_variant" if tx.strand > 0 else "splice_donor_variant")
                if region and not (left_site or right_site):
                    res.terms.add("splice_region_variant")
        if touched_exons:
            i = touched_exons[0] if tx.strand > 0 else touched_exons[-1]
            res.exon = f"{tx.tx_number(i)}/{n}"
            res.terms.add("exon")
        if touched_introns:
            i = touched_introns[0] if tx.strand > 0 else touched_introns[-1]
            res.intron = f"{tx.intron_number(i)}/{n - 1}"
            sites = {"splice_donor_variant", "splice_acceptor_variant"}
            only_sites = not ins and all(
                (exons[j][1] + 1 <= lo and hi <= exons[j][1] + SPLICE_SITE)
                or (exons[j + 1][0] - SPLICE_SITE + 1 <= lo and hi <= exons[j + 1][0])
                for j in touched_introns
            )
            if not (res.terms & sites and only_sites) and not (ins and res.terms & sites):
                res.terms.add("intron_variant")

    # -- coding ----------------------------------------------------------------------------
    def _coding(self, tx: Transcript, chrom: str, change: Change, lo: int, hi: int, res: Result) -> None:
        assert tx.cds_start0 is not None and tx.cds_end is not None
        cds_lo, cds_hi = tx.cds_start0 + 1, tx.cds_end
        if res.exon is None:
            return
        ins = change.is_insertion
        # does the change touch the CDS, and is it wholly inside coding exon sequence?
        idx = (
            [tx.cds_index(p) for p in range(lo, hi + 1)] if not ins else [tx.cds_index(lo), tx.cds_index(hi)]
        )
        in_cds = [i for i in idx if i is not None]
        exonic = [tx.cdna(p) for p in (range(lo, hi + 1) if not ins else (lo, hi))]
        if not in_cds:
            # UTR (exonic, outside the CDS)
            five = (hi < cds_lo) if tx.strand > 0 else (lo > cds_hi)
            if ins and not five:
                five = (lo < cds_lo) if tx.strand > 0 else (hi > cds_hi)
            if any(c is not None for c in exonic):
                res.terms.add("5_prime_UTR_variant" if five else "3_prime_UTR_variant")
            return
        whole = len(in_cds) == len(idx)
        first_idx, last_idx = min(in_cds), max(in_cds)
        res.codon_index = first_idx // 3
        res.protein_position = first_idx // 3 + 1
        cds_len = tx.cds_cdna_end - tx.cds_cdna_start + 1
        touches_start = first_idx < 3
        touches_stop = last_idx >= cds_len - 3
        if not whole:
            # the part outside the CDS but inside an exon is UTR (VEP: any overlap with the UTR)
            for p, c in zip(range(lo, hi + 1) if not ins else (lo, hi), idx, strict=True):
                if c is None and tx.cdna(p) is not None:
                    five = (p < cds_lo) if tx.strand > 0 else (p > cds_hi)
                    res.terms.add("5_prime_UTR_variant" if five else "3_prime_UTR_variant")
            if ins and len(in_cds) == 1:
                # insertion at the CDS edge: between the first/last coding base and UTR
                res.terms.add("5_prime_UTR_variant" if touches_start else "3_prime_UTR_variant")
                return
            if touches_start:
                res.terms.add("start_lost")
            elif touches_stop:
                res.terms.add("stop_lost")
            if change.length_change % 3 and not (res.terms & {"start_lost", "stop_lost"}):
                res.terms.add("frameshift_variant")
            res.terms.add("coding_sequence_variant")
            return
        mrna = self.sequences.mrna(tx)
        if mrna is None:
            res.sequence_available = False
            self._coding_without_sequence(change, touches_start, touches_stop, res)
            return
        seq, cds0 = mrna
        cds = seq[cds0 : cds0 + cds_len]
        tail = seq[cds0:]  # CDS + 3' UTR
        dele_tx = change.dele if tx.strand > 0 else revcomp(change.dele)
        ins_tx = change.ins if tx.strand > 0 else revcomp(change.ins)
        if ins:
            k = max(in_cds)  # tx-order index of the base after the insertion point
            alt_tail = tail[:k] + ins_tx + tail[k:]
            span = (k, k - 1)
        else:
            i0, i1 = first_idx, last_idx
            if tail[i0 : i1 + 1] != dele_tx:
                res.sequence_available = False
                self._coding_without_sequence(change, touches_start, touches_stop, res)
                return
            alt_tail = tail[:i0] + ins_tx + tail[i1 + 1 :]
            span = (i0, i1)
        self._protein(cds, alt_tail, change, span, touches_start, touches_stop, res)

    @staticmethod
    def _coding_without_sequence(change: Change, start: bool, stop: bool, res: Result) -> None:
        if change.length_change % 3:
            res.terms.add("frameshift_variant")
        elif change.length_change > 0:
            res.terms.add("inframe_insertion")
        elif change.length_change < 0:
            res.terms.add("inframe_deletion")
        else:
            res.terms.add("coding_sequence_variant")
        if start:
            res.terms.add("start_lost")
        if stop and change.length_change == 0:
            res.terms.add("coding_sequence_variant")

    def _protein(
        self,
        cds: str,
        alt_tail: str,
        change: Change,
        span: tuple[int, int],
        start: bool,
        stop: bool,
        res: Result,
    ) -> None:
        ref_p = self._proteins.get(cds)
        if ref_p is None:
            ref_p = self._proteins[cds] = translate(cds)  # ends with '*'
        n_ref = len(ref_p)
        frameshift = change.length_change % 3 != 0
        # Translate only what the change can alter: the affected codons in frame, or from the
        # first affected codon to the next stop after a frameshift or a lost stop.
        a0 = span[0] // 3
        a1 = max(a0, span[1] // 3) if span[1] >= span[0] else a0
        local_end = (a1 + 1) * 3 + change.length_change
        local = translate(alt_tail[a0 * 3 : local_end], to_stop=True) if not frameshift else ""
        if frameshift or (a1 >= n_ref - 1 and "*" not in local):
            alt_p = ref_p[:a0] + translate(alt_tail[a0 * 3 :], to_stop=True)
        elif "*" in local:
            alt_p = ref_p[:a0] + local
        else:
            alt_p = ref_p[:a0] + local + ref_p[a1 + 1 :]
        describe_protein(ref_p, alt_p, change.length_change, span, start, res)

    # -- HGVS c. ---------------------------------------------------------------------------
    def _hgvs_c(self, tx: Transcript, chrom: str, change: Change, res: Result) -> None:
        if res.distance is not None:
            return
        prefix = "c." if tx.coding else "n."
        plus = tx.strand > 0
        if change.dele and change.ins:
            c1 = tx.c_position(change.start if plus else change.end)
            c2 = tx.c_position(change.end if plus else change.start)
            if c1 is None or c2 is None:
                return
            d = change.dele if plus else revcomp(change.dele)
            a = change.ins if plus else revcomp(change.ins)
            if len(d) == 1 and len(a) == 1:
                res.hgvs_c = f"{prefix}{c1}{d}>{a}"
            else:
                rng = c1 if c1 == c2 else f"{c1}_{c2}"
                res.hgvs_c = f"{prefix}{rng}delins{a}"
            return
        shifted = shift(self.reference, chrom, change, 1 if plus else -1)
        if shifted.dele:
            c1 = tx.c_position(shifted.start if plus else shifted.end)
            c2 = tx.c_position(shifted.end if plus else shifted.start)
            if c1 is None or c2 is None:
                return
            res.hgvs_c = f"{prefix}{c1}del" if c1 == c2 else f"{prefix}{c1}_{c2}del"
            return
        ins = shifted.ins
        n = len(ins)
        before = None
        if self.reference is not None:
            if plus:
                before = self.reference.fetch(chrom, shifted.start - 1 - n, shifted.start - 1)
            else:
                before = self.reference.fetch(chrom, shifted.start - 1, shifted.start - 1 + n)
        if before is not None and before == ins:
            # a duplication of the bases 5' of the insertion point (transcript orientation)
            lo_g, hi_g = (
                (shifted.start - n, shifted.start - 1) if plus else (shifted.start, shifted.start + n - 1)
            )
            c1 = tx.c_position(lo_g if plus else hi_g)
            c2 = tx.c_position(hi_g if plus else lo_g)
            if c1 is None or c2 is None:
                return
            res.hgvs_c = f"{prefix}{c1}dup" if c1 == c2 else f"{prefix}{c1}_{c2}dup"
            return
        left_g, right_g = shifted.start - 1, shifted.start
        c1 = tx.c_position(left_g if plus else right_g)
        c2 = tx.c_position(right_g if plus else left_g)
        if c1 is None or c2 is None:
            return
        res.hgvs_c = f"{prefix}{c1}_{c2}ins{ins if plus else revcomp(ins)}"
