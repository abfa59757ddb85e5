"""Programme identifiers (P/F/C + six digits) and per-project research IDs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from genopath.core.errors import InputError
from genopath.core.ids import IdKind, format_id, parse_id, research_id

numbers = st.integers(min_value=1, max_value=10**6)
kinds = st.sampled_from(IdKind)
keys = st.text(min_size=1, max_size=40)


@pytest.mark.parametrize(
    ("kind", "number", "expected"),
    [
        (IdKind.PARTICIPANT, 1, "P000001"),
        (IdKind.FAMILY, 12, "F000012"),
        (IdKind.CASE, 42, "C000042"),
        (IdKind.PARTICIPANT, 999_999, "P999999"),
        (IdKind.PARTICIPANT, 1_000_000, "P1000000"),
    ],
)
def test_format_id__letter_and_six_digits(kind: IdKind, number: int, expected: str) -> None:
    assert format_id(kind, number) == expected


@pytest.mark.parametrize("number", [0, -1])
def test_format_id__numbers_start_at_one(number: int) -> None:
    with pytest.raises(ValueError, match=f"got {number}"):
        format_id(IdKind.CASE, number)


@given(kind=kinds, number=numbers)
def test_format_parse__round_trip(kind: IdKind, number: int) -> None:
    text = format_id(kind, number)
    assert re.fullmatch(r"[PFC]\d{6,}", text)
    assert parse_id(text, kind) == number


@given(kind=kinds, number=numbers)
def test_parse_id__lower_case_and_padding_accepted(kind: IdKind, number: int) -> None:
    assert parse_id(f"  {format_id(kind, number).lower()}\t", kind) == number


@given(kind=kinds, other=kinds, number=numbers)
def test_parse_id__wrong_kind(kind: IdKind, other: IdKind, number: int) -> None:
    assume(kind is not other)
    value = format_id(other, number)
    with pytest.raises(InputError) as e:
        parse_id(value, kind)
    assert repr(value) in e.value.message
    assert f"not a {kind.name.lower()} ID" in e.value.message


@pytest.mark.parametrize(
    "value", ["P12", "P00001", "P00001a", "X000001", "", "000001", "P 000001", "PP000001"]
)
def test_parse_id__malformed(value: str) -> None:
    with pytest.raises(InputError) as e:
        parse_id(value, IdKind.PARTICIPANT)
    assert repr(value) in e.value.message
    assert "P000123" in e.value.message  # shows the expected form


@pytest.mark.parametrize(
    "value",
    [
        "P000000",  # number 0: format_id refuses it
        "P0000001",  # a second spelling of P000001
        "P\u0660\u0660\u0660\u0660\u0660\u0661",  # Arabic-Indic digits
        "P00000\uff11",  # a full-width 1
    ],
)
def test_parse_id__only_canonical_ids(value: str) -> None:
    with pytest.raises(InputError):
        parse_id(value, IdKind.PARTICIPANT)


def test_research_id__documented_derivation() -> None:
    # Pins the derivation written in the docstring: HMAC-SHA256(secret, project) keys an
    # HMAC-SHA256 of the programme ID, truncated to 80 bits, base32, 'R' prefix. Changing it
    # would silently re-key every research export already handed out.
    key = hmac.new(b"installation-secret", b"PRJ-2024-07", hashlib.sha256).digest()
    digest = hmac.new(key, b"P000123", hashlib.sha256).digest()[:10]
    expected = "R" + base64.b32encode(digest).decode()
    assert research_id("P000123", project_key="PRJ-2024-07", secret_key="installation-secret") == expected


@given(pid=st.builds(format_id, st.just(IdKind.PARTICIPANT), numbers), project=keys, secret=keys)
def test_research_id__stable_within_project(pid: str, project: str, secret: str) -> None:
    rid = research_id(pid, project_key=project, secret_key=secret)
    assert rid == research_id(pid, project_key=project, secret_key=secret)
    assert re.fullmatch(r"R[A-Z2-7]{16}", rid)  # 80 bits in base32, no padding


@given(pid=st.builds(format_id, st.just(IdKind.PARTICIPANT), numbers), a=keys, b=keys, secret=keys)
def test_research_id__differs_across_projects(pid: str, a: str, b: str, secret: str) -> None:
    assume(a != b)
    assert research_id(pid, project_key=a, secret_key=secret) != research_id(
        pid, project_key=b, secret_key=secret
    )


@given(pid=st.builds(format_id, st.just(IdKind.PARTICIPANT), numbers), project=keys, s1=keys, s2=keys)
def test_research_id__differs_across_secrets(pid: str, project: str, s1: str, s2: str) -> None:
    assume(s1 != s2)
    assert research_id(pid, project_key=project, secret_key=s1) != research_id(
        pid, project_key=project, secret_key=s2
    )


@given(n1=numbers, n2=numbers, project=keys, secret=keys)
def test_research_id__differs_across_participants(n1: int, n2: int, project: str, secret: str) -> None:
    assume(n1 != n2)
    p1, p2 = format_id(IdKind.PARTICIPANT, n1), format_id(IdKind.PARTICIPANT, n2)
    assert research_id(p1, project_key=project, secret_key=secret) != research_id(
        p2, project_key=project, secret_key=secret
    )
