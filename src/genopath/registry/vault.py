"""The identity vault: name, ID-card number, date of birth and contact details.

Identity data never leaves this module unencrypted except through :func:`read_identity`,
which checks the reader's role and centre and writes an audit entry for every read. The blob
is encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived by HKDF-SHA256 from
``GENOPATH_VAULT_KEY``; the ID-card number also gets a keyed blind index so duplicates are
found without decrypting anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, replace
from datetime import date

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import ConfigurationError, ConflictError, InputError, NotFoundError
from genopath.registry import audit
from genopath.registry.access import Actor, Permission, require, require_centre
from genopath.registry.models import IdentityRecord, Participant


@dataclass(frozen=True)
class Identity:
    """Identifying details of a participant. All optional except what the programme requires:
    a date of birth is needed to check who may sign consent."""

    name: str | None = None
    id_card_number: str | None = None
    date_of_birth: date | None = None
    contact: str | None = None
    designated_person: str | None = None  # name and contact of the person results may go to

    def to_json(self) -> bytes:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        return json.dumps(data, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Identity:
        data = json.loads(raw)
        dob = data.get("date_of_birth")
        data["date_of_birth"] = date.fromisoformat(dob) if dob else None
        return cls(**data)


class VaultCipher:
    """Encrypts identities and computes blind indexes with keys derived from the vault key."""

    def __init__(self, vault_key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(vault_key, b"genopath identity vault v1")))
        self._index_key = _derive(vault_key, b"genopath identity blind index v1")

    def encrypt(self, identity: Identity) -> bytes:
        return self._fernet.encrypt(identity.to_json())

    def decrypt(self, ciphertext: bytes) -> Identity:
        try:
            return Identity.from_json(self._fernet.decrypt(ciphertext))
        except InvalidToken as e:
            raise ConfigurationError(
                "the identity vault cannot be decrypted with the configured GENOPATH_VAULT_KEY; "
                "set the key this installation was created with"
            ) from e

    def blind_index(self, id_card_number: str) -> str:
        normalised = "".join(ch for ch in id_card_number.upper() if ch.isalnum())
        return hmac.new(self._index_key, normalised.encode(), hashlib.sha256).hexdigest()


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


def store_identity(
    session: Session, actor: Actor, cipher: VaultCipher, participant: Participant, identity: Identity
) -> None:
    """Create or replace ``participant``'s vault entry.

    Raises
    ------
    AccessDenied
        If ``actor`` may not register participants of ``participant``'s centre.
    ConflictError
        If another participant is registered with the same ID-card number.
    """
    require(actor, Permission.REGISTER)
    require_centre(actor, participant.centre.code, subject=f"participant {participant.programme_id}")
    index = cipher.blind_index(identity.id_card_number) if identity.id_card_number else None
    if index is not None:
        other = session.execute(
            select(Participant)
            .join(IdentityRecord, IdentityRecord.participant_pk == Participant.id)
            .where(IdentityRecord.id_card_index == index, Participant.id != participant.id)
        ).scalar_one_or_none()
        if other is not None:
            # Name the other record only to someone allowed to see it.
            visible = actor.centre is None or actor.centre == other.centre.code
            who = f"participant {other.programme_id}" if visible else "a participant of another centre"
            raise ConflictError(
                f"the ID-card number given for {participant.programme_id} is already registered for "
                f"{who}; register each person once"
            )
    if identity.date_of_birth and identity.date_of_birth > date.today():
        raise InputError(f"date of birth {identity.date_of_birth} is in the future")
    record = session.get(IdentityRecord, participant.id)
    if record is None:
        session.add(
            IdentityRecord(
                participant_pk=participant.id, ciphertext=cipher.encrypt(identity), id_card_index=index
            )
        )
    else:
        record.ciphertext, record.id_card_index = cipher.encrypt(identity), index
    audit.record(
        session,
        actor,
        "identity.write",
        "participant",
        participant.programme_id,
        {"fields": sorted(k for k, v in asdict(identity).items() if v is not None)},
    )


def update_identity(
    session: Session, actor: Actor, cipher: VaultCipher, participant: Participant, changes: Identity
) -> Identity:
    """Change only the fields given in ``changes`` (the others are kept), and store the result.

    Reads the stored identity first (audited, purpose ``identity update``).
    """
    require(actor, Permission.REGISTER)
    require_centre(actor, participant.centre.code, subject=f"participant {participant.programme_id}")
    current = Identity()
    if session.get(IdentityRecord, participant.id) is not None:
        current = _read(session, actor, cipher, participant, purpose="identity update")
    given = {k: v for k, v in asdict(changes).items() if v is not None}
    merged = replace(current, **given)
    store_identity(session, actor, cipher, participant, merged)
    return merged


def read_identity(
    session: Session, actor: Actor, cipher: VaultCipher, participant: Participant, *, purpose: str
) -> Identity:
    """Decrypt ``participant``'s identity for ``actor``, recording the read and its purpose.

    Raises
    ------
    AccessDenied
        If ``actor`` may not read identities, or the participant is at another centre.
    NotFoundError
        If no identity was recorded.
    """
    require(actor, Permission.READ_IDENTITY)
    require_centre(actor, participant.centre.code, subject=f"participant {participant.programme_id}")
    return _read(session, actor, cipher, participant, purpose=purpose)


def read_for_rule(
    session: Session, actor: Actor, cipher: VaultCipher, participant: Participant, *, purpose: str
) -> Identity:
    """Decrypt an identity for a registry rule (e.g. the consent age check), whoever runs it;
    the read is still audited with its purpose. The caller must not show the identity."""
    return _read(session, actor, cipher, participant, purpose=purpose)


def _read(
    session: Session, actor: Actor, cipher: VaultCipher, participant: Participant, *, purpose: str
) -> Identity:
    record = session.get(IdentityRecord, participant.id)
    if record is None:
        raise NotFoundError(
            f"no identity is recorded for participant {participant.programme_id}; add one with "
            "`genopath registry participant identity`"
        )
    audit.record(
        session, actor, "identity.read", "participant", participant.programme_id, {"purpose": purpose}
    )
    session.flush()  # the read is on record in this transaction before anything is decrypted
    return cipher.decrypt(record.ciphertext)
