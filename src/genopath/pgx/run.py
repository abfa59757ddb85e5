"""``genopath pgx``: a VCF (and outside calls) in; diplotypes, phenotypes and CPIC guidance out.

Stages, each a plain function over plain data (as PharmCAT's matcher → phenotyper →
reporter): :func:`genopath.pgx.matcher.match_gene` per gene,
:class:`genopath.pgx.phenotype.PhenotypeMap` per result, :func:`genopath.pgx.recommend.recommend`
per sample. The JSON written here is the artefact the HTML/PDF report is made from.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import genopath
from genopath.core.errors import InputError
from genopath.core.files import write_text_atomic
from genopath.core.settings import Settings
from genopath.pgx.definitions import OUTSIDE_CALL_GENES, PgxData
from genopath.pgx.genotypes import SOURCE_ASSUMED, SOURCE_BLOCK, PgxVcf
from genopath.pgx.matcher import GeneMatch, match_gene
from genopath.pgx.outside import OutsideCall, read_outside_calls
from genopath.pgx.phenotype import GenePhenotype, PhenotypeMap, not_called
from genopath.pgx.recommend import HLA_KEYS, hla_status, recommend
from genopath.resources import SILENT, Progress, require


@dataclass(frozen=True)
class PgxOptions:
    """How to run: which samples, outside calls, and whether absence means reference."""

    samples: tuple[str, ...] = ()
    outside_calls: Path | None = None
    assume_reference: bool = False
    genes: tuple[str, ...] = ()


def open_data(settings: Settings) -> PgxData:
    """The installed ``pgx`` resource (raises ResourceMissing naming the install command)."""
    installed = require(settings, "pgx")
    return PgxData(installed.path, installed.version)


def run_pgx(
    data: PgxData, vcf: Path, options: PgxOptions = PgxOptions(), progress: Progress = SILENT
) -> dict[str, Any]:
    """Call every pharmacogene for each sample of ``vcf`` and attach CPIC recommendations.

    Returns the ``pgx.json`` document: ``genopath_version``, ``resources`` (``pgx`` version),
    ``input`` (VCF path, options), and ``samples``: per sample ``sample``, ``genes`` (per gene:
    ``gene``, ``source``, ``called``, ``diplotypes``, ``phasing``, ``phenotype``,
    ``activity_score``, ``lookup``, ``functions``, ``missing_positions``, ``not_called``,
    ``variants``, ``positions`` with each defining position's call) and ``recommendations``.

    Raises
    ------
    NotFoundError
        A sample or gene that does not exist (the message lists what does).
    InputError
        A GRCh37 or unreadable VCF, a malformed outside-calls file.
    """
    outside = read_outside_calls(options.outside_calls) if options.outside_calls else {}
    genes = list(options.genes) or data.callable_genes()
    for gene in genes:
        data.record(gene)  # NotFoundError naming the genes there are
    definitions = [data.definition(g) for g in genes if g not in OUTSIDE_CALL_GENES]
    regions: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for d in definitions:
        regions[d.chrom].append(d.span)
    with PgxVcf(vcf, dict(regions)) as reader:
        for sample in options.samples:
            reader.check_sample(sample)
        samples = list(options.samples) or list(reader.samples)
        progress.begin("pharmacogenes", total=len(definitions))
        per_sample: dict[str, list[dict[str, Any]]] = {s: [] for s in samples}
        results: dict[str, dict[str, GenePhenotype]] = {s: {} for s in samples}
        for definition in definitions:
            phenotypes = PhenotypeMap.of(data, definition.gene)
            calls = reader.calls(definition, samples, assume_reference=options.assume_reference)
            for sample in samples:
                matched = match_gene(definition, calls[sample], severity=phenotypes.severity())
                result = _phenotype(phenotypes, matched)
                results[sample][definition.gene] = result
                per_sample[sample].append(_gene_record(definition, matched, result, calls[sample]))
            progress.advance(1)
        progress.end()
    guidelines = data.guidelines()
    documents = []
    for sample in samples:
        genes_out, hla = _outside(data, outside, results[sample])
        documents.append(
            {
                "sample": sample,
                "genes": per_sample[sample] + genes_out,
                "recommendations": [asdict(r) for r in recommend(guidelines, results[sample], hla)],
            }
        )
    return {
        "genopath_version": genopath.__version__,
        "resources": {"pgx": data.version},
        "input": {
            "vcf": str(vcf),
            "outside_calls": str(options.outside_calls) if options.outside_calls else None,
            "assume_reference": options.assume_reference,
        },
        "samples": documents,
    }


def _phenotype(phenotypes: PhenotypeMap, matched: GeneMatch) -> GenePhenotype:
    if not matched.called:
        return not_called(matched.gene)
    return phenotypes.phenotype([(d.allele1, d.allele2) for d in matched.diplotypes])


def _gene_record(
    definition: Any, matched: GeneMatch, result: GenePhenotype, calls: Sequence[Any]
) -> dict[str, Any]:
    return {
        "gene": matched.gene,
        "source": "vcf",
        "called": matched.called,
        "diplotypes": [
            {"name": d.name, "allele1": d.allele1, "allele2": d.allele2, "score": d.score}
            for d in matched.diplotypes
        ],
        "phasing": matched.phasing,
        "phenotype": result.phenotype,
        "activity_score": result.activity_score,
        "lookup": result.lookup,
        "functions": result.functions,
        "missing_positions": list(matched.missing),
        "not_called": matched.not_called,
        "variants": matched.variants,
        "assumed_reference": sum(1 for c in calls if c.source == SOURCE_ASSUMED),
        "reference_blocks": sum(1 for c in calls if c.source == SOURCE_BLOCK),
        "positions": [
            {"position": p.label, "call": "/".join(c.alleles) if c.alleles else None, "source": c.source}
            for p, c in zip(definition.positions, calls, strict=True)
            if not c.missing and set(c.alleles) != {p.ref}
        ],
        "version": definition.version,
    }


def _outside(
    data: PgxData, outside: dict[str, OutsideCall], results: dict[str, GenePhenotype]
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, ...]]]:
    """Phenotype results for outside calls (added to ``results``) and the HLA alleles."""
    records: list[dict[str, Any]] = []
    hla: dict[str, tuple[str, ...]] = {}
    for gene, call in outside.items():
        if gene.startswith("HLA-"):
            if call.alleles is None:
                raise InputError(
                    f"outside call for {gene} (line {call.line}) needs a diplotype such as *15:02/*40:01"
                )
            hla[gene] = call.alleles
            status = "; ".join(hla_status(call.alleles, key) for key in HLA_KEYS.get(gene, ()))
            result = GenePhenotype(
                gene,
                ("/".join(call.alleles),),
                status or None,
                None,
                "/".join(call.alleles),
                {},
                "outside call",
            )
        else:
            result = _outside_star(gene, call, PhenotypeMap.of(data, gene))
        results[gene] = result
        records.append(
            {
                "gene": gene,
                "source": "outside call",
                "called": True,
                "diplotypes": [{"name": n} for n in result.diplotypes],
                "phenotype": result.phenotype,
                "activity_score": result.activity_score,
                "lookup": result.lookup,
                "functions": result.functions,
                "missing_positions": [],
                "not_called": None,
                "phasing": None,
                "variants": {},
                "positions": [],
            }
        )
    return records, hla


def _outside_star(gene: str, call: OutsideCall, phenotypes: PhenotypeMap) -> GenePhenotype:
    where = f"outside call for {gene} (line {call.line})"
    if call.alleles is not None:
        unknown = [a for a in call.alleles if a not in phenotypes.alleles()]
        if unknown and not (call.phenotype or call.activity_score):
            raise InputError(
                f"{where}: {', '.join(unknown)} is not a {gene} allele the CPIC tables know; "
                "give the phenotype or activity score in columns 3-4"
            )
        if not unknown:
            result = phenotypes.phenotype([call.alleles], source="outside call")
            if call.phenotype is None and call.activity_score is None:
                return result
    names = ("/".join(call.alleles),) if call.alleles else ()
    alternatives: tuple[str, ...] = ()
    if call.activity_score is not None:
        lookup = call.activity_score
    else:
        assert call.phenotype is not None  # the parser refuses a line with nothing to use
        alternatives = phenotypes.lookups_for(call.phenotype)
        if not alternatives:
            raise InputError(
                f"{where}: phenotype {call.phenotype!r} is not one CPIC's {gene} table knows; give one of: "
                + ", ".join(phenotypes.phenotypes())
                + " (or the activity score in column 4)"
            )
        lookup = alternatives[0] if len(alternatives) == 1 else call.phenotype
    return GenePhenotype(
        gene,
        names,
        call.phenotype,
        call.activity_score,
        lookup,
        {},
        "outside call",
        alternatives if len(alternatives) > 1 else (),
    )


def write_pgx(document: dict[str, Any], out: Path) -> None:
    """Write ``pgx.json`` atomically (a reader never sees half a file)."""
    write_text_atomic(out, json.dumps(document, indent=1) + "\n")
