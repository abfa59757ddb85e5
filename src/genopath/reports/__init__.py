"""Reports for people: HTML (Jinja2) and PDF (WeasyPrint) made from the stages' JSON artefacts."""

from genopath.reports.render import render_html, write_report

__all__ = ["render_html", "write_report"]
