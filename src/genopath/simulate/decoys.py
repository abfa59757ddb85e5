"""Rare decoys: damaging-looking heterozygous variants in other disease genes.

Missense, stop-gained, frameshift and splice-site variants absent from or very rare in
gnomAD (absent in 60 %, else 10⁻⁶–10⁻⁴) in genes with HPO annotations, placed uniformly along the MANE Select CDS (so long genes get more, as
in real exomes). Their REF is the reference base where the ``reference`` resource covers the
position, else random. Without sequence, the consequence is stated by construction and the
protein change (``HGVSp``, ``Amino_acids``) is synthetic: a codon is drawn that holds the REF
base at the variant's place and turns into a missense (or stop) codon with the ALT base, so the
stated change is one the SNV could make; a frameshift gets a random residue and new stop.
``CLIN_SIG`` is empty; genopath joins ClinVar itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genopath.annotation import so
from genopath.annotation.consequence import Annotator, Change, Result, revcomp, translate
from genopath.annotation.readers import vep_allele_strings
from genopath.annotation.reference import Reference
from genopath.annotation.transcripts import Transcript
from genopath.simulate.variants import (
    BASES,
    CodingVariant,
    Frequencies,
    csq_entry,
    frequency_fields,
    log_uniform,
    result_fields,
)

DECOY_KINDS = ("missense_variant", "stop_gained", "frameshift_variant", "splice")
#: Share of each decoy kind: most rare damaging variants in a genome are missense.
DECOY_WEIGHTS = (0.72, 0.09, 0.11, 0.08)
_AMINO = "ACDEFGHIKLMNPQRSTVWY"
_THREE = {
    "A": "Ala", "C": "Cys", "D": "Asp", "E": "Glu", "F": "Phe", "G": "Gly", "H": "His", "I": "Ile",
    "K": "Lys", "L": "Leu", "M": "Met", "N": "Asn", "P": "Pro", "Q": "Gln", "R": "Arg", "S": "Ser",
    "T": "Thr", "V": "Val", "W": "Trp", "Y": "Tyr", "*": "Ter",
}  # fmt: skip


class DecoyMaker:
    """Rare missense / stop-gained / frameshift / splice-site variants in the given genes' CDS.

    Parameters
    ----------
    transcripts
        MANE Select coding transcripts of the genes decoys may fall in.
    annotator
        Consequence code (with the reference when one is installed).
    reference
        The installed reference, for REF bases where it covers; ``None`` for random bases.
    """

    MAX_TRIES = 30

    def __init__(
        self, transcripts: Sequence[Transcript], annotator: Annotator, reference: Reference | None
    ) -> None:
        self.transcripts = [t for t in transcripts if t.coding and t.exon_count > 1]
        lengths = np.array([sum(b - a for a, b in t.cds_segments()) for t in self.transcripts], dtype=float)
        self._weights = lengths / lengths.sum() if len(lengths) else lengths
        self.annotator = annotator
        self.reference = reference

    def make(self, rng: np.random.Generator, *, avoid_gene: str | None = None) -> CodingVariant:
        """One decoy of a kind drawn by :data:`DECOY_WEIGHTS`, outside ``avoid_gene``."""
        kind = DECOY_KINDS[int(rng.choice(len(DECOY_KINDS), p=DECOY_WEIGHTS))]
        made: CodingVariant | None = None
        for _ in range(self.MAX_TRIES):
            tx = self.transcripts[int(rng.choice(len(self.transcripts), p=self._weights))]
            if tx.gene_symbol == avoid_gene and len(self.transcripts) > 1:
                continue
            made = self._try(kind, tx, rng)
            if made is not None:
                return made
        if made is None:  # pragma: no cover - every kind succeeds on a multi-exon coding transcript
            raise RuntimeError(f"could not place a {kind} decoy")
        return made

    def _try(self, kind: str, tx: Transcript, rng: np.random.Generator) -> CodingVariant | None:
        chrom = tx.chrom
        if kind == "splice":
            pos = self._splice_position(tx, rng)
            ref = self._bases(chrom, pos, 1, rng)
            alt = _other_base(ref, rng)
        else:
            pos = self._cds_position(tx, rng)
            if kind == "frameshift_variant" and rng.random() < 0.6:  # deletions outnumber insertions
                ref = self._bases(chrom, pos, 1 + int(rng.integers(1, 3)), rng)
                alt = ref[0]
            elif kind == "frameshift_variant":
                ref = self._bases(chrom, pos, 1, rng)
                alt = ref + BASES[int(rng.integers(4))]
            else:
                ref = self._bases(chrom, pos, 1, rng)
                alt = _other_base(ref, rng)
        if "N" in ref:
            return None
        res = self.annotator.consequence(tx, chrom, Change.from_vcf(pos, ref, alt))
        if res is None:
            return None
        terms = set(res.terms)
        if kind in ("missense_variant", "stop_gained") and not res.sequence_available:
            if "coding_sequence_variant" not in terms or not _synthetic_codon(
                kind, tx, pos, ref, alt, res, rng
            ):
                return None
            terms = (terms - {"coding_sequence_variant"}) | {kind}
        elif kind == "frameshift_variant" and res.hgvs_p is None and res.protein_position is not None:
            _synthetic_frameshift(res, rng)
        wanted = {"splice_donor_variant", "splice_acceptor_variant"} if kind == "splice" else {kind}
        if not terms & wanted:
            return None
        return self._variant(tx, res, terms, chrom, pos, ref, alt, rng)

    def _variant(
        self, tx: Transcript, res: Result, terms: set[str], chrom: str, pos: int, ref: str, alt: str,
        rng: np.random.Generator,
    ) -> CodingVariant:  # fmt: skip
        af = None if rng.random() < 0.6 else log_uniform(float(rng.random()), 1e-6, 1e-4)
        freq = Frequencies.around(af, float(rng.standard_normal()), float(rng.standard_normal()))
        fields = {
            "Allele": vep_allele_strings(ref, [alt])[0],
            **result_fields(tx, res, sorted(terms)),
            **frequency_fields(freq),
        }
        return CodingVariant(
            chrom, pos, ref, alt, tx.gene_symbol, csq_entry(fields), so.sort_terms(list(terms))[0],
            res.hgvs_c, res.hgvs_p, freq,
        )  # fmt: skip

    @staticmethod
    def _cds_position(tx: Transcript, rng: np.random.Generator) -> int:
        segments = tx.cds_segments()
        lengths = np.array([b - a for a, b in segments])
        offset = int(rng.integers(int(lengths.sum())))
        for (a, _), n in zip(segments, lengths, strict=True):
            if offset < n:
                return a + offset + 1
            offset -= int(n)
        raise AssertionError("offset beyond the CDS")  # pragma: no cover

    @staticmethod
    def _splice_position(tx: Transcript, rng: np.random.Generator) -> int:
        i = int(rng.integers(tx.exon_count - 1))
        end, next_start0 = tx.exons[i][1], tx.exons[i + 1][0]
        # the first two and last two bases of the intron (1-based): donor/acceptor by strand
        choices = (end + 1, end + 2, next_start0 - 1, next_start0)
        return int(choices[int(rng.integers(4))])

    def _bases(self, chrom: str, pos: int, n: int, rng: np.random.Generator) -> str:
        if self.reference is not None:
            seq = self.reference.fetch(chrom, pos - 1, pos - 1 + n)
            if seq is not None:
                return seq
        return "".join(BASES[int(i)] for i in rng.integers(4, size=n))


def _other_base(ref: str, rng: np.random.Generator) -> str:
    others = [b for b in BASES if b != ref]
    return others[int(rng.integers(3))]


def _synthetic_codon(
    kind: str, tx: Transcript, pos: int, ref: str, alt: str, res: Result, rng: np.random.Generator
) -> bool:
    """Give an SNV without reference sequence a codon consistent with its REF, ALT and ``kind``.

    Among the 16 codons with REF (transcript strand) at the variant's place in the codon, one is
    drawn whose change to ALT is a missense (or stop-gained) change; ``False`` when none is.
    """
    index = tx.cds_index(pos)
    if index is None or res.protein_position is None:
        return False
    r, a = (ref, alt) if tx.strand > 0 else (revcomp(ref), revcomp(alt))
    k = index % 3
    fits = []
    for first in BASES:
        for second in BASES:
            codon = [first, second]
            codon.insert(k, r)
            before = translate("".join(codon))
            codon[k] = a
            after = translate("".join(codon))
            stop = after == "*" and before != "*"
            missense = before != after and "*" not in (before, after)
            if stop if kind == "stop_gained" else missense:
                fits.append((before, after))
    if not fits:
        return False
    before, after = fits[int(rng.integers(len(fits)))]
    res.aa_ref, res.aa_alt = before, after
    res.hgvs_p = f"p.{_THREE[before]}{res.protein_position}{_THREE[after]}"
    return True


def _synthetic_frameshift(res: Result, rng: np.random.Generator) -> None:
    """A frameshift's protein change without sequence: a random residue, shift and new stop."""
    before, after = (_AMINO[int(i)] for i in rng.integers(len(_AMINO), size=2))
    res.hgvs_p = f"p.{_THREE[before]}{res.protein_position}{_THREE[after]}fsTer{int(rng.integers(2, 60))}"
    res.aa_ref, res.aa_alt = before, "X"
