"""``genopath interpret`` and ``genopath explain``: rank a family's variants; say why one is (not) there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from genopath.cli.context import ProgressBars, console, errors, load_settings, ok, table


def _terms(values: list[str]) -> tuple[str, ...]:
    return tuple(t.strip() for v in values for t in v.split(",") if t.strip())


def interpret(
    vcf: Path | None = typer.Option(
        None, "--vcf", help="Family VCF (GRCh38; VEP/SnpEff/bcftools-annotated, or plain with a reference)"
    ),
    ped: Path | None = typer.Option(
        None, "--ped", help="PED file of the family (VCF samples = individual IDs)"
    ),
    hpo: list[str] = typer.Option([], "--hpo", help="Observed HPO terms, comma-separated or repeated"),
    exclude_hpo: list[str] = typer.Option(
        [], "--exclude-hpo", help="HPO terms checked and absent (count against diseases that have them)"
    ),
    panel: list[str] = typer.Option(
        [],
        "--panel",
        help="Applied panel: PanelApp ID or a gene-list file (repeat); off-panel genes are still searched",
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Where to write results.json (tables are written beside it)"
    ),
    proband: str | None = typer.Option(
        None, "--proband", help="Proband's individual ID (default: the affected one)"
    ),
    fasta: Path | None = typer.Option(None, "--fasta", help="GRCh38 FASTA for an unannotated VCF"),
    penetrance: str = typer.Option("complete", "--penetrance", help="complete or incomplete"),
    additional_findings: bool = typer.Option(
        False, "--additional-findings", help="Report ACMG SF findings (only with the proband's consent)"
    ),
    age: float | None = typer.Option(
        None, "--age", help="Proband's age in years (additional-findings age rule)"
    ),
    report: list[Path] = typer.Option([], "--report", help="Also write the clinical report: .html or .pdf"),
    rerank: Path | None = typer.Option(
        None,
        "--rerank",
        help="Re-rank an earlier results.json with new --hpo/--panel without reading the VCF",
    ),
) -> None:
    """Find the diagnosis: rank genes by genotype and phenotype evidence, with a filter trace."""
    from genopath.interpretation.run import Options, Phenotype
    from genopath.interpretation.run import interpret as run_interpret
    from genopath.interpretation.run import rerank as run_rerank

    settings = load_settings()
    with errors(), ProgressBars(unit="variants") as bars:
        if penetrance not in ("complete", "incomplete"):
            raise typer.BadParameter("--penetrance must be complete or incomplete")
        phenotype = Phenotype(_terms(hpo), _terms(exclude_hpo))
        if rerank is not None:
            if vcf is not None or ped is not None:
                raise typer.BadParameter(
                    "--rerank reuses the earlier analysis's genome; drop --vcf and --ped"
                )
            options = (
                Options(tuple(panel), penetrance, additional_findings, proband_age=age) if panel else None
            )
            results = run_rerank(settings, rerank, phenotype, out, options=options, progress=bars)
        else:
            if vcf is None or ped is None:
                raise typer.BadParameter("give --vcf and --ped (or --rerank an earlier results.json)")
            from genopath.registry.pedigree import read_ped

            pedigrees = read_ped(ped)
            if len(pedigrees) != 1:
                raise typer.BadParameter(f"{ped} holds {len(pedigrees)} families; give a PED with one family")
            options = Options(tuple(panel), penetrance, additional_findings, proband_age=age)
            results = run_interpret(
                settings, vcf, pedigrees[0], phenotype, out, options=options, proband=proband, fasta=fasta,
                progress=bars,
            )  # fmt: skip
        for path in report:
            from genopath.reports.clinical import write_clinical_report

            write_clinical_report(results, path)
    print_summary(results)
    ok(f"wrote {out}" + "".join(f", {p}" for p in report))


def print_summary(results: dict[str, Any]) -> None:
    counts = results["filter_trace"]["counts"]
    console.print(
        "  filter: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items() if k in ("records", "quality", "consequence",
                                                                     "frequency", "segregation", "candidates"))
    )  # fmt: skip
    genes = results["genes"]
    if not genes:
        console.print(f"  no candidate: {results.get('no_candidate_reason', '')}")
        return
    rows = []
    for gene in genes[:10]:
        variant = "; ".join(
            v.get("hgvs_p") or v.get("hgvs_c") or f"{v['chrom']}:{v['pos']}" for v in gene["variants"]
        )
        acmg = "/".join(str(v["acmg"]["class"]) for v in gene["variants"])
        rows.append((gene["rank"], gene["gene_symbol"], gene["moi"], gene["tier"], f"{gene['posterior']:.3f}",
                     variant, acmg))  # fmt: skip
    table("top candidates", ("rank", "gene", "MOI", "tier", "posterior", "variants", "ACMG"), rows)


def explain(
    results: Path = typer.Argument(..., help="results.json written by genopath interpret"),
    variant: str = typer.Argument(..., help="The variant as chrom:pos:ref:alt, e.g. chr17:43045712:T:C"),
) -> None:
    """Say in one line where a variant ended up and why (ranked, or the stage that removed it)."""
    from genopath.interpretation.run import explain as run_explain

    with errors():
        line = run_explain(results, variant)
    console.print(line, soft_wrap=True, highlight=False)


case_app = typer.Typer(
    help="Interpret registered cases (consent-gated, versioned analyses).", no_args_is_help=True
)


@case_app.command("run")
def case_run(
    case_id: str = typer.Argument(..., help="Case ID (C000001); the case must be ready"),
    panel: list[str] = typer.Option([], "--panel", help="Applied panel (default: the case's panels)"),
) -> None:
    """First analysis of a ready case, filed as <home>/cases/CASE/a1/ (results.json, report.html)."""
    from genopath.cli.context import work
    from genopath.interpretation.cases import run_case

    settings = load_settings()
    with work() as (registry, session, actor), ProgressBars(unit="variants") as bars:
        analysis = run_case(session, actor, settings, registry.cipher, case_id,
                            panels=tuple(panel) or None, progress=bars)  # fmt: skip
    print_summary(analysis.results)
    ok(f"case {analysis.case_id}: analysis a{analysis.version} filed in {analysis.folder}")


@case_app.command("reanalyse")
def case_reanalyse(
    case_id: str = typer.Argument(..., help="Case ID (C000001)"),
    panel: list[str] = typer.Option([], "--panel", help="Applied panel (default: the case's panels)"),
) -> None:
    """A new analysis version with current resources and HPO terms; prints what changed."""
    from genopath.cli.context import work
    from genopath.interpretation.cases import reanalyse_case

    settings = load_settings()
    with work() as (registry, session, actor), ProgressBars(unit="variants") as bars:
        analysis = reanalyse_case(session, actor, settings, registry.cipher, case_id,
                                  panels=tuple(panel) or None, progress=bars)  # fmt: skip
    print_summary(analysis.results)
    changes = analysis.changes or {}
    how = (
        "re-ranked the previous candidates (genome and resources unchanged)"
        if analysis.reranked
        else "full run"
    )
    console.print(f"  {how}")
    for g in changes.get("new_genes", []):
        console.print(f"  new candidate: {g['gene']} at rank {g['rank']}")
    for g in changes.get("dropped_genes", []):
        console.print(f"  no longer a candidate: {g['gene']} (was rank {g['rank']})")
    for m in changes.get("rank_moves", []):
        console.print(f"  {m['gene']}: rank {m['from']} → {m['to']}")
    for r in changes.get("reclassified", []):
        console.print(f"  {r['gene']} {r['variant']}: {r['from']} → {r['to']}")
    if not any(changes.get(k) for k in ("new_genes", "dropped_genes", "rank_moves", "reclassified")):
        console.print("  no change in candidates, ranks or classes")
    ok(f"case {analysis.case_id}: analysis a{analysis.version} filed in {analysis.folder}")
