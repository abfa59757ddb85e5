"""``genopath interpret``: a family VCF, PED and HPO terms in; ranked genes, evidence and the
filter trace out (DESIGN §6, §10).

Two halves, so a phenotype change never redoes genome-wide work:

1. :func:`interpret` — the genome-wide half (:func:`genopath.interpretation.load.load_family`:
   genotype, quality, consequence and loose frequency filters over every record) writes the
   surviving variants to ``<stem>.candidates.parquet`` and the removed ones to
   ``<stem>.trace.parquet``, then runs the second half.
2. :func:`rank_candidates` — segregation, ACMG/AMP, phenotype scores, tiers, ranking and
   additional findings over the candidate table only. :func:`rerank` runs it again from an
   earlier analysis's artefacts with new HPO terms or panels.

Every ``results.json`` records the genopath version, the resource versions, the input file's
sha256 and the artefacts beside it; :func:`explain` answers "why is this variant (not) here?"
from them in one line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import genopath
from genopath.core.errors import InputError, NotFoundError
from genopath.core.files import write_text_atomic
from genopath.core.settings import Settings
from genopath.genome.store import sha256_file
from genopath.interpretation.model import (
    STAGES,
    TRACE_SCHEMA,
    Acmg,
    Family,
    GeneCandidate,
    Member,
    VariantKey,
    genotype_column,
    key_text,
)
from genopath.registry.pedigree import Pedigree
from genopath.registry.terms import AffectedStatus, Sex
from genopath.resources import SILENT, Progress
from genopath.resources.contigs import normalise_chrom

SCHEMA_ID = "genopath.interpretation/1"

#: A gene's phenotype likelihood ratio at or above which PP4 ("patient's phenotype highly specific
#: for a disease with a single genetic aetiology") is applied to its variants.
PP4_MIN_LR = 10.0


@dataclass(frozen=True)
class Phenotype:
    """The proband's HPO terms: observed (for) and excluded (against)."""

    observed: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    """How to analyse: applied panels, penetrance, additional findings and where it is filed."""

    panels: tuple[str, ...] = ()
    penetrance: str = "complete"
    additional_findings: bool = False  # the proband consented to ACMG SF findings
    additional_findings_status: str = "not_requested"  # when not reported: not_requested | not_consented
    proband_age: float | None = None  # years, for the additional-findings age rule
    case_id: str | None = None
    analysis_version: int | None = None


@dataclass
class Artefacts:
    """The files of one analysis: ``results.json`` and the Parquet tables beside it."""

    results: Path
    candidates: Path = field(init=False)
    trace: Path = field(init=False)  # genome-wide stages (quality, consequence, frequency)
    segregation_trace: Path = field(init=False)  # the phenotype-independent rest (segregation)

    def __post_init__(self) -> None:
        stem = self.results.name.removesuffix(".json")
        self.candidates = self.results.with_name(f"{stem}.candidates.parquet")
        self.trace = self.results.with_name(f"{stem}.trace.parquet")
        self.segregation_trace = self.results.with_name(f"{stem}.segregation.parquet")


def interpret(
    settings: Settings,
    vcf: Path,
    pedigree: Pedigree,
    phenotype: Phenotype,
    out: Path,
    *,
    options: Options = Options(),
    proband: str | None = None,
    fasta: Path | None = None,
    progress: Progress = SILENT,
) -> dict[str, Any]:
    """Analyse one family end to end and write ``out`` (``results.json``) with its artefacts.

    Raises
    ------
    InputError, PedigreeError, PhenotypeError
        VCF samples not in the PED, unknown or obsolete HPO terms, an unknown panel, a VCF
        with no annotation and no reference, a GRCh37 file.
    """
    from genopath.genome.header import read_header
    from genopath.interpretation.load import build_family

    family = build_family(pedigree, read_header(Path(vcf)).samples, proband=proband)
    return interpret_family(
        settings, vcf, family, phenotype, out, options=options, fasta=fasta, progress=progress
    )


def interpret_family(
    settings: Settings,
    vcf: Path,
    family: Family,
    phenotype: Phenotype,
    out: Path,
    *,
    options: Options = Options(),
    fasta: Path | None = None,
    progress: Progress = SILENT,
) -> dict[str, Any]:
    """:func:`interpret` for a family already bound to the VCF's samples (registry cases)."""
    from genopath.interpretation.load import load_family
    from genopath.interpretation.panels import load_panels
    from genopath.interpretation.phenotype import check_terms

    vcf, out = Path(vcf), Path(out)
    _check_out(out, vcf)
    # cheap checks first: bad terms or panels fail before the genome is read
    observed, excluded = check_terms(list(phenotype.observed), list(phenotype.excluded))
    panels = load_panels(settings, list(options.panels))
    loaded = load_family(settings, vcf, family, fasta=fasta, progress=progress)
    art = Artefacts(out)
    source = {
        "vcf": str(vcf.resolve()),
        "sha256": sha256_file(vcf),
        "annotation": loaded.annotation_source,
    }
    results, trace = rank_candidates(
        settings,
        loaded.candidates,
        family,
        Phenotype(tuple(observed), tuple(excluded)),
        options,
        panels=panels,
        counts=dict(loaded.counts),
        resources=dict(loaded.resources),
        source=source,
        progress=progress,
    )
    _publish(art, results, trace, candidates=loaded.candidates, genome_trace=loaded.trace)
    return results


def rerank(
    settings: Settings,
    previous: Path,
    phenotype: Phenotype,
    out: Path,
    *,
    options: Options | None = None,
    progress: Progress = SILENT,
) -> dict[str, Any]:
    """Re-rank an earlier analysis with new HPO terms (and/or panels) without reading the VCF.

    ``options`` defaults to the earlier analysis's panels and penetrance. The new analysis keeps
    the earlier one's genome-wide counts and trace rows, and records ``rerank_of``.
    """
    from genopath.interpretation.panels import load_panels
    from genopath.interpretation.phenotype import check_terms

    previous, out = Path(previous), Path(out)
    before = read_results(previous)
    old = Artefacts(previous)
    if out.resolve() == previous.resolve():
        raise InputError(
            f"{out} is the analysis being re-ranked; write the new one elsewhere (analyses are kept)"
        )
    opts = options or Options(
        panels=tuple(p["spec"] for p in before.get("panels", [])),
        penetrance=before.get("settings", {}).get("penetrance", "complete"),
        case_id=(before.get("analysis") or {}).get("case_id"),
    )
    observed, excluded = check_terms(list(phenotype.observed), list(phenotype.excluded))
    panels = load_panels(settings, list(opts.panels))
    candidates = _read_parquet(old.candidates)
    _existing(old.trace)
    family = family_from_results(before)
    counts = {k: v for k, v in before["filter_trace"]["counts"].items() if k in _LOAD_COUNTS}
    results, new_trace = rank_candidates(
        settings,
        candidates,
        family,
        Phenotype(tuple(observed), tuple(excluded)),
        opts,
        panels=panels,
        counts=counts,
        resources={k: v for k, v in before["resources"].items() if k not in ("hpo", "panelapp")},
        source={**before["input"], "rerank_of": str(previous.resolve())},
        progress=progress,
    )
    new = Artefacts(out)
    # the genome-wide tables do not change: the new analysis shares them (hard link, else copy)
    _share(old.candidates, new.candidates)
    _share(old.trace, new.trace)
    _publish(new, results, new_trace)
    return results


_LOAD_COUNTS = ("records", "variants", "genotype", "quality", "consequence", "frequency", "candidates")


def rank_candidates(
    settings: Settings,
    candidates: pa.Table,
    family: Family,
    phenotype: Phenotype,
    options: Options,
    *,
    panels: Sequence[Any],
    counts: dict[str, int],
    resources: dict[str, str],
    source: dict[str, Any],
    progress: Progress = SILENT,
) -> tuple[dict[str, Any], pa.Table]:
    """The phenotype-dependent half: segregation → ACMG → phenotype → tiers → ranking."""
    from genopath.interpretation import acmg, findings, ranking, segregation
    from genopath.interpretation.panels import tier
    from genopath.interpretation.phenotype import PhenotypeScorer

    progress.begin("ranking candidates")
    fits, seg_trace = segregation.find_candidates(candidates, family, penetrance=options.penetrance)
    scorer = PhenotypeScorer(list(phenotype.observed), list(phenotype.excluded))
    rows = _rows_by_key(candidates, family)
    by_gene: dict[str, list[GeneCandidate]] = defaultdict(list)
    for fit in fits:
        by_gene[fit.gene_symbol].append(fit)
    inputs = []
    for gene, gene_fits in sorted(by_gene.items()):
        pheno = scorer.score(gene)
        specific = pheno is not None and pheno.likelihood_ratio >= PP4_MIN_LR
        acmg_by_key: dict[VariantKey, Acmg] = {}
        for fit in gene_fits:
            for key in fit.variants:
                # the strongest classification over the modes a variant fits
                result = acmg.classify(
                    rows[key],
                    fit,
                    phenotype_specific=specific,
                    rows=rows,
                    family=family,
                    penetrance=options.penetrance,
                )
                if key not in acmg_by_key or result.points > acmg_by_key[key].points:
                    acmg_by_key[key] = result
        tiers = [tier(fit, acmg_by_key, rows, panels) for fit in gene_fits]
        gene_rows = {k: rows[k] for fit in gene_fits for k in fit.variants}
        first = next(iter(gene_rows.values()))
        inputs.append(
            ranking.GeneInput(
                gene_symbol=gene,
                hgnc_id=first.get("hgnc_id"),
                candidates=gene_fits,
                acmg=acmg_by_key,
                rows=gene_rows,
                phenotype=pheno,
                tier=min(tiers),  # TIER1 < TIER2 < TIER3
                in_panel=any(gene in p.genes for p in panels),
            )
        )
    hgnc = _hgnc_ids(settings, by_gene)
    for item in inputs:
        item.hgnc_id = item.hgnc_id or hgnc.get(item.gene_symbol)
    genes = ranking.rank(inputs)
    additional: list[dict[str, Any]] | None = None
    if options.additional_findings:
        additional = findings.additional_findings(
            candidates, family, settings, consent=True, age_years=options.proband_age
        )
    trace = seg_trace.cast(TRACE_SCHEMA)
    stage_counts = dict(counts)
    for stage in ("frequency", "segregation"):
        stage_counts[stage] = stage_counts.get(stage, 0) + int(
            pc.sum(pc.equal(pc.cast(seg_trace["stage"], pa.string()), stage)).as_py() or 0
        )
    stage_counts["ranked_genes"] = len(genes)
    stage_counts["ranked_variants"] = len({k for fit in fits for k in fit.variants})
    versions = {**resources, "hpo": scorer.hpo_version}
    if any(str(p.panel_id).isdigit() for p in panels):  # a PanelApp panel: record the release used
        from genopath.resources import installed

        panelapp = installed(settings).get("panelapp")
        if panelapp is not None:
            versions["panelapp"] = panelapp.version
    results: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "genopath_version": genopath.__version__,
        "status": "draft",
        "analysis": {
            "id": uuid.uuid4().hex[:12],
            "version": options.analysis_version,
            "case_id": options.case_id,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "resources": {k: v for k, v in sorted(versions.items()) if v},
        "input": source,
        "settings": {"penetrance": options.penetrance, "pp4_min_lr": PP4_MIN_LR},
        "family": family_as_dict(family),
        "phenotype": {
            "observed": [_term(t) for t in phenotype.observed],
            "excluded": [_term(t) for t in phenotype.excluded],
        },
        "panels": [
            {"spec": spec, "id": p.panel_id, "name": p.name, "version": p.version}
            for spec, p in zip(options.panels, panels, strict=True)
        ],
        "genes": genes,
        "filter_trace": {"stages": list(STAGES), "counts": stage_counts},
    }
    if not genes:
        results["no_candidate_reason"] = _no_candidate_reason(stage_counts)
    if options.additional_findings:
        results["additional_findings"] = additional
    else:
        results["additional_findings_status"] = options.additional_findings_status
    progress.end()
    return results, trace


def _hgnc_ids(settings: Settings, symbols: Mapping[str, Any]) -> dict[str, str]:
    """HGNC IDs of the candidate genes from the installed MANE transcript table."""
    from genopath.resources import installed

    mane = installed(settings).get("mane")
    if mane is None or not symbols:
        return {}
    table = pq.read_table(
        mane.path / "transcripts.parquet",
        columns=["gene_symbol", "hgnc_id"],
        filters=[("gene_symbol", "in", sorted(symbols))],
    )
    return {
        s: h for s, h in zip(table["gene_symbol"].to_pylist(), table["hgnc_id"].to_pylist(), strict=True) if h
    }


def _no_candidate_reason(counts: Mapping[str, int]) -> str:
    kept = counts.get("candidates", 0)
    if not kept:
        return (
            "no variant carried by an affected member passed the quality, consequence and frequency "
            "filters; see the filter trace"
        )
    return f"{kept} variant(s) passed the filters but none fits a mode of inheritance in this family"


# ---------------------------------------------------------------------------------------------
# artefacts


def _check_out(out: Path, vcf: Path) -> None:
    if not out.name.endswith(".json"):
        raise InputError(f"--out {out} must name a .json file (results.json)")
    if out.resolve() == vcf.resolve():
        raise InputError("--out would overwrite the input VCF; choose another path")
    if not out.parent.exists():
        raise InputError(f"the folder of --out ({out.parent}) does not exist; create it first")


def _share(src: Path, dst: Path) -> None:
    """``dst`` holds the same bytes as ``src``: a hard link when possible, else an atomic copy."""
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        tmp.replace(dst)
    finally:
        tmp.unlink(missing_ok=True)


def _publish(
    art: Artefacts,
    results: dict[str, Any],
    segregation_trace: pa.Table,
    *,
    candidates: pa.Table | None = None,
    genome_trace: pa.Table | None = None,
) -> None:
    """Write the Parquet tables, then results.json last: results.json names a complete analysis."""
    results["artefacts"] = {
        "candidates": art.candidates.name,
        "trace": art.trace.name,
        "segregation_trace": art.segregation_trace.name,
    }
    tables = [(segregation_trace, art.segregation_trace)]
    if candidates is not None and genome_trace is not None:
        tables += [(candidates, art.candidates), (genome_trace.cast(TRACE_SCHEMA), art.trace)]
    stamp = {"genopath_version": genopath.__version__, "resources": results["resources"]}
    for table, path in tables:
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            existing = dict(table.schema.metadata or {})
            merged = {**json.loads(existing.get(b"genopath", b"{}")), **stamp}
            existing[b"genopath"] = json.dumps(merged).encode()
            pq.write_table(table.replace_schema_metadata(existing), tmp)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    write_text_atomic(art.results, json.dumps(results, indent=1, default=str) + "\n")


def read_results(path: Path) -> dict[str, Any]:
    """A ``results.json`` written by :func:`interpret` (checked for its schema)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as e:
        raise NotFoundError(
            f"{path} does not exist; give the results.json written by `genopath interpret`"
        ) from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path} is not a results.json ({e})") from e
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID:
        raise InputError(f"{path} is not a genopath interpretation result (schema {SCHEMA_ID})")
    return data


def _existing(path: Path) -> Path:
    if not path.exists():
        raise NotFoundError(
            f"{path} is missing; it belongs beside its results.json (re-run `genopath interpret`)"
        )
    return path


def _read_parquet(path: Path) -> pa.Table:
    return pq.read_table(_existing(path))


def _term(hpo_id: str) -> dict[str, str]:
    from genopath.registry.phenotypes import resolve_term

    return {"id": hpo_id, "label": resolve_term(hpo_id).label}


def family_as_dict(family: Family) -> dict[str, Any]:
    return {
        "family_id": family.family_id,
        "proband": family.proband,
        "structure": family.structure,
        "members": [
            {
                "individual_id": m.individual_id,
                "sample": m.sample,
                "sex": m.sex.value,
                "affected": m.affected.value,
                "father": m.father,
                "mother": m.mother,
            }
            for m in family.members
        ],
    }


def family_from_results(results: Mapping[str, Any]) -> Family:
    fam = results["family"]
    members = tuple(
        Member(
            m["individual_id"],
            m["sample"],
            m["father"],
            m["mother"],
            Sex(m["sex"]),
            AffectedStatus(m["affected"]),
        )
        for m in fam["members"]
    )
    return Family(fam["family_id"], fam["proband"], members)


def _rows_by_key(candidates: pa.Table, family: Family) -> dict[VariantKey, dict[str, Any]]:
    """Candidate rows as dicts, each with ``genotypes`` {individual: "0/1"} for the report."""
    rows: dict[VariantKey, dict[str, Any]] = {}
    sequenced = family.sequenced
    for row in candidates.to_pylist():
        genotypes = {}
        for i, member in enumerate(sequenced):
            genotypes[member.individual_id] = _gt_text(
                row[genotype_column("gt", i)], row[genotype_column("ploidy", i)]
            )
        row["genotypes"] = genotypes
        rows[(row["chrom"], int(row["pos"]), row["ref"], row["alt"])] = row
    return rows


def _gt_text(gt: int | None, ploidy: int | None) -> str:
    if gt is None or gt < 0:
        return "./." if ploidy != 1 else "."
    if ploidy == 1:
        return str(min(gt, 1))
    return {0: "0/0", 1: "0/1", 2: "1/1"}[gt]


# ---------------------------------------------------------------------------------------------
# explain

_KEY = re.compile(
    r"^(?P<chrom>[^:\-\s]+)[:\-](?P<pos>\d[\d,]*)[:\-](?P<ref>[ACGTNacgtn]+)[:\->/]+(?P<alt>[ACGTNacgtn*]+)$"
)


def parse_key(text: str) -> VariantKey:
    """``chr17:43045712:T:C`` (also ``17-43045712-T-C``, ``chr17:43045712:T>C``) → a variant key."""
    m = _KEY.match(text.strip())
    if m is None:
        raise InputError(f"{text!r} is not a variant; write it as chrom:pos:ref:alt, e.g. chr17:43045712:T:C")
    return (normalise_chrom(m["chrom"]), int(m["pos"].replace(",", "")), m["ref"].upper(), m["alt"].upper())


def explain(results_path: Path, variant: str) -> str:
    """One line: where ``variant`` ended up in the analysis, and why."""
    results = read_results(results_path)
    key = parse_key(variant)
    name = key_text(key)
    for gene in results["genes"]:
        for v in gene["variants"]:
            if (v["chrom"], int(v["pos"]), v["ref"], v["alt"]) == key:
                acmg = v.get("acmg") or {}
                criteria = ", ".join(acmg.get("criteria", [])) or "no criteria"
                return (
                    f"{name} is ranked #{gene['rank']} in {gene['gene_symbol']} ({gene['moi']}, {gene['tier']}, "
                    f"posterior {gene['posterior']:.3g}): {v.get('hgvs_c') or v.get('consequence')}, "
                    f"ACMG {acmg.get('class', '?')} ({acmg.get('points', 0)} points: {criteria})"
                )
    art = Artefacts(Path(results_path))
    for path in (art.segregation_trace, art.trace):
        hit = pq.read_table(
            _existing(path),
            filters=[
                ("chrom", "=", key[0]),
                ("pos", "=", key[1]),
                ("ref", "=", key[2]),
                ("alt", "=", key[3]),
            ],
        )
        if hit.num_rows:
            row = hit.slice(0, 1).to_pylist()[0]
            gene = f" in {row['gene_symbol']}" if row.get("gene_symbol") else ""
            return f"{name}{gene} was removed at the {row['stage']} stage: {row['reason']}"
    return f"{name} {_absent_reason(results, key)}"


def _absent_reason(results: Mapping[str, Any], key: VariantKey) -> str:
    """Why a variant is neither ranked nor traced: not carried by an affected member, or not in the VCF."""
    vcf = Path(results.get("input", {}).get("vcf", ""))
    indexed = vcf.is_file() and any(vcf.with_name(vcf.name + ext).exists() for ext in (".tbi", ".csi"))
    if not indexed or shutil.which("bcftools") is None:
        return (
            "is not among the candidates or the filter trace: either it is not in the VCF, or no affected "
            "family member carries it (genotype stage)"
        )
    chrom_names = {key[0], key[0].removeprefix("chr")}
    for chrom in chrom_names:
        query = subprocess.run(
            ["bcftools", "norm", "-m", "-any", "-r", f"{chrom}:{key[1]}", str(vcf), "-Ou"],
            capture_output=True,
            check=False,
        )
        if query.returncode != 0:
            continue
        text = subprocess.run(
            ["bcftools", "query", "-f", "%REF\t%ALT[\t%SAMPLE=%GT]\n"],
            input=query.stdout,
            capture_output=True,
            check=False,
        ).stdout.decode()
        for line in text.splitlines():
            ref, alt, *calls = line.split("\t")
            if ref == key[2] and alt == key[3]:
                return (
                    "is in the VCF but no affected family member carries it (genotype stage): "
                    + ", ".join(calls)
                )
    return f"is not in the input VCF ({vcf.name}) at that position with that REF/ALT"
