"""Storage rows of the registry (SQLAlchemy 2 declarative models).

These are storage models: services return them to other domains only through the typed
functions of this package; the API turns them into separate output models. The identity
vault table holds ciphertext only and is read exclusively through ``registry.vault``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from genopath.registry.terms import (
    AffectedStatus,
    AgeTier,
    CaseCategory,
    CaseState,
    ConsentState,
    ParticipantState,
    Role,
    SampleState,
    SampleType,
    Sex,
    SignerRole,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and returns them aware, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use genopath.registry.models.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(cls: type[Any]) -> Enum:
    # Store the values (not the member names) as plain strings with a CHECK-free VARCHAR, so
    # adding a state later is a code change, not an ALTER TYPE on PostgreSQL.
    return Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        length=32,
        validate_strings=True,
        create_constraint=False,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Counter(Base):
    """Last number handed out per identifier kind (P, F, C); updated under a row lock."""

    __tablename__ = "id_counters"
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Centre(Base):
    __tablename__ = "centres"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    centre: Mapped[Centre | None] = relationship()


class Family(Base):
    __tablename__ = "families"
    __table_args__ = (UniqueConstraint("centre_id", "local_id", name="uq_families_centre_local"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[str] = mapped_column(String(16), unique=True)
    local_id: Mapped[str] = mapped_column(String(64))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    centre: Mapped[Centre] = relationship()
    members: Mapped[list[Participant]] = relationship(
        back_populates="family", foreign_keys="Participant.family_pk", order_by="Participant.id"
    )


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("family_pk", "local_id", name="uq_participants_family_local"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(16), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    sex: Mapped[Sex] = mapped_column(_enum(Sex))
    state: Mapped[ParticipantState] = mapped_column(_enum(ParticipantState))
    family_pk: Mapped[int | None] = mapped_column(ForeignKey("families.id"))
    local_id: Mapped[str | None] = mapped_column(String(64))  # the individual ID in the PED
    father_pk: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    mother_pk: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    affected: Mapped[AffectedStatus] = mapped_column(_enum(AffectedStatus))
    is_proband: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    centre: Mapped[Centre] = relationship()
    family: Mapped[Family | None] = relationship(back_populates="members", foreign_keys=[family_pk])
    father: Mapped[Participant | None] = relationship(remote_side=[id], foreign_keys=[father_pk])
    mother: Mapped[Participant | None] = relationship(remote_side=[id], foreign_keys=[mother_pk])


class IdentityRecord(Base):
    """The identity vault: one encrypted blob per participant, and a keyed blind index of the
    ID-card number so that a second registration of the same person is caught without decrypting."""

    __tablename__ = "identity_vault"
    participant_pk: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    id_card_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Phenotype(Base):
    __tablename__ = "phenotypes"
    __table_args__ = (UniqueConstraint("participant_pk", "hpo_id", name="uq_phenotypes_participant_hpo"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_pk: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    hpo_id: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(300))
    observed: Mapped[bool] = mapped_column(Boolean)  # False: explicitly excluded
    onset: Mapped[str | None] = mapped_column(String(32))  # HPO onset term or ISO 8601 age
    hpo_version: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("participant_pk", "version", name="uq_consents_participant_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_pk: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    version: Mapped[int] = mapped_column(Integer)
    form_version: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date] = mapped_column(Date)
    signer: Mapped[SignerRole] = mapped_column(_enum(SignerRole))
    age_tier: Mapped[AgeTier] = mapped_column(_enum(AgeTier))
    participation: Mapped[bool] = mapped_column(Boolean)
    primary_findings: Mapped[bool] = mapped_column(Boolean)
    additional_findings: Mapped[bool] = mapped_column(Boolean)
    pharmacogenomics: Mapped[bool] = mapped_column(Boolean)
    research: Mapped[bool] = mapped_column(Boolean)
    research_duo: Mapped[list[str]] = mapped_column(JSON, default=list)
    recontact: Mapped[bool] = mapped_column(Boolean)
    designated_person: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[ConsentState] = mapped_column(_enum(ConsentState))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(Text)


class Sample(Base):
    __tablename__ = "samples"
    id: Mapped[int] = mapped_column(primary_key=True)
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    participant_pk: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    sample_type: Mapped[SampleType] = mapped_column(_enum(SampleType))
    state: Mapped[SampleState] = mapped_column(_enum(SampleState))
    state_reason: Mapped[str | None] = mapped_column(Text)
    flagged_for_destruction: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    participant: Mapped[Participant] = relationship()
    events: Mapped[list[SampleEvent]] = relationship(order_by="SampleEvent.id")


class SampleEvent(Base):
    __tablename__ = "sample_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    sample_pk: Mapped[int] = mapped_column(ForeignKey("samples.id"))
    from_state: Mapped[SampleState | None] = mapped_column(_enum(SampleState))
    to_state: Mapped[SampleState] = mapped_column(_enum(SampleState))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(String(16), unique=True)
    proband_pk: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    family_pk: Mapped[int | None] = mapped_column(ForeignKey("families.id"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    category: Mapped[CaseCategory] = mapped_column(_enum(CaseCategory))
    indication: Mapped[str] = mapped_column(Text)
    panels: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[CaseState] = mapped_column(_enum(CaseState))
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    resume_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    proband: Mapped[Participant] = relationship()
    family: Mapped[Family | None] = relationship()
    centre: Mapped[Centre] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id")


class CaseEvent(Base):
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    from_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState))
    to_state: Mapped[CaseState] = mapped_column(_enum(CaseState))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditHead(Base):
    """One row: the sequence number and hash of the newest audit entry. Appends lock it, so
    concurrent writers cannot fork the chain, and deleting the newest entries is detectable."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE); hash-chained."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as written
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
