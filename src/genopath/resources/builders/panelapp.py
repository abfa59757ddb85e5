"""Genomics England PanelApp → ``panels.parquet`` and ``panel_genes.parquet``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from genopath.resources.builders.genes import read_mane_summary
from genopath.resources.builders.tables import BuildInput, open_text, read_delimited, write_parquet
from genopath.resources.progress import Progress


@dataclass(frozen=True)
class _Details:
    """What the raw API record of a panel adds to the core table."""

    version: str
    genes: dict[str, tuple[str | None, str | None]]  # symbol → (hgnc_id, mode_of_inheritance)


def build_panelapp(source: BuildInput, out: Path, progress: Progress) -> None:
    """Write ``panels.parquet`` and ``panel_genes.parquet`` from the core TSV and API records.

    ``panels.parquet``: ``panel_id`` (int), ``name``, ``disease_group``, ``disease_sub_group``,
    ``status`` (empty text as null), ``version`` (from the API record when there is one, else null), ``gene_count``
    (gene rows of the panel in the core table, all confidence levels).

    ``panel_genes.parquet``: ``panel_id``, ``panel_name``, ``gene_symbol``, ``hgnc_id`` (from
    the API record when there is one, else from the MANE summary by symbol, else null),
    ``confidence`` (int: 3 green, 2 amber, 1 red, 0 none), ``moi`` (PanelAppRex's simplified
    mode of inheritance: AR, AD, AD/AR, XL, MT or NA), ``moi_detail`` (the API's full mode
    of inheritance, e.g. ``BIALLELIC, autosomal or pseudoautosomal``, else null),
    ``panel_version`` (as ``version``). Sorted by panel_id, gene_symbol.
    """
    progress.begin("PanelApp panels")
    core = read_delimited(
        source.get("gene_panels_core.tsv.gz"),
        delimiter="\t",
        types={"id": pa.int64(), "confidence_level": pa.int64()},
        empty_strings_null=True,
    )
    details = _details(source.get("panel_details_api.jsonl.gz"))
    hgnc_by_symbol = _hgnc_by_symbol(source.get("summary.txt.gz"))
    ids, symbols = core["id"].to_pylist(), core["Gene"].to_pylist()
    versions = [details[i].version if i in details else None for i in ids]
    api = [
        details[i].genes.get(s, (None, None)) if i in details else (None, None)
        for i, s in zip(ids, symbols, strict=True)
    ]
    genes = pa.table(
        {
            "panel_id": core["id"],
            "panel_name": core["name"],
            "gene_symbol": core["Gene"],
            "hgnc_id": pa.array(
                [a[0] or hgnc_by_symbol.get(s) for a, s in zip(api, symbols, strict=True)], pa.string()
            ),
            "confidence": core["confidence_level"],
            "moi": core["mode_of_inheritance"],
            "moi_detail": pa.array([a[1] for a in api], pa.string()),
            "panel_version": pa.array(versions, pa.string()),
        }
    )
    order = pc.sort_indices(genes, sort_keys=[("panel_id", "ascending"), ("gene_symbol", "ascending")])
    write_parquet(genes.take(order), out / "panel_genes.parquet")
    write_parquet(_panels(core, details), out / "panels.parquet")
    progress.end()


def _panels(core: pa.Table, details: dict[int, _Details]) -> pa.Table:
    panels = core.group_by(
        ["id", "name", "disease_group", "disease_sub_group", "status"], use_threads=False
    ).aggregate([("Gene", "count")])
    order = pc.sort_indices(panels, sort_keys=[("id", "ascending")])
    panels = panels.take(order)
    return pa.table(
        {
            "panel_id": panels["id"],
            "name": panels["name"],
            "disease_group": panels["disease_group"],
            "disease_sub_group": panels["disease_sub_group"],
            "status": panels["status"],
            "version": pa.array(
                [details[i].version if i in details else None for i in panels["id"].to_pylist()], pa.string()
            ),
            "gene_count": panels["Gene_count"],
        }
    )


def _details(path: Path) -> dict[int, _Details]:
    found = {}
    with open_text(path) as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            genes = {
                g["entity_name"]: (
                    g.get("gene_data", {}).get("hgnc_id"),
                    g.get("mode_of_inheritance") or None,
                )
                for g in record.get("genes", [])
            }
            found[int(record["id"])] = _Details(str(record["version"]), genes)
    return found


def _hgnc_by_symbol(summary: Path) -> dict[str, str]:
    table = read_mane_summary(summary)
    return dict(zip(table["gene_symbol"].to_pylist(), table["hgnc_id"].to_pylist(), strict=True))
