"""Partner centres (hospitals) where participants are recruited."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import ConflictError, InputError, NotFoundError
from genopath.registry import audit
from genopath.registry.access import Actor, Permission, require
from genopath.registry.models import Centre

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")


def add_centre(session: Session, actor: Actor, code: str, name: str) -> Centre:
    """Register a centre with a short upper-case code (``HKCH``) and a full name.

    Raises
    ------
    InputError
        If the code is not 2–16 upper-case letters or digits, or the name is empty.
    ConflictError
        If the code is taken.
    """
    require(actor, Permission.MANAGE_CENTRES)
    if not _CODE.match(code):
        raise InputError(f"centre code {code!r} must be 2-16 upper-case letters or digits, e.g. HKCH")
    if not name.strip() or len(name.strip()) > 200:
        raise InputError(f"centre {code} needs a name of 1-200 characters")
    if session.execute(select(Centre).where(Centre.code == code)).scalar_one_or_none():
        raise ConflictError(f"centre {code} already exists")
    centre = Centre(code=code, name=name.strip())
    session.add(centre)
    audit.record(session, actor, "centre.add", "centre", code, {"name": centre.name})
    return centre


def get_centre(session: Session, code: str) -> Centre:
    """The centre with ``code``; :class:`NotFoundError` lists the known codes otherwise."""
    centre = session.execute(select(Centre).where(Centre.code == code)).scalar_one_or_none()
    if centre is None:
        known = ", ".join(c.code for c in list_centres(session)) or "none yet"
        raise NotFoundError(f"no centre {code!r}; known centres: {known}")
    return centre


def list_centres(session: Session) -> Sequence[Centre]:
    """All centres by code."""
    return session.execute(select(Centre).order_by(Centre.code)).scalars().all()
