"""Consent: versioned records, signer rules by age, withdrawal, and the one question every
other domain asks — :func:`may_use`: *may data of participant X be used for purpose Y now?*

Rules
-----
* One record per signing; recording a new one supersedes the active one (versions 1, 2, …).
  The latest active record rules; a withdrawn participant has none.
* Every form includes programme participation; without it nothing else can be consented.
* Signer by age on the day of signing (from the date of birth in the identity vault):
  18 and over — ``self`` (or ``legal_representative`` for an adult lacking capacity);
  16–17 — ``parent_and_child``; under 16 — ``parent_with_assent`` or ``parent``.
* Research consent is coded with GA4GH DUO terms (:mod:`genopath.registry.duo`).
* Additional findings consented for a child (under 18 at signing) are limited to
  childhood-onset actionable conditions: the decision says so in ``scope``.
* The population database counts a genome only with research consent whose DUO permission
  covers aggregate use (NRES, GRU, HMB or POA; not disease-specific only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import ConsentError, InputError, StateTransitionError
from genopath.registry import audit, duo
from genopath.registry.access import Actor, Permission, require
from genopath.registry.models import Consent, Participant, utcnow
from genopath.registry.participants import find_participant, get_participant, move
from genopath.registry.terms import (
    AgeTier,
    ConsentState,
    ParticipantState,
    Purpose,
    SignerRole,
)
from genopath.registry.vault import VaultCipher, read_for_rule

SIGNERS_BY_TIER: dict[AgeTier, frozenset[SignerRole]] = {
    AgeTier.ADULT: frozenset({SignerRole.SELF, SignerRole.LEGAL_REPRESENTATIVE}),
    AgeTier.MINOR_16_17: frozenset({SignerRole.PARENT_AND_CHILD}),
    AgeTier.CHILD_UNDER_16: frozenset({SignerRole.PARENT_WITH_ASSENT, SignerRole.PARENT}),
}
POPULATION_PERMISSIONS = frozenset({duo.NRES, duo.GRU, duo.HMB, duo.POA})
CHILDHOOD_ONSET_ONLY = "childhood_onset_only"


@dataclass(frozen=True)
class ConsentForm:
    """What a signed consent form says."""

    form_version: str
    signed_on: date
    signer: SignerRole
    participation: bool = True
    primary_findings: bool = True
    additional_findings: bool = False
    pharmacogenomics: bool = False
    research: bool = False
    research_duo: tuple[str, ...] = ()
    recontact: bool = False
    designated_person: bool = False


@dataclass(frozen=True)
class ConsentDecision:
    """The answer of :func:`may_use`.

    Attributes
    ----------
    allowed
        Whether the data may be used for the purpose now.
    reason
        One sentence a user can act on, whichever the answer.
    consent_version
        The consent record the answer rests on, if any.
    scope
        A narrowing the caller must apply (``childhood_onset_only`` for additional findings
        consented for a child), or ``None``.
    conditions
        DUO modifiers the user must honour (publication required …).
    """

    allowed: bool
    purpose: Purpose
    participant: str
    reason: str
    consent_version: int | None = None
    scope: str | None = None
    conditions: tuple[str, ...] = field(default_factory=tuple)


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day``.

    >>> age_on(date(2010, 5, 20), date(2026, 5, 19)), age_on(date(2010, 5, 20), date(2026, 5, 20))
    (15, 16)
    """
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def age_tier(age: int) -> AgeTier:
    """The consent age tier of someone ``age`` years old."""
    if age >= 18:
        return AgeTier.ADULT
    return AgeTier.MINOR_16_17 if age >= 16 else AgeTier.CHILD_UNDER_16


def record_consent(
    session: Session, actor: Actor, cipher: VaultCipher, programme_id: str, form: ConsentForm
) -> Consent:
    """Record a signed consent form as the participant's new active consent.

    The previous active record becomes ``superseded``; a referred participant becomes
    ``consented``.

    Raises
    ------
    NotFoundError
        The participant has no identity record (the date of birth is needed).
    InputError
        The form does not include participation, is dated in the future or before the
        previous signing, has research without exactly one DUO permission term, or was signed
        by someone who may not sign at the participant's age; or no date of birth is recorded.
    StateTransitionError
        The participant has withdrawn.
    """
    require(actor, Permission.RECORD_CONSENT)
    participant = get_participant(session, actor, programme_id)
    if participant.state is ParticipantState.WITHDRAWN:
        raise StateTransitionError(
            f"participant {participant.programme_id} withdrew on {participant.withdrawn_at:%Y-%m-%d}; "
            "consent cannot be recorded for a withdrawn participant"
        )
    codes = _check_form(form)
    tier = _signer_tier(session, actor, cipher, participant, form)
    history = _records(session, participant)
    if history and form.signed_on < history[-1].signed_on:
        raise InputError(
            f"the form is dated {form.signed_on}, before consent version {history[-1].version} "
            f"signed on {history[-1].signed_on}; record forms in the order they were signed"
        )
    for old in history:
        if old.state is ConsentState.ACTIVE:
            old.state, old.ended_at, old.end_reason = ConsentState.SUPERSEDED, utcnow(), "new consent signed"
    consent = Consent(
        participant_pk=participant.id,
        version=len(history) + 1,
        form_version=form.form_version,
        signed_on=form.signed_on,
        signer=form.signer,
        age_tier=tier,
        participation=True,
        primary_findings=form.primary_findings,
        additional_findings=form.additional_findings,
        pharmacogenomics=form.pharmacogenomics,
        research=form.research,
        research_duo=list(codes),
        recontact=form.recontact,
        designated_person=form.designated_person,
        state=ConsentState.ACTIVE,
        recorded_by=actor.username,
    )
    session.add(consent)
    audit.record(
        session,
        actor,
        "consent.record",
        "participant",
        participant.programme_id,
        {
            "version": consent.version,
            "form_version": form.form_version,
            "signer": form.signer.value,
            "age_tier": tier.value,
            "uses": consented_uses(consent),
        },
    )
    if participant.state is ParticipantState.REFERRED:
        move(session, actor, participant, ParticipantState.CONSENTED)
    return consent


def _check_form(form: ConsentForm) -> tuple[str, ...]:
    if not form.participation:
        raise InputError(
            "a consent form without programme participation cannot be recorded; "
            "to leave the programme, withdraw the participant"
        )
    if not form.form_version.strip() or len(form.form_version) > 64:
        raise InputError(
            f"give the version of the consent form that was signed (--form-version), 1-64 characters; "
            f"got {form.form_version!r}"
        )
    if form.signed_on > date.today():
        raise InputError(f"the consent form is dated {form.signed_on}, which is in the future")
    if form.research:
        return duo.validate_codes(form.research_duo)
    if form.research_duo:
        raise InputError(
            "DUO codes were given but research use was not consented; add --research or drop the codes"
        )
    return ()


def _signer_tier(
    session: Session, actor: Actor, cipher: VaultCipher, participant: Participant, form: ConsentForm
) -> AgeTier:
    identity = read_for_rule(session, actor, cipher, participant, purpose="consent signer age check")
    if identity.date_of_birth is None:
        raise InputError(
            f"participant {participant.programme_id} has no date of birth in the identity vault; "
            "it is needed to check who may sign consent"
        )
    if form.signed_on < identity.date_of_birth:
        raise InputError(
            f"the consent form of {participant.programme_id} is dated {form.signed_on}, before their "
            f"date of birth {identity.date_of_birth}; check the signing date and the identity record"
        )
    age = age_on(identity.date_of_birth, form.signed_on)
    tier = age_tier(age)
    allowed = SIGNERS_BY_TIER[tier]
    if form.signer not in allowed:
        who = " or ".join(sorted(s.value for s in allowed))
        raise InputError(
            f"participant {participant.programme_id} was {age} on {form.signed_on}; consent at that "
            f"age must be signed as {who}, not {form.signer.value}"
        )
    return tier


def _records(session: Session, participant: Participant) -> list[Consent]:
    return list(
        session.execute(
            select(Consent).where(Consent.participant_pk == participant.id).order_by(Consent.version)
        ).scalars()
    )


def consented_uses(consent: Consent) -> list[str]:
    """The uses a consent record includes, participation first."""
    flags = ("primary_findings", "additional_findings", "pharmacogenomics", "research", "recontact")
    return ["participation", *[f for f in flags if getattr(consent, f)]]


def active_consent(session: Session, participant: Participant) -> Consent | None:
    """The participant's active consent record, or ``None``."""
    return session.execute(
        select(Consent).where(Consent.participant_pk == participant.id, Consent.state == ConsentState.ACTIVE)
    ).scalar_one_or_none()


def consent_history(session: Session, actor: Actor, programme_id: str) -> Sequence[Consent]:
    """Every consent record of a participant, oldest first."""
    return _records(session, get_participant(session, actor, programme_id))


def end_active(session: Session, actor: Actor, participant: Participant, *, reason: str) -> None:
    """Mark the active consent withdrawn (used by participant withdrawal)."""
    consent = active_consent(session, participant)
    if consent is not None:
        consent.state, consent.ended_at, consent.end_reason = ConsentState.WITHDRAWN, utcnow(), reason
        audit.record(
            session,
            actor,
            "consent.withdraw",
            "participant",
            participant.programme_id,
            {"version": consent.version, "reason": reason},
        )


def may_use(
    session: Session,
    participant: Participant | str,
    purpose: Purpose,
    *,
    research_use: duo.ResearchUse | None = None,
) -> ConsentDecision:
    """May data of ``participant`` be used for ``purpose`` now?

    This is the single consent gate of genopath: sequencing and analysis
    (``PARTICIPATION``), reporting (``PRIMARY_FINDINGS``, ``ADDITIONAL_FINDINGS``),
    ``PHARMACOGENOMICS``, ``POPULATION_DATABASE`` builds, ``RESEARCH`` queries and exports,
    and ``RECONTACT`` all call it at the moment of use, so a withdrawal takes effect at once.

    Parameters
    ----------
    participant
        A participant row or programme ID (``P000123``).
    purpose
        The intended use.
    research_use
        For ``RESEARCH``: the project's intended use (DUO permission, commercial or not).
        Without it, any research consent is enough and its DUO terms come back as conditions.

    Returns
    -------
    ConsentDecision
        ``allowed``, a ``reason`` to show, the ``consent_version`` relied on, a ``scope``
        narrowing (``childhood_onset_only``) and DUO ``conditions``.

    Notes
    -----
    No access check and no audit entry: the answer reveals nothing identifying, and callers
    check their own permissions. Use :func:`require_consent` to raise instead.
    """
    if isinstance(participant, str):
        participant = find_participant(session, participant)
    pid = participant.programme_id

    def answer(allowed: bool, reason: str, consent: Consent | None = None, **kw: object) -> ConsentDecision:
        version = consent.version if consent else None
        return ConsentDecision(allowed, purpose, pid, reason, version, **kw)  # type: ignore[arg-type]

    if participant.state is ParticipantState.WITHDRAWN:
        when = f" on {participant.withdrawn_at:%Y-%m-%d}" if participant.withdrawn_at else ""
        return answer(False, f"participant {pid} withdrew from the programme{when}")
    consent = active_consent(session, participant)
    if consent is None or not consent.participation:
        return answer(False, f"participant {pid} has no active consent to programme participation")
    label = purpose.value.replace("_", " ")
    if purpose is Purpose.PARTICIPATION:
        return answer(True, f"consent v{consent.version} covers programme participation", consent)
    if purpose in (Purpose.RESEARCH, Purpose.POPULATION_DATABASE):
        return _research_answer(consent, purpose, pid, research_use)
    if not getattr(consent, purpose.value):
        return answer(False, f"consent v{consent.version} of {pid} does not include {label}", consent)
    if purpose is Purpose.ADDITIONAL_FINDINGS and consent.age_tier is not AgeTier.ADULT:
        return answer(
            True,
            f"consent v{consent.version} includes additional findings, signed for a "
            "child: report childhood-onset actionable conditions only",
            consent,
            scope=CHILDHOOD_ONSET_ONLY,
        )
    return answer(True, f"consent v{consent.version} includes {label}", consent)


def _research_answer(
    consent: Consent, purpose: Purpose, pid: str, use: duo.ResearchUse | None
) -> ConsentDecision:
    conds = duo.conditions(consent.research_duo)
    if not consent.research:
        return ConsentDecision(
            False,
            purpose,
            pid,
            f"consent v{consent.version} of {pid} does not include research use",
            consent.version,
        )
    if purpose is Purpose.POPULATION_DATABASE:
        permission = consent.research_duo[0] if consent.research_duo else None
        if permission not in POPULATION_PERMISSIONS:
            return ConsentDecision(
                False,
                purpose,
                pid,
                f"research consent v{consent.version} is "
                f"limited to {duo.PERMISSIONS.get(permission or '', 'no permission term')}, "
                "which does not cover a population database",
                consent.version,
            )
        return ConsentDecision(
            True,
            purpose,
            pid,
            f"research consent v{consent.version} covers aggregate population frequencies",
            consent.version,
            conditions=conds,
        )
    if use is None:
        return ConsentDecision(
            True,
            purpose,
            pid,
            f"consent v{consent.version} includes research use",
            consent.version,
            conditions=conds,
        )
    ok, why = duo.covers(consent.research_duo, use)
    return ConsentDecision(ok, purpose, pid, why, consent.version, conditions=conds if ok else ())


def require_consent(
    session: Session,
    participant: Participant | str,
    purpose: Purpose,
    *,
    research_use: duo.ResearchUse | None = None,
) -> ConsentDecision:
    """Like :func:`may_use` but raise :class:`ConsentError` with the reason when refused."""
    decision = may_use(session, participant, purpose, research_use=research_use)
    if not decision.allowed:
        raise ConsentError(f"{decision.reason}; {purpose.value.replace('_', ' ')} is not allowed")
    return decision
