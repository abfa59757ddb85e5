"""Logging set-up shared by the CLI and the service."""

from __future__ import annotations

import logging

from rich.logging import RichHandler


def configure_logging(level: str = "INFO") -> None:
    """Send genopath's log records to stderr through rich, once."""
    root = logging.getLogger("genopath")
    if root.handlers:
        root.setLevel(level.upper())
        return
    handler = RichHandler(show_path=False, rich_tracebacks=False)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
