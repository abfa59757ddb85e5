"""Genome ingestion and quality control (DESIGN §2–§4).

VCF/gVCF files are bound to registered, consented samples and stored as versioned per-sample
call tables; QC checks each genome and each family before a case may proceed::

    from genopath.genome import ingest_vcf, family_qc, record_outcome, write_report

    with registry.transaction() as session:
        ingest_vcf(session, actor, settings, Path("family.vcf.gz"), sample_map=Path("map.tsv"))
        result = family_qc(session, actor, settings, "F000001")
        record_outcome(session, actor, settings, result)

Other domains read genomes through :func:`current` / :func:`require_genome` and the columns
declared in :mod:`genopath.genome.calls`. See ``docs/genome.md``.
"""

from genopath.genome.calls import CALLS_SCHEMA, INTERVALS_SCHEMA, PAR_REGIONS
from genopath.genome.header import Build, VcfHeader, detect_build, read_header
from genopath.genome.ingest import IngestResult, SampleOutcome, ingest_vcf
from genopath.genome.kinship import Kinship, degree, expected_kinship, king_robust
from genopath.genome.mendel import MendelResult, mendelian_errors
from genopath.genome.metrics import SampleMetrics, sample_metrics
from genopath.genome.qc import Check, QcResult, SampleQc, family_qc, record_outcome, report_dir, samples_qc
from genopath.genome.report import write_report
from genopath.genome.sexcheck import SexEvidence, sex_evidence
from genopath.genome.store import StoredGenome, current, require_genome

__all__ = [
    "CALLS_SCHEMA",
    "INTERVALS_SCHEMA",
    "PAR_REGIONS",
    "Build",
    "Check",
    "IngestResult",
    "Kinship",
    "MendelResult",
    "QcResult",
    "SampleMetrics",
    "SampleOutcome",
    "SampleQc",
    "SexEvidence",
    "StoredGenome",
    "VcfHeader",
    "current",
    "degree",
    "detect_build",
    "expected_kinship",
    "family_qc",
    "ingest_vcf",
    "king_robust",
    "mendelian_errors",
    "read_header",
    "record_outcome",
    "report_dir",
    "require_genome",
    "sample_metrics",
    "samples_qc",
    "sex_evidence",
    "write_report",
]
