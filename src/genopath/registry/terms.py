"""Controlled vocabulary of the registry: roles, sexes, states and consent purposes.

Values are the strings stored in the database and accepted by the CLI and API.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user does in the programme (DESIGN §1)."""

    CLINICIAN = "clinician"
    GENETIC_COUNSELLOR = "genetic_counsellor"
    LAB = "lab"
    BIOINFORMATICIAN = "bioinformatician"
    CLINICAL_SCIENTIST = "clinical_scientist"
    AUTHORISER = "authoriser"
    RESEARCHER = "researcher"
    DATA_ACCESS_COMMITTEE = "data_access_committee"
    PROGRAMME_MANAGER = "programme_manager"
    ADMIN = "admin"


class Sex(StrEnum):
    """Registered sex, as in PED column 5 (1 male, 2 female, 0 unknown)."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class AffectedStatus(StrEnum):
    """Affection status, as in PED column 6 (2 affected, 1 unaffected, 0/-9 unknown)."""

    AFFECTED = "affected"
    UNAFFECTED = "unaffected"
    UNKNOWN = "unknown"


class ParticipantState(StrEnum):
    """Participant life cycle: referred → consented → enrolled → withdrawn."""

    REFERRED = "referred"
    CONSENTED = "consented"
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"


class ConsentState(StrEnum):
    """A consent record is active until a newer signing supersedes it or it is withdrawn."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class SignerRole(StrEnum):
    """Who signed a consent form; which are acceptable depends on the age tier."""

    SELF = "self"
    LEGAL_REPRESENTATIVE = "legal_representative"  # adult lacking capacity
    PARENT_AND_CHILD = "parent_and_child"  # 16-17: both sign
    PARENT_WITH_ASSENT = "parent_with_assent"  # under 16, child able to assent
    PARENT = "parent"  # under 16, child not able to assent (e.g. an infant)


class AgeTier(StrEnum):
    """Age of the participant on the day of signing."""

    ADULT = "adult"  # 18 and over
    MINOR_16_17 = "minor_16_17"
    CHILD_UNDER_16 = "child_under_16"


class Purpose(StrEnum):
    """Uses of a participant's data that the consent function rules on."""

    PARTICIPATION = "participation"  # sequencing and analysis within the programme
    PRIMARY_FINDINGS = "primary_findings"
    ADDITIONAL_FINDINGS = "additional_findings"  # ACMG SF genes
    PHARMACOGENOMICS = "pharmacogenomics"
    RESEARCH = "research"  # DUO-coded, checked against a project's intended use
    POPULATION_DATABASE = "population_database"  # aggregate allele counts
    RECONTACT = "recontact"


class SampleState(StrEnum):
    """Sample life cycle (DESIGN §2)."""

    EXPECTED = "expected"
    COLLECTED = "collected"
    RECEIVED = "received"
    EXTRACTED = "extracted"
    QC_PASSED = "qc_passed"
    QC_FAILED = "qc_failed"
    SEQUENCED = "sequenced"
    DATA_DELIVERED = "data_delivered"
    REJECTED = "rejected"
    DESTROYED = "destroyed"


class SampleType(StrEnum):
    """Material a sample is made of."""

    BLOOD = "blood"
    SALIVA = "saliva"
    BUCCAL = "buccal"
    TISSUE = "tissue"
    DNA = "dna"


class CaseState(StrEnum):
    """Case (referral) life cycle (DESIGN §2)."""

    REGISTERED = "registered"
    AWAITING_DATA = "awaiting_data"
    READY = "ready"
    INTERPRETED = "interpreted"
    IN_REVIEW = "in_review"
    AWAITING_AUTHORISATION = "awaiting_authorisation"
    AUTHORISED = "authorised"
    REPORTED = "reported"
    RESULTS_RETURNED = "results_returned"
    CLOSED = "closed"
    BLOCKED = "blocked"


class CaseCategory(StrEnum):
    """Why the proband was referred."""

    RARE_DISEASE = "rare_disease"
    HEREDITARY_CANCER = "hereditary_cancer"
