"""Render a JSON artefact into a self-contained HTML page, and the page into PDF."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from genopath.core.errors import InputError
from genopath.core.files import shareable, write_text_atomic

_ENV = Environment(
    loader=PackageLoader("genopath.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(template: str, context: dict[str, Any]) -> str:
    """Fill ``templates/<template>`` (autoescaped; a missing field is an error, not a blank)."""
    return _ENV.get_template(template).render(**context)


def write_report(html: str, out: Path) -> None:
    """Write ``html`` to ``out`` as HTML (``.html``) or PDF (``.pdf``), atomically.

    Raises
    ------
    InputError
        When ``out`` has another extension.
    """
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        write_text_atomic(out, html)
        return
    if suffix != ".pdf":
        raise InputError(f"cannot tell the report format from {out.name!r}; name it .html or .pdf")
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        HTML(string=html).write_pdf(tmp)
        shareable(Path(tmp))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
