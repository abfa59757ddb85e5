"""The compiled kernels give exactly what their Python references give.

``hashlib.blake2b`` (CPython's bundled reference BLAKE2 code) is the independent fact for
:func:`kernels.blake2b_8`; :func:`pipeline.variant_id` is the specification of
:func:`kernels.variant_ids`. Every property runs on the C extension (skipped when it was not
built) and on the pure-Python fallback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.annotation import kernels
from genopath.annotation.pipeline import variant_id

try:
    from genopath.annotation._kernels import blake2b_8 as c_blake2b_8
except ImportError:
    c_blake2b_8 = None

requires_c = pytest.mark.skipif(
    c_blake2b_8 is None,
    reason="the C extension genopath.annotation._kernels is not built (no compiler when genopath "
    "was installed); only the Python fallback is tested",
)


def _c(data: Any, offsets: Any) -> bytes:
    assert c_blake2b_8 is not None
    return c_blake2b_8(data, offsets)


IMPLEMENTATIONS = [
    pytest.param(_c, marks=requires_c, id="c"),
    pytest.param(kernels.blake2b_8_py, id="python"),
]
Blake2b8 = Callable[[Any, Any], bytes]


def _layout(messages: list[bytes], head: bytes, tail: bytes, dtype: type) -> tuple[bytes, np.ndarray]:
    """The messages back to back after ``head`` (so the offsets start past 0) and before ``tail``."""
    lengths = np.array([len(m) for m in messages], np.int64)
    offsets = (len(head) + np.concatenate([[0], np.cumsum(lengths)])).astype(dtype)
    return head + b"".join(messages) + tail, offsets


def _hashlib_digests(messages: list[bytes]) -> bytes:
    return b"".join(hashlib.blake2b(m, digest_size=8).digest() for m in messages)


# BLAKE2b works on 128-byte blocks: the last block is treated apart, so lengths around multiples
# of 128 (and the empty message, one all-zero block) are where an implementation goes wrong.
BOUNDARY_LENGTHS = [0, 1, 8, 63, 64, 111, 112, 127, 128, 129, 255, 256, 257, 383, 384, 385, 1024, 100_003]


@pytest.mark.parametrize("blake2b_8", IMPLEMENTATIONS)
@settings(max_examples=300, deadline=None)
@given(
    messages=st.lists(st.binary(min_size=0, max_size=400), max_size=12),
    head=st.binary(max_size=140),
    tail=st.binary(max_size=8),
    dtype=st.sampled_from([np.int32, np.int64]),
)
def test_blake2b_8__equals_hashlib(
    blake2b_8: Blake2b8, messages: list[bytes], head: bytes, tail: bytes, dtype: type
) -> None:
    data, offsets = _layout(messages, head, tail, dtype)
    assert blake2b_8(data, offsets) == _hashlib_digests(messages)


@pytest.mark.parametrize("blake2b_8", IMPLEMENTATIONS)
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_blake2b_8__block_boundaries(blake2b_8: Blake2b8, dtype: type) -> None:
    rng = np.random.default_rng(7693)
    messages = [rng.integers(0, 256, n, np.uint8).tobytes() for n in BOUNDARY_LENGTHS]
    messages += [b"\x00" * n for n in BOUNDARY_LENGTHS]  # zero bytes look like padding
    data, offsets = _layout(messages, b"head", b"", dtype)
    assert blake2b_8(data, offsets) == _hashlib_digests(messages)


@pytest.mark.parametrize("blake2b_8", IMPLEMENTATIONS)
def test_blake2b_8__any_buffer_and_strided_offsets(blake2b_8: Blake2b8) -> None:
    messages = [b"chr17:43106487:A:C", b"", b"chrX:1:N:NNNN" * 20]
    data, offsets = _layout(messages, b"12345", b"", np.int64)
    wide = np.repeat(offsets, 2)[::2]  # a strided view: every other element of a larger array
    assert not wide.flags.c_contiguous
    want = _hashlib_digests(messages)
    assert blake2b_8(data, wide) == want
    assert blake2b_8(bytearray(data), offsets) == want
    assert blake2b_8(np.frombuffer(data, np.uint8), offsets) == want
    assert blake2b_8(pa.py_buffer(data), offsets) == want
    assert blake2b_8(data, offsets[:1]) == b""  # no strings: one offset


BAD_OFFSETS = [
    (np.array([], np.int32), "at least one"),
    (np.array([-1, 2], np.int32), r"must not be negative, offsets\[0\] is -1"),
    (np.array([0, 3, 2, 4], np.int64), r"must not decrease, offsets\[2\] = 2 is below offsets\[1\] = 3"),
    (np.array([1, 4, 9], np.int32), r"past the end of data: offsets\[2\] = 9, data has 8 bytes"),
    (np.array([0, 4], np.uint32), "int32"),
    (np.array([0, 4], np.int16), "int32"),
    (np.array([0.0, 4.0]), "int32"),
    (np.array([0, 4], np.int32).astype(">i4"), "byte order"),
    (np.zeros((2, 2), np.int32), "one-dimensional"),
]


@pytest.mark.parametrize("blake2b_8", IMPLEMENTATIONS)
@pytest.mark.parametrize(("offsets", "message"), BAD_OFFSETS)
def test_blake2b_8__bad_offsets_raise(blake2b_8: Blake2b8, offsets: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        blake2b_8(b"ACGTACGT", offsets)


@requires_c
@pytest.mark.parametrize(("offsets", "message"), BAD_OFFSETS[:4])
def test_blake2b_8__c_and_python_name_the_same_problem(offsets: np.ndarray, message: str) -> None:
    errors = []
    for blake2b_8 in (_c, kernels.blake2b_8_py):
        with pytest.raises(ValueError) as e:
            blake2b_8(b"ACGTACGT", offsets)
        errors.append(str(e.value))
    assert errors[0] == errors[1]


# ---------------------------------------------------------------------------------------------
# variant_ids

keys = st.tuples(
    st.one_of(
        st.sampled_from(["chr1", "chr17", "chrX", "chrM", "GL000220.1"]),
        st.text(st.characters(codec="utf-8"), max_size=12),
    ),
    st.integers(1, 2**31),
    st.text("ACGTN", min_size=1, max_size=150),  # up to ~330-byte keys: one to three blocks
    st.text("ACGTN*", min_size=1, max_size=150),
)


def _joined(rows: list[tuple[str, int, str, str]]) -> pa.Array:
    """The keys as Arrow builds them for the fast path: columns joined with ``:``."""
    if not rows:
        return pa.array([], pa.string())
    chrom, pos, ref, alt = (list(c) for c in zip(*rows, strict=True))
    return pc.binary_join_element_wise(
        pa.array(chrom), pc.cast(pa.array(pos, pa.int64()), pa.string()), pa.array(ref), pa.array(alt), ":"
    )


@pytest.mark.parametrize(
    "c_kernels", [pytest.param(True, marks=requires_c, id="c"), pytest.param(False, id="python")]
)
@settings(max_examples=150, deadline=None)
@given(rows=st.lists(keys, max_size=30), data=st.data())
def test_variant_ids__sliced_array_equals_variant_id(
    c_kernels: bool, rows: list[tuple[str, int, str, str]], data: st.DataObject
) -> None:
    lo = data.draw(st.integers(0, len(rows)), label="lo")
    hi = data.draw(st.integers(lo, len(rows)), label="hi")
    text = _joined(rows).slice(lo, hi - lo)
    arrow_type = data.draw(st.sampled_from([pa.string(), pa.large_string(), pa.binary(), pa.large_binary()]))
    if arrow_type != pa.string():
        text = pc.cast(_joined(rows), arrow_type).slice(lo, hi - lo)
    assert text.offset == lo or hi == lo
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(kernels.NO_C_KERNELS_ENV, "0" if c_kernels else "1")
        assert kernels.c_kernels_enabled() is c_kernels
        ids = kernels.variant_ids(text)
    assert ids.dtype == np.int64
    assert ids.tolist() == [variant_id(*row) for row in rows[lo:hi]]


def test_variant_ids__env_var_forces_the_python_code(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_c(data: Any, offsets: Any) -> bytes:
        raise AssertionError("the C kernel ran although GENOPATH_NO_C_KERNELS=1")

    monkeypatch.setattr(kernels, "_blake2b_8_c", no_c)
    monkeypatch.setenv("GENOPATH_NO_C_KERNELS", "1")
    rows = [("chr17", 43106487, "A", "C"), ("chr13", 32316461, "G", "GA" * 80)]
    assert kernels.variant_ids(_joined(rows)).tolist() == [variant_id(*r) for r in rows]


@requires_c
def test_variant_ids__c_and_python_agree_on_many_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(17)
    pos = rng.integers(1, 250_000_000, 20_000)
    rows = [(f"chr{1 + p % 22}", int(p), "ACGT"[p % 4], "ACGT"[(p // 4) % 4] * (1 + p % 140)) for p in pos]
    text = _joined(rows).slice(3)
    monkeypatch.delenv("GENOPATH_NO_C_KERNELS", raising=False)
    with_c = kernels.variant_ids(text)
    monkeypatch.setenv("GENOPATH_NO_C_KERNELS", "1")
    assert with_c.tolist() == kernels.variant_ids(text).tolist()
    assert with_c[:3].tolist() == [variant_id(*r) for r in rows[3:6]]


def test_variant_ids__view_and_empty_arrays() -> None:
    rows = [("chr1", 1, "A", "T"), ("chr2", 22, "AC", "A")]
    text = pc.cast(_joined(rows), pa.string_view())
    assert kernels.variant_ids(text).tolist() == [variant_id(*r) for r in rows]
    assert kernels.variant_ids(pa.array([], pa.string())).dtype == np.int64
    assert len(kernels.variant_ids(_joined(rows).slice(2))) == 0


def test_variant_ids__refuses_nulls_and_other_types() -> None:
    with pytest.raises(ValueError, match=r"must not be null; 1 are, at rows \[1\]"):
        kernels.variant_ids(pa.array(["chr1:1:A:T", None]))
    with pytest.raises(TypeError, match="string or binary keys, got an array of type int64"):
        kernels.variant_ids(pa.array([1, 2]))
    with pytest.raises(TypeError, match="got list"):
        kernels.variant_ids(["chr1:1:A:T"])  # type: ignore[arg-type]
