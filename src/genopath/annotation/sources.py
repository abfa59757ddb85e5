"""Open the installed resources annotation reads, for the chromosomes an input needs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq

from genopath.annotation import transcripts
from genopath.annotation.knowledge import Clinvar, load_cohort, load_constraint, load_gene_diseases
from genopath.annotation.pipeline import Sources
from genopath.annotation.reference import Reference
from genopath.core.settings import Settings
from genopath.resources import installed, require

log = logging.getLogger(__name__)

#: Resources annotation uses when installed; ``mane`` is the only one it cannot do without.
OPTIONAL = ("clinvar", "clinvar_2star", "constraint", "hpo")


def cohort_sites(settings: Settings) -> Path:
    """Where the local population database keeps its allele counts (``population build``)."""
    return settings.home / "population" / "sites.parquet"


def open_reference(settings: Settings, fasta: Path | None) -> tuple[Reference | None, str | None]:
    """The reference FASTA given, else the installed ``reference`` resource, else none."""
    if fasta is not None:
        return Reference(fasta), f"{Path(fasta).name}"
    res = installed(settings).get("reference")
    if res is None:
        return None, None
    return Reference(res.path / "genome.fa.gz"), res.version


def mane_transcript_ids(settings: Settings) -> list[str]:
    """Versionless Ensembl and RefSeq IDs of the MANE Select transcripts (for reader matching)."""
    mane = require(settings, "mane")
    table = pq.read_table(
        mane.path / "transcripts.parquet", columns=["ensembl_transcript", "refseq_transcript"]
    )
    ids = []
    for column in ("ensembl_transcript", "refseq_transcript"):
        ids += [str(v).split(".")[0] for v in table.column(column).to_pylist() if v]
    return ids


def missing_optional(settings: Settings) -> list[str]:
    have = installed(settings)
    return [name for name in OPTIONAL if name not in have]


def load_sources(
    settings: Settings, chroms: Iterable[str], reference: Reference | None, reference_version: str | None
) -> Sources:
    """Transcripts (required), ClinVar, constraint, gene–disease links and cohort counts (when present)."""
    chroms = sorted(set(chroms))
    mane = require(settings, "mane")
    sources = Sources(transcripts.load(mane.path / "exons.parquet", chroms), reference=reference)
    sources.versions["mane"] = mane.version
    if reference_version is not None:
        sources.versions["reference"] = reference_version
    have = installed(settings)
    clinvar = Clinvar()
    for name in ("clinvar", "clinvar_2star"):  # newest first: the first record of a variant wins
        res = have.get(name)
        if res is not None:
            clinvar.add_table(res.path / "variants.parquet", res.version, chroms)
            sources.versions[name] = res.version
    if sources.versions.keys() & {"clinvar", "clinvar_2star"}:
        sources.clinvar = clinvar
    if (res := have.get("constraint")) is not None:
        sources.constraint = load_constraint(res.path / "genes.parquet")
        sources.versions["constraint"] = res.version
    if (res := have.get("hpo")) is not None:
        g2p = res.path / "genes_to_phenotype.txt"
        if g2p.exists():
            sources.gene_diseases = load_gene_diseases(g2p)
            sources.versions["hpo"] = res.version
    cohort = cohort_sites(settings)
    if cohort.exists():
        sources.cohort = load_cohort(cohort, chroms)
        sources.versions["local_cohort"] = str(pq.read_metadata(cohort).num_rows) + " sites"
    return sources
