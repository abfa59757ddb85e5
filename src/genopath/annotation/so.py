"""Sequence Ontology consequence terms: severity order, impact class and SO accession.

The order follows Ensembl VEP's documented severity ranking (most severe first), restricted
to the terms genopath calls itself or reads from pre-annotated VCFs. Pre-annotated files may
carry terms outside this list; they rank after every known term and keep impact ``MODIFIER``.
"""

from __future__ import annotations

from typing import Final

#: (term, impact, SO accession), most severe first.
TERMS: Final[tuple[tuple[str, str, str], ...]] = (
    ("transcript_ablation", "HIGH", "SO:0001893"),
    ("splice_acceptor_variant", "HIGH", "SO:0001574"),
    ("splice_donor_variant", "HIGH", "SO:0001575"),
    ("stop_gained", "HIGH", "SO:0001587"),
    ("frameshift_variant", "HIGH", "SO:0001589"),
    ("stop_lost", "HIGH", "SO:0001578"),
    ("start_lost", "HIGH", "SO:0002012"),
    ("transcript_amplification", "HIGH", "SO:0001889"),
    ("feature_elongation", "HIGH", "SO:0001907"),
    ("feature_truncation", "HIGH", "SO:0001906"),
    # SnpEff's HIGH-impact terms that VEP does not use: whole-exon loss, fusions, selenocysteine
    ("exon_loss_variant", "HIGH", "SO:0001572"),
    ("gene_fusion", "HIGH", "SO:0001565"),
    ("bidirectional_gene_fusion", "HIGH", "SO:0002083"),
    ("rare_amino_acid_variant", "HIGH", "SO:0002008"),
    ("inframe_insertion", "MODERATE", "SO:0001821"),
    ("inframe_deletion", "MODERATE", "SO:0001822"),
    ("missense_variant", "MODERATE", "SO:0001583"),
    ("protein_altering_variant", "MODERATE", "SO:0001818"),
    ("splice_donor_5th_base_variant", "LOW", "SO:0001787"),
    ("splice_region_variant", "LOW", "SO:0001630"),
    ("splice_donor_region_variant", "LOW", "SO:0002170"),
    ("splice_polypyrimidine_tract_variant", "LOW", "SO:0002169"),
    ("incomplete_terminal_codon_variant", "LOW", "SO:0001626"),
    ("start_retained_variant", "LOW", "SO:0002019"),
    ("stop_retained_variant", "LOW", "SO:0001567"),
    ("synonymous_variant", "LOW", "SO:0001819"),
    ("coding_sequence_variant", "MODIFIER", "SO:0001580"),
    ("mature_miRNA_variant", "MODIFIER", "SO:0001620"),
    ("5_prime_UTR_variant", "MODIFIER", "SO:0001623"),
    ("3_prime_UTR_variant", "MODIFIER", "SO:0001624"),
    ("non_coding_transcript_exon_variant", "MODIFIER", "SO:0001792"),
    ("intron_variant", "MODIFIER", "SO:0001627"),
    ("NMD_transcript_variant", "MODIFIER", "SO:0001621"),
    ("non_coding_transcript_variant", "MODIFIER", "SO:0001619"),
    ("coding_transcript_variant", "MODIFIER", "SO:0001968"),
    ("upstream_gene_variant", "MODIFIER", "SO:0001631"),
    ("downstream_gene_variant", "MODIFIER", "SO:0001632"),
    ("regulatory_region_variant", "MODIFIER", "SO:0001566"),
    ("TF_binding_site_variant", "MODIFIER", "SO:0001782"),
    ("intergenic_variant", "MODIFIER", "SO:0001628"),
)

RANK: Final[dict[str, int]] = {term: i for i, (term, _, _) in enumerate(TERMS)}
IMPACT: Final[dict[str, str]] = {term: impact for term, impact, _ in TERMS}
ACCESSION: Final[dict[str, str]] = {term: acc for term, _, acc in TERMS}
IMPACT_ORDER: Final[tuple[str, ...]] = ("HIGH", "MODERATE", "LOW", "MODIFIER")


def rank(term: str) -> int:
    """Severity rank of a term: 0 is the most severe; unknown terms rank last."""
    return RANK.get(term, len(RANK))


def sort_terms(terms: list[str] | tuple[str, ...] | set[str]) -> tuple[str, ...]:
    """Distinct terms, most severe first."""
    return tuple(sorted(set(terms), key=lambda t: (rank(t), t)))


def impact_of(terms: list[str] | tuple[str, ...]) -> str:
    """The highest impact class among ``terms`` (``MODIFIER`` when none is known)."""
    impacts = {IMPACT.get(t, "MODIFIER") for t in terms}
    return next((i for i in IMPACT_ORDER if i in impacts), "MODIFIER")
