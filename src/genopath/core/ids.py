"""Identifier formats of the programme.

Programme identifiers are a letter and six digits (``P000123`` participant, ``F000012``
family, ``C000001`` case). They carry no personal information. Research IDs are derived per
project with a keyed hash so that two projects cannot join their exports on the ID.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from enum import StrEnum

from genopath.core.errors import InputError


class IdKind(StrEnum):
    """The kinds of programme identifier and their one-letter prefix."""

    PARTICIPANT = "P"
    FAMILY = "F"
    CASE = "C"


_PATTERN = re.compile(r"^([PFC])(\d{6,})$", re.ASCII)


def format_id(kind: IdKind, number: int) -> str:
    """Format the ``number``-th identifier of ``kind``: ``format_id(IdKind.PARTICIPANT, 7)`` → ``P000007``.

    >>> format_id(IdKind.CASE, 42)
    'C000042'
    """
    if number < 1:
        raise ValueError(f"identifier numbers start at 1, got {number}")
    return f"{kind.value}{number:06d}"


def parse_id(value: str, kind: IdKind) -> int:
    """Return the number inside a programme identifier, checking its kind.

    Raises
    ------
    InputError
        If ``value`` is not an identifier of ``kind`` (e.g. ``P12`` or ``F000001`` for a participant).
    """
    normalised = value.strip().upper()
    match = _PATTERN.match(normalised)
    # Only the spelling format_id issues is accepted: no number 0, no extra leading zeros.
    if (
        not match
        or match.group(1) != kind.value
        or format_id_or_none(kind, int(match.group(2))) != normalised
    ):
        raise InputError(
            f"{value!r} is not a {kind.name.lower()} ID; expected {kind.value} followed by six "
            f"digits, e.g. {format_id(kind, 123)}"
        )
    return int(match.group(2))


def format_id_or_none(kind: IdKind, number: int) -> str | None:
    """Like :func:`format_id` but ``None`` for numbers below 1."""
    return format_id(kind, number) if number >= 1 else None


def research_id(programme_id: str, *, project_key: str, secret_key: str) -> str:
    """Derive a stable pseudonym of a participant for one research project.

    HMAC-SHA256 keyed by the installation secret and the project, truncated to 80 bits and
    written in base32 with an ``R`` prefix. The same participant gets the same ID within a
    project and unrelated IDs across projects.

    >>> research_id("P000001", project_key="PRJ1", secret_key="s") == research_id(
    ...     "P000001", project_key="PRJ1", secret_key="s")
    True
    """
    key = hmac.new(secret_key.encode(), project_key.encode(), hashlib.sha256).digest()
    digest = hmac.new(key, programme_id.encode(), hashlib.sha256).digest()[:10]
    return "R" + base64.b32encode(digest).decode().rstrip("=")
