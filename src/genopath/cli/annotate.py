"""``genopath annotate``: consequences, HGVS, ClinVar, frequencies and constraint for a VCF."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from genopath.cli.context import ProgressBars, console, errors, load_settings, ok


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for the run: annotation makes many short-lived objects
    and few cycles, and the collector's passes over them cost about 0.1 s per million variants.
    Objects are still freed by reference counting; the collector runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def annotate(
    vcf: Path = typer.Argument(..., help="VCF or bgzipped VCF (GRCh38)"),
    out: Path = typer.Option(..., "--out", "-o", help="Output: .parquet, or .vcf/.vcf.gz with a CSQ field"),
    fasta: Path | None = typer.Option(
        None, help="bgzipped, faidx-indexed GRCh38 FASTA (default: the installed 'reference' resource)"
    ),
    fmt: str = typer.Option("auto", "--format", help="auto (from --out), parquet or vcf"),
    reannotate: bool = typer.Option(
        False, help="Ignore CSQ/ANN/BCSQ annotation in the file and compute consequences here"
    ),
) -> None:
    """Annotate every distinct variant once: one row per variant, stamped with resource versions."""
    import pyarrow as pa

    from genopath.annotation.fastpath import fast_memory_pool
    from genopath.annotation.run import annotate_vcf
    from genopath.cli.main import freeze_at_exit

    pa.set_memory_pool(fast_memory_pool())

    if fmt not in ("auto", "parquet", "vcf"):
        with errors():
            from genopath.core.errors import InputError

            raise InputError(f"--format must be auto, parquet or vcf, not {fmt!r}")
    settings = load_settings()
    with errors(), ProgressBars(unit="items") as bars, _without_cycle_collection():
        result = annotate_vcf(
            settings, vcf, out, fasta=fasta, fmt=fmt, use_file_annotation=not reannotate, progress=bars
        )
    freeze_at_exit()  # the output is closed and in place: the shutdown may skip collection passes
    s = result.summary
    impacts = ", ".join(f"{k} {v:,}" for k, v in sorted(s.impacts.items()))
    ok(f"annotated {s.variants:,} distinct variants from {s.records:,} records ({s.source}) → {result.out}")
    console.print(f"  impact: {impacts or 'none'}")
    console.print(f"  resources: {', '.join(f'{k} {v}' for k, v in result.provenance['resources'].items())}")
    if s.ref_mismatch:
        console.print(
            f"  [yellow]REF differs from the reference FASTA for {s.ref_mismatch:,} variants (flagged ref_mismatch)[/]"
        )
    if s.without_sequence:
        console.print(
            f"  [yellow]{s.without_sequence:,} variants had no reference sequence: sequence-free classes only "
            "(sequence_available = false)[/]"
        )
    if s.skipped_symbolic:
        console.print(f"  skipped {s.skipped_symbolic:,} symbolic or breakend alleles")
    if result.missing:
        console.print(
            f"  [yellow]not installed, so not joined: {', '.join(result.missing)} — run "
            "`genopath resources build --from DIR` or `genopath resources fetch`[/]"
        )
