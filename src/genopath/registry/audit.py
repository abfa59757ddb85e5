"""The append-only, hash-chained audit log.

Every change in the registry and every read of identity-vault data appends one entry in the
same transaction as the work it records. Each entry's hash covers its fields and the previous
hash (:mod:`genopath.core.audit`), and ``audit_head`` keeps the newest sequence number and
hash, so :func:`verify` detects an edited, deleted, reordered or truncated log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.audit import GENESIS_HASH, canonical_json, entry_hash
from genopath.core.errors import AuditIntegrityError
from genopath.registry.access import Actor, Permission, require
from genopath.registry.models import AuditEntry, AuditHead, utcnow


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "detail": entry.detail,
    }


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log, in ``session``'s transaction.

    Parameters
    ----------
    action
        Dotted verb, e.g. ``participant.register``, ``identity.read``, ``sample.move``.
    entity_type, entity_id
        What the entry is about (``participant``, ``P000001``).
    detail
        Anything else worth keeping; never identity-vault contents.
    """
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=utcnow().isoformat(timespec="microseconds"),
        actor=actor.username,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=canonical_json(detail or {}),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(head.last_hash, _fields(entry))
    session.add(entry)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    return entry


@dataclass(frozen=True)
class AuditReport:
    """Outcome of :func:`verify`: how many entries were checked and the newest hash."""

    entries: int
    last_hash: str


def verify(session: Session) -> AuditReport:
    """Recompute the whole chain and compare it with the stored hashes and the head.

    Raises
    ------
    AuditIntegrityError
        Naming the first entry whose sequence, link or hash is wrong, or a head that does not
        match the newest entry (entries deleted from the end).
    """
    expected_seq, prev = 1, GENESIS_HASH
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        if entry.seq != expected_seq:
            raise AuditIntegrityError(
                f"audit log entry {expected_seq} is missing (next entry found is {entry.seq}): "
                "entries were deleted"
            )
        if entry.prev_hash != prev:
            raise AuditIntegrityError(f"audit log entry {entry.seq} does not link to entry {entry.seq - 1}")
        if entry_hash(prev, _fields(entry)) != entry.hash:
            raise AuditIntegrityError(
                f"audit log entry {entry.seq} ({entry.action} {entry.entity_id} at {entry.at}) "
                "was altered after it was written: its hash does not match its content"
            )
        prev, expected_seq = entry.hash, expected_seq + 1
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    if head.last_seq != expected_seq - 1 or head.last_hash != prev:
        raise AuditIntegrityError(
            f"the audit log ends at entry {expected_seq - 1} but its head records entry "
            f"{head.last_seq}: entries were deleted from the end, or the head was altered"
        )
    return AuditReport(entries=expected_seq - 1, last_hash=prev)


def entries(
    session: Session, actor: Actor, *, entity_id: str | None = None, limit: int = 50
) -> Sequence[AuditEntry]:
    """The newest audit entries, optionally only those about ``entity_id``."""
    require(actor, Permission.READ_AUDIT)
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    return session.execute(query).scalars().all()
