"""``genopath genome ingest|qc``: bring genomes in, check them, and let cases proceed."""

from __future__ import annotations

from pathlib import Path

import typer

from genopath.cli.context import ProgressBars, console, err_console, load_settings, ok, table, work
from genopath.core.errors import InputError

genome_app = typer.Typer(
    help="Genome ingestion (VCF/gVCF → call tables) and quality control.", no_args_is_help=True
)


@genome_app.command("ingest")
def ingest(
    vcf: Path = typer.Argument(
        ..., help="VCF, bgzipped VCF, gVCF or BCF on GRCh38 (single sample or joint family)"
    ),
    sample_map: Path | None = typer.Option(
        None, "--sample-map", help="TSV: vcf_sample<TAB>barcode (default: VCF sample names are barcodes)"
    ),
    replace: bool = typer.Option(
        False,
        help="Replace an ingested genome that came from a different file (the old one is kept in history)",
    ),
    fasta: Path | None = typer.Option(
        None,
        help="faidx-indexed GRCh38 FASTA for left-alignment (default GENOPATH_REFERENCE_FASTA, else the "
        "installed 'reference' resource when it has whole chromosomes, else split only)",
    ),
) -> None:
    """Bind VCF samples to registered samples (consent-gated), split and normalise, store call tables."""
    from genopath.genome import ingest_vcf

    settings = load_settings()
    with work() as (_, session, actor), ProgressBars(unit="items") as bars:
        result = ingest_vcf(
            session, actor, settings, vcf, sample_map=sample_map, replace=replace, fasta=fasta, progress=bars
        )
    table(
        f"{vcf.name} (sha256 {result.sha256[:12]}…, {result.build})",
        ["VCF sample", "sample", "participant", "status", "version", "calls stored", "sites", "missing"],
        [
            (o.vcf_sample, o.barcode, o.programme_id, o.status, o.version, f"{o.calls:,}",
             f"{o.stats['sites']:,}", f"{o.stats['missing']:,}")
            for o in result.samples
        ],
    )  # fmt: skip
    console.print(f"  normalisation: {result.normalisation['note']}")
    changed = [o for o in result.samples if o.status != "unchanged"]
    ok(
        f"{len(changed)} genome(s) stored, {len(result.samples) - len(changed)} unchanged; samples are data_delivered"
    )


@genome_app.command("qc")
def qc(
    family: str | None = typer.Option(
        None, "--family", help="Family ID (F000001): per-sample and family checks"
    ),
    sample: list[str] = typer.Option(
        [], "--sample", help="Sample barcode (repeatable): per-sample checks only"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for qc_report.json/html (default <home>/qc/<family>)"
    ),
) -> None:
    """Check genomes (metrics, sex, relatedness, Mendelian errors); block or ready the cases.

    Exits 1 when a check failed (the outcome is still recorded), 0 when every check passed.
    """
    from genopath.genome import family_qc, record_outcome, report_dir, samples_qc, write_report

    settings = load_settings()
    with work() as (_, session, actor):
        if family and sample:
            raise InputError("give either --family or --sample, not both")
        result = (
            family_qc(session, actor, settings, family)
            if family
            else samples_qc(session, actor, settings, sample)
        )
        record_outcome(session, actor, settings, result)
        json_path, html_path = write_report(result, out or report_dir(settings, result))
    table(
        "genome QC",
        ["sample", "participant", "status", "Ti/Tv", "het/hom", "missingness", "mean GQ", "mean DP", "chrX het", "chrY"],
        [
            (s.barcode, s.programme_id, s.status, _f(s.metrics.titv), _f(s.metrics.het_hom_ratio),
             _f(s.metrics.missingness), _f(s.metrics.mean_gq), _f(s.metrics.mean_dp),
             _f(s.sex.x_het_fraction), s.sex.y_calls)
            for s in result.samples
        ],
    )  # fmt: skip
    for pair in result.pairs:
        phi = "–" if pair["phi"] is None else f"{pair['phi']:.3f}"
        console.print(
            f"  kinship {pair['a']}–{pair['b']} ({pair['relationship']}, expected {pair['expected_kinship']:.3f}): "
            f"{phi} over {pair['sites']:,} SNVs [{pair['status']}]"
        )
    for trio in result.trios:
        rate = "–" if trio["rate"] is None else f"{trio['rate']:.4f}"
        console.print(
            f"  Mendelian errors {trio['child']} ← {trio['father']} × {trio['mother']}: {trio['errors']:,} of "
            f"{trio['sites']:,} sites ({rate}) [{trio['status']}]"
        )
    if result.awaiting:
        console.print(f"  awaiting genomes: {', '.join(result.awaiting)}")
    for barcode, state in result.sample_states.items():
        console.print(f"  sample {barcode}: {state}")
    for case_id, what in result.cases.items():
        console.print(f"  case {case_id}: {what}")
    console.print(f"  report: {json_path} and {html_path}")
    if result.status == "fail":
        for line in result.failures():
            err_console.print(f"[bold red]QC failed:[/] {line}", soft_wrap=True)
        raise typer.Exit(code=1)
    ok("genome QC passed")


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"
