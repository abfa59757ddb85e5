"""Who may do what, and which participants they may see.

An :class:`Actor` is the user a piece of work is done for. Each service function takes one,
checks a :class:`Permission` with :func:`require` and, for participant data, the centre with
:func:`require_centre`. Programme-wide users (no centre) see every centre; researchers never
reach the registry at all: their access goes through pseudonymised research exports.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum

from genopath.core.errors import AccessDenied
from genopath.registry.terms import Role


class Permission(StrEnum):
    """Actions the registry checks."""

    MANAGE_CENTRES = "manage_centres"
    MANAGE_USERS = "manage_users"
    VIEW = "view"  # pseudonymised registry records (IDs, states, phenotypes)
    REGISTER = "register"  # participants and families
    READ_IDENTITY = "read_identity"
    RECORD_CONSENT = "record_consent"
    RECORD_PHENOTYPE = "record_phenotype"
    MANAGE_SAMPLES = "manage_samples"
    PROCESS_GENOMES = "process_genomes"  # ingest and QC genomes: data_delivered <-> qc_failed
    OPEN_CASE = "open_case"
    MOVE_CASE = "move_case"
    READ_AUDIT = "read_audit"


_R = Role
GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.MANAGE_CENTRES: frozenset({_R.ADMIN}),
    Permission.MANAGE_USERS: frozenset({_R.ADMIN}),
    Permission.VIEW: frozenset(set(Role) - {_R.RESEARCHER, _R.DATA_ACCESS_COMMITTEE}),
    Permission.REGISTER: frozenset({_R.CLINICIAN, _R.GENETIC_COUNSELLOR, _R.ADMIN}),
    Permission.READ_IDENTITY: frozenset({_R.CLINICIAN, _R.GENETIC_COUNSELLOR, _R.ADMIN}),
    Permission.RECORD_CONSENT: frozenset({_R.CLINICIAN, _R.GENETIC_COUNSELLOR, _R.ADMIN}),
    Permission.RECORD_PHENOTYPE: frozenset(
        {_R.CLINICIAN, _R.GENETIC_COUNSELLOR, _R.CLINICAL_SCIENTIST, _R.ADMIN}
    ),
    Permission.MANAGE_SAMPLES: frozenset({_R.LAB, _R.CLINICIAN, _R.GENETIC_COUNSELLOR, _R.ADMIN}),
    Permission.PROCESS_GENOMES: frozenset({_R.LAB, _R.BIOINFORMATICIAN, _R.CLINICAL_SCIENTIST, _R.ADMIN}),
    Permission.OPEN_CASE: frozenset({_R.CLINICIAN, _R.GENETIC_COUNSELLOR, _R.ADMIN}),
    Permission.MOVE_CASE: frozenset(
        {
            _R.CLINICIAN,
            _R.GENETIC_COUNSELLOR,
            _R.BIOINFORMATICIAN,
            _R.CLINICAL_SCIENTIST,
            _R.AUTHORISER,
            _R.ADMIN,
        }
    ),
    Permission.READ_AUDIT: frozenset({_R.ADMIN, _R.PROGRAMME_MANAGER}),
}

# Roles whose work is at one hospital; they must be registered with a centre.
CENTRE_BOUND_ROLES = frozenset({Role.CLINICIAN, Role.GENETIC_COUNSELLOR})
# Roles whose powers span the programme (user management, the whole audit log, access
# decisions); binding them to a centre would suggest a scope they do not have.
PROGRAMME_ROLES = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.DATA_ACCESS_COMMITTEE})


@dataclass(frozen=True)
class Actor:
    """The user a piece of work is done for.

    Attributes
    ----------
    username
        Recorded in the audit log.
    role
        Decides the permissions (:data:`GRANTS`).
    centre
        Centre code the user is bound to, or ``None`` for programme-wide users.
    """

    username: str
    role: Role
    centre: str | None = None

    @classmethod
    def system(cls, name: str | None = None) -> Actor:
        """The local operator: a programme-wide admin named after the OS user (``local:alice``)."""
        return cls(username=f"local:{name or getpass.getuser()}", role=Role.ADMIN, centre=None)

    @property
    def programme_wide(self) -> bool:
        """Whether the actor sees all centres."""
        return self.centre is None


def can(actor: Actor, permission: Permission) -> bool:
    """Whether ``actor``'s role carries ``permission``."""
    return actor.role in GRANTS[permission]


def require(actor: Actor, permission: Permission) -> None:
    """Raise :class:`AccessDenied` unless ``actor``'s role carries ``permission``."""
    if not can(actor, permission):
        roles = ", ".join(sorted(r.value for r in GRANTS[permission]))
        raise AccessDenied(
            f"user {actor.username} ({actor.role.value}) may not {permission.value.replace('_', ' ')}; "
            f"roles that may: {roles}"
        )


def require_centre(actor: Actor, centre_code: str, *, subject: str) -> None:
    """Raise :class:`AccessDenied` unless ``actor`` may see records of ``centre_code``."""
    if actor.centre is not None and actor.centre != centre_code:
        raise AccessDenied(
            f"{subject} belongs to another centre; user {actor.username} sees only centre {actor.centre}"
        )
