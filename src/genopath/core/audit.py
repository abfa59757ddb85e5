"""Primitives of the hash-chained audit log.

An entry's hash covers its own fields and the previous entry's hash, so editing, deleting or
reordering any entry breaks every hash after it. Storage lives in ``genopath.registry.audit``;
this module only defines the canonical form and the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace, so equal data hashes equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 of the previous hash and the canonical JSON of an entry's fields."""
    payload = prev_hash + "\n" + canonical_json(dict(fields))
    return hashlib.sha256(payload.encode()).hexdigest()
