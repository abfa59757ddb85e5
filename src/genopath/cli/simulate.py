"""``genopath simulate``: synthetic families with a known diagnosis (VCF + PED + HPO + truth)."""

from __future__ import annotations

from pathlib import Path

import typer

from genopath.cli.context import ProgressBars, console, errors, load_settings, ok, table


def _values(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or () for v in item.split(",") if v.strip()]


def simulate(
    out: Path = typer.Option(
        ..., "--out", "-o", help="Folder for the cases (one sub-folder each) and manifest.json"
    ),
    cases: int = typer.Option(10, "--cases", "-n", help="Number of families"),
    structure: list[str] = typer.Option(
        ["mixed"],
        "--structure",
        help="singleton, duo, trio, quad, or mixed (all four); repeat or comma-separate — used in turn",
    ),
    moi: list[str] = typer.Option(
        [],
        "--moi",
        help="Modes of inheritance to draw: AD, AR, XLR, XLD (default all); repeat or comma-separate",
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed writes identical files"),
    background: str = typer.Option(
        "coding",
        "--background",
        help="coding (ClinVar benign, recessive carriers, rare decoys) or wgs (plus genome-wide non-coding variants)",
    ),
    wgs_variants: int = typer.Option(
        4_000_000, "--wgs-variants", help="Non-coding variants per person with --background wgs"
    ),
) -> None:
    """Simulate families with a known diagnosis: CSQ-annotated VCF, PED, HPO terms and truth.json."""
    from genopath.simulate import simulate_cases

    settings = load_settings()
    with errors(), ProgressBars(unit="items") as bars:
        made = simulate_cases(
            settings,
            out,
            n_cases=cases,
            structures=_values(structure),
            mois=_values(moi) or None,
            seed=seed,
            background=background,
            wgs_variants=wgs_variants,
            progress=bars,
        )
    rows = [
        (
            c.case_id,
            c.truth["structure"],
            c.truth["moi"],
            c.truth["genotype_model"].replace("_", " "),
            c.truth["gene"],
            f"{c.truth['disease']['id']} {c.truth['disease']['name']}",
            ", ".join(v["key"] for v in c.truth["variants"]),
            len(c.hpo),
            f"{c.truth['background']['records']:,}",
        )
        for c in made
    ]
    table(
        "Simulated cases",
        ["case", "family", "MOI", "genotype", "gene", "disease", "causal variants", "HPO", "VCF records"],
        rows,
    )
    resources = made[0].truth["resources"] if made else {}
    console.print(f"  resources: {', '.join(f'{k} {v}' for k, v in resources.items())}")
    ok(f"wrote {len(made)} cases to {out} (manifest.json lists them; truth.json in each case folder)")
