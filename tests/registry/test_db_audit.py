"""The audit log on a real database: the hash chain verifies, the database itself refuses edits,
and an edit made after dropping the guards is found. Also: the migrated schema is the models'."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from genopath.core.audit import GENESIS_HASH, entry_hash
from genopath.core.errors import AuditIntegrityError
from genopath.core.settings import Settings
from genopath.registry import (
    Actor,
    CaseCategory,
    CaseState,
    ConsentForm,
    Registry,
    SampleState,
    SampleType,
    SignerRole,
    audit,
    cases,
    init_database,
    participants,
    record_consent,
    samples,
    vault,
)
from genopath.registry.models import AuditEntry, AuditHead, Base
from tests.conftest import clinician_at


def make_busy(registry: Registry, admin: Actor) -> None:
    """Consent, a case, a sample, identity reads and a withdrawal: a few dozen audit entries."""
    clinician = clinician_at("HKCH")
    with registry.transaction() as s:
        record_consent(
            s, admin, registry.cipher, "P000001", ConsentForm("HKGP-CF-3", date(2025, 1, 15), SignerRole.SELF)
        )
        case = cases.open_case(
            s, clinician, "P000001", category=CaseCategory.RARE_DISEASE, indication="ataxia"
        )
        for target in (CaseState.AWAITING_DATA, CaseState.READY):
            cases.move_case(s, clinician, case.case_id, target)
        samples.register_sample(s, clinician, "P000001", "HKCH-BL-0001", SampleType.BLOOD)
        samples.move_sample(s, clinician, "HKCH-BL-0001", SampleState.COLLECTED)
    for purpose in ("result letter", "clinic appointment", "recontact"):
        with registry.transaction() as s:
            p = participants.get_participant(s, clinician, "P000001")
            vault.read_identity(s, clinician, registry.cipher, p, purpose=purpose)
    with registry.transaction() as s:
        participants.withdraw(s, admin, "P000001", reason="moved abroad — 中文 reason")


def verify(registry: Registry) -> audit.AuditReport:
    with registry.transaction() as s:
        return audit.verify(s)


def drop_guards(registry: Registry) -> None:
    """Drop the append-only triggers, as someone with DDL rights could."""
    postgres = registry.engine.dialect.name == "postgresql"
    with registry.transaction() as s:
        for trigger in ("audit_log_no_update", "audit_log_no_delete"):
            s.execute(text(f"DROP TRIGGER {trigger} ON audit_log" if postgres else f"DROP TRIGGER {trigger}"))


def entry_count(registry: Registry) -> int:
    with registry.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


@pytest.fixture
def busy(programme: Registry, admin: Actor) -> Registry:
    make_busy(programme, admin)
    return programme


# --- verification ------------------------------------------------------------------------------


def test_verify__fresh_registry(registry: Registry) -> None:
    assert verify(registry) == audit.AuditReport(entries=0, last_hash=GENESIS_HASH)


def test_verify__busy_registry(busy: Registry, admin: Actor) -> None:
    report = verify(busy)

    with busy.transaction() as s:
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        head = s.get(AuditHead, 1)
        newest = audit.entries(s, admin, entity_id="P000001", limit=3)
        assert head is not None
        assert [e.seq for e in rows] == list(range(1, len(rows) + 1))
        assert all(e.prev_hash == before.hash for before, e in pairwise(rows))
        assert (
            (report.entries, report.last_hash)
            == (len(rows), rows[-1].hash)
            == (head.last_seq, head.last_hash)
        )
        assert [(e.action, e.entity_id) for e in rows] == [
            ("centre.add", "HKCH"),
            ("centre.add", "PWH"),
            ("participant.register", "P000001"),
            ("identity.write", "P000001"),
            ("identity.read", "P000001"),  # the consent signer's age check
            ("consent.record", "P000001"),
            ("participant.state", "P000001"),
            ("case.move", "C000001"),
            ("case.open", "C000001"),
            ("case.move", "C000001"),
            ("case.move", "C000001"),
            ("sample.register", "HKCH-BL-0001"),
            ("sample.move", "HKCH-BL-0001"),
            ("identity.read", "P000001"),
            ("identity.read", "P000001"),
            ("identity.read", "P000001"),
            ("participant.state", "P000001"),
            ("consent.withdraw", "P000001"),
            ("case.move", "C000001"),
            ("sample.flag_destruction", "HKCH-BL-0001"),
        ]
        assert [e.action for e in newest] == ["consent.withdraw", "participant.state", "identity.read"]


# --- the database refuses edits ----------------------------------------------------------------


REFUSED_STATEMENTS = [
    "UPDATE audit_log SET detail = '{}' WHERE seq = 2",
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log WHERE seq = 2",
    "DELETE FROM audit_log",
]


def test_audit_log__database_refuses_changes(busy: Registry) -> None:
    before = verify(busy)

    for statement in REFUSED_STATEMENTS:
        with pytest.raises(DBAPIError, match="audit_log is append-only"), busy.transaction() as s:
            s.execute(text(statement))
    # The ORM goes through the same guard.
    with pytest.raises(DBAPIError, match="audit_log is append-only"), busy.transaction() as s:
        entry = s.get(AuditEntry, 3)
        assert entry is not None
        entry.detail = '{"purpose":"nothing to see"}'

    assert verify(busy) == before


@pytest.fixture
def pg_registry(postgres_url: str, tmp_path: Path) -> Iterator[Registry]:
    """A migrated registry on PostgreSQL only, for what only PostgreSQL has."""
    reg = init_database(Settings(home=tmp_path / "home", database_url=postgres_url))
    yield reg
    reg.dispose()


def test_audit_log__postgresql_refuses_truncate(pg_registry: Registry, admin: Actor) -> None:
    with pg_registry.transaction() as s:
        audit.record(s, admin, "test.entry", "test", "T1")

    with pytest.raises(DBAPIError, match="audit_log is append-only"), pg_registry.transaction() as s:
        s.execute(text("TRUNCATE audit_log"))

    assert verify(pg_registry).entries == 1


# --- tampering after the guards are gone -------------------------------------------------------


def test_verify__edited_entry(busy: Registry) -> None:
    before = verify(busy)
    drop_guards(busy)
    assert verify(busy) == before  # dropping the guards alone is no finding
    with busy.transaction() as s:
        s.execute(text("""UPDATE audit_log SET detail = '{"purpose":"audit"}' WHERE seq = 7"""))

    with pytest.raises(
        AuditIntegrityError, match=r"^audit log entry 7 \(.*\) was altered after it was written"
    ):
        verify(busy)


def test_verify__edited_entry_with_recomputed_hash(busy: Registry) -> None:
    # Someone who recomputes the edited entry's hash still breaks the next entry's link.
    drop_guards(busy)
    with busy.transaction() as s:
        entry = s.get(AuditEntry, 7)
        assert entry is not None
        entry.actor = "someone else"
        fields = ("seq", "at", "actor", "action", "entity_type", "entity_id", "detail")
        entry.hash = entry_hash(entry.prev_hash, {f: getattr(entry, f) for f in fields})

    with pytest.raises(AuditIntegrityError, match=r"^audit log entry 8 does not link to entry 7$"):
        verify(busy)


def test_verify__deleted_middle_entry(busy: Registry) -> None:
    drop_guards(busy)
    with busy.transaction() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 5"))

    with pytest.raises(AuditIntegrityError, match=r"^audit log entry 5 is missing \(next entry found is 6\)"):
        verify(busy)


def test_verify__deleted_last_entry(busy: Registry) -> None:
    total = entry_count(busy)
    drop_guards(busy)
    with busy.transaction() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = :seq"), {"seq": total})

    expected = f"the audit log ends at entry {total - 1} but its head records entry {total}"
    with pytest.raises(AuditIntegrityError, match=re.escape(expected)):
        verify(busy)


# --- schema ------------------------------------------------------------------------------------


def schema_differences(registry: Registry, metadata: sa.MetaData) -> list[object]:
    with registry.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))


def test_migrations__schema_matches_models(registry: Registry) -> None:
    assert schema_differences(registry, Base.metadata) == []

    # Control: the comparison does see a column the migration lacks.
    extended = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(extended)
    extended.tables["centres"].append_column(sa.Column("nickname", sa.String(40), nullable=True))
    differences = schema_differences(registry, extended)
    assert [(d[0], d[2], d[3].name) for d in differences] == [("add_column", "centres", "nickname")]  # type: ignore[index]
