"""The one exception hierarchy of genopath.

Every error a user can cause is a :class:`GenopathError`; its message names the offending
value and what to do about it. The API maps each class to one JSON error shape (by its
``code``); the CLI prints the message and exits non-zero.

::

    GenopathError                  base; never raised itself
    ├── ConfigurationError         settings are unsafe or unusable (default secret in production …)
    ├── InputError                 a file, argument or value is malformed
    │   ├── PedigreeError          a PED/Phenopacket family fails validation
    │   └── PhenotypeError         an HPO ID is unknown, obsolete or malformed
    ├── NotFoundError              a referenced centre, user, participant, family … does not exist
    ├── ConflictError              the change collides with what is stored (duplicate barcode …)
    ├── StateTransitionError       a state machine was asked for a move it does not allow
    ├── ConsentError               consent is missing, withdrawn, or does not cover the purpose
    ├── AccessDenied               the acting user's role or centre does not allow the action
    └── AuditIntegrityError        the hash-chained audit log was edited, reordered or truncated
"""

from __future__ import annotations


class GenopathError(Exception):
    """Base class of every error genopath raises on purpose."""

    code = "genopath_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(GenopathError):
    """Raised when settings are missing, malformed or unsafe for the environment."""

    code = "configuration_error"


class InputError(GenopathError):
    """Raised when an input file, argument or value is malformed."""

    code = "input_error"


class PedigreeError(InputError):
    """Raised when a pedigree fails validation (sex of a parent, cycles, duplicates …)."""

    code = "pedigree_error"


class PhenotypeError(InputError):
    """Raised when an HPO term is unknown, obsolete or not an HPO ID at all."""

    code = "phenotype_error"


class NotFoundError(GenopathError):
    """Raised when a referenced record does not exist."""

    code = "not_found"


class ConflictError(GenopathError):
    """Raised when a change collides with stored data (a duplicate barcode, username …)."""

    code = "conflict"


class StateTransitionError(GenopathError):
    """Raised when a state machine is asked for a transition it does not allow."""

    code = "illegal_transition"


class ConsentError(GenopathError):
    """Raised when consent is missing, withdrawn, or does not cover the requested use."""

    code = "consent_required"


class AccessDenied(GenopathError):
    """Raised when the acting user's role or centre does not permit the action."""

    code = "access_denied"


class AuditIntegrityError(GenopathError):
    """Raised when the audit log's hash chain does not verify."""

    code = "audit_integrity"
