"""Coding variants of a simulated genome: ClinVar variants and rare decoys, with their VEP CSQ.

**ClinVar pool.** Every ClinVar record of the installed ``clinvar`` and ``clinvar_2star``
tables (newest release first: a variant's class is its newest one) that is P/LP or B/LB, on
chr1–22 or chrX outside the pseudo-autosomal regions, at most :data:`MAX_ALLELE` bp long, and
within 5 kb of the MANE Select transcript of its gene. Each is annotated once on that
transcript with genopath's own consequence code: exon, intron, HGVS ``c.``, splice and indel
classes need no sequence; where the ``reference`` resource covers the transcript, missense,
synonymous, stop and the protein change come from the sequence too, otherwise an SNV in the
CDS takes its class from ClinVar's molecular consequence (``MC``) and ``HGVSp`` stays empty.
ClinVar's ``CLNHGVS`` is genomic (``NC_…:g.``), so ``HGVSc`` is computed on the transcript.

**Population frequencies.** ClinVar carries none, so each variant gets a stable one (derived
from a hash of its key, the same in every case and every run): B/LB log-uniform between 1 %
and 50 % (common coding variation); P/LP absent from gnomAD in 55 % of variants, else
log-uniform between 5·10⁻⁶ and 10⁻⁴ in genes with only dominant diseases, or 10⁻³ otherwise
(recessive founder alleles are commoner). They are written to ``gnomADg_AF``, a
``gnomADg_EAS_AF`` scattered around it (log-normal, σ 0.5) and ``MAX_AF``.

**Decoys.** Rare heterozygous missense, stop-gained, frameshift and splice-site variants in
other disease genes, placed uniformly along the MANE Select CDS (so long genes get more, as
in real exomes). Their REF is the reference base where the ``reference`` resource covers the
position, else random. Without sequence, the consequence is stated by construction and the
protein change (``HGVSp``, ``Amino_acids``) is synthetic: a random residue at the right
position. ``CLIN_SIG`` is empty; genopath joins ClinVar itself.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any
from urllib.parse import quote

import numpy as np
import pyarrow.parquet as pq

from genopath.annotation import so
from genopath.annotation.consequence import Annotator, Change, Result
from genopath.annotation.readers import vep_allele_strings
from genopath.annotation.reference import Reference
from genopath.annotation.transcripts import Transcript
from genopath.resources.store import InstalledResource
from genopath.simulate.diseases import omim_ids
from genopath.simulate.families import PAR_X

CSQ_FIELDS = (
    "Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE", "EXON",
    "INTRON", "HGVSc", "HGVSp", "Protein_position", "Amino_acids", "MANE_SELECT", "CANONICAL", "MAX_AF",
    "gnomADg_AF", "gnomADg_EAS_AF", "CLIN_SIG",
)  # fmt: skip
MAX_ALLELE = 50
PATHOGENIC = ("P", "LP")
BENIGN = ("B", "LB")
#: ClinVar ``MC`` names of coding classes → SO terms of :mod:`genopath.annotation.so`.
MC_CODING = {
    "missense_variant": "missense_variant",
    "synonymous_variant": "synonymous_variant",
    "nonsense": "stop_gained",
    "stop_gained": "stop_gained",
    "stop_lost": "stop_lost",
    "initiatior_codon_variant": "start_lost",  # ClinVar's spelling
    "initiator_codon_variant": "start_lost",
    "inframe_indel": "protein_altering_variant",
}
DECOY_KINDS = ("missense_variant", "stop_gained", "frameshift_variant", "splice")
#: Share of each decoy kind: most rare damaging variants in a genome are missense.
DECOY_WEIGHTS = (0.72, 0.09, 0.11, 0.08)
_AMINO = "ACDEFGHIKLMNPQRSTVWY"
_THREE = {
    "A": "Ala", "C": "Cys", "D": "Asp", "E": "Glu", "F": "Phe", "G": "Gly", "H": "His", "I": "Ile",
    "K": "Lys", "L": "Leu", "M": "Met", "N": "Asn", "P": "Pro", "Q": "Gln", "R": "Arg", "S": "Ser",
    "T": "Thr", "V": "Val", "W": "Trp", "Y": "Tyr", "*": "Ter",
}  # fmt: skip
_BASES = "ACGT"
_NORMAL = NormalDist()


# ---------------------------------------------------------------------------------------------
# frequencies


def quantise(af: float) -> float:
    """An allele frequency at gnomAD-like resolution (6 decimals, at least 10⁻⁶)."""
    return max(1e-6, min(1.0, round(af, 6)))


def format_af(af: float | None) -> str:
    """``0.012345`` → ``"0.012345"``; ``None`` → ``""``."""
    return "" if af is None else f"{quantise(af):.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Frequencies:
    """Population frequencies written to the CSQ (``None``: absent from gnomAD)."""

    af: float | None
    eas_af: float | None
    max_af: float | None

    @classmethod
    def around(cls, af: float | None, z_eas: float, z_max: float) -> Frequencies:
        """``af`` with an East Asian frequency ``af·e^(0.5 z_eas)`` and a maximum over populations."""
        if af is None:
            return cls(None, None, None)
        af = quantise(af)
        eas = quantise(af * math.exp(0.5 * z_eas))
        return cls(af, eas, quantise(max(af, eas, af * math.exp(0.4 * abs(z_max)))))


def unit(key: str, salt: str) -> float:
    """A uniform number in (0, 1) fixed by ``key`` (a variant key) and ``salt``."""
    digest = hashlib.blake2b(f"{salt}:{key}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") + 0.5) / 2**64


def log_uniform(u: float, low: float, high: float) -> float:
    return float(low * (high / low) ** u)


def stable_frequencies(key: str, sig_class: str, *, dominant_gene: bool) -> Frequencies:
    """The population frequencies a ClinVar variant gets in every simulated case (see module doc)."""
    z_eas, z_max = _NORMAL.inv_cdf(unit(key, "eas")), _NORMAL.inv_cdf(unit(key, "max"))
    u = unit(key, "af")
    if sig_class in BENIGN:
        return Frequencies.around(log_uniform(u, 0.01, 0.5), z_eas, z_max)
    if unit(key, "absent") < 0.55:
        return Frequencies(None, None, None)
    return Frequencies.around(log_uniform(u, 5e-6, 1e-4 if dominant_gene else 1e-3), z_eas, z_max)


# ---------------------------------------------------------------------------------------------
# CSQ


def csq_text(value: object) -> str:
    """A CSQ field value: ``None`` empty; separators VEP never writes raw are percent-encoded."""
    if value is None:
        return ""
    return quote(str(value), safe="!\"#$'()*+-./:<>?@[]^_`{}~&")


def csq_entry(values: Mapping[str, object]) -> str:
    """One CSQ entry with :data:`CSQ_FIELDS` in order (missing fields empty)."""
    return "|".join(csq_text(values.get(name)) for name in CSQ_FIELDS)


def clin_sig(significance: str | None) -> str | None:
    """VEP's spelling of a ClinVar classification: ``Pathogenic, risk factor`` → ``pathogenic&risk_factor``."""
    if not significance:
        return None
    return "&".join(p.strip().lower().replace(" ", "_") for p in significance.replace("|", ",").split(","))


def transcript_fields(tx: Transcript) -> dict[str, object]:
    return {
        "SYMBOL": tx.gene_symbol,
        "Gene": (tx.gene_id or "").split(".")[0] or None,
        "Feature_type": "Transcript",
        "Feature": tx.transcript_id,
        "BIOTYPE": "protein_coding" if tx.coding else "lncRNA",
        "MANE_SELECT": tx.refseq_transcript,
        "CANONICAL": "YES",
    }


def result_fields(tx: Transcript, res: Result, terms: Sequence[str]) -> dict[str, object]:
    """CSQ fields of an annotator result on ``tx`` with the consequence ``terms``."""
    amino = f"{res.aa_ref}/{res.aa_alt}" if res.aa_ref and res.aa_alt else None
    return {
        **transcript_fields(tx),
        "Consequence": "&".join(so.sort_terms(list(terms))),
        "IMPACT": so.impact_of(list(terms)),
        "EXON": res.exon,
        "INTRON": res.intron,
        "HGVSc": f"{tx.transcript_id}:{res.hgvs_c}" if res.hgvs_c else None,
        "HGVSp": f"{tx.protein_id}:{res.hgvs_p}" if res.hgvs_p and tx.protein_id else res.hgvs_p,
        "Protein_position": res.protein_position,
        "Amino_acids": amino,
    }


def frequency_fields(freq: Frequencies) -> dict[str, object]:
    return {
        "MAX_AF": format_af(freq.max_af) or None,
        "gnomADg_AF": format_af(freq.af) or None,
        "gnomADg_EAS_AF": format_af(freq.eas_af) or None,
    }


@dataclass(frozen=True)
class CodingVariant:
    """A variant placed in a simulated genome, with its CSQ entry.

    ``clinvar_id``/``clinvar_class`` are set for ClinVar variants (``None`` for decoys);
    ``omims`` are the OMIM diseases ClinVar names for it.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    csq: str
    consequence: str
    hgvs_c: str | None
    hgvs_p: str | None
    frequencies: Frequencies
    clinvar_id: int | None = None
    clinvar_class: str | None = None
    clinvar_significance: str | None = None
    stars: int = 0
    omims: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}:{self.alt}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "chrom": self.chrom,
            "pos": self.pos,
            "ref": self.ref,
            "alt": self.alt,
            "key": self.key,
            "gene_symbol": self.gene,
            "consequence": self.consequence,
            "hgvs_c": self.hgvs_c,
            "hgvs_p": self.hgvs_p,
            "gnomadg_af": self.frequencies.af,
            "clinvar_id": self.clinvar_id,
            "clinvar_class": self.clinvar_class,
            "clinvar_significance": self.clinvar_significance,
            "clinvar_stars": self.stars if self.clinvar_id is not None else None,
        }


# ---------------------------------------------------------------------------------------------
# ClinVar pool


_CLINVAR_COLUMNS = [
    "chrom", "pos", "ref", "alt", "variation_id", "significance", "sig_class", "stars", "disease_ids",
    "gene_symbol", "mc",
]  # fmt: skip


def read_clinvar(resources: Sequence[InstalledResource]) -> list[dict[str, Any]]:
    """P/LP and B/LB rows usable in a simulation, newest release first per variant key."""
    seen: set[tuple[str, int, str, str]] = set()
    rows: list[dict[str, Any]] = []
    for res in resources:
        table = pq.read_table(res.path / "variants.parquet", columns=_CLINVAR_COLUMNS)
        for row in table.to_pylist():
            key = (row["chrom"], row["pos"], row["ref"], row["alt"])
            if key in seen:
                continue
            seen.add(key)
            if row["sig_class"] in PATHOGENIC + BENIGN and _usable(row):
                rows.append(row)
    return rows


def _usable(row: Mapping[str, Any]) -> bool:
    chrom, pos, ref, alt = row["chrom"], row["pos"], row["ref"], row["alt"]
    if chrom not in _SIMULATED or not row["gene_symbol"]:
        return False
    if len(ref) > MAX_ALLELE or len(alt) > MAX_ALLELE or not set(ref + alt) <= set(_BASES):
        return False
    return not (chrom == "chrX" and any(a <= pos <= b for a, b in PAR_X))


_SIMULATED = {*(f"chr{i}" for i in range(1, 23)), "chrX"}


@dataclass
class VariantPool:
    """ClinVar variants by class and gene, annotated on MANE Select (see module doc)."""

    pathogenic: dict[str, list[CodingVariant]] = field(default_factory=dict)
    benign: list[CodingVariant] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        rows: Iterable[Mapping[str, Any]],
        transcripts: Mapping[str, Transcript],
        annotator: Annotator,
        dominant_genes: frozenset[str] = frozenset(),
    ) -> VariantPool:
        """Annotate ``rows`` (:func:`read_clinvar`) on the MANE Select transcript of their gene."""
        pool = cls()
        for row in rows:
            variant = clinvar_variant(row, transcripts, annotator, dominant_genes)
            if variant is None:
                continue
            if row["sig_class"] in PATHOGENIC:
                pool.pathogenic.setdefault(variant.gene, []).append(variant)
            else:
                pool.benign.append(variant)
        return pool


def clinvar_variant(
    row: Mapping[str, Any],
    transcripts: Mapping[str, Transcript],
    annotator: Annotator,
    dominant_genes: frozenset[str],
) -> CodingVariant | None:
    """A ClinVar row as a :class:`CodingVariant`, or ``None`` when its gene's transcript is not near."""
    tx = transcripts.get(row["gene_symbol"])
    if tx is None or tx.chrom != row["chrom"]:
        return None
    chrom, pos, ref, alt = row["chrom"], int(row["pos"]), row["ref"], row["alt"]
    res = annotator.consequence(tx, chrom, Change.from_vcf(pos, ref, alt))
    if res is None:
        return None
    terms = set(res.terms)
    if "coding_sequence_variant" in terms and not res.sequence_available:
        coding = so.sort_terms([MC_CODING[m] for m in row["mc"] or () if m in MC_CODING])
        if coding:
            terms = (terms - {"coding_sequence_variant"}) | {coding[0]}
    key = f"{chrom}:{pos}:{ref}:{alt}"
    freq = stable_frequencies(key, row["sig_class"], dominant_gene=row["gene_symbol"] in dominant_genes)
    fields = {
        "Allele": vep_allele_strings(ref, [alt])[0],
        **result_fields(tx, res, sorted(terms)),
        **frequency_fields(freq),
        "CLIN_SIG": clin_sig(row["significance"]),
    }
    return CodingVariant(
        chrom=chrom,
        pos=pos,
        ref=ref,
        alt=alt,
        gene=tx.gene_symbol,
        csq=csq_entry(fields),
        consequence=so.sort_terms(list(terms))[0],
        hgvs_c=res.hgvs_c,
        hgvs_p=res.hgvs_p,
        frequencies=freq,
        clinvar_id=row["variation_id"],
        clinvar_class=row["sig_class"],
        clinvar_significance=row["significance"],
        stars=int(row["stars"] or 0),
        omims=frozenset(omim_ids(row["disease_ids"])),
    )


# ---------------------------------------------------------------------------------------------
# decoys


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
                alt = ref + _BASES[int(rng.integers(4))]
            else:
                ref = self._bases(chrom, pos, 1, rng)
                alt = _other_base(ref, rng)
        if "N" in ref:
            return None
        res = self.annotator.consequence(tx, chrom, Change.from_vcf(pos, ref, alt))
        if res is None:
            return None
        terms = set(res.terms)
        synthetic = False
        if kind in ("missense_variant", "stop_gained") and not res.sequence_available:
            terms = (terms - {"coding_sequence_variant"}) | {kind}
            synthetic = True
        elif kind == "frameshift_variant" and res.hgvs_p is None and "frameshift_variant" in terms:
            synthetic = True
        wanted = {"splice_donor_variant", "splice_acceptor_variant"} if kind == "splice" else {kind}
        if not terms & wanted:
            return None
        if synthetic and res.protein_position is not None:
            _synthetic_protein(kind, res, rng)
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
        return "".join(_BASES[int(i)] for i in rng.integers(4, size=n))


def _other_base(ref: str, rng: np.random.Generator) -> str:
    others = [b for b in _BASES if b != ref]
    return others[int(rng.integers(3))]


def _synthetic_protein(kind: str, res: Result, rng: np.random.Generator) -> None:
    """A random residue at the decoy's protein position (no sequence to derive it from)."""
    k = res.protein_position
    before = _AMINO[int(rng.integers(len(_AMINO)))]
    if kind == "missense_variant":
        after = rng.choice([a for a in _AMINO if a != before])
        res.hgvs_p = f"p.{_THREE[before]}{k}{_THREE[str(after)]}"
        res.aa_ref, res.aa_alt = before, str(after)
    elif kind == "stop_gained":
        res.hgvs_p = f"p.{_THREE[before]}{k}Ter"
        res.aa_ref, res.aa_alt = before, "*"
    elif kind == "frameshift_variant":
        after = _AMINO[int(rng.integers(len(_AMINO)))]
        res.hgvs_p = f"p.{_THREE[before]}{k}{_THREE[after]}fsTer{int(rng.integers(2, 60))}"
        res.aa_ref, res.aa_alt = before, "X"
