"""Participants: programme IDs, the participant state machine, and withdrawal.

State machine (DESIGN §2)::

    referred ──► consented ──► enrolled
        └────────────┴────────────┴──► withdrawn   (terminal)

``referred → consented`` happens when the first active consent with programme participation
is recorded (``registry.consent``); ``consented → enrolled`` by :func:`enrol`. Withdrawal
propagates (:func:`withdraw`): consent withdrawn, open cases blocked, samples flagged for
destruction; the participant row and the vault entry stay, so the audit trail keeps its subject.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import InputError, NotFoundError
from genopath.core.ids import IdKind, parse_id
from genopath.core.states import StateMachine, moves
from genopath.registry import audit
from genopath.registry.access import Actor, Permission, require, require_centre
from genopath.registry.centres import get_centre
from genopath.registry.models import Centre, Participant, utcnow
from genopath.registry.numbering import next_id
from genopath.registry.terms import AffectedStatus, ParticipantState, Sex

PS = ParticipantState
PARTICIPANT_MACHINE: StateMachine[ParticipantState] = StateMachine(
    name="participant",
    transitions=moves([(PS.REFERRED, [PS.CONSENTED]), (PS.CONSENTED, [PS.ENROLLED])]),
    from_any=frozenset({PS.WITHDRAWN}),
    terminal=frozenset({PS.WITHDRAWN}),
)


def new_participant(
    session: Session,
    actor: Actor,
    *,
    centre: str,
    sex: Sex,
    affected: AffectedStatus = AffectedStatus.UNKNOWN,
    local_id: str | None = None,
) -> Participant:
    """Register a referred participant at ``centre`` and give them a programme ID.

    The caller records the identity with :func:`genopath.registry.vault.store_identity`.
    """
    require(actor, Permission.REGISTER)
    require_centre(actor, centre, subject=f"a participant of centre {centre}")
    participant = Participant(
        programme_id=next_id(session, IdKind.PARTICIPANT),
        centre=get_centre(session, centre),
        sex=sex,
        state=PS.REFERRED,
        affected=affected,
        local_id=local_id,
    )
    session.add(participant)
    session.flush()
    audit.record(
        session,
        actor,
        "participant.register",
        "participant",
        participant.programme_id,
        {"centre": centre, "sex": sex.value},
    )
    return participant


def get_participant(session: Session, actor: Actor, programme_id: str) -> Participant:
    """The participant ``programme_id`` if ``actor`` may see them.

    Raises
    ------
    InputError
        If ``programme_id`` is not a participant ID.
    NotFoundError, AccessDenied
        If there is no such participant, or they are at another centre.
    """
    require(actor, Permission.VIEW)
    parse_id(programme_id, IdKind.PARTICIPANT)
    participant = find_participant(session, programme_id)
    require_centre(actor, participant.centre.code, subject=f"participant {participant.programme_id}")
    return participant


def find_participant(session: Session, programme_id: str) -> Participant:
    """The participant ``programme_id`` with no access check, for registry rules such as the
    consent gate; code acting for a user calls :func:`get_participant`."""
    participant = session.execute(
        select(Participant).where(Participant.programme_id == programme_id.strip().upper())
    ).scalar_one_or_none()
    if participant is None:
        raise NotFoundError(f"no participant {programme_id}")
    return participant


def list_participants(
    session: Session, actor: Actor, *, centre: str | None = None, state: ParticipantState | None = None
) -> Sequence[Participant]:
    """Participants ``actor`` may see, optionally of one centre or state, by programme ID."""
    require(actor, Permission.VIEW)
    query = select(Participant).join(Centre).order_by(Participant.programme_id)
    scope = actor.centre or centre
    if actor.centre and centre and centre != actor.centre:
        require_centre(actor, centre, subject=f"participants of centre {centre}")
    if scope:
        query = query.where(Centre.code == scope)
    if state:
        query = query.where(Participant.state == state)
    return session.execute(query).scalars().all()


def move(
    session: Session,
    actor: Actor,
    participant: Participant,
    target: ParticipantState,
    *,
    reason: str | None = None,
) -> None:
    """Move ``participant`` to ``target`` through the state machine, with an audit entry."""
    PARTICIPANT_MACHINE.check(participant.state, target, subject=participant.programme_id)
    before = participant.state
    participant.state = target
    audit.record(
        session,
        actor,
        "participant.state",
        "participant",
        participant.programme_id,
        {"from": before.value, "to": target.value, "reason": reason},
    )


def enrol(session: Session, actor: Actor, programme_id: str) -> Participant:
    """Enrol a consented participant; requires active programme-participation consent."""
    from genopath.registry.consent import require_consent  # consent builds on participants
    from genopath.registry.terms import Purpose

    require(actor, Permission.REGISTER)
    participant = get_participant(session, actor, programme_id)
    if participant.state is PS.WITHDRAWN:
        PARTICIPANT_MACHINE.check(participant.state, PS.ENROLLED, subject=participant.programme_id)
    require_consent(session, participant, Purpose.PARTICIPATION)
    move(session, actor, participant, PS.ENROLLED)
    return participant


def withdraw(session: Session, actor: Actor, programme_id: str, *, reason: str) -> Participant:
    """Withdraw a participant from the programme and propagate it (see module docstring)."""
    from genopath.registry import cases, consent, samples

    require(actor, Permission.RECORD_CONSENT)
    if not reason.strip():
        raise InputError(f"give the reason {programme_id} is withdrawn (--reason)")
    participant = get_participant(session, actor, programme_id)
    move(session, actor, participant, PS.WITHDRAWN, reason=reason)
    participant.withdrawn_at, participant.withdrawal_reason = utcnow(), reason
    consent.end_active(session, actor, participant, reason=f"participant withdrew: {reason}")
    cases.block_cases_of(
        session, actor, participant, reason=f"participant {participant.programme_id} withdrew"
    )
    samples.flag_for_destruction(session, actor, participant)
    return participant
