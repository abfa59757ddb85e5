"""How long work reports its progress without knowing who displays it.

Domain code calls a :class:`Progress`; the CLI passes one that draws rich progress bars,
tests and library callers get :data:`SILENT`.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress of one step at a time."""

    def begin(self, label: str, total: int | None = None) -> None:
        """Start a step called ``label`` of ``total`` units (bytes, records), or of unknown size."""

    def advance(self, amount: int = 1) -> None:
        """Record ``amount`` more units done in the current step."""

    def end(self) -> None:
        """Finish the current step."""


class _Silent:
    def begin(self, label: str, total: int | None = None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None

    def end(self) -> None:
        return None


SILENT: Progress = _Silent()
