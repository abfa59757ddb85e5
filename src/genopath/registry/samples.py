"""Samples and their chain of custody.

State machine (DESIGN §2)::

    expected → collected → received → extracted → qc_passed → sequenced → data_delivered
                                          ▲   └──► qc_failed ◄──────────────────────┘
                                          └─────────┘ (re-extraction)   (genome QC failed)
    qc_failed → data_delivered: genome QC passes again (e.g. after a pedigree correction)
    rejected | destroyed from any state, always with a reason; destroyed is terminal.

Every move is kept as a :class:`SampleEvent` (from, to, reason, who, when) and audited.
Moving a sample forward needs the participant's programme-participation consent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import ConflictError, InputError, NotFoundError, StateTransitionError
from genopath.core.states import StateMachine, moves
from genopath.registry import audit
from genopath.registry.access import Actor, Permission, require, require_centre
from genopath.registry.consent import require_consent
from genopath.registry.models import Participant, Sample, SampleEvent
from genopath.registry.participants import get_participant
from genopath.registry.terms import Purpose, SampleState, SampleType

SS = SampleState
SAMPLE_MACHINE: StateMachine[SampleState] = StateMachine(
    name="sample",
    transitions=moves(
        [
            (SS.EXPECTED, [SS.COLLECTED]),
            (SS.COLLECTED, [SS.RECEIVED]),
            (SS.RECEIVED, [SS.EXTRACTED]),
            (SS.EXTRACTED, [SS.QC_PASSED, SS.QC_FAILED]),
            (SS.QC_FAILED, [SS.EXTRACTED, SS.DATA_DELIVERED]),
            (SS.QC_PASSED, [SS.SEQUENCED]),
            (SS.SEQUENCED, [SS.DATA_DELIVERED]),
            (SS.DATA_DELIVERED, [SS.QC_FAILED]),
        ]
    ),
    from_any=frozenset({SS.REJECTED, SS.DESTROYED}),
    terminal=frozenset({SS.DESTROYED}),
)
REASON_REQUIRED = frozenset({SS.REJECTED, SS.DESTROYED, SS.QC_FAILED})
_BARCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$")


def register_sample(
    session: Session,
    actor: Actor,
    programme_id: str,
    barcode: str,
    sample_type: SampleType,
    *,
    state: SampleState = SS.EXPECTED,
) -> Sample:
    """Register a sample for a participant, as ``expected`` or already ``collected``.

    Raises
    ------
    InputError
        A malformed barcode or a starting state other than expected/collected.
    ConflictError
        The barcode is registered already.
    ConsentError
        The participant has no active programme-participation consent.
    """
    require(actor, Permission.MANAGE_SAMPLES)
    if not _BARCODE.match(barcode):
        raise InputError(f"barcode {barcode!r} must be 4-64 letters, digits, '-' or '_'")
    if state not in (SS.EXPECTED, SS.COLLECTED):
        raise InputError(f"a new sample starts as expected or collected, not {state.value}")
    participant = get_participant(session, actor, programme_id)
    existing = session.execute(select(Sample).where(Sample.barcode == barcode)).scalar_one_or_none()
    if existing is not None:
        owner = existing.participant
        visible = actor.centre is None or actor.centre == owner.centre.code
        raise ConflictError(
            f"barcode {barcode} is already registered"
            + (f" (sample of {owner.programme_id}); use a new barcode" if visible else "; use a new barcode")
        )
    require_consent(session, participant, Purpose.PARTICIPATION)
    sample = Sample(barcode=barcode, participant=participant, sample_type=sample_type, state=state)
    session.add(sample)
    session.flush()
    session.add(SampleEvent(sample_pk=sample.id, from_state=None, to_state=state, actor=actor.username))
    audit.record(
        session,
        actor,
        "sample.register",
        "sample",
        barcode,
        {"participant": participant.programme_id, "type": sample_type.value, "state": state.value},
    )
    return sample


def get_sample(session: Session, actor: Actor, barcode: str) -> Sample:
    """The sample with ``barcode`` if ``actor`` may see its participant."""
    require(actor, Permission.VIEW)
    sample = session.execute(select(Sample).where(Sample.barcode == barcode)).scalar_one_or_none()
    if sample is None:
        raise NotFoundError(f"no sample with barcode {barcode}")
    require_centre(actor, sample.participant.centre.code, subject=f"sample {barcode}")
    return sample


def move_sample(
    session: Session, actor: Actor, barcode: str, target: SampleState, *, reason: str | None = None
) -> Sample:
    """Move a sample to ``target``; rejection, destruction and QC failure need a ``reason``.

    Raises
    ------
    StateTransitionError
        The move is not allowed from the current state (e.g. a sample received twice).
    InputError
        A required reason is missing.
    ConsentError
        Moving forward (not rejecting or destroying) without participation consent.
    """
    require(actor, Permission.MANAGE_SAMPLES)
    return _move(session, actor, get_sample(session, actor, barcode), target, reason)


# Moves genome processing makes: delivery of a genome, and the genome-QC outcome.
GENOME_MOVES = frozenset(
    {(SS.SEQUENCED, SS.DATA_DELIVERED), (SS.DATA_DELIVERED, SS.QC_FAILED), (SS.QC_FAILED, SS.DATA_DELIVERED)}
)


def move_sample_for_genome(
    session: Session, actor: Actor, barcode: str, target: SampleState, *, reason: str | None = None
) -> Sample:
    """The moves genome ingest and genome QC make, allowed to whoever processes genomes.

    ``sequenced → data_delivered`` (a genome was ingested), ``data_delivered → qc_failed``
    (genome QC failed; ``reason`` names the failed checks) and ``qc_failed → data_delivered``
    (genome QC passed again). The lab's own moves stay with :func:`move_sample`.

    Raises
    ------
    AccessDenied
        The actor lacks ``process_genomes``.
    StateTransitionError
        Any other move, e.g. a lab ``qc_failed`` (before sequencing) sample to data_delivered.
    """
    require(actor, Permission.PROCESS_GENOMES)
    sample = get_sample(session, actor, barcode)
    if (sample.state, target) not in GENOME_MOVES:
        raise StateTransitionError(
            f"sample {barcode}: genome processing cannot move {sample.state.value} → {target.value}"
        )
    return _move(session, actor, sample, target, reason)


def failed_genome_qc(session: Session, sample: Sample) -> bool:
    """Whether ``sample`` is ``qc_failed`` because its delivered genome failed genome QC."""
    if sample.state is not SS.QC_FAILED:
        return False
    last = session.execute(
        select(SampleEvent)
        .where(SampleEvent.sample_pk == sample.id, SampleEvent.to_state == SS.QC_FAILED)
        .order_by(SampleEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return last is not None and last.from_state is SS.DATA_DELIVERED


def _move(session: Session, actor: Actor, sample: Sample, target: SampleState, reason: str | None) -> Sample:
    barcode = sample.barcode
    SAMPLE_MACHINE.check(sample.state, target, subject=barcode)
    if (sample.state, target) == (SS.QC_FAILED, SS.DATA_DELIVERED) and not failed_genome_qc(session, sample):
        raise StateTransitionError(
            f"sample {barcode} failed the lab's DNA QC before sequencing: it goes back to extracted, "
            "not to data_delivered"
        )
    if target in REASON_REQUIRED and not (reason and reason.strip()):
        raise InputError(f"moving sample {barcode} to {target.value} needs a reason (--reason)")
    if target not in (SS.REJECTED, SS.DESTROYED):
        require_consent(session, sample.participant, Purpose.PARTICIPATION)
    session.add(
        SampleEvent(
            sample_pk=sample.id, from_state=sample.state, to_state=target, reason=reason, actor=actor.username
        )
    )
    audit.record(
        session,
        actor,
        "sample.move",
        "sample",
        barcode,
        {"from": sample.state.value, "to": target.value, "reason": reason},
    )
    sample.state, sample.state_reason = target, reason
    if target is SS.DESTROYED:
        sample.flagged_for_destruction = False
    return sample


def list_samples(
    session: Session, actor: Actor, *, programme_id: str | None = None, state: SampleState | None = None
) -> Sequence[Sample]:
    """Samples ``actor`` may see, optionally of one participant or in one state."""
    require(actor, Permission.VIEW)
    query = select(Sample).join(Participant).order_by(Sample.barcode)
    if programme_id:
        query = query.where(Sample.participant_pk == get_participant(session, actor, programme_id).id)
    if state:
        query = query.where(Sample.state == state)
    return [
        s
        for s in session.execute(query).scalars()
        if actor.programme_wide or s.participant.centre.code == actor.centre
    ]


def flag_for_destruction(session: Session, actor: Actor, participant: Participant) -> list[str]:
    """Flag every sample of a withdrawn participant that is not destroyed yet; returns barcodes."""
    flagged = []
    for sample in session.execute(select(Sample).where(Sample.participant_pk == participant.id)).scalars():
        if sample.state is not SS.DESTROYED and not sample.flagged_for_destruction:
            sample.flagged_for_destruction = True
            flagged.append(sample.barcode)
            audit.record(
                session,
                actor,
                "sample.flag_destruction",
                "sample",
                sample.barcode,
                {"participant": participant.programme_id, "reason": "participant withdrew"},
            )
    return flagged
