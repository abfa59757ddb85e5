"""Applied gene panels (PanelApp or a gene list) and GEL-style tiers.

A panel spec is either a PanelApp panel ID (a number, read from the installed ``panelapp``
resource) or a file: a TSV whose header names ``gene_symbol`` (optional ``confidence``: 3/green,
2/amber, 1/red, 0; optional ``moi``: a PanelApp code), or one symbol per line (``#`` comments
allowed). File genes are green unless a confidence says otherwise, and must be MANE gene
symbols (the annotation's gene names), so a typo or an outdated alias fails loudly instead of
silently matching nothing.

Tiers follow the Genomics England rare-disease tiering used in the 100,000 Genomes Project
(Smedley D et al. N Engl J Med 2021;385:1868-1880, supplementary methods):

* **TIER1** — a high-impact (loss-of-function class, VEP HIGH) or de novo protein-altering
  variant in a green panel gene whose panel mode of inheritance fits the candidate's; or a
  ClinVar P/LP (≥ 1 star) variant in a green or amber panel gene with a compatible mode;
* **TIER2** — a moderate-impact variant (missense, in-frame, splice region) in a green or amber
  panel gene with a compatible mode (and a high-impact one in an amber gene);
* **TIER3** — everything else, including every off-panel gene (always searched).

A candidate with two variants (compound heterozygous) takes the lower tier of the two, and a
variant ACMG-classified Benign or Likely benign is TIER3.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from genopath.annotation import so
from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.interpretation.model import MOIS, Acmg, GeneCandidate, VariantKey
from genopath.resources import require

#: Panel mode-of-inheritance codes (PanelApp's simplified codes, plus XLR/XLD for gene lists)
#: and the candidate modes (:data:`genopath.interpretation.model.MOIS`) each is compatible with.
PANEL_MOIS: dict[str, frozenset[str]] = {
    "AD": frozenset({"AD"}),
    "AR": frozenset({"AR"}),
    "AD/AR": frozenset({"AD", "AR"}),
    "XL": frozenset({"XLR", "XLD"}),
    "XLR": frozenset({"XLR"}),
    "XLD": frozenset({"XLD"}),
    "MT": frozenset({"MT"}),
}
_CONFIDENCE_WORDS = {"green": 3, "amber": 2, "red": 1, "none": 0}
_HEADER_NAMES = ("gene_symbol", "symbol", "gene")
_PATHOGENIC = frozenset({"P", "LP"})
_SPLICE_REGION = frozenset(
    {"splice_region_variant", "splice_donor_5th_base_variant", "splice_donor_region_variant",
     "splice_polypyrimidine_tract_variant"}
)  # fmt: skip


@dataclass(frozen=True)
class PanelGene:
    """A gene on a panel: symbol, confidence (3 green, 2 amber, 1 red, 0 none), mode of inheritance."""

    symbol: str
    confidence: int
    moi: str | None  # a key of PANEL_MOIS, or None (not stated: compatible with any mode)


@dataclass(frozen=True)
class Panel:
    """An applied panel: PanelApp ID (or the file path), name, version, genes by symbol."""

    panel_id: str
    name: str
    version: str | None
    genes: dict[str, PanelGene]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.panel_id, "name": self.name, "version": self.version}


def moi_compatible(panel_moi: str | None, moi: str) -> bool:
    """Whether a panel gene's mode (``AD/AR``, ``XL`` …; ``None``/``NA`` = any) admits a candidate mode."""
    if panel_moi is None or panel_moi == "NA":
        return True
    return moi in PANEL_MOIS.get(panel_moi, frozenset(MOIS))


def load_panels(settings: Settings, specs: Sequence[str]) -> list[Panel]:
    """Read the applied panels: one :class:`Panel` per spec, in the order given.

    Parameters
    ----------
    settings
        Where the ``panelapp`` and ``mane`` resources are installed.
    specs
        PanelApp panel IDs (``"245"``) or paths to gene-list files (module docstring).

    Returns
    -------
    list[Panel]
        PanelApp panels carry their name and version from the installed release; a file panel
        has its path as ``panel_id``, its file name as ``name`` and ``sha256:<12 hex>`` of its
        content as ``version``.

    Raises
    ------
    InputError
        A panel ID absent from the installed release (the message lists the panels there), a
        missing or malformed file, an unknown confidence or mode, or symbols not in MANE.
    ResourceMissing
        ``panelapp`` (for an ID) or ``mane`` (for a file) is not installed.
    """
    panels: list[Panel] = []
    for spec in specs:
        spec = spec.strip()
        if not spec:
            raise InputError("an empty panel was given; pass a PanelApp panel ID or a gene-list file")
        panels.append(_panelapp(settings, int(spec)) if spec.isdigit() else _file(settings, spec))
    return panels


def list_panels(settings: Settings) -> list[dict[str, Any]]:
    """The panels of the installed PanelApp release: ``panel_id``, ``name``, ``version``, ``gene_count``."""
    table = pq.read_table(require(settings, "panelapp").path / "panels.parquet")
    rows: list[dict[str, Any]] = table.select(["panel_id", "name", "version", "gene_count"]).to_pylist()
    return rows


def _panelapp(settings: Settings, panel_id: int) -> Panel:
    resource = require(settings, "panelapp")
    panels = pq.read_table(resource.path / "panels.parquet")
    found = panels.filter(pc.equal(panels["panel_id"], panel_id)).to_pylist()
    if not found:
        rows = panels.to_pylist()
        shown = ", ".join(f"{r['panel_id']} ({r['name']})" for r in rows[:12])
        more = f", … {len(rows) - 12} more in {resource.path / 'panels.parquet'}" if len(rows) > 12 else ""
        subset = f", {resource.subset}" if resource.subset else ""
        raise InputError(
            f"PanelApp panel {panel_id} is not in the installed panelapp resource (release "
            f"{resource.version}{subset}; {len(rows)} panels: {shown}{more}). Give one of these IDs or "
            "a gene-list file; `genopath resources status` shows the installed release and "
            "`genopath resources fetch panelapp` installs the full one"
        )
    meta = found[0]
    genes = pq.read_table(resource.path / "panel_genes.parquet", filters=[("panel_id", "=", panel_id)])
    return Panel(
        panel_id=str(panel_id),
        name=meta["name"],
        version=meta["version"],
        genes={
            g["gene_symbol"]: PanelGene(
                g["gene_symbol"], int(g["confidence"] or 0), _moi(g["moi"], "PanelApp")
            )
            for g in genes.select(["gene_symbol", "confidence", "moi"]).to_pylist()
        },
    )


def _moi(value: str | None, where: str) -> str | None:
    text = (value or "").strip().upper()
    if text in ("", "NA", "."):
        return None
    if text not in PANEL_MOIS:
        raise InputError(
            f"{where}: mode of inheritance {value!r} is not one of {', '.join(PANEL_MOIS)}, NA or empty"
        )
    return text


def _confidence(value: str, where: str) -> int:
    text = value.strip().lower()
    if not text:
        return 3
    if text in _CONFIDENCE_WORDS:
        return _CONFIDENCE_WORDS[text]
    if text in ("0", "1", "2", "3"):
        return int(text)
    raise InputError(f"{where}: confidence {value!r} is not 0–3 or green/amber/red")


def _file(settings: Settings, spec: str) -> Panel:
    path = Path(spec).expanduser()
    if not path.is_file():
        raise InputError(
            f"panel {spec!r} is neither a PanelApp panel ID (a number) nor an existing gene-list file"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"panel file {path} is not UTF-8 text ({e})") from e
    lines = [(n, line.rstrip("\r\n")) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise InputError(f"panel file {path} lists no genes")
    genes = _check_symbols(settings, path, _parse_rows(path, lines))
    return Panel(str(path), path.name, f"sha256:{hashlib.sha256(raw).hexdigest()[:12]}", genes)


def _parse_rows(path: Path, lines: list[tuple[int, str]]) -> list[PanelGene]:
    header = [h.strip().lower() for h in lines[0][1].split("\t")]
    symbol_col = next((header.index(h) for h in _HEADER_NAMES if h in header), None)
    if symbol_col is None:
        several = next((n for n, line in lines if "\t" in line.strip()), None)
        if several is not None:
            raise InputError(
                f"{path} line {several} has several columns but the file has no header naming "
                "gene_symbol; use a TSV header (gene_symbol, confidence, moi) or one symbol per line"
            )
        return [PanelGene(line.strip(), 3, None) for _, line in lines]
    conf_col = header.index("confidence") if "confidence" in header else None
    moi_col = header.index("moi") if "moi" in header else None
    genes = []
    for n, line in lines[1:]:
        cells = line.split("\t")
        symbol, conf, moi = (_cell(cells, i) for i in (symbol_col, conf_col, moi_col))
        where = f"{path} line {n}"
        if not symbol:
            raise InputError(f"{where}: no gene symbol")
        genes.append(PanelGene(symbol, _confidence(conf, where), _moi(moi, where)))
    if not genes:
        raise InputError(f"panel file {path} has a header but lists no genes")
    return genes


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _check_symbols(settings: Settings, path: Path, genes: list[PanelGene]) -> dict[str, PanelGene]:
    mane = require(settings, "mane")
    symbols = pq.read_table(mane.path / "summary.parquet", columns=["gene_symbol"])["gene_symbol"]
    by_fold = {s.casefold(): s for s in symbols.to_pylist() if s}
    unknown = sorted({g.symbol for g in genes if g.symbol.casefold() not in by_fold})
    if unknown:
        shown = ", ".join(unknown[:20]) + (f" … ({len(unknown)} in all)" if len(unknown) > 20 else "")
        raise InputError(
            f"panel file {path}: gene symbol(s) not in MANE {mane.version} (the installed mane "
            f"resource{', ' + mane.subset if mane.subset else ''}): {shown}; use current HGNC symbols"
        )
    out: dict[str, PanelGene] = {}
    for g in genes:
        symbol = by_fold[g.symbol.casefold()]
        if symbol not in out or g.confidence > out[symbol].confidence:
            out[symbol] = PanelGene(symbol, g.confidence, g.moi)
    return out


# ---------------------------------------------------------------------------------------------
# tiers


def _impact(row: Mapping[str, Any]) -> str:
    terms = {t for t in (row.get("consequence") or "").split("&") if t}
    if row.get("most_severe"):
        terms.add(row["most_severe"])
    impact = row.get("impact") or so.impact_of(sorted(terms))
    if impact == "HIGH":
        return "high"
    if impact == "MODERATE" or terms & _SPLICE_REGION:
        return "moderate"
    return "low"


def _variant_tier(
    row: Mapping[str, Any], acmg: Acmg | None, *, green: bool, listed: bool, de_novo: bool
) -> int:
    if acmg is not None and acmg.acmg_class in ("Benign", "Likely benign"):
        return 3
    impact = _impact(row)
    clinvar = row.get("clinvar_class") in _PATHOGENIC and (row.get("clinvar_stars") or 0) >= 1
    if green and (impact == "high" or (de_novo and impact == "moderate")):
        return 1
    if listed and clinvar:
        return 1
    if listed and impact in ("high", "moderate"):
        return 2
    return 3


def tier(
    candidate: GeneCandidate,
    acmg: Mapping[VariantKey, Acmg],
    rows: Mapping[VariantKey, Mapping[str, Any]],
    panels: Sequence[Panel],
) -> str:
    """``"TIER1"``, ``"TIER2"`` or ``"TIER3"`` for a gene candidate (module docstring).

    Parameters
    ----------
    candidate
        The gene, its mode of inheritance and variants.
    acmg
        ACMG classification by variant key (a Benign/Likely benign variant is TIER3).
    rows
        Candidate-table rows by variant key (``impact``, ``consequence``, ``clinvar_class``,
        ``clinvar_stars``).
    panels
        The applied panels; with none, every candidate is TIER3.
    """
    entries = [p.genes[candidate.gene_symbol] for p in panels if candidate.gene_symbol in p.genes]
    compatible = [g for g in entries if moi_compatible(g.moi, candidate.moi)]
    green = any(g.confidence >= 3 for g in compatible)
    listed = any(g.confidence >= 2 for g in compatible)
    if not listed:
        return "TIER3"
    worst = max(
        _variant_tier(rows.get(k, {}), acmg.get(k), green=green, listed=listed, de_novo=candidate.de_novo)
        for k in candidate.variants
    )
    return f"TIER{worst}"
