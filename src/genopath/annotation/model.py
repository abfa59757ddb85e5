"""What an annotation says about one ALT allele on one transcript, whatever produced it.

The built-in annotator and the readers of pre-annotated VCFs (VEP ``CSQ``, SnpEff ``ANN``,
bcftools ``BCSQ``) all produce :class:`TranscriptConsequence`; :func:`choose` picks the one
transcript reported for a variant: MANE Select when present, else the canonical transcript,
else the most severe consequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from genopath.annotation import so


@dataclass(frozen=True, slots=True)
class TranscriptConsequence:
    """One ALT allele's effect on one transcript.

    ``consequences`` are Sequence Ontology terms, most severe first. ``exon``/``intron`` are
    ``"number/total"`` strings as VEP writes them. ``extras`` carries variant-level values read
    from the same annotation (e.g. ``MAX_AF``, ``gnomADg_EAS_AF``, ``REVEL``, ``SpliceAI_*``) as
    strings, exactly as written in the file.
    """

    consequences: tuple[str, ...]
    gene_symbol: str | None = None
    gene_id: str | None = None
    transcript: str | None = None
    biotype: str | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    exon: str | None = None
    intron: str | None = None
    protein_position: int | None = None
    mane_select: bool = False
    canonical: bool = False
    source: str = "genopath"
    extras: Mapping[str, str] = field(default_factory=dict)

    @property
    def most_severe(self) -> str:
        return self.consequences[0] if self.consequences else "intergenic_variant"

    @property
    def impact(self) -> str:
        return so.impact_of(self.consequences)


def choose(options: Iterable[TranscriptConsequence]) -> TranscriptConsequence | None:
    """The transcript to report: MANE Select, else canonical, else the most severe consequence.

    Ties are broken by severity, then by transcript ID so the choice is deterministic.
    """
    items = list(options)
    if not items:
        return None
    return min(
        items,
        key=lambda c: (not c.mane_select, not c.canonical, so.rank(c.most_severe), c.transcript or ""),
    )
