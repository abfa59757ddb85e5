"""Samples on a real database: the chain of custody, refused moves that change nothing, and the
consent gate on registering and moving samples."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from genopath.core.errors import ConflictError, ConsentError, InputError, StateTransitionError
from genopath.registry import (
    Actor,
    ConsentForm,
    Registry,
    Role,
    SampleState,
    SampleType,
    Sex,
    SignerRole,
    participants,
    record_consent,
    samples,
    vault,
)
from genopath.registry.models import AuditEntry, Sample, SampleEvent
from tests.conftest import clinician_at

SS = SampleState
LAB = Actor(username="lab.tech", role=Role.LAB)
# Everything after registration, in the order the lab does it (with one failed QC).
CHAIN: list[tuple[SampleState, str | None]] = [
    (SS.COLLECTED, None),
    (SS.RECEIVED, None),
    (SS.EXTRACTED, None),
    (SS.QC_FAILED, "DNA yield 0.8 ng/µl, below 5 ng/µl"),
    (SS.EXTRACTED, "re-extraction from the second tube"),
    (SS.QC_PASSED, None),
    (SS.SEQUENCED, None),
    (SS.DATA_DELIVERED, None),
]


@pytest.fixture
def consented(programme: Registry, admin: Actor) -> Registry:
    """The programme registry with P000001 consented to participation."""
    with programme.transaction() as s:
        record_consent(
            s,
            admin,
            programme.cipher,
            "P000001",
            ConsentForm("HKGP-CF-3", date(2025, 1, 15), SignerRole.SELF),
        )
    return programme


def walk(registry: Registry, barcode: str, until: SampleState) -> None:
    """Move ``barcode`` along :data:`CHAIN` up to the first arrival at ``until``."""
    with registry.transaction() as s:
        for target, reason in CHAIN:
            samples.move_sample(s, LAB, barcode, target, reason=reason)
            if target is until:
                return


def snapshot(registry: Registry, barcode: str) -> tuple[SampleState, bool, int, int]:
    """State, destruction flag, number of events and of audit entries of one sample."""
    with registry.transaction() as s:
        sample = s.execute(select(Sample).where(Sample.barcode == barcode)).scalar_one()
        events = s.execute(select(func.count()).where(SampleEvent.sample_pk == sample.id)).scalar_one()
        audited = s.execute(select(func.count()).where(AuditEntry.entity_id == barcode)).scalar_one()
        return sample.state, sample.flagged_for_destruction, events, audited


def test_move_sample__whole_chain(consented: Registry, admin: Actor) -> None:
    clinician = clinician_at("HKCH")
    with consented.transaction() as s:
        samples.register_sample(s, clinician, "P000001", "HKCH-BL-0001", SampleType.BLOOD)
    walk(consented, "HKCH-BL-0001", SS.DATA_DELIVERED)

    with consented.transaction() as s:
        sample = samples.get_sample(s, admin, "HKCH-BL-0001")
        history = [(e.from_state, e.to_state, e.reason, e.actor) for e in sample.events]
        audited = s.execute(
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.entity_id == "HKCH-BL-0001")
            .order_by(AuditEntry.seq)
        ).all()

        assert sample.state is SS.DATA_DELIVERED
        assert sample.participant.programme_id == "P000001"
        assert sample.sample_type is SampleType.BLOOD
    expected = [(None, SS.EXPECTED, None, clinician.username)]
    before = SS.EXPECTED
    for target, reason in CHAIN:
        expected.append((before, target, reason, LAB.username))
        before = target
    assert history == expected
    assert [tuple(row) for row in audited] == [("sample.register", clinician.username)] + [
        ("sample.move", LAB.username)
    ] * len(CHAIN)


def test_register_sample__starting_state(consented: Registry) -> None:
    with consented.transaction() as s:
        collected = samples.register_sample(
            s, LAB, "P000001", "HKCH-SA-0001", SampleType.SALIVA, state=SS.COLLECTED
        )
        assert collected.state is SS.COLLECTED

    with (
        pytest.raises(InputError, match="starts as expected or collected, not received"),
        consented.transaction() as s,
    ):
        samples.register_sample(s, LAB, "P000001", "HKCH-SA-0002", SampleType.SALIVA, state=SS.RECEIVED)
    for bad in ("AB1", "HKCH 0001", "-HKCH0001", "X" * 65):
        with pytest.raises(InputError, match="must be 4-64 letters"), consented.transaction() as s:
            samples.register_sample(s, LAB, "P000001", bad, SampleType.SALIVA)

    with consented.transaction() as s:
        assert [x.barcode for x in samples.list_samples(s, LAB)] == ["HKCH-SA-0001"]


def test_move_sample__received_twice(consented: Registry) -> None:
    with consented.transaction() as s:
        samples.register_sample(s, LAB, "P000001", "HKCH-BL-0001", SampleType.BLOOD)
    walk(consented, "HKCH-BL-0001", SS.RECEIVED)
    before = snapshot(consented, "HKCH-BL-0001")

    with (
        pytest.raises(
            StateTransitionError,
            match=r"sample HKCH-BL-0001 cannot move from 'received' to 'received'; "
            r"allowed from 'received': destroyed, extracted, rejected",
        ),
        consented.transaction() as s,
    ):
        samples.move_sample(s, LAB, "HKCH-BL-0001", SS.RECEIVED)
    # Nor can a step be skipped or taken back.
    for target in (SS.QC_PASSED, SS.SEQUENCED, SS.DATA_DELIVERED, SS.COLLECTED, SS.EXPECTED):
        with (
            pytest.raises(StateTransitionError, match=f"cannot move from 'received' to '{target}'"),
            consented.transaction() as s,
        ):
            samples.move_sample(s, LAB, "HKCH-BL-0001", target)

    assert snapshot(consented, "HKCH-BL-0001") == before
    assert before[0] is SS.RECEIVED


def test_register_sample__duplicate_barcode(consented: Registry, admin: Actor) -> None:
    with consented.transaction() as s:
        other = participants.new_participant(s, admin, centre="HKCH", sex=Sex.MALE)
        other_id = other.programme_id
        vault.store_identity(
            s, admin, consented.cipher, other, vault.Identity(date_of_birth=date(1970, 1, 1))
        )
        record_consent(
            s, admin, consented.cipher, other_id, ConsentForm("HKGP-CF-3", date(2025, 1, 15), SignerRole.SELF)
        )
        samples.register_sample(s, LAB, "P000001", "HKCH-BL-0001", SampleType.BLOOD)
    before = snapshot(consented, "HKCH-BL-0001")

    with (
        pytest.raises(
            ConflictError, match=r"barcode HKCH-BL-0001 is already registered \(sample of P000001\)"
        ),
        consented.transaction() as s,
    ):
        samples.register_sample(s, LAB, other_id, "HKCH-BL-0001", SampleType.SALIVA)

    assert snapshot(consented, "HKCH-BL-0001") == before
    with consented.transaction() as s:
        assert samples.list_samples(s, LAB, programme_id=other_id) == []
        kept = samples.get_sample(s, LAB, "HKCH-BL-0001")
        assert (kept.participant.programme_id, kept.sample_type) == ("P000001", SampleType.BLOOD)


def test_move_sample__reason_required(consented: Registry) -> None:
    # (barcode, state reached first, move that needs a reason)
    for barcode, reach, target in [
        ("HKCH-BL-0001", SS.RECEIVED, SS.REJECTED),
        ("HKCH-BL-0002", SS.RECEIVED, SS.DESTROYED),
        ("HKCH-BL-0003", SS.EXTRACTED, SS.QC_FAILED),
    ]:
        with consented.transaction() as s:
            samples.register_sample(s, LAB, "P000001", barcode, SampleType.BLOOD)
        walk(consented, barcode, reach)
        before = snapshot(consented, barcode)

        for missing in (None, "", "   "):
            with (
                pytest.raises(InputError, match=f"moving sample {barcode} to {target} needs a reason"),
                consented.transaction() as s,
            ):
                samples.move_sample(s, LAB, barcode, target, reason=missing)
        assert snapshot(consented, barcode) == before

        with consented.transaction() as s:
            samples.move_sample(s, LAB, barcode, target, reason="haemolysed on arrival")
        with consented.transaction() as s:
            sample = samples.get_sample(s, LAB, barcode)
            assert (sample.state, sample.state_reason) == (target, "haemolysed on arrival")
            assert sample.events[-1].reason == "haemolysed on arrival"


def test_register_sample__without_participation_consent(programme: Registry) -> None:
    with (
        pytest.raises(ConsentError, match="P000001 has no active consent to programme participation"),
        programme.transaction() as s,
    ):
        samples.register_sample(s, LAB, "P000001", "HKCH-BL-0001", SampleType.BLOOD)

    with programme.transaction() as s:
        assert s.execute(select(func.count()).select_from(Sample)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(SampleEvent)).scalar_one() == 0
        assert s.execute(select(func.count()).where(AuditEntry.action == "sample.register")).scalar_one() == 0


def test_move_sample__destroyed_is_terminal(consented: Registry) -> None:
    with consented.transaction() as s:
        samples.register_sample(s, LAB, "P000001", "HKCH-BL-0001", SampleType.BLOOD)
        samples.move_sample(s, LAB, "HKCH-BL-0001", SS.DESTROYED, reason="tube broken in transit")
    before = snapshot(consented, "HKCH-BL-0001")

    for target in SampleState:
        with (
            pytest.raises(StateTransitionError, match=r"allowed from 'destroyed': none \(terminal state\)"),
            consented.transaction() as s,
        ):
            samples.move_sample(s, LAB, "HKCH-BL-0001", target, reason="try anyway")

    assert snapshot(consented, "HKCH-BL-0001") == before


def test_move_sample__after_withdrawal(consented: Registry, admin: Actor) -> None:
    with consented.transaction() as s:
        samples.register_sample(s, LAB, "P000001", "HKCH-BL-0001", SampleType.BLOOD)
    walk(consented, "HKCH-BL-0001", SS.RECEIVED)
    with consented.transaction() as s:
        participants.withdraw(s, admin, "P000001", reason="withdrew consent")
    assert snapshot(consented, "HKCH-BL-0001")[:2] == (SS.RECEIVED, True)

    # Work on the sample stops; destroying it is still allowed and settles the flag.
    with pytest.raises(ConsentError, match="P000001 withdrew"), consented.transaction() as s:
        samples.move_sample(s, LAB, "HKCH-BL-0001", SS.EXTRACTED)
    with pytest.raises(ConsentError, match="P000001 withdrew"), consented.transaction() as s:
        samples.register_sample(s, LAB, "P000001", "HKCH-BL-0002", SampleType.BLOOD)
    with consented.transaction() as s:
        samples.move_sample(s, LAB, "HKCH-BL-0001", SS.DESTROYED, reason="participant withdrew")

    state, flagged, _, _ = snapshot(consented, "HKCH-BL-0001")
    assert (state, flagged) == (SS.DESTROYED, False)
