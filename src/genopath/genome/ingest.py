"""``genopath genome ingest``: a VCF/gVCF in, one versioned call table per bound sample out.

Order of work, so that a refusal changes nothing and a crash leaves no partial genome:

1. read and check the header (GRCh38 only), bind every VCF sample to a registered, consented,
   sequenced sample;
2. hash the file: a sample whose current genome came from the same bytes is left alone;
   a different file for an ingested sample is refused unless ``replace``;
3. stream the records once, writing every remaining sample's tables into temporary folders;
4. only when the whole file was read, publish each sample's version (rename + pointer), then
   move each sample to ``data_delivered`` and audit, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cyvcf2
from sqlalchemy.orm import Session

import genopath
from genopath.core.errors import ConflictError, InputError
from genopath.core.settings import Settings
from genopath.genome import store
from genopath.genome.binding import Binding, bind_samples, read_sample_map
from genopath.genome.header import VcfHeader, read_header
from genopath.genome.reader import SampleStats, StreamSummary, stream_calls
from genopath.registry import Actor, SampleState, audit
from genopath.registry.access import Permission, require
from genopath.registry.samples import get_sample, move_sample_for_genome
from genopath.resources import SILENT, Progress
from genopath.resources.contigs import GRCH38_LENGTHS, describe_contigs, normalise_chrom
from genopath.resources.store import installed

MANIFEST_SCHEMA = "genopath.genome.manifest/1"


@dataclass(frozen=True)
class Normalisation:
    """How records were normalised: always split; left-aligned only with a FASTA."""

    fasta: Path | None
    resources: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def record(self) -> dict[str, Any]:
        return {
            "split_multiallelic": True,
            "left_aligned": self.fasta is not None,
            "fasta": str(self.fasta) if self.fasta else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class SampleOutcome:
    """What ingest did for one VCF sample.

    Attributes
    ----------
    status
        ``ingested`` (first genome), ``replaced`` (old one moved to history) or ``unchanged``
        (the same file was ingested before).
    """

    vcf_sample: str
    barcode: str
    programme_id: str
    status: str
    version: str
    calls: int
    stats: dict[str, int]


@dataclass(frozen=True)
class IngestResult:
    """Outcome of :func:`ingest_vcf`: the file's sha256, build and one entry per VCF sample."""

    vcf: Path
    sha256: str
    build: str
    normalisation: dict[str, Any]
    samples: list[SampleOutcome]


def ingest_vcf(
    session: Session,
    actor: Actor,
    settings: Settings,
    vcf: Path,
    *,
    sample_map: Path | None = None,
    replace: bool = False,
    fasta: Path | None = None,
    progress: Progress = SILENT,
) -> IngestResult:
    """Ingest every sample of ``vcf`` under ``<home>/genomes/<barcode>/``.

    Parameters
    ----------
    session, actor
        The registry transaction and the acting user (needs ``process_genomes``).
    vcf
        VCF, bgzipped VCF, gVCF or BCF on GRCh38 (single-sample or joint-called family).
    sample_map
        TSV ``vcf_sample<TAB>barcode``; without it, VCF sample names must be barcodes.
    replace
        Allow a different file to replace an ingested genome (the old version is kept in
        ``history/``).
    fasta
        GRCh38 FASTA for left-alignment; default ``settings.reference_fasta``, else the
        installed ``reference`` resource when it holds the VCF's whole chromosomes.

    Returns
    -------
    IngestResult
        Per sample: status (``ingested``/``replaced``/``unchanged``), version, rows written and
        the reader's counts (sites, missing, GQ/DP sums, reference blocks).

    Raises
    ------
    InputError
        Unreadable, truncated or non-GRCh38 file, unmapped VCF sample, bad sample map or FASTA.
    NotFoundError, ConsentError, StateTransitionError
        See :func:`genopath.genome.binding.bind_samples`.
    ConflictError
        A sample already has a genome from another file and ``replace`` was not given.
    """
    require(actor, Permission.PROCESS_GENOMES)
    vcf = Path(vcf)
    header = read_header(vcf)
    mapping = read_sample_map(sample_map) if sample_map is not None else None
    bindings = bind_samples(session, actor, header.samples, mapping)
    sha = store.sha256_file(vcf)
    todo, unchanged = _plan(settings, bindings, sha, replace)
    norm = _normalisation(settings, header, fasta)
    written = _stream_and_write(settings, header, todo, norm, sha, actor, progress) if todo else {}
    outcomes: list[SampleOutcome] = []
    for binding in bindings:
        if binding.barcode in unchanged:
            genome = unchanged[binding.barcode]
            outcomes.append(_outcome(binding, "unchanged", genome))
            continue
        genome, was_replace = written[binding.barcode]
        outcomes.append(_outcome(binding, "replaced" if was_replace else "ingested", genome))
        audit.record(
            session,
            actor,
            "genome.ingest",
            "sample",
            binding.barcode,
            {
                "vcf_sample": binding.vcf_sample,
                "sha256": sha,
                "version": genome.version,
                "replaced": was_replace,
            },
        )
    for binding in bindings:  # also repairs a state left behind by a crash after publishing
        if get_sample(session, actor, binding.barcode).state is SampleState.SEQUENCED:
            move_sample_for_genome(session, actor, binding.barcode, SampleState.DATA_DELIVERED)
    return IngestResult(vcf, sha, header.build.name, norm.record(), outcomes)


def _outcome(binding: Binding, status: str, genome: store.StoredGenome) -> SampleOutcome:
    return SampleOutcome(
        binding.vcf_sample,
        binding.barcode,
        binding.programme_id,
        status,
        genome.version,
        int(genome.manifest["files"]["calls_rows"]),
        dict(genome.manifest["stats"]),
    )


def _plan(
    settings: Settings, bindings: Sequence[Binding], sha: str, replace: bool
) -> tuple[list[Binding], dict[str, store.StoredGenome]]:
    todo, unchanged = [], {}
    for binding in bindings:
        genome = store.current(settings, binding.barcode)
        if genome is None:
            todo.append(binding)
        elif genome.source_sha256 == sha and genome.manifest["sample"]["vcf_sample"] == binding.vcf_sample:
            unchanged[binding.barcode] = genome
        elif replace:
            todo.append(binding)
        else:
            raise ConflictError(
                f"sample {binding.barcode} already has a genome ({genome.version}, from "
                f"{genome.manifest['source']['path']}, sha256 {genome.source_sha256[:12]}…); this file "
                f"(sha256 {sha[:12]}…) differs. Re-run with --replace to make it current and keep the old "
                "one in history"
            )
    return todo, unchanged


def _stream_and_write(
    settings: Settings,
    header: VcfHeader,
    todo: Sequence[Binding],
    norm: Normalisation,
    sha: str,
    actor: Actor,
    progress: Progress,
) -> dict[str, tuple[store.StoredGenome, bool]]:
    writers = {b.vcf_sample: store.GenomeWriter(settings, b.barcode) for b in todo}
    stats = {b.vcf_sample: SampleStats() for b in todo}
    summary = StreamSummary()
    published: dict[str, tuple[store.StoredGenome, bool]] = {}
    try:
        progress.begin(f"reading {header.path.name}")
        for batch in stream_calls(header, [b.vcf_sample for b in todo], fasta=norm.fasta, summary=summary):
            for vcf_sample, part in batch.items():
                writers[vcf_sample].write(part.calls, part.intervals)
                stats[vcf_sample].add(part.stats)
            progress.advance(next(iter(batch.values())).calls.num_rows if batch else 0)
        progress.end()
        for binding in todo:
            previous = store.current(settings, binding.barcode)
            writer = writers.pop(binding.vcf_sample)
            manifest = _manifest(
                header, binding, sha, actor, norm, summary, stats[binding.vcf_sample], writer, previous
            )
            published[binding.barcode] = (writer.publish(manifest), previous is not None)
    finally:
        for writer in writers.values():
            writer.discard()
    return published


def _manifest(
    header: VcfHeader,
    binding: Binding,
    sha: str,
    actor: Actor,
    norm: Normalisation,
    summary: StreamSummary,
    stats: SampleStats,
    writer: store.GenomeWriter,
    previous: store.StoredGenome | None,
) -> dict[str, Any]:
    return {
        "schema": MANIFEST_SCHEMA,
        "genopath_version": genopath.__version__,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "ingested_by": actor.username,
        "sample": {
            "barcode": binding.barcode,
            "programme_id": binding.programme_id,
            "vcf_sample": binding.vcf_sample,
            "registered_sex": binding.sex.value,
            "family_id": binding.family_id,
        },
        "source": {
            "path": str(header.path.resolve()),
            "sha256": sha,
            "size": header.path.stat().st_size,
            "samples_in_file": len(header.samples),
            "gvcf": header.gvcf,
            "records": summary.records_in,
            "records_split": summary.records_split,
        },
        "build": {"name": header.build.name, "evidence": header.build.evidence},
        "normalisation": norm.record(),
        "resources": norm.resources,
        "tools": {**summary.tool_versions, "cyvcf2": cyvcf2.__version__},
        "files": {
            "calls": store.CALLS_PARQUET,
            "calls_rows": writer.rows,
            "callable": store.CALLABLE_PARQUET if writer.interval_rows else None,
            "callable_rows": writer.interval_rows,
        },
        "stats": asdict(stats),
        "replaces": previous.version if previous else None,
    }


def _fasta_lengths(fasta: Path) -> dict[str, int]:
    fai = Path(f"{fasta}.fai")
    if not fasta.is_file() or not fai.is_file():
        raise InputError(
            f"reference FASTA {fasta} or its index {fai.name} is missing; index it with `samtools faidx`"
        )
    lengths = {}
    for line in fai.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lengths[parts[0]] = int(parts[1])
    return lengths


def _covers(fasta: Path, header: VcfHeader) -> list[str]:
    """Primary chromosomes declared by the VCF that the FASTA lacks as whole sequences of that name."""
    contigs = describe_contigs(_fasta_lengths(fasta), source=f"reference FASTA {fasta}")
    whole = {c.name for c in contigs if c.offset == 0}
    return [c for c in header.contigs if normalise_chrom(c) in GRCH38_LENGTHS and c not in whole]


def _normalisation(settings: Settings, header: VcfHeader, fasta: Path | None) -> Normalisation:
    explicit = fasta or settings.reference_fasta
    if explicit is not None:
        missing = _covers(Path(explicit), header)
        if missing:
            raise InputError(
                f"reference FASTA {explicit} has no whole sequence named {', '.join(missing[:5])} as in VCF "
                f"{header.path}; give a whole-genome GRCh38 FASTA with the VCF's contig names"
            )
        return Normalisation(Path(explicit), note="split and left-aligned with bcftools norm")
    resource = installed(settings).get("reference")
    if resource is not None:
        for candidate in sorted(resource.path.glob("*.fa*")):
            if candidate.suffix in (".fai", ".gzi"):
                continue
            try:
                if not _covers(candidate, header):
                    return Normalisation(
                        candidate,
                        {"reference": resource.version},
                        "split and left-aligned with bcftools norm",
                    )
            except InputError:
                continue
    return Normalisation(
        None,
        note="split only: no whole-chromosome GRCh38 FASTA configured (GENOPATH_REFERENCE_FASTA or --fasta), "
        "so indels were not left-aligned",
    )
