"""Hands out programme identifiers (``P000001`` …) inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.ids import IdKind, format_id
from genopath.registry.models import Counter


def next_id(session: Session, kind: IdKind) -> str:
    """The next identifier of ``kind``; the counter row is locked until the transaction ends,
    and a rolled-back transaction gives its number back."""
    counter = session.execute(
        select(Counter).where(Counter.kind == kind.value).with_for_update()
    ).scalar_one()
    counter.last += 1
    return format_id(kind, counter.last)
