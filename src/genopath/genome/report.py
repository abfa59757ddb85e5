"""The QC report of a family: JSON for machines, one self-contained HTML page for people.

The HTML has no external assets (no scripts, fonts or stylesheets from the network): the
plots are inline SVG drawn here, so the file can be mailed or archived as it is.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from genopath.core.files import write_text_atomic
from genopath.genome.kinship import DEGREE_BOUNDS
from genopath.genome.qc import QcResult

_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "warn": "#ef6c00", "not_assessed": "#757575"}


def write_report(result: QcResult, out_dir: Path) -> tuple[Path, Path]:
    """Write ``qc_report.json`` and ``qc_report.html`` into ``out_dir`` atomically; return both paths."""
    data = result.as_dict()
    json_path, html_path = out_dir / "qc_report.json", out_dir / "qc_report.html"
    write_text_atomic(json_path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    write_text_atomic(html_path, render_html(data))
    return json_path, html_path


def _badge(status: str) -> str:
    return f'<span class="badge" style="background:{_COLOURS.get(status, "#555")}">{escape(status)}</span>'


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return escape(str(value))


def kinship_svg(pairs: list[dict[str, Any]]) -> str:
    """Horizontal bars of observed kinship per pair, with KING's degree bounds and the expectation."""
    if not pairs:
        return "<p>No pair of sequenced members.</p>"
    width, left, row = 640, 200, 26
    height = 30 + row * len(pairs)
    scale = (width - left - 20) / 0.6  # φ from -0.1 to 0.5

    def x(phi: float) -> float:
        return left + (max(-0.1, min(0.5, phi)) + 0.1) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="kinship">'
    ]
    for bound, name in DEGREE_BOUNDS:
        parts.append(
            f'<line x1="{x(bound):.1f}" y1="10" x2="{x(bound):.1f}" y2="{height - 10}" stroke="#bbb" stroke-dasharray="3,3"><title>{name} above {bound:.3f}</title></line>'
        )
    parts.append(f'<line x1="{x(0):.1f}" y1="10" x2="{x(0):.1f}" y2="{height - 10}" stroke="#333"/>')
    for i, p in enumerate(pairs):
        y = 20 + i * row
        phi = p.get("phi")
        colour = _COLOURS.get(p.get("status", ""), "#555")
        label = escape(f"{p['a']} – {p['b']} ({p['relationship']})")
        parts.append(f'<text x="4" y="{y + 12}" font-size="11">{label}</text>')
        if phi is not None:
            x0, x1 = sorted((x(0), x(phi)))
            parts.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{max(1.0, x1 - x0):.1f}" height="16" fill="{colour}"><title>φ = {phi:.4f}</title></rect>'
            )
        ex = x(p["expected_kinship"])
        parts.append(
            f'<path d="M{ex:.1f},{y - 2} l-5,-6 h10 z" fill="#000"><title>expected {p["expected_kinship"]:.3f}</title></path>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sex_svg(samples: list[dict[str, Any]]) -> str:
    """Scatter of non-PAR chrX het fraction (x) against non-PAR chrY calls (y, log scale)."""
    import math

    width, height, pad = 420, 260, 40
    ys = [s["sex_evidence"]["y_calls"] for s in samples]
    top = math.log10(max([*ys, 10]) + 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="sex check">'
    ]
    parts.append(
        f'<rect x="{pad}" y="10" width="{width - pad - 10}" height="{height - pad - 10}" fill="none" stroke="#333"/>'
    )
    parts.append(
        f'<text x="{width / 2 - 70}" y="{height - 8}" font-size="11">non-PAR chrX het fraction</text>'
    )
    parts.append('<text x="4" y="20" font-size="11">chrY</text>')
    for s in samples:
        e = s["sex_evidence"]
        frac = e["x_het_fraction"] if e["x_het_fraction"] is not None else 0.0
        cx = pad + frac * (width - pad - 10)
        cy = height - pad - (math.log10(e["y_calls"] + 1) / top) * (height - pad - 20)
        colour = (
            "#1565c0"
            if s["registered_sex"] == "male"
            else "#ad1457"
            if s["registered_sex"] == "female"
            else "#555"
        )
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{colour}"><title>{escape(s["barcode"])} ({escape(s["registered_sex"])}): X het {frac:.3f}, {e["y_calls"]} chrY calls</title></circle>'
        )
        parts.append(f'<text x="{cx + 8:.1f}" y="{cy + 4:.1f}" font-size="10">{escape(s["barcode"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(data: dict[str, Any]) -> str:
    """The report page for :meth:`QcResult.as_dict` output."""
    title = f"Genome QC — family {data['family_id']}" if data["family_id"] else "Genome QC"
    rows = []
    for s in data["samples"]:
        m = s["metrics"]
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{v}</td>"
                for v in (
                    escape(s["barcode"]),
                    escape(s["programme_id"]),
                    escape(s["registered_sex"]),
                    _badge(s["status"]),
                    _fmt(m["n_snv"]),
                    _fmt(m["n_insertion"] + m["n_deletion"]),
                    _fmt(m["titv"]),
                    _fmt(m["het_hom_ratio"]),
                    _fmt(m["missingness"]),
                    _fmt(m["mean_gq"]),
                    _fmt(m["mean_dp"]),
                )
            )
            + "</tr>"
        )
    checks = [
        f"<tr><td>{escape(c['name'])}</td><td>{_badge(c['status'])}</td><td>{escape(c['message'])}</td>"
        f"<td>{escape(c['expected'])}</td></tr>"
        for s in data["samples"]
        for c in s["checks"]
        if c["name"] not in ("relatedness", "mendelian")
    ]
    pair_rows = [
        f"<tr><td>{escape(p['a'])}</td><td>{escape(p['b'])}</td><td>{escape(p['relationship'])}</td>"
        f"<td>{_fmt(p['expected_kinship'])}</td><td>{_fmt(p['phi'])}</td><td>{_fmt(p['sites'])}</td><td>{_badge(p['status'])}</td></tr>"
        for p in data["pairs"]
    ]
    trio_rows = [
        f"<tr><td>{escape(t['child'])}</td><td>{escape(t['father'])}</td><td>{escape(t['mother'])}</td>"
        f"<td>{_fmt(t['errors'])}</td><td>{_fmt(t['sites'])}</td><td>{_fmt(t['rate'])}</td><td>{_badge(t['status'])}</td></tr>"
        for t in data["trios"]
    ]
    failures = "".join(f"<li>{escape(f)}</li>" for f in data["failures"]) or "<li>none</li>"
    awaiting = ", ".join(escape(b) for b in data["awaiting_genomes"]) or "none"
    cases = ", ".join(f"{escape(k)}: {escape(v)}" for k, v in data["cases"].items()) or "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; font-size: 13px; text-align: left; }}
.badge {{ color: white; padding: 1px 6px; border-radius: 3px; font-size: 12px; }}
</style></head><body>
<h1>{escape(title)} {_badge(data["status"])}</h1>
<p>genopath {escape(data["genopath_version"])} · {escape(data["created_at"])} · samples awaiting a genome: {awaiting} · cases: {cases}</p>
<h2>Failures</h2><ul>{failures}</ul>
<h2>Samples</h2>
<table><tr><th>sample</th><th>participant</th><th>registered sex</th><th>status</th><th>SNVs</th><th>indels</th>
<th>Ti/Tv</th><th>het/hom</th><th>missingness</th><th>mean GQ</th><th>mean DP</th></tr>{"".join(rows)}</table>
<h2>Checks</h2><table><tr><th>check</th><th>status</th><th>finding</th><th>expected</th></tr>{"".join(checks)}</table>
<h2>Sex check</h2>{sex_svg(data["samples"])}
<h2>Relatedness (KING-robust)</h2>{kinship_svg(data["pairs"])}
<table><tr><th>a</th><th>b</th><th>pedigree</th><th>expected φ</th><th>observed φ</th><th>SNVs</th><th>status</th></tr>{"".join(pair_rows)}</table>
<h2>Mendelian errors</h2>
<table><tr><th>child</th><th>father</th><th>mother</th><th>errors</th><th>sites</th><th>rate</th><th>status</th></tr>{"".join(trio_rows)}</table>
</body></html>
"""
