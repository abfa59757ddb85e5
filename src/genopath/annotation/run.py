"""``genopath annotate``: a VCF in, one annotated row per distinct variant out (Parquet or VCF)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from genopath.annotation import fastpath, kernel_path, readers
from genopath.annotation.pipeline import (
    Summary,
    annotate_sites,
    provenance,
    read_sites,
    write_parquet,
    write_parquet_chunks,
    write_vcf,
)
from genopath.annotation.sources import load_sources, mane_transcript_ids, missing_optional, open_reference
from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.resources import SILENT, Progress, require

#: Output rows per Parquet row group when the C path writes while it builds; the first row
#: group is smaller so that the writer starts sooner.
CHUNK_ROWS = 131_072
FIRST_CHUNK_ROWS = 16_384


@dataclass
class AnnotateResult:
    out: Path
    summary: Summary
    provenance: dict[str, Any]
    missing: list[str]


def output_format(out: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    name = out.name.lower()
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith(".vcf") or name.endswith(".vcf.gz"):
        return "vcf"
    raise InputError(
        f"cannot tell the output format from {out.name!r}; name it .parquet, .vcf or .vcf.gz, or pass --format"
    )


def annotate_vcf(
    settings: Settings,
    vcf: Path,
    out: Path,
    *,
    fasta: Path | None = None,
    fmt: str = "auto",
    use_file_annotation: bool = True,
    progress: Progress = SILENT,
) -> AnnotateResult:
    """Annotate ``vcf`` into ``out``; nothing is written at ``out`` unless the whole run succeeds."""
    kind = output_format(out, fmt)
    if Path(out).resolve() == Path(vcf).resolve():
        raise InputError("the output would overwrite the input VCF; choose another --out")
    require(settings, "mane")  # fail early, naming the command to run
    reference, ref_version = open_reference(settings, fasta)
    try:
        progress.begin(f"reading {Path(vcf).name}")
        records = fastpath.read_records(Path(vcf))
        if records is not None and (not use_file_annotation or readers.detect(records.header) is None):
            # a plain VCF: the vectorised path (same rows as the per-variant code)
            progress.end()
            chroms = set(pc.unique(records.chrom).to_pylist())
            sources = load_sources(settings, chroms, reference, ref_version)
            progress.begin("annotating variants", total=records.records)
            if kind == "parquet" and kernel_path.available():
                # built chunk by chunk while a second thread writes the previous one
                summary, chunks = kernel_path.annotate_chunks(
                    records, sources, progress.advance, CHUNK_ROWS, FIRST_CHUNK_ROWS, encoded=True
                )
                progress.end()
                meta = provenance(sources, Path(vcf), summary)
                progress.begin(f"writing {Path(out).name}")
                write_parquet_chunks(kernel_path.ENCODED_SCHEMA, chunks, Path(out), meta)
                progress.end()
                return AnnotateResult(Path(out), summary, meta, missing_optional(settings))
            table, summary = fastpath.annotate_records(records, sources, progress.advance)
            progress.end()
        else:
            del records
            sites, read_summary, _ = read_sites(
                vcf, reference, mane_transcript_ids(settings), use_file_annotation, progress.advance
            )
            progress.end()
            sources = load_sources(settings, {s.chrom for s in sites.values()}, reference, ref_version)
            progress.begin("annotating variants", total=len(sites))
            table, summary = annotate_sites(sites, sources, progress.advance)
            progress.end()
            summary.records, summary.alleles = read_summary.records, read_summary.alleles
            summary.skipped_symbolic, summary.source = read_summary.skipped_symbolic, read_summary.source
        meta = provenance(sources, Path(vcf), summary)
        progress.begin(f"writing {Path(out).name}")
        if kind == "parquet":
            write_parquet(table, Path(out), meta)
        else:
            write_vcf(Path(vcf), table, Path(out), meta, reference)
        progress.end()
    finally:
        if reference is not None:
            reference.close()
    return AnnotateResult(Path(out), summary, meta, missing_optional(settings))
