"""Canonical JSON and the hash of an audit-log entry."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from genopath.core.audit import GENESIS_HASH, canonical_json, entry_hash

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
field_dicts = st.dictionaries(st.text(max_size=12), json_values, max_size=6)
hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


def _reordered(value: Any, rng: random.Random) -> Any:
    """The same value with every dict's keys inserted in a shuffled order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _reordered(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_reordered(v, rng) for v in value]
    return value


def test_canonical_json__compact_and_sorted() -> None:
    assert canonical_json({"b": [1, 2], "a": {"d": None, "c": True}}) == '{"a":{"c":true,"d":null},"b":[1,2]}'


def test_canonical_json__non_ascii_kept() -> None:
    assert canonical_json({"name": "陳大文"}) == '{"name":"陳大文"}'


def test_canonical_json__dates_written_as_strings() -> None:
    fields = {"on": date(2024, 3, 1), "at": datetime(2024, 3, 1, 9, 30, tzinfo=UTC)}
    assert json.loads(canonical_json(fields)) == {"on": "2024-03-01", "at": "2024-03-01 09:30:00+00:00"}


@given(value=field_dicts, seed=st.integers())
def test_canonical_json__key_order_independent(value: dict[str, Any], seed: int) -> None:
    assert canonical_json(_reordered(value, random.Random(seed))) == canonical_json(value)


@given(value=json_values)
def test_canonical_json__parses_back(value: Any) -> None:
    assert json.loads(canonical_json(value)) == value


def test_entry_hash__documented_payload() -> None:
    # Previous hash, a newline, the canonical JSON — pinned so stored chains stay verifiable.
    fields = {"action": "participant.register", "subject": "P000001"}
    payload = GENESIS_HASH + '\n{"action":"participant.register","subject":"P000001"}'
    assert entry_hash(GENESIS_HASH, fields) == hashlib.sha256(payload.encode()).hexdigest()


@given(prev=hashes, fields=field_dicts)
def test_entry_hash__hex_sha256(prev: str, fields: dict[str, Any]) -> None:
    h = entry_hash(prev, fields)
    assert len(h) == 64 and set(h) <= set("0123456789abcdef")


@given(prev=hashes, fields=field_dicts, seed=st.integers())
def test_entry_hash__key_order_independent(prev: str, fields: dict[str, Any], seed: int) -> None:
    assert entry_hash(prev, _reordered(fields, random.Random(seed))) == entry_hash(prev, fields)


@given(prev=hashes, other=hashes, fields=field_dicts)
def test_entry_hash__changes_with_prev_hash(prev: str, other: str, fields: dict[str, Any]) -> None:
    assume(prev != other)
    assert entry_hash(prev, fields) != entry_hash(other, fields)


@given(prev=hashes, fields=field_dicts.filter(bool), data=st.data())
def test_entry_hash__changes_with_any_field_value(
    prev: str, fields: dict[str, Any], data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from(sorted(fields)))
    new = data.draw(json_values)
    # Python's == treats 1, 1.0 and True alike; only a value of another JSON text must change the hash.
    assume(json.dumps(new, sort_keys=True) != json.dumps(fields[key], sort_keys=True))
    assert entry_hash(prev, {**fields, key: new}) != entry_hash(prev, fields)


@given(prev=hashes, fields=field_dicts, key=st.text(max_size=12), value=json_values)
def test_entry_hash__changes_when_field_added(
    prev: str, fields: dict[str, Any], key: str, value: Any
) -> None:
    assume(key not in fields)
    assert entry_hash(prev, {**fields, key: value}) != entry_hash(prev, fields)


@given(prev=hashes, fields=field_dicts.filter(bool), data=st.data())
def test_entry_hash__changes_with_field_name(prev: str, fields: dict[str, Any], data: st.DataObject) -> None:
    old = data.draw(st.sampled_from(sorted(fields)))
    new = data.draw(st.text(max_size=12).filter(lambda k: k not in fields))
    renamed = {new if k == old else k: v for k, v in fields.items()}
    assert entry_hash(prev, renamed) != entry_hash(prev, fields)


@given(entries=st.lists(field_dicts, min_size=2, max_size=6), data=st.data())
def test_entry_hash__editing_an_entry_breaks_every_later_hash(
    entries: list[dict[str, Any]], data: st.DataObject
) -> None:
    def chain(items: list[dict[str, Any]]) -> list[str]:
        out, prev = [], GENESIS_HASH
        for fields in items:
            prev = entry_hash(prev, fields)
            out.append(prev)
        return out

    i = data.draw(st.integers(0, len(entries) - 1))
    assume("\x00edited" not in entries[i])
    edited = [*entries]
    edited[i] = {**entries[i], "\x00edited": True}
    before, after = chain(entries), chain(edited)
    assert before[:i] == after[:i]
    assert all(b != a for b, a in zip(before[i:], after[i:], strict=True))
