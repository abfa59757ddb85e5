"""The pharmacogenomic report: one page per sample from a ``pgx.json`` document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genopath.reports.render import render_html, write_report

LICENCE = (
    "Allele definitions, allele functions and phenotype maps: PharmVar and ClinPGx/PharmGKB, "
    "CC BY-SA 4.0; CPIC guideline recommendations: CPIC, CC0. Distributed in the format of "
    "PharmCAT (Sangkuhl K et al., Clin Pharmacol Ther 2020)."
)


def pgx_report_html(document: dict[str, Any], *, participant: str | None = None) -> str:
    """The HTML report for every sample of a ``pgx.json`` document.

    Each sample shows the genotype summary (gene, diplotype, phenotype, activity score,
    phasing, source), the genes not called and why, the positions with no call that limit a
    call, and every CPIC guideline with a result: drug, the sample's keys, the recommendation,
    its classification and population. The header carries the genopath and resource versions
    and a *draft — not for clinical use until reviewed* status.
    """
    samples = []
    for sample in document["samples"]:
        genes = sorted(sample["genes"], key=lambda g: g["gene"])
        samples.append(
            {
                "name": sample["sample"],
                "called": [g for g in genes if g["called"]],
                "not_called": [g for g in genes if not g["called"]],
                "limited": [g for g in genes if g["called"] and g["missing_positions"]],
                "recommendations": sorted(sample["recommendations"], key=lambda r: r["drugs"]),
            }
        )
    return render_html(
        "pgx.html.j2",
        {
            "document": document,
            "samples": samples,
            "participant": participant,
            "licence": LICENCE,
        },
    )


def write_pgx_report(document: dict[str, Any], out: Path, *, participant: str | None = None) -> None:
    """Write the report as ``.html`` or ``.pdf`` (atomically)."""
    write_report(pgx_report_html(document, participant=participant), out)
