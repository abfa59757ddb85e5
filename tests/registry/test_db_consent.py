"""Consent on a real database: signer rules by age, versioning, the ``may_use`` gate for every
purpose, and withdrawal with everything it propagates to.

Dates are fixed in the past, so each participant's age on the day of signing is known
without looking at today's date.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from genopath.core.errors import ConsentError, InputError, NotFoundError, StateTransitionError
from genopath.registry import (
    Actor,
    AffectedStatus,
    CaseCategory,
    CaseState,
    ConsentForm,
    ParticipantState,
    Purpose,
    Registry,
    ResearchUse,
    SampleType,
    Sex,
    SignerRole,
    active_consent,
    cases,
    consent,
    families,
    may_use,
    participants,
    record_consent,
    require_consent,
    samples,
    vault,
)
from genopath.registry.models import AuditEntry, Consent, Participant
from genopath.registry.pedigree import Member, Pedigree
from genopath.registry.terms import AgeTier, ConsentState

SIGNED = date(2025, 1, 15)
GRU, HMB, DS, NRES, POA = "DUO:0000042", "DUO:0000006", "DUO:0000007", "DUO:0000004", "DUO:0000011"
NCU = "DUO:0000046"


def form(signer: SignerRole = SignerRole.SELF, signed_on: date = SIGNED, **uses: object) -> ConsentForm:
    """A consent form of version HKGP-CF-3, signed on ``signed_on``, with ``uses`` overriding defaults."""
    return ConsentForm("HKGP-CF-3", signed_on, signer, **uses)  # type: ignore[arg-type]


def add_person(registry: Registry, admin: Actor, dob: date | None, *, name: str = "Lee Siu Ming") -> str:
    """Register a referred participant at HKCH with an identity; returns the programme ID."""
    with registry.transaction() as s:
        p = participants.new_participant(s, admin, centre="HKCH", sex=Sex.MALE)
        vault.store_identity(s, admin, registry.cipher, p, vault.Identity(name=name, date_of_birth=dob))
        return p.programme_id


def consent_rows(registry: Registry, programme_id: str) -> list[tuple[int, ConsentState]]:
    with registry.transaction() as s:
        rows = s.execute(
            select(Consent.version, Consent.state)
            .join(Participant, Participant.id == Consent.participant_pk)
            .where(Participant.programme_id == programme_id)
            .order_by(Consent.version)
        ).all()
        return [(v, st) for v, st in rows]


def state_of(registry: Registry, admin: Actor, programme_id: str) -> ParticipantState:
    with registry.transaction() as s:
        return participants.get_participant(s, admin, programme_id).state


def audit_count(registry: Registry) -> int:
    with registry.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


# --- recording consent -------------------------------------------------------------------------


def test_record_consent__adult_self_signed(programme: Registry, admin: Actor) -> None:
    with programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form(pharmacogenomics=True))

    with programme.transaction() as s:
        p = participants.get_participant(s, admin, "P000001")
        assert p.state is ParticipantState.CONSENTED
        c = active_consent(s, p)
        assert c is not None
        assert (c.version, c.signer, c.age_tier, c.signed_on) == (1, SignerRole.SELF, AgeTier.ADULT, SIGNED)
        assert (c.participation, c.primary_findings, c.pharmacogenomics, c.research) == (
            True,
            True,
            True,
            False,
        )
        assert c.recorded_by == admin.username
        actions = s.execute(
            select(AuditEntry.action).where(AuditEntry.entity_id == "P000001").order_by(AuditEntry.seq)
        ).scalars()
        # The signer age check reads the date of birth, and that read is audited too.
        assert list(actions)[-3:] == ["identity.read", "consent.record", "participant.state"]


def test_record_consent__second_signing_supersedes_first(programme: Registry, admin: Actor) -> None:
    with programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form(pharmacogenomics=False))
    with programme.transaction() as s:
        record_consent(
            s, admin, programme.cipher, "P000001", form(signed_on=date(2025, 6, 1), pharmacogenomics=True)
        )

    assert consent_rows(programme, "P000001") == [(1, ConsentState.SUPERSEDED), (2, ConsentState.ACTIVE)]
    with programme.transaction() as s:
        history = consent.consent_history(s, admin, "P000001")
        assert history[0].ended_at is not None
        assert history[0].end_reason == "new consent signed"
        assert history[1].ended_at is None
        decision = may_use(s, "P000001", Purpose.PHARMACOGENOMICS)
        assert decision.allowed
        assert decision.consent_version == 2
        assert participants.get_participant(s, admin, "P000001").state is ParticipantState.CONSENTED

    # Forms are recorded in the order they were signed.
    with (
        pytest.raises(InputError, match=r"dated 2025-03-01, before consent version 2 signed on 2025-06-01"),
        programme.transaction() as s,
    ):
        record_consent(s, admin, programme.cipher, "P000001", form(signed_on=date(2025, 3, 1)))
    assert consent_rows(programme, "P000001") == [(1, ConsentState.SUPERSEDED), (2, ConsentState.ACTIVE)]


def test_record_consent__child_signing_alone(programme: Registry, admin: Actor) -> None:
    child = add_person(programme, admin, date(2009, 6, 1))  # 15 on 2025-01-15
    entries_before = audit_count(programme)

    with pytest.raises(InputError) as refused, programme.transaction() as s:
        record_consent(s, admin, programme.cipher, child, form(SignerRole.SELF))

    message = refused.value.message
    assert f"{child} was 15 on 2025-01-15" in message
    assert "signed as parent or parent_with_assent, not self" in message
    assert consent_rows(programme, child) == []
    assert state_of(programme, admin, child) is ParticipantState.REFERRED
    assert audit_count(programme) == entries_before  # not even the audited date-of-birth read is kept


# (date of birth, signer, age tier on 2025-01-15): boundaries on both sides of 16 and 18.
ACCEPTED_SIGNERS = [
    (date(2007, 1, 15), SignerRole.SELF, AgeTier.ADULT),  # 18th birthday
    (date(1950, 3, 3), SignerRole.LEGAL_REPRESENTATIVE, AgeTier.ADULT),
    (date(2007, 6, 1), SignerRole.PARENT_AND_CHILD, AgeTier.MINOR_16_17),  # 17
    (date(2009, 1, 15), SignerRole.PARENT_AND_CHILD, AgeTier.MINOR_16_17),  # 16th birthday
    (date(2009, 1, 16), SignerRole.PARENT_WITH_ASSENT, AgeTier.CHILD_UNDER_16),  # 15, a day short of 16
    (date(2024, 3, 1), SignerRole.PARENT, AgeTier.CHILD_UNDER_16),  # infant
]
# (date of birth, signer, age on 2025-01-15, signers the message must offer)
REFUSED_SIGNERS = [
    (date(2007, 1, 16), SignerRole.SELF, 17, "parent_and_child"),  # a day short of 18
    (date(2007, 6, 1), SignerRole.PARENT, 17, "parent_and_child"),
    (date(2009, 1, 15), SignerRole.PARENT_WITH_ASSENT, 16, "parent_and_child"),
    (date(2009, 1, 16), SignerRole.PARENT_AND_CHILD, 15, "parent or parent_with_assent"),
    (date(2007, 1, 15), SignerRole.PARENT_AND_CHILD, 18, "legal_representative or self"),
]


def test_record_consent__signer_accepted_for_age(programme: Registry, admin: Actor) -> None:
    for n, (dob, signer, tier) in enumerate(ACCEPTED_SIGNERS):
        pid = add_person(programme, admin, dob, name=f"Accepted {n}")

        with programme.transaction() as s:
            recorded = record_consent(s, admin, programme.cipher, pid, form(signer))
            assert recorded.age_tier is tier, (dob, signer)

        assert state_of(programme, admin, pid) is ParticipantState.CONSENTED


def test_record_consent__signer_refused_for_age(programme: Registry, admin: Actor) -> None:
    for n, (dob, signer, age, allowed) in enumerate(REFUSED_SIGNERS):
        pid = add_person(programme, admin, dob, name=f"Refused {n}")

        with (
            pytest.raises(
                InputError, match=rf"was {age} on 2025-01-15; .* signed as {allowed}, not {signer}"
            ),
            programme.transaction() as s,
        ):
            record_consent(s, admin, programme.cipher, pid, form(signer))

        assert consent_rows(programme, pid) == []
        assert state_of(programme, admin, pid) is ParticipantState.REFERRED


def test_record_consent__missing_date_of_birth(programme: Registry, admin: Actor) -> None:
    no_dob = add_person(programme, admin, None)
    with programme.transaction() as s:
        no_identity = participants.new_participant(s, admin, centre="HKCH", sex=Sex.MALE).programme_id

    with (
        pytest.raises(InputError, match=rf"{no_dob} has no date of birth in the identity vault"),
        programme.transaction() as s,
    ):
        record_consent(s, admin, programme.cipher, no_dob, form())
    with (
        pytest.raises(NotFoundError, match=rf"no identity is recorded for participant {no_identity}"),
        programme.transaction() as s,
    ):
        record_consent(s, admin, programme.cipher, no_identity, form())

    for pid in (no_dob, no_identity):
        assert consent_rows(programme, pid) == []
        assert state_of(programme, admin, pid) is ParticipantState.REFERRED


# (what the form says, what the refusal must say)
MALFORMED_FORMS: list[tuple[dict[str, object], str]] = [
    ({"research": True}, "exactly one DUO permission term, got 0"),
    ({"research": True, "research_duo": (NCU,)}, "exactly one DUO permission term, got 0"),
    ({"research": True, "research_duo": (GRU, HMB)}, "exactly one DUO permission term, got 2"),
    ({"research": True, "research_duo": ("DUO:9999999",)}, "unknown DUO code"),
    ({"research_duo": (GRU,)}, "research use was not consented"),
    ({"participation": False}, "without programme participation"),
    ({"form_version": "  "}, "version of the consent form"),
    (
        {"signed_on": date.today() + timedelta(days=1)},
        rf"dated {date.today() + timedelta(days=1)}, which is in the future",
    ),
]


def test_record_consent__malformed_or_future_form_refused(programme: Registry, admin: Actor) -> None:
    for uses, message in MALFORMED_FORMS:
        fields: dict[str, object] = {"form_version": "HKGP-CF-3", "signed_on": SIGNED, **uses}
        bad = ConsentForm(signer=SignerRole.SELF, **fields)  # type: ignore[arg-type]

        with pytest.raises(InputError, match=message), programme.transaction() as s:
            record_consent(s, admin, programme.cipher, "P000001", bad)

    assert consent_rows(programme, "P000001") == []
    assert state_of(programme, admin, "P000001") is ParticipantState.REFERRED


def test_record_consent__form_dated_before_birth(programme: Registry, admin: Actor) -> None:
    pid = add_person(programme, admin, date(2024, 3, 1))

    with pytest.raises(InputError, match="before"), programme.transaction() as s:
        record_consent(s, admin, programme.cipher, pid, form(SignerRole.PARENT, signed_on=date(2023, 1, 1)))


# --- the consent gate --------------------------------------------------------------------------

NOTHING_OPTIONAL = {
    "primary_findings": False,
    "additional_findings": False,
    "pharmacogenomics": False,
    "research": False,
    "recontact": False,
}


# (optional uses consented on top of participation, purposes then allowed)
USES_AND_PURPOSES: list[tuple[dict[str, object], set[Purpose]]] = [
    ({}, {Purpose.PARTICIPATION}),
    ({"primary_findings": True}, {Purpose.PARTICIPATION, Purpose.PRIMARY_FINDINGS}),
    ({"additional_findings": True}, {Purpose.PARTICIPATION, Purpose.ADDITIONAL_FINDINGS}),
    ({"pharmacogenomics": True}, {Purpose.PARTICIPATION, Purpose.PHARMACOGENOMICS}),
    (
        {"research": True, "research_duo": (GRU,)},
        {Purpose.PARTICIPATION, Purpose.RESEARCH, Purpose.POPULATION_DATABASE},
    ),
    ({"recontact": True}, {Purpose.PARTICIPATION, Purpose.RECONTACT}),
]


def test_may_use__follows_consented_uses(programme: Registry, admin: Actor) -> None:
    people = []
    for n, (uses, allowed) in enumerate(USES_AND_PURPOSES):
        pid = add_person(programme, admin, date(1980, 1, 1), name=f"Adult {n}")
        with programme.transaction() as s:
            record_consent(s, admin, programme.cipher, pid, form(**{**NOTHING_OPTIONAL, **uses}))
        people.append((pid, uses, allowed))

    with programme.transaction() as s:
        for pid, uses, allowed in people:
            decisions = {purpose: may_use(s, pid, purpose) for purpose in Purpose}

            assert {p for p, d in decisions.items() if d.allowed} == allowed, uses
            for purpose, decision in decisions.items():
                assert (decision.purpose, decision.participant) == (purpose, pid)
                assert decision.consent_version == 1
                assert decision.scope is None  # adults signed
                if not decision.allowed:
                    assert "does not include" in decision.reason, (uses, purpose)


def test_may_use__before_any_consent(programme: Registry, admin: Actor) -> None:
    with programme.transaction() as s:
        decisions = [may_use(s, "P000001", purpose) for purpose in Purpose]

    assert not any(d.allowed for d in decisions)
    assert all("has no active consent to programme participation" in d.reason for d in decisions)
    assert all(d.consent_version is None for d in decisions)
    with pytest.raises(ConsentError, match="P000001 has no active consent"), programme.transaction() as s:
        participants.enrol(s, admin, "P000001")
    assert state_of(programme, admin, "P000001") is ParticipantState.REFERRED


def test_may_use__additional_findings_scope_by_age_at_signing(programme: Registry, admin: Actor) -> None:
    signings = [
        (date(2016, 5, 5), SignerRole.PARENT, "childhood_onset_only"),  # 8
        (date(2007, 6, 1), SignerRole.PARENT_AND_CHILD, "childhood_onset_only"),  # 17
        (date(2007, 1, 15), SignerRole.SELF, None),  # 18th birthday
    ]
    for dob, signer, scope in signings:
        pid = add_person(programme, admin, dob, name=f"Born {dob}")
        with programme.transaction() as s:
            record_consent(s, admin, programme.cipher, pid, form(signer, additional_findings=True))

        with programme.transaction() as s:
            decision = may_use(s, pid, Purpose.ADDITIONAL_FINDINGS)

        assert decision.allowed
        assert decision.scope == scope, dob
        assert ("childhood-onset actionable conditions only" in decision.reason) is (scope is not None)


def test_may_use__population_database_by_duo_permission(programme: Registry, admin: Actor) -> None:
    expected = {DS: False, GRU: True, HMB: True, NRES: True, POA: True}
    for permission, allowed in expected.items():
        pid = add_person(programme, admin, date(1980, 1, 1), name=f"Research {permission}")
        with programme.transaction() as s:
            record_consent(s, admin, programme.cipher, pid, form(research=True, research_duo=(permission,)))

        with programme.transaction() as s:
            decision = may_use(s, pid, Purpose.POPULATION_DATABASE)

        assert decision.allowed is allowed, permission
        if not allowed:
            assert "limited to disease specific research (DS)" in decision.reason
            assert "does not cover a population database" in decision.reason


def test_may_use__research_use_matched_against_duo(programme: Registry, admin: Actor) -> None:
    disease_only = add_person(programme, admin, date(1980, 1, 1), name="Disease specific")
    non_commercial = add_person(programme, admin, date(1980, 1, 1), name="Non commercial")
    with programme.transaction() as s:
        record_consent(s, admin, programme.cipher, disease_only, form(research=True, research_duo=(DS,)))
        record_consent(
            s, admin, programme.cipher, non_commercial, form(research=True, research_duo=(GRU, NCU))
        )

    with programme.transaction() as s:
        assert may_use(s, disease_only, Purpose.RESEARCH, research_use=ResearchUse(DS)).allowed
        assert not may_use(s, disease_only, Purpose.RESEARCH, research_use=ResearchUse(GRU)).allowed
        with pytest.raises(ConsentError, match="does not cover the project's general research use"):
            require_consent(s, disease_only, Purpose.RESEARCH, research_use=ResearchUse(GRU))

        commercial = may_use(
            s, non_commercial, Purpose.RESEARCH, research_use=ResearchUse(GRU, commercial=True)
        )
        academic = may_use(s, non_commercial, Purpose.RESEARCH, research_use=ResearchUse(HMB))
        with pytest.raises(ConsentError, match=r"non-commercial research \(non-commercial use only"):
            require_consent(
                s, non_commercial, Purpose.RESEARCH, research_use=ResearchUse(GRU, commercial=True)
            )

    assert not commercial.allowed
    assert commercial.conditions == ()
    assert academic.allowed
    assert academic.conditions == ("DUO:0000046 non-commercial use only (NCU)",)


# --- withdrawal --------------------------------------------------------------------------------

EVERYTHING = {
    "primary_findings": True,
    "additional_findings": True,
    "pharmacogenomics": True,
    "research": True,
    "research_duo": (GRU,),
    "recontact": True,
    "designated_person": True,
}


def test_withdraw__may_use_refuses_every_purpose(programme: Registry, admin: Actor) -> None:
    with programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form(**EVERYTHING))
        participants.enrol(s, admin, "P000001")
    with programme.transaction() as s:
        # Everything is allowed before the withdrawal, so the refusals below are its doing.
        assert all(may_use(s, "P000001", purpose).allowed for purpose in Purpose)

    with (
        pytest.raises(InputError, match="give the reason P000001 is withdrawn"),
        programme.transaction() as s,
    ):
        participants.withdraw(s, admin, "P000001", reason="  ")
    assert state_of(programme, admin, "P000001") is ParticipantState.ENROLLED

    with programme.transaction() as s:
        participants.withdraw(s, admin, "P000001", reason="no longer wishes to take part")

    with programme.transaction() as s:
        for purpose in Purpose:
            decision = may_use(s, "P000001", purpose)
            assert not decision.allowed, purpose
            assert "P000001 withdrew from the programme on " in decision.reason
            with pytest.raises(ConsentError, match=f"{purpose.value.replace('_', ' ')} is not allowed"):
                require_consent(s, "P000001", purpose)
        research = may_use(s, "P000001", Purpose.RESEARCH, research_use=ResearchUse(GRU))
        assert not research.allowed


def _trio(registry: Registry, admin: Actor) -> dict[str, str]:
    """Import a trio at HKCH with identities; returns PED individual ID → programme ID."""
    pedigree = Pedigree(
        "HKCH-FAM-7",
        (
            Member("DAD", None, None, Sex.MALE, AffectedStatus.UNAFFECTED),
            Member("MUM", None, None, Sex.FEMALE, AffectedStatus.UNAFFECTED),
            Member("KID", "DAD", "MUM", Sex.FEMALE, AffectedStatus.AFFECTED),
        ),
    )
    identities = {
        "DAD": vault.Identity(
            name="Wong Ka Fai", id_card_number="B111111(1)", date_of_birth=date(1985, 2, 2)
        ),
        "MUM": vault.Identity(
            name="Ho Mei Ling", id_card_number="C222222(2)", date_of_birth=date(1987, 7, 7)
        ),
        "KID": vault.Identity(name="Wong Hoi Yan", date_of_birth=date(2016, 5, 5)),
    }
    with registry.transaction() as s:
        family = families.import_family(
            s, admin, registry.cipher, pedigree, centre="HKCH", identities=identities
        )
        s.flush()
        return {p.local_id or "": p.programme_id for p in family.members}


def test_withdraw__propagates(programme: Registry, admin: Actor) -> None:
    ids = _trio(programme, admin)
    mum, kid = ids["MUM"], ids["KID"]
    with programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form())
        record_consent(s, admin, programme.cipher, mum, form())
        record_consent(s, admin, programme.cipher, kid, form(SignerRole.PARENT))
        participants.enrol(s, admin, mum)
        family_case = cases.open_case(
            s, admin, kid, category=CaseCategory.RARE_DISEASE, indication="epilepsy"
        )
        other_case = cases.open_case(
            s, admin, "P000001", category=CaseCategory.RARE_DISEASE, indication="ataxia"
        )
        cases.move_case(s, admin, family_case.case_id, CaseState.AWAITING_DATA)
        samples.register_sample(s, admin, mum, "HKCH-S-0001", SampleType.BLOOD)
        samples.register_sample(s, admin, kid, "HKCH-S-0002", SampleType.BLOOD)
        family_case_id, other_case_id = family_case.case_id, other_case.case_id

    with programme.transaction() as s:
        participants.withdraw(s, admin, mum, reason="changed her mind")

    with programme.transaction() as s:
        mother = participants.get_participant(s, admin, mum)
        assert mother.state is ParticipantState.WITHDRAWN
        assert mother.withdrawn_at is not None
        assert mother.withdrawal_reason == "changed her mind"
        assert active_consent(s, mother) is None
        (record,) = consent.consent_history(s, admin, mum)
        assert record.state is ConsentState.WITHDRAWN
        assert record.end_reason == "participant withdrew: changed her mind"

        blocked = cases.get_case(s, admin, family_case_id)
        assert blocked.state is CaseState.BLOCKED
        assert blocked.resume_state is CaseState.AWAITING_DATA
        assert blocked.blocked_reason == f"participant {mum} withdrew"
        assert cases.get_case(s, admin, other_case_id).state is CaseState.REGISTERED

        assert samples.get_sample(s, admin, "HKCH-S-0001").flagged_for_destruction
        assert not samples.get_sample(s, admin, "HKCH-S-0002").flagged_for_destruction
        assert may_use(s, kid, Purpose.PARTICIPATION).allowed  # the child's own consent stands

        # The participant row and vault entry stay, so the audit trail keeps its subject.
        identity = vault.read_identity(s, admin, programme.cipher, mother, purpose="withdrawal letter")
        assert identity.name == "Ho Mei Ling"
        assert identity.date_of_birth == date(1987, 7, 7)


def test_withdraw__withdrawn_participant_cannot_come_back(programme: Registry, admin: Actor) -> None:
    with programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form())
    with programme.transaction() as s:
        participants.withdraw(s, admin, "P000001", reason="moved abroad")
    entries_before = audit_count(programme)

    with (
        pytest.raises(StateTransitionError, match=r"cannot move from 'withdrawn' to 'enrolled'"),
        programme.transaction() as s,
    ):
        participants.enrol(s, admin, "P000001")
    with pytest.raises(StateTransitionError, match="withdrawn participant"), programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form(signed_on=date(2025, 2, 1)))
    with pytest.raises(StateTransitionError, match="terminal"), programme.transaction() as s:
        participants.withdraw(s, admin, "P000001", reason="again")

    assert state_of(programme, admin, "P000001") is ParticipantState.WITHDRAWN
    assert consent_rows(programme, "P000001") == [(1, ConsentState.WITHDRAWN)]
    assert audit_count(programme) == entries_before


def test_record_consent__overlong_form_version_is_a_clear_error(programme: Registry, admin: Actor) -> None:
    # PostgreSQL would otherwise fail with a driver error on the 64-character column.
    form = ConsentForm("F" * 65, date(2025, 1, 15), SignerRole.SELF)
    with pytest.raises(InputError, match="1-64 characters"), programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form)
