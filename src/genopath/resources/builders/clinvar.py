"""ClinVar VCF → ``variants.parquet``: one row per (chrom, pos, ref, alt) with its classification."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from cyvcf2 import VCF

from genopath.resources.builders.tables import BuildInput, sort_by_position, write_parquet
from genopath.resources.contigs import normalise_chrom
from genopath.resources.progress import Progress

#: ``CLNREVSTAT`` (underscores as spaces) → ClinVar's review stars.
STARS = {
    "practice guideline": 4,
    "reviewed by expert panel": 3,
    "criteria provided, multiple submitters, no conflicts": 2,
    "criteria provided, conflicting classifications": 1,
    "criteria provided, conflicting interpretations": 1,  # the pre-2024 wording
    "criteria provided, single submitter": 1,
}
_CLASSES = {
    "pathogenic": "P",
    "likely pathogenic": "LP",
    # Submitters disagree between P and LP; LP is the claim all of them support.
    "pathogenic/likely pathogenic": "LP",
    "uncertain significance": "VUS",
    "likely benign": "LB",
    "benign/likely benign": "LB",
    "benign": "B",
    "conflicting classifications of pathogenicity": "conflicting",
    "conflicting interpretations of pathogenicity": "conflicting",
}

SCHEMA = pa.schema(
    [
        ("chrom", pa.string()),
        ("pos", pa.int64()),
        ("ref", pa.string()),
        ("alt", pa.string()),
        ("variation_id", pa.int64()),
        ("allele_id", pa.int64()),
        ("significance", pa.string()),
        ("sig_class", pa.string()),
        ("review_status", pa.string()),
        ("stars", pa.int8()),
        ("conditions", pa.string()),
        ("disease_ids", pa.string()),
        ("gene_symbol", pa.string()),
        ("mc", pa.list_(pa.string())),
        ("clnhgvs", pa.string()),
    ]
)


def sig_class(significance: str | None) -> str:
    """The class of a ClinVar aggregate classification: P, LP, VUS, LB, B, conflicting or other.

    The first term decides (``Pathogenic, risk factor`` → P); ``Pathogenic/Likely
    pathogenic`` → LP and ``Benign/Likely benign`` → LB; ``Pathogenic/Likely
    pathogenic/Pathogenic, low penetrance`` → LP.
    """
    if not significance:
        return "other"
    first = significance.split("|")[0].split(",")[0].strip().lower()
    if first.startswith("pathogenic/likely pathogenic"):
        return "LP"
    return _CLASSES.get(first, "other")


def build_clinvar(source: BuildInput, out: Path, progress: Progress) -> None:
    """Write ``variants.parquet`` from every ``.vcf.gz`` of the resource.

    One row per ALT allele (multi-ALT records split; ALT ``.`` and symbolic ALTs skipped).
    Columns: ``chrom`` (``chr``-prefixed; ClinVar's ``MT`` → ``chrM``), ``pos`` (1-based),
    ``ref``, ``alt``, ``variation_id`` (the VCF ID), ``allele_id`` (ALLELEID),
    ``significance`` (CLNSIG, underscores as spaces, e.g. ``Pathogenic/Likely pathogenic``),
    ``sig_class`` (:func:`sig_class`), ``review_status`` (CLNREVSTAT, underscores as spaces),
    ``stars`` (:data:`STARS`, else 0), ``conditions`` (CLNDN, ``|``-separated, underscores as
    spaces), ``disease_ids`` (CLNDISDB as is), ``gene_symbol`` (first symbol of GENEINFO),
    ``mc`` (list of SO terms from MC, e.g. ``["missense_variant"]``), ``clnhgvs`` (CLNHGVS).
    Sorted by chrom (karyotype order), pos, ref, alt.
    """
    vcfs = sorted(local for path, local in source.files.items() if path.endswith(".vcf.gz"))
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for vcf in vcfs:
        progress.begin(f"read {vcf.name}")
        for row in _rows(VCF(str(vcf)), progress):
            for name, value in zip(SCHEMA.names, row, strict=True):
                columns[name].append(value)
        progress.end()
    table = pa.table(columns, schema=SCHEMA)
    write_parquet(sort_by_position(table, "chrom", "pos", "ref", "alt"), out / "variants.parquet")


def _rows(records: Iterable[Any], progress: Progress) -> Iterator[tuple[Any, ...]]:
    for n, v in enumerate(records, 1):
        if n % 10000 == 0:
            progress.advance(10000)
        alts = [
            a for a in v.ALT if a and a != "." and not a.startswith("<") and "[" not in a and "]" not in a
        ]
        if not alts:
            continue
        info = v.INFO
        significance = _spaced(info.get("CLNSIG"))
        review = _spaced(info.get("CLNREVSTAT"))
        shared = (
            int(v.ID) if v.ID and v.ID.isdigit() else None,
            info.get("ALLELEID"),
            significance,
            sig_class(significance),
            review,
            STARS.get(review or "", 0),
            _spaced(info.get("CLNDN")),
            _text(info.get("CLNDISDB")),
            _first_gene(info.get("GENEINFO")),
            _consequences(info.get("MC")),
            _text(info.get("CLNHGVS")),
        )
        for alt in alts:
            yield (normalise_chrom(v.CHROM), v.POS, v.REF, alt, *shared)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _spaced(value: Any) -> str | None:
    text = _text(value)
    return text.replace("_", " ") if text is not None else None


def _first_gene(geneinfo: Any) -> str | None:
    text = _text(geneinfo)
    return text.split("|")[0].split(":")[0] if text else None


def _consequences(mc: Any) -> list[str]:
    # MC is "SO:0001583|missense_variant,SO:0001627|intron_variant".
    text = _text(mc)
    return [item.split("|", 1)[-1] for item in text.split(",")] if text else []
