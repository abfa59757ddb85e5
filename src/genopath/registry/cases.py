"""Cases: one referral of a proband and family, and its path to a returned result.

State machine (DESIGN §2)::

    registered → awaiting_data → ready → interpreted → in_review → awaiting_authorisation
        → authorised → reported → results_returned → closed
    in_review → interpreted, awaiting_authorisation → in_review   (sent back)
    closed → interpreted                                          (reanalysis: a new analysis version)
    blocked(reason) from any state; unblocking returns to the state it was blocked in.

A case opened for a proband without programme-participation consent starts blocked. When a
family member withdraws, every case of the family is blocked (closed ones too, so reanalysis
needs a decision); unblocking then requires proceeding explicitly without the withdrawn members.
Moving a case forward or unblocking it needs the proband's participation consent.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from genopath.core.errors import ConsentError, InputError, NotFoundError, StateTransitionError
from genopath.core.ids import IdKind, parse_id
from genopath.core.states import StateMachine, moves
from genopath.registry import audit
from genopath.registry.access import Actor, Permission, require, require_centre
from genopath.registry.consent import may_use, require_consent
from genopath.registry.models import Case, CaseEvent, Centre, Participant
from genopath.registry.numbering import next_id
from genopath.registry.participants import get_participant
from genopath.registry.terms import CaseCategory, CaseState, ParticipantState, Purpose

CS = CaseState
CASE_MACHINE: StateMachine[CaseState] = StateMachine(
    name="case",
    transitions=moves(
        [
            (CS.REGISTERED, [CS.AWAITING_DATA]),
            (CS.AWAITING_DATA, [CS.READY]),
            (CS.READY, [CS.INTERPRETED]),
            (CS.INTERPRETED, [CS.IN_REVIEW]),
            (CS.IN_REVIEW, [CS.AWAITING_AUTHORISATION, CS.INTERPRETED]),
            (CS.AWAITING_AUTHORISATION, [CS.AUTHORISED, CS.IN_REVIEW]),
            (CS.AUTHORISED, [CS.REPORTED]),
            (CS.REPORTED, [CS.RESULTS_RETURNED]),
            (CS.RESULTS_RETURNED, [CS.CLOSED]),
            (CS.CLOSED, [CS.INTERPRETED]),
        ]
    ),
    from_any=frozenset({CS.BLOCKED}),
)


def open_case(
    session: Session,
    actor: Actor,
    proband: str,
    *,
    category: CaseCategory,
    indication: str,
    panels: Sequence[str] = (),
) -> Case:
    """Open a case for ``proband`` (programme ID) with the family they belong to.

    Raises
    ------
    InputError
        An empty clinical indication or panel name.
    StateTransitionError
        The proband has withdrawn.
    """
    require(actor, Permission.OPEN_CASE)
    participant = get_participant(session, actor, proband)
    if participant.state is ParticipantState.WITHDRAWN:
        raise StateTransitionError(f"participant {participant.programme_id} withdrew; no case can be opened")
    if not indication.strip():
        raise InputError("give the clinical indication for the referral (--indication)")
    cleaned = [p.strip() for p in panels]
    if any(not p for p in cleaned):
        raise InputError("a panel name is empty; give panels as IDs or names, e.g. --panel 'PanelApp:486'")
    case = Case(
        case_id=next_id(session, IdKind.CASE),
        proband=participant,
        family=participant.family,
        centre=participant.centre,
        category=category,
        indication=indication.strip(),
        panels=cleaned,
        state=CS.REGISTERED,
    )
    session.add(case)
    session.flush()
    _event(session, actor, case, None, CS.REGISTERED, None)
    audit.record(
        session,
        actor,
        "case.open",
        "case",
        case.case_id,
        {"proband": participant.programme_id, "category": category.value, "panels": cleaned},
    )
    decision = may_use(session, participant, Purpose.PARTICIPATION)
    if not decision.allowed:
        block_case(session, actor, case.case_id, reason=decision.reason)
    return case


def get_case(session: Session, actor: Actor, case_id: str) -> Case:
    """The case ``case_id`` if ``actor`` may see its centre."""
    require(actor, Permission.VIEW)
    parse_id(case_id, IdKind.CASE)
    case = session.execute(select(Case).where(Case.case_id == case_id.strip().upper())).scalar_one_or_none()
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    require_centre(actor, case.centre.code, subject=f"case {case.case_id}")
    return case


def move_case(session: Session, actor: Actor, case_id: str, target: CaseState) -> Case:
    """Move a case along its state machine (use :func:`block_case` to block it).

    Raises
    ------
    StateTransitionError
        The move is not allowed, or the case is blocked.
    ConsentError
        The proband has no participation consent.
    """
    require(actor, Permission.MOVE_CASE)
    case = get_case(session, actor, case_id)
    if target is CS.BLOCKED:
        raise InputError(f"block case {case.case_id} with a reason (block_case / `case block`)")
    if case.state is CS.BLOCKED:
        raise StateTransitionError(
            f"case {case.case_id} is blocked ({case.blocked_reason}); unblock it before moving it on"
        )
    CASE_MACHINE.check(case.state, target, subject=case.case_id)
    require_consent(session, case.proband, Purpose.PARTICIPATION)
    _event(session, actor, case, case.state, target, None)
    case.state = target
    return case


def block_case(session: Session, actor: Actor, case_id: str, *, reason: str) -> Case:
    """Block a case with a reason; it remembers the state to return to."""
    require(actor, Permission.MOVE_CASE)
    case = get_case(session, actor, case_id)
    if not reason.strip():
        raise InputError(f"blocking case {case.case_id} needs a reason (--reason)")
    CASE_MACHINE.check(case.state, CS.BLOCKED, subject=case.case_id)
    _event(session, actor, case, case.state, CS.BLOCKED, reason)
    case.resume_state, case.state, case.blocked_reason = case.state, CS.BLOCKED, reason
    return case


def unblock_case(
    session: Session, actor: Actor, case_id: str, *, proceed_without_withdrawn: bool = False
) -> Case:
    """Return a blocked case to the state it was blocked in, once the proband's consent allows.

    If a member of the case's family has withdrawn, the case may go on only without their data:
    the caller must say so with ``proceed_without_withdrawn=True``, which is recorded in the
    case history; every later use of a member's data is still gated by ``may_use``.

    Raises
    ------
    StateTransitionError
        The case is not blocked.
    ConsentError
        The proband has no participation consent, or a family member withdrew and
        ``proceed_without_withdrawn`` was not given.
    """
    require(actor, Permission.MOVE_CASE)
    case = get_case(session, actor, case_id)
    if case.state is not CS.BLOCKED or case.resume_state is None:
        raise StateTransitionError(f"case {case.case_id} is {case.state.value}, not blocked")
    require_consent(session, case.proband, Purpose.PARTICIPATION)
    withdrawn = withdrawn_members(case)
    if withdrawn and not proceed_without_withdrawn:
        raise ConsentError(
            f"family member(s) {', '.join(withdrawn)} of case {case.case_id} withdrew; their data must not "
            "be used. Unblock with proceed_without_withdrawn (--proceed-without-withdrawn) to continue "
            "the case without them"
        )
    note = f"unblocked; proceeding without withdrawn {', '.join(withdrawn)}" if withdrawn else "unblocked"
    _event(session, actor, case, CS.BLOCKED, case.resume_state, note)
    case.state, case.resume_state, case.blocked_reason = case.resume_state, None, None
    return case


def withdrawn_members(case: Case) -> list[str]:
    """Programme IDs of the case family's members (or the proband) who have withdrawn."""
    members = case.family.members if case.family else [case.proband]
    return [m.programme_id for m in members if m.state is ParticipantState.WITHDRAWN]


def list_cases(
    session: Session, actor: Actor, *, state: CaseState | None = None, centre: str | None = None
) -> Sequence[Case]:
    """Cases ``actor`` may see, optionally in one state or of one centre."""
    require(actor, Permission.VIEW)
    query = select(Case).join(Centre).order_by(Case.case_id)
    if actor.centre and centre and centre != actor.centre:
        require_centre(actor, centre, subject=f"cases of centre {centre}")
    scope = actor.centre or centre
    if scope:
        query = query.where(Centre.code == scope)
    if state:
        query = query.where(Case.state == state)
    return session.execute(query).scalars().all()


def block_cases_of(session: Session, actor: Actor, participant: Participant, *, reason: str) -> list[str]:
    """Block every case whose proband is ``participant`` or whose family includes them, closed
    ones too (so no reanalysis starts without a decision); already blocked cases stay as they are."""
    condition = Case.proband_pk == participant.id
    if participant.family_pk is not None:
        condition = or_(condition, Case.family_pk == participant.family_pk)
    blocked = []
    for case in session.execute(select(Case).where(condition)).scalars():
        if case.state is not CS.BLOCKED:
            _event(session, actor, case, case.state, CS.BLOCKED, reason)
            case.resume_state, case.state, case.blocked_reason = case.state, CS.BLOCKED, reason
            blocked.append(case.case_id)
    return blocked


def _event(
    session: Session, actor: Actor, case: Case, before: CaseState | None, after: CaseState, reason: str | None
) -> None:
    session.add(
        CaseEvent(case_pk=case.id, from_state=before, to_state=after, reason=reason, actor=actor.username)
    )
    audit.record(
        session,
        actor,
        "case.move",
        "case",
        case.case_id,
        {"from": before.value if before else None, "to": after.value, "reason": reason},
    )
