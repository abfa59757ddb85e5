"""Cases on a real database: the referral life cycle from registration to closure, reanalysis,
blocking with a remembered resume state, and the proband's consent as a gate."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from genopath.core.errors import ConsentError, InputError, StateTransitionError
from genopath.registry import (
    Actor,
    CaseCategory,
    CaseState,
    ConsentForm,
    Registry,
    Role,
    Sex,
    SignerRole,
    cases,
    participants,
    record_consent,
    vault,
)
from genopath.registry.models import AuditEntry, Case, CaseEvent
from tests.conftest import clinician_at

CS = CaseState
SCIENTIST = Actor(username="cs.lam", role=Role.CLINICAL_SCIENTIST)
AUTHORISER = Actor(username="dr.authoriser", role=Role.AUTHORISER)
# The documented path with both send-backs: (target, who moves it).
HAPPY_PATH: list[tuple[CaseState, Actor]] = [
    (CS.AWAITING_DATA, clinician_at("HKCH")),
    (CS.READY, Actor(username="bi.chow", role=Role.BIOINFORMATICIAN)),
    (CS.INTERPRETED, SCIENTIST),
    (CS.IN_REVIEW, SCIENTIST),
    (CS.INTERPRETED, SCIENTIST),  # reviewer sends it back
    (CS.IN_REVIEW, SCIENTIST),
    (CS.AWAITING_AUTHORISATION, SCIENTIST),
    (CS.IN_REVIEW, AUTHORISER),  # authoriser sends it back
    (CS.AWAITING_AUTHORISATION, SCIENTIST),
    (CS.AUTHORISED, AUTHORISER),
    (CS.REPORTED, SCIENTIST),
    (CS.RESULTS_RETURNED, clinician_at("HKCH")),
    (CS.CLOSED, clinician_at("HKCH")),
]


def sign(registry: Registry, admin: Actor, programme_id: str = "P000001") -> None:
    with registry.transaction() as s:
        record_consent(
            s,
            admin,
            registry.cipher,
            programme_id,
            ConsentForm("HKGP-CF-3", date(2025, 1, 15), SignerRole.SELF),
        )


@pytest.fixture
def consented(programme: Registry, admin: Actor) -> Registry:
    """The programme registry with P000001 consented to participation."""
    sign(programme, admin)
    return programme


def open_for(registry: Registry, proband: str = "P000001") -> str:
    with registry.transaction() as s:
        case = cases.open_case(
            s,
            clinician_at("HKCH"),
            proband,
            category=CaseCategory.RARE_DISEASE,
            indication="  developmental delay and seizures ",
            panels=["PanelApp:285", " PanelApp:486 "],
        )
        return case.case_id


def walk(registry: Registry, case_id: str, until: CaseState) -> None:
    """Move a registered case along :data:`HAPPY_PATH` to the first arrival at ``until``."""
    with registry.transaction() as s:
        for target, actor in HAPPY_PATH:
            cases.move_case(s, actor, case_id, target)
            if target is until:
                return


def snapshot(registry: Registry, case_id: str) -> tuple[CaseState, CaseState | None, str | None, int, int]:
    """State, resume state, block reason, number of events and of audit entries of a case."""
    with registry.transaction() as s:
        case = s.execute(select(Case).where(Case.case_id == case_id)).scalar_one()
        events = s.execute(select(func.count()).where(CaseEvent.case_pk == case.id)).scalar_one()
        audited = s.execute(select(func.count()).where(AuditEntry.entity_id == case_id)).scalar_one()
        return case.state, case.resume_state, case.blocked_reason, events, audited


def test_open_case__registered(consented: Registry, admin: Actor) -> None:
    case_id = open_for(consented)

    with consented.transaction() as s:
        case = cases.get_case(s, admin, case_id)
        assert case_id == "C000001"
        assert case.state is CS.REGISTERED
        assert (case.proband.programme_id, case.centre.code, case.family) == ("P000001", "HKCH", None)
        assert case.category is CaseCategory.RARE_DISEASE
        assert case.indication == "developmental delay and seizures"
        assert case.panels == ["PanelApp:285", "PanelApp:486"]
        assert [(e.from_state, e.to_state, e.actor) for e in case.events] == [
            (None, CS.REGISTERED, "dr.hkch")
        ]
        assert case.resume_state is None and case.blocked_reason is None


def test_move_case__happy_path_to_closed(consented: Registry, admin: Actor) -> None:
    case_id = open_for(consented)

    walk(consented, case_id, CS.CLOSED)

    with consented.transaction() as s:
        case = cases.get_case(s, admin, case_id)
        assert case.state is CS.CLOSED
        moves = [(e.from_state, e.to_state, e.actor) for e in case.events[1:]]
    before = CS.REGISTERED
    expected = []
    for target, actor in HAPPY_PATH:
        expected.append((before, target, actor.username))
        before = target
    assert moves == expected


def test_move_case__reanalysis_after_closure(consented: Registry, admin: Actor) -> None:
    case_id = open_for(consented)
    walk(consented, case_id, CS.CLOSED)

    with consented.transaction() as s:
        cases.move_case(s, SCIENTIST, case_id, CS.INTERPRETED)

    with consented.transaction() as s:
        case = cases.get_case(s, admin, case_id)
        assert case.state is CS.INTERPRETED
        assert (case.events[-1].from_state, case.events[-1].to_state) == (CS.CLOSED, CS.INTERPRETED)
    # Reanalysis starts at interpretation, not back at data collection.
    with (
        pytest.raises(StateTransitionError, match="allowed from 'interpreted': blocked, in_review"),
        consented.transaction() as s,
    ):
        cases.move_case(s, SCIENTIST, case_id, CS.READY)


def test_move_case__illegal_moves_change_nothing(consented: Registry) -> None:
    case_id = open_for(consented)
    before = snapshot(consented, case_id)

    for target in (CS.READY, CS.CLOSED, CS.AUTHORISED, CS.REGISTERED):
        with (
            pytest.raises(
                StateTransitionError, match=f"case {case_id} cannot move from 'registered' to '{target}'"
            ),
            consented.transaction() as s,
        ):
            cases.move_case(s, SCIENTIST, case_id, target)
    with pytest.raises(InputError, match="with a reason"), consented.transaction() as s:
        cases.move_case(s, SCIENTIST, case_id, CS.BLOCKED)
    with (
        pytest.raises(InputError, match=f"blocking case {case_id} needs a reason"),
        consented.transaction() as s,
    ):
        cases.block_case(s, SCIENTIST, case_id, reason="  ")
    with (
        pytest.raises(StateTransitionError, match="is registered, not blocked"),
        consented.transaction() as s,
    ):
        cases.unblock_case(s, SCIENTIST, case_id)

    assert snapshot(consented, case_id) == before


def test_block_case__remembers_resume_state(consented: Registry, admin: Actor) -> None:
    case_id = open_for(consented)
    walk(consented, case_id, CS.READY)

    with consented.transaction() as s:
        cases.block_case(s, SCIENTIST, case_id, reason="father's sample failed QC")
    assert snapshot(consented, case_id)[:3] == (CS.BLOCKED, CS.READY, "father's sample failed QC")

    with consented.transaction() as s:
        cases.unblock_case(s, SCIENTIST, case_id)

    state, resume, reason, _, _ = snapshot(consented, case_id)
    assert (state, resume, reason) == (CS.READY, None, None)
    with consented.transaction() as s:
        events = cases.get_case(s, admin, case_id).events
        assert [(e.from_state, e.to_state, e.reason) for e in events[-2:]] == [
            (CS.READY, CS.BLOCKED, "father's sample failed QC"),
            (CS.BLOCKED, CS.READY, "unblocked"),
        ]
        cases.move_case(s, SCIENTIST, case_id, CS.INTERPRETED)  # and work goes on


def test_move_case__blocked_case_refused(consented: Registry) -> None:
    case_id = open_for(consented)
    walk(consented, case_id, CS.INTERPRETED)
    with consented.transaction() as s:
        cases.block_case(s, SCIENTIST, case_id, reason="variant needs re-confirmation")
    before = snapshot(consented, case_id)

    for target in (CS.IN_REVIEW, CS.INTERPRETED, CS.CLOSED):
        with (
            pytest.raises(
                StateTransitionError,
                match=rf"case {case_id} is blocked \(variant needs re-confirmation\); unblock it",
            ),
            consented.transaction() as s,
        ):
            cases.move_case(s, SCIENTIST, case_id, target)
    with (
        pytest.raises(StateTransitionError, match="cannot move from 'blocked' to 'blocked'"),
        consented.transaction() as s,
    ):
        cases.block_case(s, SCIENTIST, case_id, reason="blocked again")

    assert snapshot(consented, case_id) == before
    assert before[:2] == (CS.BLOCKED, CS.INTERPRETED)


def test_open_case__unconsented_proband_starts_blocked(programme: Registry, admin: Actor) -> None:
    case_id = open_for(programme)

    before = snapshot(programme, case_id)
    assert before[:3] == (
        CS.BLOCKED,
        CS.REGISTERED,
        "participant P000001 has no active consent to programme participation",
    )
    # Unblocking is refused while the consent is missing, and changes nothing.
    with (
        pytest.raises(ConsentError, match=r"P000001 has no active consent.*participation is not allowed"),
        programme.transaction() as s,
    ):
        cases.unblock_case(s, clinician_at("HKCH"), case_id)
    with pytest.raises(StateTransitionError, match="is blocked"), programme.transaction() as s:
        cases.move_case(s, SCIENTIST, case_id, CS.AWAITING_DATA)
    assert snapshot(programme, case_id) == before

    sign(programme, admin)
    with programme.transaction() as s:
        cases.unblock_case(s, clinician_at("HKCH"), case_id)
        cases.move_case(s, clinician_at("HKCH"), case_id, CS.AWAITING_DATA)

    assert snapshot(programme, case_id)[:3] == (CS.AWAITING_DATA, None, None)


def test_unblock_case__refused_after_proband_withdrew(consented: Registry, admin: Actor) -> None:
    case_id = open_for(consented)
    walk(consented, case_id, CS.READY)
    with consented.transaction() as s:
        participants.withdraw(s, admin, "P000001", reason="declined further testing")
    before = snapshot(consented, case_id)
    assert before[:3] == (CS.BLOCKED, CS.READY, "participant P000001 withdrew")

    with pytest.raises(ConsentError, match="P000001 withdrew"), consented.transaction() as s:
        cases.unblock_case(s, admin, case_id)

    assert snapshot(consented, case_id) == before


def test_open_case__refusals_change_nothing(consented: Registry, admin: Actor) -> None:
    with pytest.raises(InputError, match="clinical indication"), consented.transaction() as s:
        cases.open_case(s, admin, "P000001", category=CaseCategory.RARE_DISEASE, indication=" ")
    with pytest.raises(InputError, match="a panel name is empty"), consented.transaction() as s:
        cases.open_case(
            s, admin, "P000001", category=CaseCategory.RARE_DISEASE, indication="ataxia", panels=["R59", " "]
        )
    with consented.transaction() as s:
        participants.withdraw(s, admin, "P000001", reason="moved abroad")
    with (
        pytest.raises(StateTransitionError, match="P000001 withdrew; no case can be opened"),
        consented.transaction() as s,
    ):
        cases.open_case(s, admin, "P000001", category=CaseCategory.HEREDITARY_CANCER, indication="BRCA")

    with consented.transaction() as s:
        assert cases.list_cases(s, admin) == []
    # Refused openings gave their case number back.
    sign(consented, admin, _second_participant(consented, admin))
    assert open_for(consented, "P000002") == "C000001"


def _second_participant(registry: Registry, admin: Actor) -> str:
    with registry.transaction() as s:
        p = participants.new_participant(s, admin, centre="HKCH", sex=Sex.MALE)
        vault.store_identity(s, admin, registry.cipher, p, vault.Identity(date_of_birth=date(1975, 5, 5)))
        return p.programme_id


def _trio_case(registry: Registry, admin: Actor) -> tuple[str, str]:
    """A consented trio imported as a family; returns (case ID, the mother's programme ID)."""
    from genopath.registry import AffectedStatus, families
    from genopath.registry.pedigree import Member, Pedigree

    trio = Pedigree(
        "T1",
        (
            Member("kid", "dad", "mum", Sex.MALE, AffectedStatus.AFFECTED),
            Member("dad", None, None, Sex.MALE, AffectedStatus.UNAFFECTED),
            Member("mum", None, None, Sex.FEMALE, AffectedStatus.UNAFFECTED),
        ),
    )
    born = {"kid": date(1999, 1, 1), "dad": date(1970, 1, 1), "mum": date(1972, 1, 1)}
    with registry.transaction() as s:
        family = families.import_family(
            s,
            admin,
            registry.cipher,
            trio,
            centre="HKCH",
            identities={k: vault.Identity(date_of_birth=v) for k, v in born.items()},
        )
        ids = {m.local_id: m.programme_id for m in family.members}
    for pid in ids.values():
        sign(registry, admin, pid)
    return open_for(registry, ids["kid"]), ids["mum"]


def test_withdrawal_of_a_parent__case_goes_on_only_by_an_explicit_decision(
    consented: Registry, admin: Actor
) -> None:
    case_id, mother = _trio_case(consented, admin)
    walk(consented, case_id, CS.AWAITING_DATA)
    with consented.transaction() as s:
        participants.withdraw(s, admin, mother, reason="declined further participation")
    assert snapshot(consented, case_id)[0] is CS.BLOCKED
    with pytest.raises(ConsentError, match=rf"{mother}.*withdrew"), consented.transaction() as s:
        cases.unblock_case(s, admin, case_id)
    assert snapshot(consented, case_id)[0] is CS.BLOCKED
    with consented.transaction() as s:
        cases.unblock_case(s, admin, case_id, proceed_without_withdrawn=True)
    with consented.transaction() as s:
        case = cases.get_case(s, admin, case_id)
        assert case.state is CS.AWAITING_DATA
        assert case.events[-1].reason == f"unblocked; proceeding without withdrawn {mother}"


def test_withdrawal_of_a_parent__closed_case_is_blocked_against_reanalysis(
    consented: Registry, admin: Actor
) -> None:
    case_id, mother = _trio_case(consented, admin)
    walk(consented, case_id, CS.CLOSED)
    with consented.transaction() as s:
        participants.withdraw(s, admin, mother, reason="declined further participation")
    state, resume, reason, *_ = snapshot(consented, case_id)
    assert (state, resume) == (CS.BLOCKED, CS.CLOSED)
    assert mother in (reason or "")
    with pytest.raises(StateTransitionError), consented.transaction() as s:
        cases.move_case(s, admin, case_id, CS.INTERPRETED)
