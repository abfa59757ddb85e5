"""The participant registry: centres, users, participants and their identity vault, families,
phenotypes, consent, samples, cases and the audit log.

Other domains use this package through the names below. Open a transaction, pass the acting
user, and ask the consent gate before using anyone's data::

    from genopath.registry import Registry, Actor, Purpose, require_consent

    registry = Registry(settings)
    with registry.transaction() as session:
        require_consent(session, "P000123", Purpose.PHARMACOGENOMICS)

See ``docs/registry.md`` for the full contract.
"""

from genopath.registry.access import Actor, Permission
from genopath.registry.consent import (
    ConsentDecision,
    ConsentForm,
    active_consent,
    may_use,
    record_consent,
    require_consent,
)
from genopath.registry.db import Registry, init_database
from genopath.registry.duo import ResearchUse
from genopath.registry.terms import (
    AffectedStatus,
    CaseCategory,
    CaseState,
    ParticipantState,
    Purpose,
    Role,
    SampleState,
    SampleType,
    Sex,
    SignerRole,
)

__all__ = [
    "Actor",
    "AffectedStatus",
    "CaseCategory",
    "CaseState",
    "ConsentDecision",
    "ConsentForm",
    "ParticipantState",
    "Permission",
    "Purpose",
    "Registry",
    "ResearchUse",
    "Role",
    "SampleState",
    "SampleType",
    "Sex",
    "SignerRole",
    "active_consent",
    "init_database",
    "may_use",
    "record_consent",
    "require_consent",
]
