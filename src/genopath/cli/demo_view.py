"""Printing the demo summary."""

from __future__ import annotations

from genopath.cli.context import console, table
from genopath.demo import DemoSummary
from genopath.registry import Purpose


def print_summary(summary: DemoSummary) -> None:
    """Print what the demo built and where to look next."""
    console.rule("[bold]genopath demo programme")
    states = sorted({state for counts in summary.participants.values() for state in counts})
    table(
        "Participants by centre and state",
        ["centre", *states, "total"],
        [
            (centre, *[counts.get(st, 0) for st in states], sum(counts.values()))
            for centre, counts in sorted(summary.participants.items())
        ],
    )
    table("Samples by state", ["state", "samples"], sorted(summary.samples.items()))
    table("Cases", ["case", "centre", "proband", "state", "blocked because"], summary.cases)
    probands = [pid for pid, _ in summary.consent]
    table(
        "Consent check for each proband (may_use, now)",
        ["purpose", *probands],
        [
            (purpose.value, *["yes" if answers[purpose] else "no" for _, answers in summary.consent])
            for purpose in Purpose
        ],
    )
    console.print(f"audit log: {summary.audit_entries} entries, hash chain verified")
    if summary.resources:
        console.print(
            "reference resources (demo bundle): "
            + ", ".join(f"{name} {version}" for name, version in sorted(summary.resources.items()))
        )
    if summary.annotation is not None:
        table(
            f"Example BRCA1 VCF annotated → {summary.annotation}",
            ["variant", "MANE Select HGVS", "consequence", "ClinVar", "LOEUF"],
            summary.annotated,
        )
    home = summary.home
    console.print(f"\nData home: {home.resolve()}  (users and passwords: {summary.credentials})")
    console.print("Look around with, for example:")
    for command in (
        "registry participant list",
        "registry family show F000001",
        "registry case list",
        "registry sample show HKGP-00001",
        "registry consent check P000001 research",
        "registry audit verify",
        "resources status",
    ):
        console.print(f"  genopath --home {home} {command}")
    if summary.annotation is not None:
        console.print(
            f"  genopath --home {home} annotate examples/brca1_demo.vcf --out brca1.annotated.vcf.gz"
        )
