"""Families: importing a pedigree with its phenotypes and identities, and exporting it again.

A family imported from a PED keeps its PED family ID as ``local_id`` (unique per centre) and
gets a programme family ID (``F000001``); each member becomes a referred participant with a
programme ID and keeps their PED individual ID as ``local_id``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import ConflictError, InputError, NotFoundError, PedigreeError
from genopath.core.ids import IdKind, parse_id
from genopath.registry import audit
from genopath.registry.access import Actor, Permission, require, require_centre
from genopath.registry.centres import get_centre
from genopath.registry.models import Centre, Family, Participant
from genopath.registry.numbering import next_id
from genopath.registry.participants import new_participant
from genopath.registry.pedigree import Member, Pedigree, validate
from genopath.registry.phenotypes import add_phenotype
from genopath.registry.vault import Identity, VaultCipher, store_identity


@dataclass(frozen=True)
class PhenotypeEntry:
    """One row of a phenotype TSV: an HPO term observed or excluded in a family member."""

    individual_id: str
    hpo_id: str
    observed: bool = True
    onset: str | None = None


def read_phenotype_tsv(path: Path) -> list[PhenotypeEntry]:
    """Read a phenotype TSV with header ``individual_id  hpo_id  status  onset``.

    ``status`` is ``observed`` or ``excluded`` (default observed); ``onset`` is optional.
    """
    rows = _read_tsv(path, required=("individual_id", "hpo_id"))
    entries = []
    for number, row in rows:
        status = (row.get("status") or "observed").strip().lower()
        if status not in ("observed", "excluded"):
            raise InputError(f"{path} line {number}: status {status!r} must be 'observed' or 'excluded'")
        entries.append(
            PhenotypeEntry(
                row["individual_id"].strip(),
                row["hpo_id"].strip(),
                status == "observed",
                (row.get("onset") or "").strip() or None,
            )
        )
    return entries


def read_identity_tsv(path: Path) -> dict[str, Identity]:
    """Read identities keyed by PED individual ID from a TSV with header
    ``individual_id  name  id_card_number  date_of_birth  contact`` (ISO dates)."""
    identities = {}
    for number, row in _read_tsv(path, required=("individual_id", "date_of_birth")):
        try:
            dob = date.fromisoformat(row["date_of_birth"].strip()) if row["date_of_birth"].strip() else None
        except ValueError as e:
            raise InputError(
                f"{path} line {number}: date_of_birth {row['date_of_birth']!r} is not "
                "an ISO date (YYYY-MM-DD)"
            ) from e
        if row["individual_id"].strip() in identities:
            raise InputError(
                f"{path} line {number}: {row['individual_id'].strip()} has a second identity row"
            )
        identities[row["individual_id"].strip()] = Identity(
            name=(row.get("name") or "").strip() or None,
            id_card_number=(row.get("id_card_number") or "").strip() or None,
            date_of_birth=dob,
            contact=(row.get("contact") or "").strip() or None,
        )
    return identities


def _read_tsv(path: Path, *, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="") as handle:
            reader = csv.DictReader((line for line in handle if not line.startswith("##")), delimiter="\t")
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(
                    f"{path} lacks column(s) {', '.join(missing)}; its header is "
                    f"{' '.join(reader.fieldnames or []) or 'empty'}"
                )
            return [(number, row) for number, row in enumerate(reader, start=2)]
    except OSError as e:
        raise InputError(f"cannot read {path}: {e}") from e


def import_family(
    session: Session,
    actor: Actor,
    cipher: VaultCipher,
    pedigree: Pedigree,
    *,
    centre: str,
    phenotypes: Sequence[PhenotypeEntry] = (),
    identities: Mapping[str, Identity] | None = None,
) -> Family:
    """Register a whole family in one go: participants, parents, proband, identities, phenotypes.

    Raises
    ------
    PedigreeError
        The pedigree is invalid, has no clear proband, or a phenotype/identity row names
        someone who is not in it.
    ConflictError
        The family was imported at this centre before, or an ID-card number is registered already.
    PhenotypeError
        An HPO term is unknown, obsolete or contradictory.
    """
    require(actor, Permission.REGISTER)
    require_centre(actor, centre, subject=f"a family of centre {centre}")
    validate(pedigree)
    pedigree = pedigree.with_default_proband()
    identities = dict(identities or {})
    _check_names(pedigree, [p.individual_id for p in phenotypes], "phenotype")
    _check_names(pedigree, list(identities), "identity")
    home = get_centre(session, centre)
    clash = session.execute(
        select(Family).where(Family.centre_id == home.id, Family.local_id == pedigree.family_id)
    ).scalar_one_or_none()
    if clash is not None:
        raise ConflictError(
            f"family {pedigree.family_id} of {centre} was imported already as {clash.family_id}"
        )
    family = Family(family_id=next_id(session, IdKind.FAMILY), local_id=pedigree.family_id, centre=home)
    session.add(family)
    people: dict[str, Participant] = {}
    for m in pedigree.members:
        person = new_participant(
            session, actor, centre=centre, sex=m.sex, affected=m.affected, local_id=m.individual_id
        )
        person.family, person.is_proband = family, m.individual_id == pedigree.proband
        people[m.individual_id] = person
        if m.individual_id in identities:
            store_identity(session, actor, cipher, person, identities[m.individual_id])
    for m in pedigree.members:
        people[m.individual_id].father = people[m.father_id] if m.father_id else None
        people[m.individual_id].mother = people[m.mother_id] if m.mother_id else None
    session.flush()
    for entry in phenotypes:
        add_phenotype(
            session,
            actor,
            people[entry.individual_id].programme_id,
            entry.hpo_id,
            observed=entry.observed,
            onset=entry.onset,
        )
    audit.record(
        session,
        actor,
        "family.import",
        "family",
        family.family_id,
        {
            "local_id": pedigree.family_id,
            "centre": centre,
            "members": len(people),
            "proband": people[pedigree.proband or ""].programme_id,
        },
    )
    return family


def import_families(
    session: Session,
    actor: Actor,
    cipher: VaultCipher,
    pedigrees: Sequence[Pedigree],
    *,
    centre: str,
    phenotypes: Sequence[PhenotypeEntry] = (),
    identities: Mapping[str, Identity] | None = None,
) -> list[Family]:
    """Import several families (e.g. every family of one PED file), handing each its own
    phenotype and identity rows, which are matched by PED individual ID.

    Raises
    ------
    PedigreeError
        A row names someone in no family, or an individual ID used in several families (rows
        could not be assigned safely; import those families from separate files).
    Anything :func:`import_family` raises.
    """
    identities = dict(identities or {})
    owners: dict[str, list[str]] = {}
    for pedigree in pedigrees:
        for m in pedigree.members:
            owners.setdefault(m.individual_id, []).append(pedigree.family_id)
    named = {e.individual_id for e in phenotypes} | set(identities)
    stray = sorted(named - set(owners))
    if stray:
        raise PedigreeError(
            f"phenotype or identity rows name {', '.join(stray)}, who are in no family "
            f"being imported ({', '.join(p.family_id for p in pedigrees)})"
        )
    ambiguous = sorted(i for i in named if len(owners[i]) > 1)
    if ambiguous:
        where = "; ".join(f"{i} in {', '.join(owners[i])}" for i in ambiguous)
        raise PedigreeError(
            f"individual IDs used in several families cannot be matched to phenotype or "
            f"identity rows ({where}); import those families from separate files"
        )
    imported = []
    for pedigree in pedigrees:
        ids = {m.individual_id for m in pedigree.members}
        imported.append(
            import_family(
                session,
                actor,
                cipher,
                pedigree,
                centre=centre,
                phenotypes=[e for e in phenotypes if e.individual_id in ids],
                identities={k: v for k, v in identities.items() if k in ids},
            )
        )
    return imported


def _check_names(pedigree: Pedigree, names: Sequence[str], what: str) -> None:
    known = {m.individual_id for m in pedigree.members}
    stray = sorted(set(names) - known)
    if stray:
        raise PedigreeError(
            f"{what} rows name {', '.join(stray)}, who are not in family "
            f"{pedigree.family_id}; members: {', '.join(sorted(known))}"
        )


def get_family(session: Session, actor: Actor, family_id: str) -> Family:
    """The family ``family_id`` (``F000001``) if ``actor`` may see its centre."""
    require(actor, Permission.VIEW)
    parse_id(family_id, IdKind.FAMILY)
    family = session.execute(
        select(Family).where(Family.family_id == family_id.strip().upper())
    ).scalar_one_or_none()
    if family is None:
        raise NotFoundError(f"no family {family_id}")
    require_centre(actor, family.centre.code, subject=f"family {family.family_id}")
    return family


def list_families(session: Session, actor: Actor) -> Sequence[Family]:
    """Families ``actor`` may see, by family ID."""
    require(actor, Permission.VIEW)
    query = select(Family).join(Centre).order_by(Family.family_id)
    if actor.centre:
        query = query.where(Centre.code == actor.centre)
    return session.execute(query).scalars().all()


def family_pedigree(
    session: Session, actor: Actor, family_id: str, *, ids: Literal["programme", "local"] = "programme"
) -> Pedigree:
    """The stored family as a :class:`Pedigree`, labelled with programme IDs (default, no
    site-local labels leave the registry) or with the IDs of the imported PED (``ids="local"``)."""
    family = get_family(session, actor, family_id)

    def label(p: Participant | None) -> str | None:
        if p is None:
            return None
        return p.local_id or p.programme_id if ids == "local" else p.programme_id

    members = tuple(
        Member(label(p) or "", label(p.father), label(p.mother), p.sex, p.affected) for p in family.members
    )
    proband = next((label(p) for p in family.members if p.is_proband), None)
    return Pedigree(family.local_id if ids == "local" else family.family_id, members, proband)
