"""GA4GH Phenopacket v2 ``Family`` import and export.

Exports carry programme IDs only (never names or ID-card numbers), each member's sex and
phenotypic features with onset, the pedigree, and ``metaData`` naming genopath and the HPO
release. Imports take the pedigree, proband and every member's features from a ``Family``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import phenopackets as pp
from google.protobuf.json_format import MessageToJson, Parse, ParseError
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

import genopath
from genopath.core.errors import InputError
from genopath.registry.access import Actor
from genopath.registry.families import PhenotypeEntry, get_family
from genopath.registry.models import Participant
from genopath.registry.pedigree import Member, Pedigree, validate
from genopath.registry.phenotypes import hpo_version, list_phenotypes
from genopath.registry.terms import AffectedStatus, Sex

_SEX_TO_PP = {Sex.MALE: pp.Sex.MALE, Sex.FEMALE: pp.Sex.FEMALE, Sex.UNKNOWN: pp.Sex.UNKNOWN_SEX}
_SEX_FROM_PP = {pp.Sex.MALE: Sex.MALE, pp.Sex.FEMALE: Sex.FEMALE}
_AFF = pp.Pedigree.Person.AffectedStatus
_AFF_TO_PP = {
    AffectedStatus.AFFECTED: _AFF.AFFECTED,
    AffectedStatus.UNAFFECTED: _AFF.UNAFFECTED,
    AffectedStatus.UNKNOWN: _AFF.MISSING,
}
_AFF_FROM_PP = {_AFF.AFFECTED: AffectedStatus.AFFECTED, _AFF.UNAFFECTED: AffectedStatus.UNAFFECTED}


def export_family(session: Session, actor: Actor, family_id: str) -> str:
    """The family as Phenopacket v2 ``Family`` JSON, labelled with programme IDs."""
    family = get_family(session, actor, family_id)
    packets = {p.programme_id: _packet(session, actor, family.family_id, p) for p in family.members}
    proband = next((p.programme_id for p in family.members if p.is_proband), None)
    message = pp.Family(
        id=family.family_id,
        proband=packets[proband] if proband else None,
        relatives=[packet for pid, packet in packets.items() if pid != proband],
        pedigree=pp.Pedigree(
            persons=[
                pp.Pedigree.Person(
                    family_id=family.family_id,
                    individual_id=p.programme_id,
                    paternal_id=p.father.programme_id if p.father else "0",
                    maternal_id=p.mother.programme_id if p.mother else "0",
                    sex=_SEX_TO_PP[p.sex],
                    affected_status=_AFF_TO_PP[p.affected],
                )
                for p in family.members
            ]
        ),
        meta_data=_meta_data(),
    )
    return str(MessageToJson(message, indent=2))


def _packet(session: Session, actor: Actor, family_id: str, person: Participant) -> pp.Phenopacket:
    features = []
    for row in list_phenotypes(session, actor, person.programme_id):
        feature = pp.PhenotypicFeature(
            type=pp.OntologyClass(id=row.hpo_id, label=row.label), excluded=not row.observed
        )
        if row.onset:
            feature.onset.CopyFrom(_onset(row.onset))
        features.append(feature)
    return pp.Phenopacket(
        id=f"{family_id}-{person.programme_id}",
        subject=pp.Individual(id=person.programme_id, sex=_SEX_TO_PP[person.sex]),
        phenotypic_features=features,
        meta_data=_meta_data(),
    )


def _onset(value: str) -> pp.TimeElement:
    if value.startswith("HP:"):
        return pp.TimeElement(ontology_class=pp.OntologyClass(id=value))
    return pp.TimeElement(age=pp.Age(iso8601duration=value))


def _meta_data() -> pp.MetaData:
    created = Timestamp()
    created.FromDatetime(datetime.now(UTC).replace(tzinfo=None))
    return pp.MetaData(
        created=created,
        created_by=f"genopath {genopath.__version__}",
        phenopacket_schema_version="2.0",
        resources=[
            pp.Resource(
                id="hp",
                name="human phenotype ontology",
                namespace_prefix="HP",
                url="http://purl.obolibrary.org/obo/hp.owl",
                version=hpo_version(),
                iri_prefix="http://purl.obolibrary.org/obo/HP_",
            )
        ],
    )


def parse_family(text: str, *, source: str = "Phenopacket") -> tuple[Pedigree, list[PhenotypeEntry]]:
    """Read a Phenopacket v2 ``Family`` JSON into a validated pedigree and phenotype rows.

    A ``Family`` without a ``pedigree`` is taken as a singleton of its proband.

    Raises
    ------
    InputError
        Not JSON, not a Phenopacket ``Family``, no proband, or members of several families.
    PedigreeError
        The pedigree fails validation.
    """
    try:
        message = Parse(text, pp.Family())
    except (ParseError, json.JSONDecodeError) as e:
        raise InputError(f"{source} is not a Phenopacket v2 Family JSON: {e}") from e
    if not message.proband.subject.id:
        raise InputError(f"{source}: the Family has no proband with a subject ID")
    persons = list(message.pedigree.persons)
    family_ids = {p.family_id for p in persons} or {message.id}
    if len(family_ids) != 1:
        raise InputError(
            f"{source}: the pedigree mixes families {', '.join(sorted(family_ids))}; "
            "import one family per file"
        )
    family_id = next(iter(family_ids)) or message.id or message.proband.subject.id
    if persons:
        members = tuple(
            Member(
                p.individual_id,
                None if p.paternal_id in ("", "0") else p.paternal_id,
                None if p.maternal_id in ("", "0") else p.maternal_id,
                _SEX_FROM_PP.get(p.sex, Sex.UNKNOWN),
                _AFF_FROM_PP.get(p.affected_status, AffectedStatus.UNKNOWN),
            )
            for p in persons
        )
    else:
        subject = message.proband.subject
        members = (
            Member(
                subject.id, None, None, _SEX_FROM_PP.get(subject.sex, Sex.UNKNOWN), AffectedStatus.AFFECTED
            ),
        )
    pedigree = Pedigree(family_id, members, message.proband.subject.id)
    validate(pedigree)
    entries = []
    for packet in [message.proband, *message.relatives]:
        for feature in packet.phenotypic_features:
            onset = feature.onset.ontology_class.id or feature.onset.age.iso8601duration or None
            entries.append(PhenotypeEntry(packet.subject.id, feature.type.id, not feature.excluded, onset))
    return pedigree, entries
