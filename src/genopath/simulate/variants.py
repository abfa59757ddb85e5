"""Coding variants of a simulated genome taken from ClinVar, their frequencies and VEP CSQ entries.

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
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any
from urllib.parse import quote

import pyarrow.parquet as pq

from genopath.annotation import so
from genopath.annotation.consequence import Annotator, Change, Result
from genopath.annotation.readers import vep_allele_strings
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
BASES = "ACGT"
_NORMAL = NormalDist()
_UNSAFE = re.compile(r"[^A-Za-z0-9!\"#$'()*+\-./:<>?@\[\]^_`{}~&]")


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
    text = str(value)
    if _UNSAFE.search(text) is None:
        return text
    return quote(text, safe="!\"#$'()*+-./:<>?@[]^_`{}~&")


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
    if len(ref) > MAX_ALLELE or len(alt) > MAX_ALLELE or not set(ref + alt) <= set(BASES):
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
