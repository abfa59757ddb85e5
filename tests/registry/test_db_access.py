"""Access on a real database: centre boundaries, roles that never see the registry, the identity
vault (audited reads, encrypted at rest, one registration per person) and user accounts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from genopath.core.errors import AccessDenied, ConflictError, InputError
from genopath.registry import (
    Actor,
    AffectedStatus,
    CaseCategory,
    ConsentForm,
    Registry,
    Role,
    Sex,
    SignerRole,
    cases,
    families,
    participants,
    phenotypes,
    record_consent,
    users,
    vault,
)
from genopath.registry.models import AuditEntry, IdentityRecord
from genopath.registry.pedigree import Member, Pedigree
from tests.conftest import clinician_at

HKCH, PWH = clinician_at("HKCH"), clinician_at("PWH")
LAB = Actor(username="lab.tech", role=Role.LAB)


@pytest.fixture
def two_centres(programme: Registry, admin: Actor) -> Registry:
    """HKCH: P000001 with case C000001, and family F000001 (P000002, P000003).
    PWH: P000004 with an identity and case C000002."""
    form = ConsentForm("HKGP-CF-3", date(2025, 1, 15), SignerRole.SELF)
    mother_and_son = Pedigree(
        "HK-FAM-1",
        (
            Member("MUM", None, None, Sex.FEMALE, AffectedStatus.UNAFFECTED),
            Member("SON", None, "MUM", Sex.MALE, AffectedStatus.AFFECTED),
        ),
    )
    with programme.transaction() as s:
        record_consent(s, admin, programme.cipher, "P000001", form)
        cases.open_case(s, HKCH, "P000001", category=CaseCategory.RARE_DISEASE, indication="ataxia")
        families.import_family(s, HKCH, programme.cipher, mother_and_son, centre="HKCH")
        pwh = participants.new_participant(s, PWH, centre="PWH", sex=Sex.MALE)
        vault.store_identity(
            s,
            admin,
            programme.cipher,
            pwh,
            vault.Identity(
                name="Cheung Wai Kit", id_card_number="Z987654(3)", date_of_birth=date(1982, 8, 8)
            ),
        )
        record_consent(s, admin, programme.cipher, pwh.programme_id, form)
        cases.open_case(s, PWH, pwh.programme_id, category=CaseCategory.HEREDITARY_CANCER, indication="BRCA")
    return programme


def audit_count(registry: Registry) -> int:
    with registry.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


# --- centres -----------------------------------------------------------------------------------


def test_get__clinician_at_another_centre(two_centres: Registry) -> None:
    reads: list[tuple[str, Callable[[Session], Any]]] = [
        ("participant P000001", lambda s: participants.get_participant(s, PWH, "P000001")),
        ("family F000001", lambda s: families.get_family(s, PWH, "F000001")),
        ("case C000001", lambda s: cases.get_case(s, PWH, "C000001")),
        ("family F000001", lambda s: families.family_pedigree(s, PWH, "F000001")),
        ("participant P000002", lambda s: phenotypes.list_phenotypes(s, PWH, "P000002")),
        ("participants of centre HKCH", lambda s: participants.list_participants(s, PWH, centre="HKCH")),
    ]
    for subject, read in reads:
        with (
            pytest.raises(
                AccessDenied, match=f"{subject} belongs to another centre; user dr.pwh sees only centre PWH"
            ),
            two_centres.transaction() as s,
        ):
            read(s)


def test_list__filtered_to_own_centre(two_centres: Registry, admin: Actor) -> None:
    with two_centres.transaction() as s:
        assert [p.programme_id for p in participants.list_participants(s, PWH)] == ["P000004"]
        assert [p.programme_id for p in participants.list_participants(s, HKCH)] == [
            "P000001",
            "P000002",
            "P000003",
        ]
        assert [f.family_id for f in families.list_families(s, PWH)] == []
        assert [f.family_id for f in families.list_families(s, HKCH)] == ["F000001"]
        assert [c.case_id for c in cases.list_cases(s, PWH)] == ["C000002"]
        assert [c.case_id for c in cases.list_cases(s, HKCH)] == ["C000001"]
        # A programme-wide user sees both centres.
        assert len(participants.list_participants(s, admin)) == 4
        assert [c.case_id for c in cases.list_cases(s, admin)] == ["C000001", "C000002"]
        # The own centre's records are there for the asking.
        assert participants.get_participant(s, PWH, "P000004").centre.code == "PWH"
        assert cases.get_case(s, HKCH, "C000001").proband.programme_id == "P000001"


def test_view__research_roles_never_reach_the_registry(two_centres: Registry) -> None:
    for role in (Role.RESEARCHER, Role.DATA_ACCESS_COMMITTEE):
        reader = Actor(username="researcher.ng", role=role)
        reads: list[Callable[[Session], Any]] = [
            lambda s, r=reader: participants.get_participant(s, r, "P000001"),
            lambda s, r=reader: participants.list_participants(s, r),
            lambda s, r=reader: families.list_families(s, r),
            lambda s, r=reader: families.get_family(s, r, "F000001"),
            lambda s, r=reader: cases.list_cases(s, r),
            lambda s, r=reader: cases.get_case(s, r, "C000001"),
        ]
        for read in reads:
            with (
                pytest.raises(AccessDenied, match=rf"user researcher\.ng \({role}\) may not view"),
                two_centres.transaction() as s,
            ):
                read(s)


# --- identity vault ----------------------------------------------------------------------------


def test_read_identity__refused(two_centres: Registry) -> None:
    entries_before = audit_count(two_centres)
    for reader, message in [
        (LAB, r"user lab.tech \(lab\) may not read identity"),
        (Actor(username="bi.chow", role=Role.BIOINFORMATICIAN), "may not read identity"),
        (PWH, "participant P000001 belongs to another centre"),
    ]:
        with pytest.raises(AccessDenied, match=message), two_centres.transaction() as s:
            p = participants.get_participant(s, Actor.system("x"), "P000001")
            vault.read_identity(s, reader, two_centres.cipher, p, purpose="curiosity")

    assert audit_count(two_centres) == entries_before


def test_read_identity__every_read_audited_with_purpose(two_centres: Registry) -> None:
    with two_centres.transaction() as s:
        p = participants.get_participant(s, HKCH, "P000001")
        first = vault.read_identity(s, HKCH, two_centres.cipher, p, purpose="result letter")
        second = vault.read_identity(s, HKCH, two_centres.cipher, p, purpose="recontact phone call")

    assert (
        first
        == second
        == vault.Identity(name="Chan Tai Man", id_card_number="A123456(7)", date_of_birth=date(1990, 4, 2))
    )
    with two_centres.transaction() as s:
        newest = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(2)).scalars().all()
        reads = [(e.action, e.actor, e.entity_id, json.loads(e.detail)) for e in reversed(newest)]
    assert reads == [
        ("identity.read", "dr.hkch", "P000001", {"purpose": "result letter"}),
        ("identity.read", "dr.hkch", "P000001", {"purpose": "recontact phone call"}),
    ]


def test_store_identity__duplicate_id_card_number(two_centres: Registry, admin: Actor) -> None:
    # The blind index ignores case and punctuation, so the same card typed differently is caught.
    for typed in ("A123456(7)", "a1234567", "A 123456 (7)"):
        with (
            pytest.raises(ConflictError, match="is already registered for participant P000001"),
            two_centres.transaction() as s,
        ):
            p = participants.get_participant(s, admin, "P000002")
            vault.store_identity(
                s, admin, two_centres.cipher, p, vault.Identity(name="Chan Tai Man", id_card_number=typed)
            )

    with two_centres.transaction() as s:
        p2 = participants.get_participant(s, admin, "P000002")
        assert s.get(IdentityRecord, p2.id) is None
        # Re-recording the card for its own holder is an update, not a duplicate.
        p1 = participants.get_participant(s, admin, "P000001")
        vault.store_identity(
            s, admin, two_centres.cipher, p1, vault.Identity(name="Chan Tai-man", id_card_number="A123456(7)")
        )
        assert vault.read_identity(s, admin, two_centres.cipher, p1, purpose="check").name == "Chan Tai-man"


def test_store_identity__ciphertext_at_rest(two_centres: Registry, admin: Actor) -> None:
    with two_centres.transaction() as s:
        rows = s.execute(
            text(
                "SELECT p.programme_id, v.ciphertext, v.id_card_index FROM identity_vault v "
                "JOIN participants p ON p.id = v.participant_pk ORDER BY p.programme_id"
            )
        ).all()

    stored = {pid: (bytes(blob), index) for pid, blob, index in rows}
    assert set(stored) == {"P000001", "P000004"}
    for pid, secrets in [
        ("P000001", ["Chan Tai Man", "A123456", "1990-04-02"]),
        ("P000004", ["Cheung Wai Kit", "Z987654", "1982-08-08"]),
    ]:
        blob, index = stored[pid]
        assert len(blob) > 100
        for secret in secrets:
            assert secret.encode() not in blob, (pid, secret)
            assert secret.lower().encode() not in blob.lower(), (pid, secret)
            assert secret not in index
        assert len(index) == 64  # an HMAC-SHA256 hex digest, not the card number
    # The same blob decrypts through the vault, so it is the identity and not something else.
    assert two_centres.cipher.decrypt(stored["P000004"][0]).name == "Cheung Wai Kit"


def test_store_identity__refused_without_permission(two_centres: Registry, admin: Actor) -> None:
    for writer in (LAB, PWH, Actor(username="researcher.ng", role=Role.RESEARCHER)):
        with pytest.raises(AccessDenied), two_centres.transaction() as s:
            p = participants.get_participant(s, admin, "P000001")
            vault.store_identity(s, writer, two_centres.cipher, p, vault.Identity(name="Someone Else"))


# --- user accounts -----------------------------------------------------------------------------


def test_add_user__refusals(programme: Registry, admin: Actor) -> None:
    refusals = [
        (("dr.wong", "eleven-char", Role.CLINICIAN, "HKCH"), InputError, "at least 12 characters"),
        (("dr.wong", "long enough pass", Role.CLINICIAN, None), InputError, "a clinician works at a centre"),
        (
            ("gc.li", "long enough pass", Role.GENETIC_COUNSELLOR, None),
            InputError,
            "a genetic_counsellor works at a centre",
        ),
        (("Dr Wong", "long enough pass", Role.CLINICIAN, "HKCH"), InputError, "must be lower-case"),
    ]
    for (username, password, role, centre), error, message in refusals:
        with pytest.raises(error, match=message), programme.transaction() as s:
            users.add_user(s, admin, username, password, role, centre)
    with pytest.raises(AccessDenied, match="may not manage users"), programme.transaction() as s:
        users.add_user(s, HKCH, "dr.chan", "long enough pass", Role.CLINICIAN, "HKCH")

    with programme.transaction() as s:
        assert users.list_users(s, admin) == []
        users.add_user(s, admin, "dr.wong", "twelve chars", Role.CLINICIAN, "HKCH")  # exactly 12
        users.add_user(s, admin, "lab.tech", "long enough pass", Role.LAB, None)
    with pytest.raises(ConflictError, match=r"user dr\.wong already exists"), programme.transaction() as s:
        users.add_user(s, admin, "dr.wong", "another password", Role.ADMIN, None)
    with programme.transaction() as s:
        assert [(u.username, u.role) for u in users.list_users(s, admin)] == [
            ("dr.wong", Role.CLINICIAN),
            ("lab.tech", Role.LAB),
        ]


def test_authenticate(programme: Registry, admin: Actor) -> None:
    with programme.transaction() as s:
        users.add_user(s, admin, "dr.wong", "correct horse battery", Role.CLINICIAN, "PWH")
        users.add_user(s, admin, "dr.gone", "correct horse battery", Role.CLINICIAN, "PWH").active = False

    with programme.transaction() as s:
        actor = users.authenticate(s, "dr.wong", "correct horse battery")
        assert actor == Actor(username="dr.wong", role=Role.CLINICIAN, centre="PWH")
        # The authenticated actor is held to its centre.
        with pytest.raises(AccessDenied, match="sees only centre PWH"):
            participants.get_participant(s, actor, "P000001")
        for username, password in [
            ("dr.wong", "correct horse battery "),
            ("dr.wong", "Correct horse battery"),
            ("dr.nobody", "correct horse battery"),
            ("dr.gone", "correct horse battery"),
        ]:
            with pytest.raises(AccessDenied, match=f"wrong username or password for '{username}'"):
                users.authenticate(s, username, password)
        stored = s.execute(text("SELECT password_hash FROM users WHERE username = 'dr.wong'")).scalar_one()
        assert "correct horse" not in stored
        assert stored.startswith("$argon2")


def test_update_identity__keeps_fields_not_given(programme: Registry, admin: Actor) -> None:
    with programme.transaction() as s:
        person = participants.get_participant(s, admin, "P000001")
        vault.update_identity(s, admin, programme.cipher, person, vault.Identity(contact="+852 5550 9999"))
    with programme.transaction() as s:
        person = participants.get_participant(s, admin, "P000001")
        who = vault.read_identity(s, admin, programme.cipher, person, purpose="check")
    assert (who.name, who.date_of_birth, who.contact) == ("Chan Tai Man", date(1990, 4, 2), "+852 5550 9999")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROGRAMME_MANAGER, Role.DATA_ACCESS_COMMITTEE])
def test_add_user__programme_roles_cannot_be_bound_to_a_centre(
    programme: Registry, admin: Actor, role: Role
) -> None:
    with pytest.raises(InputError, match="programme-wide"), programme.transaction() as s:
        users.add_user(s, admin, "someone", "a long enough password", role, "HKCH")
