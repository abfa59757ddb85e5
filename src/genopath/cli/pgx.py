"""``genopath pgx``: star alleles, phenotypes and CPIC recommendations from a genome VCF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from genopath.cli.context import ProgressBars, console, errors, load_settings, ok, table, work


def pgx(
    vcf: Path = typer.Option(
        ..., "--vcf", help="VCF or bgzipped VCF (GRCh38); index it with tabix for speed"
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write pgx.json"),
    sample: list[str] = typer.Option(
        [], "--sample", "-s", help="Sample to call (repeat; default: every sample)"
    ),
    outside_calls: Path | None = typer.Option(
        None,
        "--outside-calls",
        help="TSV of outside calls for CYP2D6, HLA-A, HLA-B, MT-RNR1 (gene, diplotype[, phenotype, activity])",
    ),
    assume_reference: bool = typer.Option(
        False,
        "--assume-reference",
        help="Treat positions absent from the VCF as reference (joint-called genomes only)",
    ),
    gene: list[str] = typer.Option([], "--gene", "-g", help="Call only this gene (repeat; default: all)"),
    report: list[Path] = typer.Option(
        [], "--report", help="Also write the report: .html or .pdf (repeat for both)"
    ),
    participant: str | None = typer.Option(
        None,
        "--participant",
        help="Registry programme ID: checks pharmacogenomics consent and audits the run",
    ),
) -> None:
    """Call pharmacogenes from a VCF and match CPIC recommendations (one result per sample)."""
    from genopath.pgx import PgxOptions, open_data, run_pgx, write_pgx

    if participant is not None:
        _consent(participant)
    settings = load_settings()
    options = PgxOptions(tuple(sample), outside_calls, assume_reference, tuple(gene))
    with errors(), ProgressBars(unit="items") as bars:
        document = run_pgx(open_data(settings), vcf, options, progress=bars)
        write_pgx(document, out)
        if report:
            from genopath.reports.pgx import write_pgx_report
        for path in report:
            write_pgx_report(document, path, participant=participant)
    if participant is not None:
        _audit(participant, vcf, out, document)
    for result in document["samples"]:
        rows = [
            (
                g["gene"],
                " or ".join(d["name"] for d in g["diplotypes"]) or "not called",
                g["phenotype"] or (g["not_called"] or ""),
                g["source"],
            )
            for g in result["genes"]
        ]
        table(f"sample {result['sample']}", ("gene", "diplotype", "phenotype / reason", "source"), rows)
        strong = sum(
            1 for r in result["recommendations"] for m in r["matches"] if m["classification"] == "Strong"
        )
        console.print(
            f"  {len(result['recommendations'])} CPIC guidelines apply; {strong} strong recommendations"
        )
    ok(f"wrote {out}" + "".join(f", {p}" for p in report) + f" (pgx data {document['resources']['pgx']})")


def _consent(participant: str) -> None:
    """Refuse without pharmacogenomics consent (and outside the acting user's centre scope)."""
    from genopath.registry.consent import require_consent
    from genopath.registry.participants import get_participant
    from genopath.registry.terms import Purpose

    with work() as (_, session, actor):
        require_consent(session, get_participant(session, actor, participant), Purpose.PHARMACOGENOMICS)


def _audit(participant: str, vcf: Path, out: Path, document: dict[str, Any]) -> None:
    """Record the read of the participant's genome once the results are written (a run that
    fails leaves no results and no entry)."""
    from genopath.registry import audit

    detail = {
        "vcf": vcf.name,
        "out": out.name,
        "samples": [s["sample"] for s in document["samples"]],
        "pgx": document["resources"]["pgx"],
    }
    with work() as (_, session, actor):
        audit.record(session, actor, "pgx.run", "participant", participant, detail)
