"""Genome-wide non-coding background: millions of variants per person, built with NumPy and Arrow.

Sites are drawn chromosome by chromosome (chr1–22, in proportion to length) from a neutral
site-frequency spectrum: the minor-allele frequency is log-uniform between
:attr:`Spectrum.min_maf` and 0.5 (density ∝ 1/p, Watterson's neutral spectrum), and at a share
:attr:`Spectrum.alt_major` of sites the ALT allele is the major one (positions where the
reference genome carries the rarer allele). Each site's four founder haplotypes (father's two,
mother's two) are drawn from its frequency (Hardy–Weinberg), and only sites some founder
carries are kept, so a founder carries about ``n_per_person`` of them; children inherit them
through :class:`~genopath.simulate.families.Inheritance`. The ALT-major share is set so that a
person's heterozygous to homozygous-ALT ratio is about 1.6, as in non-African genomes
(1000 Genomes Project Consortium, Nature 2015;526:68); about 2 % of a person's variants are
rarer than 1 %.

Variant types: 87 % SNVs (transitions twice as common as transversions, Ti/Tv ≈ 2.0–2.1 in
whole genomes), 6.5 % deletions and 6.5 % insertions of 1–10 bp (geometric lengths). Positions
are uniform along the chromosome, never inside a MANE exon (coding variation is simulated
separately) nor at a position already used. REF is the reference base where the installed
``reference`` resource covers it (sites over ``N`` are dropped), else random (41 % GC).

CSQ: ``intron_variant`` with the MANE Select transcript when a site lies inside one (intron
number given), else ``intergenic_variant``; gnomAD frequencies as for ClinVar variants, with
half the sites rarer than 2·10⁻⁵ absent from gnomAD.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from genopath.annotation.reference import Reference
from genopath.annotation.transcripts import Transcript
from genopath.resources.contigs import GRCH38_LENGTHS
from genopath.simulate.families import AUTOSOMES, FounderAlleles, IntArray
from genopath.simulate.variants import CSQ_FIELDS

AUTOSOMAL_LENGTH = sum(GRCH38_LENGTHS[c] for c in AUTOSOMES)
SNV_SHARE, DELETION_SHARE = 0.87, 0.065
MAX_INDEL = 10
#: Candidate sites drawn per batch (bounds memory: ~40 bytes per candidate).
BATCH = 2_000_000
_ACGT = np.frombuffer(b"ACGT", dtype=np.uint8)
_GC = np.array([0.295, 0.205, 0.205, 0.295])
# transitions A<->G, C<->T; the two transversions of each base
_TRANSITION = np.zeros(256, dtype=np.uint8)
_TRANSVERSION = np.zeros((256, 2), dtype=np.uint8)
for _a, _b in (("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")):
    _TRANSITION[ord(_a)] = ord(_b)
for _a, _pair in (("A", "CT"), ("G", "CT"), ("C", "AG"), ("T", "AG")):
    _TRANSVERSION[ord(_a)] = [ord(_pair[0]), ord(_pair[1])]

Codes = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Spectrum:
    """The site-frequency spectrum of background sites (see module doc)."""

    min_maf: float = 5e-6  # about one allele in gnomAD v4.1's ~76,000 genomes
    max_maf: float = 0.5
    alt_major: float = 0.033
    novel_below: float = 2e-5
    novel_share: float = 0.5

    def carrier_rate(self) -> float:
        """Expected share of candidate sites at which one diploid founder carries an ALT allele."""
        a, b = self.min_maf, self.max_maf
        log = math.log(b / a)
        mean, mean_sq = (b - a) / log, (b * b - a * a) / (2 * log)
        minor = 2 * mean - mean_sq  # P(carrier) = 1 - (1 - p)^2
        major = 1 - mean_sq  # ALT frequency 1 - p: P(carrier) = 1 - p^2
        return (1 - self.alt_major) * minor + self.alt_major * major


@dataclass
class Sites:
    """Background sites of one chromosome, sorted by position."""

    alleles: FounderAlleles
    ref: pa.Array
    alt: pa.Array
    csq: pa.Array


class ChromGenes:
    """MANE Select transcripts of one chromosome: exon mask and intron lookup, vectorised."""

    def __init__(self, transcripts: Sequence[Transcript]) -> None:
        txs = sorted(transcripts, key=lambda t: (t.tx_start0, t.transcript_id))
        self.starts = np.array([t.tx_start0 for t in txs], dtype=np.int64)
        ends = np.array([t.tx_end for t in txs], dtype=np.int64)
        self.ends = ends
        # index of the transcript reaching furthest among the first i+1 (containment lookup)
        self.reach = np.zeros(len(txs), dtype=np.int64)
        for i in range(1, len(txs)):
            self.reach[i] = i if ends[i] > ends[self.reach[i - 1]] else self.reach[i - 1]
        exon_keys: list[int] = []
        offsets, counts = [0], []
        for i, t in enumerate(txs):
            exon_keys.extend((i << 32) + s for s, _ in t.exons)
            offsets.append(offsets[-1] + t.exon_count)
            counts.append(t.exon_count)
        self.exon_keys = np.array(exon_keys, dtype=np.int64)
        self.offsets = np.array(offsets[:-1], dtype=np.int64)
        self.counts = np.array(counts, dtype=np.int64)
        self.minus = np.array([t.strand < 0 for t in txs], dtype=bool)
        self.symbol = pa.array([t.gene_symbol for t in txs], pa.string())
        self.gene = pa.array([(t.gene_id or "").split(".")[0] for t in txs], pa.string())
        self.feature = pa.array([t.transcript_id for t in txs], pa.string())
        self.mane = pa.array([t.refseq_transcript for t in txs], pa.string())
        merged = _merge(sorted((s, e) for t in txs for s, e in t.exons))
        self.exon_start0 = np.array([s for s, _ in merged], dtype=np.int64)
        self.exon_end = np.array([e for _, e in merged], dtype=np.int64)

    def in_exon(self, pos: IntArray) -> npt.NDArray[np.bool_]:
        i = np.searchsorted(self.exon_start0, pos - 1, side="right") - 1
        inside = np.zeros(len(pos), dtype=bool)
        ok = i >= 0
        inside[ok] = pos[ok] <= self.exon_end[i[ok]]
        return inside

    def containing(self, pos: IntArray) -> IntArray:
        """Index of a transcript whose span holds each position, or −1."""
        out = np.full(len(pos), -1, dtype=np.int64)
        if len(self.starts) == 0:
            return out
        i = np.searchsorted(self.starts, pos - 1, side="right") - 1
        ok = i >= 0
        best = self.reach[np.maximum(i, 0)]
        hit = ok & (pos <= self.ends[best])
        out[hit] = best[hit]
        return out

    def intron_numbers(self, tx: IntArray, pos: IntArray) -> tuple[IntArray, IntArray]:
        """``(intron number, introns)`` of intronic positions in transcripts ``tx`` (VEP numbering)."""
        before = np.searchsorted(self.exon_keys, (tx << 32) + pos - 1, side="right") - self.offsets[tx]
        count = self.counts[tx]
        number = np.where(self.minus[tx], count - before, before)
        return number, count - 1


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in intervals:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


class ChromSequence:
    """Reference bases of one chromosome where the ``reference`` resource covers it."""

    def __init__(self, reference: Reference | None, chrom: str) -> None:
        self.pieces: list[tuple[int, Codes]] = []
        if reference is None:
            return
        for contig in reference.contigs.get(chrom, ()):
            seq = reference.fetch(chrom, contig.offset, contig.offset + contig.length)
            if seq is not None:
                self.pieces.append((contig.offset, np.frombuffer(seq.encode(), dtype=np.uint8)))

    def fill(self, start0: IntArray, lengths: IntArray, codes: Codes) -> npt.NDArray[np.bool_]:
        """Overwrite ``codes`` (concatenated bases of each site) with reference bases where covered.

        Returns a mask of sites whose reference bases include an ``N``.
        """
        bad = np.zeros(len(start0), dtype=bool)
        firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        for offset, seq in self.pieces:
            covered = (start0 >= offset) & (start0 + lengths <= offset + len(seq))
            if not covered.any():
                continue
            idx = np.flatnonzero(covered)
            within = np.repeat(start0[idx] - offset, lengths[idx]) + _ramp(lengths[idx])
            where = np.repeat(firsts[idx], lengths[idx]) + _ramp(lengths[idx])
            codes[where] = seq[within]
            bad[idx] = np.logical_or.reduceat(seq[within] == ord("N"), np.cumsum(lengths[idx]) - lengths[idx])
        return bad


def _ramp(lengths: IntArray) -> IntArray:
    """0, 1, …, n−1 for each length n, concatenated."""
    total = int(lengths.sum())
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - starts


def _strings(codes: Codes, lengths: IntArray) -> pa.Array:
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(codes.tobytes()))


def _random_bases(n: int, rng: np.random.Generator) -> Codes:
    return _ACGT[rng.choice(4, size=n, p=_GC)]


def noncoding_sites(
    chrom: str,
    n_per_person: int,
    rng: np.random.Generator,
    *,
    genes: ChromGenes | None,
    taken: IntArray,
    sequence: ChromSequence,
    spectrum: Spectrum = Spectrum(),
) -> Sites:
    """Background sites of ``chrom`` for a family (see module doc).

    Parameters
    ----------
    n_per_person
        Sites a founder should carry genome-wide; ``chrom`` gets its share by length.
    taken
        Positions already used by coding variants (left out).
    """
    share = GRCH38_LENGTHS[chrom] / AUTOSOMAL_LENGTH
    candidates = round(n_per_person * share / spectrum.carrier_rate())
    af, haps = _founder_haplotypes(candidates, rng, spectrum)
    pos = _positions(chrom, len(af), rng, genes, taken)
    af, haps = af[: len(pos)], haps[: len(pos)]
    kind = rng.choice(3, size=len(pos), p=[SNV_SHARE, DELETION_SHARE, 1 - SNV_SHARE - DELETION_SHARE])
    indel = np.minimum(rng.geometric(0.5, size=len(pos)), MAX_INDEL).astype(np.int64)
    ref_len = np.where(kind == 1, indel + 1, 1).astype(np.int64)
    ref_codes = _random_bases(int(ref_len.sum()), rng)
    bad = sequence.fill(pos - 1, ref_len, ref_codes)
    first = ref_codes[np.concatenate([[0], np.cumsum(ref_len)[:-1]]).astype(np.int64)]
    keep = ~bad
    if not keep.all():  # drop sites over reference Ns, and their bases
        base_keep = np.repeat(keep, ref_len)
        ref_codes, pos, af, haps, kind, indel, ref_len, first = (
            ref_codes[base_keep], pos[keep], af[keep], haps[keep], kind[keep], indel[keep], ref_len[keep], first[keep]
        )  # fmt: skip
    alt_codes, alt_len, inserted = _alt_alleles(first, kind, indel, rng)
    ref, alt = _strings(ref_codes, ref_len), _strings(alt_codes, alt_len)
    allele = pc.if_else(pa.array(kind == 1), "-", pc.if_else(pa.array(kind == 2), _strings(*inserted), alt))
    csq = _csq(allele, pos, af, rng, genes, spectrum)
    alleles = FounderAlleles(pos, haps[:, :2].astype(np.uint8), haps[:, 2:].astype(np.uint8))
    return Sites(alleles, ref, alt, csq)


def _founder_haplotypes(
    candidates: int, rng: np.random.Generator, spectrum: Spectrum
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    afs, haps = [], []
    for start in range(0, candidates, BATCH):
        n = min(BATCH, candidates - start)
        maf = spectrum.min_maf * (spectrum.max_maf / spectrum.min_maf) ** rng.random(n)
        af = np.where(rng.random(n) < spectrum.alt_major, 1 - maf, maf)
        h = rng.random((n, 4), dtype=np.float32) < af[:, None]
        carried = h.any(axis=1)
        afs.append(af[carried])
        haps.append(h[carried])
    if not afs:
        return np.zeros(0), np.zeros((0, 4), dtype=bool)
    return np.concatenate(afs), np.concatenate(haps)


def _positions(
    chrom: str, n: int, rng: np.random.Generator, genes: ChromGenes | None, taken: IntArray
) -> IntArray:
    """``n`` (or slightly fewer) distinct sorted positions outside exons and ``taken``."""
    length = GRCH38_LENGTHS[chrom]
    pos = np.unique(rng.integers(1, length - MAX_INDEL, size=int(n * 1.02) + 16))
    drop = np.isin(pos, taken)
    if genes is not None:
        drop |= genes.in_exon(pos)
    pos = pos[~drop]
    if len(pos) > n:
        pos = np.sort(rng.choice(pos, size=n, replace=False))
    return pos.astype(np.int64)


def _alt_alleles(
    first: Codes, kind: npt.NDArray[np.int64], indel: IntArray, rng: np.random.Generator
) -> tuple[Codes, IntArray, tuple[Codes, IntArray]]:
    """ALT bases: SNV substitutions (Ti:Tv 2:1), the anchor base for deletions, anchor + bases for insertions."""
    n = len(first)
    transition = rng.random(n) < 2 / 3
    snv = np.where(transition, _TRANSITION[first], _TRANSVERSION[first, rng.integers(0, 2, size=n)])
    alt_len = np.where(kind == 2, indel + 1, 1).astype(np.int64)
    ins_len = np.where(kind == 2, indel, 0).astype(np.int64)
    ins_codes = _random_bases(int(ins_len.sum()), rng)
    codes = np.empty(int(alt_len.sum()), dtype=np.uint8)
    starts = np.concatenate([[0], np.cumsum(alt_len)[:-1]]).astype(np.int64)
    codes[starts] = np.where(kind == 0, snv, first)
    is_ins = kind == 2
    tail = np.repeat(starts[is_ins] + 1, ins_len[is_ins]) + _ramp(ins_len[is_ins])
    codes[tail] = ins_codes
    return codes, alt_len, (ins_codes, ins_len)


def _csq(
    allele: pa.Array,
    pos: IntArray,
    af: npt.NDArray[np.float64],
    rng: np.random.Generator,
    genes: ChromGenes | None,
    spectrum: Spectrum,
) -> pa.Array:
    n = len(pos)
    novel = (af < spectrum.novel_below) & (rng.random(n) < spectrum.novel_share)
    q = np.clip(np.round(af, 6), 1e-6, 1.0)
    eas = np.clip(np.round(q * np.exp(0.5 * rng.standard_normal(n)), 6), 1e-6, 1.0)
    top = np.clip(
        np.round(np.maximum.reduce([q, eas, q * np.exp(0.4 * np.abs(rng.standard_normal(n)))]), 6), 1e-6, 1
    )
    values: dict[str, object] = {
        "Allele": allele,
        "Consequence": "intergenic_variant",
        "IMPACT": "MODIFIER",
        "MAX_AF": pc.cast(pa.array(top, mask=novel), pa.string()),
        "gnomADg_AF": pc.cast(pa.array(q, mask=novel), pa.string()),
        "gnomADg_EAS_AF": pc.cast(pa.array(eas, mask=novel), pa.string()),
    }
    tx = genes.containing(pos) if genes is not None else np.full(n, -1, dtype=np.int64)
    inside = tx >= 0
    if genes is not None and inside.any():
        index = pa.array(tx, mask=~inside)
        number, introns = genes.intron_numbers(np.maximum(tx, 0), pos)
        intron = pc.binary_join_element_wise(
            pc.cast(pa.array(number, mask=~inside), pa.string()), pc.cast(pa.array(introns), pa.string()), "/"
        )
        mask = pa.array(inside)
        values.update(
            {
                "Consequence": pc.if_else(mask, "intron_variant", "intergenic_variant"),
                "SYMBOL": genes.symbol.take(index),
                "Gene": genes.gene.take(index),
                "Feature_type": pc.if_else(mask, "Transcript", pa.scalar(None, pa.string())),
                "Feature": genes.feature.take(index),
                "BIOTYPE": pc.if_else(mask, "protein_coding", pa.scalar(None, pa.string())),
                "INTRON": intron,
                "MANE_SELECT": genes.mane.take(index),
                "CANONICAL": pc.if_else(mask, "YES", pa.scalar(None, pa.string())),
            }
        )
    columns = [values.get(name, "") for name in CSQ_FIELDS]
    return pc.binary_join_element_wise(*columns, "|", null_handling="replace", null_replacement="")
