"""User accounts: role, centre binding and argon2-hashed passwords."""

from __future__ import annotations

import re
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import AccessDenied, ConflictError, InputError
from genopath.registry import audit
from genopath.registry.access import CENTRE_BOUND_ROLES, PROGRAMME_ROLES, Actor, Permission, require
from genopath.registry.centres import get_centre
from genopath.registry.models import User
from genopath.registry.terms import Role

MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# Verified against when the user is unknown, so a failed login costs the same either way.
_DUMMY_HASH = _hasher.hash("genopath: no such user")


def add_user(
    session: Session, actor: Actor, username: str, password: str, role: Role, centre: str | None
) -> User:
    """Create a user bound to ``centre`` (a centre code) or programme-wide (``None``).

    Raises
    ------
    InputError
        Bad username, a password shorter than 12 characters, a clinician or genetic
        counsellor without a centre, or an admin, programme manager or data access committee
        member with one.
    ConflictError
        If the username is taken.
    """
    require(actor, Permission.MANAGE_USERS)
    if not _USERNAME.match(username):
        raise InputError(f"username {username!r} must be lower-case letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password for {username} must have at least {MIN_PASSWORD_LENGTH} characters")
    if role in PROGRAMME_ROLES and centre is not None:
        raise InputError(f"a {role.value} works programme-wide; drop --centre for {username}")
    if role in CENTRE_BOUND_ROLES and centre is None:
        raise InputError(f"a {role.value} works at a centre; give --centre for {username}")
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise ConflictError(f"user {username} already exists")
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        centre=get_centre(session, centre) if centre else None,
    )
    session.add(user)
    audit.record(session, actor, "user.add", "user", username, {"role": role.value, "centre": centre})
    return user


def authenticate(session: Session, username: str, password: str) -> Actor:
    """The :class:`Actor` for ``username`` if ``password`` is right.

    Raises
    ------
    AccessDenied
        For an unknown user, an inactive user or a wrong password (one message for all three).
    """
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not user.active:
            raise VerificationError("unknown or inactive user")
    except (VerificationError, InvalidHashError) as e:
        raise AccessDenied(f"wrong username or password for {username!r}") from e
    return actor_for(user)


def actor_for(user: User) -> Actor:
    """The :class:`Actor` a stored user acts as."""
    return Actor(username=user.username, role=user.role, centre=user.centre.code if user.centre else None)


def list_users(session: Session, actor: Actor) -> Sequence[User]:
    """All users by username."""
    require(actor, Permission.MANAGE_USERS)
    return session.execute(select(User).order_by(User.username)).scalars().all()
