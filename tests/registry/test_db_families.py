"""Families on a real database: PED + phenotype + identity import, export as PED and as a
Phenopacket, refused imports that leave nothing behind, and a round-trip property."""

from __future__ import annotations

import itertools
import json
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from genopath.core.errors import ConflictError, InputError, PedigreeError, PhenotypeError
from genopath.core.settings import Settings
from genopath.registry import (
    Actor,
    AffectedStatus,
    ParticipantState,
    Registry,
    Sex,
    centres,
    families,
    init_database,
    participants,
    phenopacket,
    phenotypes,
    vault,
)
from genopath.registry.models import AuditEntry, Family, Participant
from genopath.registry.pedigree import Member, Pedigree, read_ped, validate, write_ped
from tests.conftest import clinician_at

DATA = Path(__file__).parent / "data" / "db"
TRIO_PED = DATA / "trio.ped"
HKCH = clinician_at("HKCH")


def import_trio(registry: Registry, actor: Actor = HKCH) -> str:
    """Import the trio of the data files at HKCH; returns the programme family ID."""
    (pedigree,) = read_ped(TRIO_PED)
    with registry.transaction() as s:
        family = families.import_family(
            s,
            actor,
            registry.cipher,
            pedigree,
            centre="HKCH",
            phenotypes=families.read_phenotype_tsv(DATA / "trio_phenotypes.tsv"),
            identities=families.read_identity_tsv(DATA / "trio_identities.tsv"),
        )
        return family.family_id


def counts(registry: Registry) -> tuple[int, int, int]:
    """Participants, families and audit entries in the registry."""
    with registry.transaction() as s:
        return (
            s.execute(select(func.count()).select_from(Participant)).scalar_one(),
            s.execute(select(func.count()).select_from(Family)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def phenotype_table(
    registry: Registry, family_id: str, *, ids: str, actor: Actor = HKCH
) -> set[tuple[str, str, str, bool, str | None]]:
    """(member label, HPO ID, label, observed, onset) of every recorded term of a family."""
    with registry.transaction() as s:
        family = families.get_family(s, actor, family_id)
        return {
            ((p.local_id if ids == "local" else p.programme_id) or "", t.hpo_id, t.label, t.observed, t.onset)
            for p in family.members
            for t in phenotypes.list_phenotypes(s, actor, p.programme_id)
        }


def test_import_family__trio_with_phenotypes_and_identities(programme: Registry, admin: Actor) -> None:
    family_id = import_trio(programme)

    with programme.transaction() as s:
        family = families.get_family(s, HKCH, family_id)
        members = {p.local_id: p for p in family.members}
        kid, dad, mum = members["KID01"], members["DAD01"], members["MUM01"]
        assert (family_id, family.local_id, family.centre.code) == ("F000001", "FAM-HK-0042", "HKCH")
        # Programme IDs follow the order of the PED lines; P000001 was taken before.
        assert [p.programme_id for p in family.members] == ["P000002", "P000003", "P000004"]
        assert [p.local_id for p in family.members] == ["KID01", "DAD01", "MUM01"]
        assert (kid.father, kid.mother, dad.father, mum.mother) == (dad, mum, None, None)
        assert [p.is_proband for p in (kid, dad, mum)] == [True, False, False]
        assert (kid.sex, kid.affected) == (Sex.FEMALE, AffectedStatus.AFFECTED)
        assert all(p.state is ParticipantState.REFERRED for p in family.members)
        identity = vault.read_identity(s, HKCH, programme.cipher, dad, purpose="import check")
        assert identity == vault.Identity(
            name="Wong Ka Fai",
            id_card_number="B111111(1)",
            date_of_birth=date(1985, 2, 2),
            contact="+852 5555 0101",
        )
        assert (
            vault.read_identity(s, HKCH, programme.cipher, kid, purpose="import check").id_card_number is None
        )

    assert phenotype_table(programme, family_id, ids="local") == {
        ("KID01", "HP:0001250", "Seizure", True, "HP:0003593"),
        ("KID01", "HP:0001263", "Global developmental delay", True, "P1Y6M"),
        ("KID01", "HP:0000365", "Hearing impairment", False, None),
        ("MUM01", "HP:0000822", "Hypertension", True, None),
    }


def test_family_pedigree__local_and_programme_ids(programme: Registry) -> None:
    family_id = import_trio(programme)

    with programme.transaction() as s:
        local = families.family_pedigree(s, HKCH, family_id, ids="local")
        programme_ids = families.family_pedigree(s, HKCH, family_id)

    (original,) = read_ped(TRIO_PED)
    assert local == replace(original, proband="KID01")
    assert write_ped([local]) == TRIO_PED.read_text()
    assert programme_ids == Pedigree(
        "F000001",
        (
            Member("P000002", "P000003", "P000004", Sex.FEMALE, AffectedStatus.AFFECTED),
            Member("P000003", None, None, Sex.MALE, AffectedStatus.UNAFFECTED),
            Member("P000004", None, None, Sex.FEMALE, AffectedStatus.UNAFFECTED),
        ),
        proband="P000002",
    )


def test_import_family__same_family_twice(programme: Registry, admin: Actor) -> None:
    import_trio(programme)
    before = counts(programme)

    with pytest.raises(ConflictError, match="family FAM-HK-0042 of HKCH was imported already as F000001"):
        import_trio(programme)

    assert counts(programme) == before
    # Another centre may use the same local family ID; the refused import used up no number.
    (pedigree,) = read_ped(TRIO_PED)
    with programme.transaction() as s:
        other = families.import_family(s, clinician_at("PWH"), programme.cipher, pedigree, centre="PWH")
        assert other.family_id == "F000002"
        assert [p.programme_id for p in other.members] == ["P000005", "P000006", "P000007"]


def test_import_family__rows_for_someone_not_in_the_pedigree(programme: Registry) -> None:
    (pedigree,) = read_ped(TRIO_PED)
    before = counts(programme)
    stray_phenotype = [
        families.PhenotypeEntry("KID01", "HP:0001250"),
        families.PhenotypeEntry("UNCLE01", "HP:0001250"),
    ]
    stray_identity = {
        "KID01": vault.Identity(name="Wong Hoi Yan"),
        "AUNT01": vault.Identity(name="Ho Mei Kei"),
    }

    with (
        pytest.raises(
            PedigreeError,
            match=r"phenotype rows name UNCLE01, who are not in family FAM-HK-0042; members: DAD01, KID01, MUM01",
        ),
        programme.transaction() as s,
    ):
        families.import_family(s, HKCH, programme.cipher, pedigree, centre="HKCH", phenotypes=stray_phenotype)
    with pytest.raises(PedigreeError, match="identity rows name AUNT01"), programme.transaction() as s:
        families.import_family(s, HKCH, programme.cipher, pedigree, centre="HKCH", identities=stray_identity)

    assert counts(programme) == before


def test_import_family__obsolete_hpo_term(programme: Registry) -> None:
    (pedigree,) = read_ped(TRIO_PED)
    entries = [
        families.PhenotypeEntry("KID01", "HP:0001250"),
        families.PhenotypeEntry("KID01", "HP:0001388"),  # Joint laxity, obsolete
    ]
    before = counts(programme)

    with (
        pytest.raises(
            PhenotypeError,
            match=r"HP:0001388 \(Joint laxity\) is obsolete in HPO .*; use HP:0001382 \(Joint hypermobility\) instead",
        ),
        programme.transaction() as s,
    ):
        families.import_family(s, HKCH, programme.cipher, pedigree, centre="HKCH", phenotypes=entries)

    assert counts(programme) == before
    with programme.transaction() as s:
        assert [p.programme_id for p in participants.list_participants(s, HKCH)] == ["P000001"]
        assert families.list_families(s, HKCH) == []


def test_export_family__phenopacket_round_trip_to_another_centre(programme: Registry) -> None:
    family_id = import_trio(programme)
    with programme.transaction() as s:
        document = phenopacket.export_family(s, HKCH, family_id)

    pedigree, entries = phenopacket.parse_family(document)
    pwh = clinician_at("PWH")
    with programme.transaction() as s:
        copy = families.import_family(s, pwh, programme.cipher, pedigree, centre="PWH", phenotypes=entries)
        copy_id = copy.family_id

    with programme.transaction() as s:
        original = families.family_pedigree(s, HKCH, family_id)
        # The copy's local IDs are the programme IDs the export carried.
        assert families.family_pedigree(s, pwh, copy_id, ids="local") == original
        assert families.family_pedigree(s, pwh, copy_id).family_id == "F000002"
    assert phenotype_table(programme, copy_id, ids="local", actor=pwh) == phenotype_table(
        programme, family_id, ids="programme"
    )
    # Only programme IDs leave the registry: no names, card numbers or site-local labels.
    for private in ("Wong", "Ho Mei Ling", "B111111", "1985-02-02", "KID01", "FAM-HK-0042"):
        assert private not in document
    assert json.loads(document)["id"] == "F000001"


def test_import_family__overlong_individual_id(programme: Registry) -> None:
    long_id = "K" * 65
    pedigree = Pedigree("FAM-LONG", (Member(long_id, None, None, Sex.MALE, AffectedStatus.AFFECTED),))

    with pytest.raises(InputError, match=long_id), programme.transaction() as s:
        families.import_family(s, HKCH, programme.cipher, pedigree, centre="HKCH")


# --- property: import then export gives the pedigree back ------------------------------------

# PED IDs; "0" means an unknown parent, so it is swapped for "00".
_ID = st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=12).map(
    lambda s: "00" if s == "0" else s
)


@st.composite
def pedigrees(draw: st.DrawFn) -> Pedigree:
    """Valid pedigrees of 1-8 members in any line order, parents drawn among earlier-born members
    of a compatible sex, the proband named explicitly or left to be the only affected member."""
    n = draw(st.integers(min_value=1, max_value=8))
    ids = draw(st.lists(_ID, min_size=n, max_size=n, unique=True))
    sexes = draw(st.lists(st.sampled_from(Sex), min_size=n, max_size=n))
    statuses = draw(st.lists(st.sampled_from(AffectedStatus), min_size=n, max_size=n))
    members = []
    for i in range(n):
        fathers = [ids[j] for j in range(i) if sexes[j] is not Sex.FEMALE]
        father = draw(st.none() | st.sampled_from(fathers)) if fathers else None
        mothers = [ids[j] for j in range(i) if sexes[j] is not Sex.MALE and ids[j] != father]
        mother = draw(st.none() | st.sampled_from(mothers)) if mothers else None
        members.append(Member(ids[i], father, mother, sexes[i], statuses[i]))
    members = [members[k] for k in draw(st.permutations(range(n)))]
    chosen = draw(st.integers(min_value=0, max_value=n - 1))
    if draw(st.booleans()):
        return Pedigree(draw(_ID), tuple(members), members[chosen].individual_id)
    only_affected = [
        replace(m, affected=AffectedStatus.AFFECTED)
        if k == chosen
        else replace(m, affected=AffectedStatus.UNAFFECTED)
        if m.affected is AffectedStatus.AFFECTED
        else m
        for k, m in enumerate(members)
    ]
    return Pedigree(draw(_ID), tuple(only_affected))


@pytest.fixture
def sqlite_registry(sqlite_settings: Settings, admin: Actor) -> Iterator[Registry]:
    registry = init_database(sqlite_settings)
    with registry.transaction() as s:
        centres.add_centre(s, admin, "HKCH", "Hong Kong Children's Hospital")
    yield registry
    registry.dispose()


_serial = itertools.count(1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pedigree=pedigrees())
def test_import_family__round_trip_property(sqlite_registry: Registry, pedigree: Pedigree) -> None:
    validate(pedigree)  # the strategy only makes valid pedigrees
    # One database serves every example, so each family gets a local ID of its own.
    pedigree = replace(pedigree, family_id=f"{pedigree.family_id}~{next(_serial)}")

    with sqlite_registry.transaction() as s:
        family_id = families.import_family(s, HKCH, sqlite_registry.cipher, pedigree, centre="HKCH").family_id
    with sqlite_registry.transaction() as s:
        exported = families.family_pedigree(s, HKCH, family_id, ids="local")

    assert exported == pedigree.with_default_proband()


def _count_participants(registry: Registry) -> int:
    with registry.transaction() as s:
        return s.execute(select(func.count()).select_from(Participant)).scalar_one()


def test_import_families__individual_id_in_two_families_is_not_guessed(programme: Registry) -> None:
    # PED individual IDs are unique only within a family: a row for "1" cannot be assigned.
    pedigrees = [
        Pedigree("FA", (Member("1", None, None, Sex.MALE, AffectedStatus.AFFECTED),)),
        Pedigree("FB", (Member("1", None, None, Sex.FEMALE, AffectedStatus.AFFECTED),)),
    ]
    before = _count_participants(programme)
    with pytest.raises(PedigreeError, match=r"1 in FA, FB"), programme.transaction() as s:
        families.import_families(
            s,
            HKCH,
            programme.cipher,
            pedigrees,
            centre="HKCH",
            phenotypes=[families.PhenotypeEntry("1", "HP:0001250")],
        )
    assert _count_participants(programme) == before
    with programme.transaction() as s:  # without rows to match, the same families import fine
        imported = families.import_families(s, HKCH, programme.cipher, pedigrees, centre="HKCH")
    assert [f.local_id for f in imported] == ["FA", "FB"]


def test_import_families__identity_row_for_nobody_refused(programme: Registry) -> None:
    pedigrees = [Pedigree("FA", (Member("kid", None, None, Sex.MALE, AffectedStatus.AFFECTED),))]
    before = _count_participants(programme)
    with pytest.raises(PedigreeError, match="TYPO"), programme.transaction() as s:
        families.import_families(
            s,
            HKCH,
            programme.cipher,
            pedigrees,
            centre="HKCH",
            identities={"TYPO": vault.Identity(date_of_birth=date(2001, 1, 1))},
        )
    assert _count_participants(programme) == before


def test_read_identity_tsv__second_row_for_one_person_refused(tmp_path: Path) -> None:
    path = tmp_path / "ids.tsv"
    path.write_text("individual_id\tname\tdate_of_birth\nkid\tA\t2001-01-01\nkid\tB\t2002-02-02\n")
    with pytest.raises(InputError, match="line 3: kid has a second identity row"):
        families.read_identity_tsv(path)
