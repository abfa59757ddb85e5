"""Compiled kernels of the annotation hot path, each with its Python reference.

The C extension ``genopath.annotation._kernels`` (``_kernels.c``, built by ``pip install``
through ``setup.py``) is optional: when it is missing (no compiler at install time), or when the
environment variable ``GENOPATH_NO_C_KERNELS=1`` is set, every function here runs its pure-Python
code instead. The Python code is the reference; the C code must give byte-identical results
(``tests/annotation/test_kernels.py`` checks it against :mod:`hashlib`).

Kernels
-------
:func:`blake2b_8`
    8-byte BLAKE2b digests of many byte strings laid out as Arrow lays out a string column.
:func:`variant_ids`
    :func:`genopath.annotation.pipeline.variant_id` of many ``chrom:pos:ref:alt`` keys.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from typing_extensions import Buffer

    # numpy arrays are buffers, but its stubs declare __buffer__ only from Python 3.12 on
    Bytes = Buffer | npt.NDArray[Any]

Offsets = npt.NDArray[np.signedinteger[Any]]
"""int32 (Arrow ``string``/``binary``) or int64 (``large_string``/``large_binary``) offsets."""

__all__ = ["HAVE_C", "NO_C_KERNELS_ENV", "blake2b_8", "blake2b_8_py", "c_kernels_enabled", "variant_ids"]

NO_C_KERNELS_ENV = "GENOPATH_NO_C_KERNELS"
"""Set to ``1`` to run the Python code even when the extension is built (tests, comparisons)."""

_blake2b_8_c: Callable[[Bytes, Offsets], bytes] | None
try:
    from genopath.annotation._kernels import blake2b_8 as _blake2b_8_c
except ImportError:  # built without a compiler: setup.py marks the extension optional
    _blake2b_8_c = None

HAVE_C: bool = _blake2b_8_c is not None
"""Whether the C extension was built and imports."""


def c_kernels_enabled() -> bool:
    """Whether calls go to the C extension: it is built and ``GENOPATH_NO_C_KERNELS`` is unset (or 0)."""
    return HAVE_C and os.environ.get(NO_C_KERNELS_ENV, "").strip() in ("", "0")


def blake2b_8(data: Bytes, offsets: Offsets) -> bytes:
    """The 8-byte BLAKE2b digests of ``data[offsets[i]:offsets[i + 1]]`` for every ``i``.

    Parameters
    ----------
    data
        Any bytes-like object (``bytes``, a ``pyarrow.Buffer``, a ``uint8`` array …).
    offsets
        ``n + 1`` non-negative, non-decreasing positions in ``data`` (int32 as in an Arrow string
        array, or int64 as in a ``large_string`` one); they need not start at 0.

    Returns
    -------
    bytes
        ``8 * n`` bytes: digest ``i`` is ``hashlib.blake2b(slice_i, digest_size=8).digest()``
        (no key, salt or personalisation).

    Raises
    ------
    ValueError
        The offsets are not 1-D int32/int64, are empty, negative, decreasing or reach past the
        end of ``data``.

    References
    ----------
    RFC 7693, The BLAKE2 Cryptographic Hash and Message Authentication Code (2015).
    """
    if _blake2b_8_c is not None and c_kernels_enabled():
        return _blake2b_8_c(data, offsets)
    return blake2b_8_py(data, offsets)


def blake2b_8_py(data: Bytes, offsets: Offsets) -> bytes:
    """:func:`blake2b_8` in Python with :mod:`hashlib`: the reference and the fallback."""
    data_buf = pa.py_buffer(data)
    o = np.ascontiguousarray(_checked_offsets(offsets, data_buf.size))
    # Arrow cuts the byte strings about 15 % faster than slicing in a Python loop does.
    layout = pa.large_binary() if o.dtype.itemsize == 8 else pa.binary()
    strings = pa.Array.from_buffers(layout, len(o) - 1, [None, pa.py_buffer(o), data_buf])
    b2 = functools.partial(hashlib.blake2b, digest_size=8)
    return b"".join([b2(s).digest() for s in strings.to_pylist()])


def _checked_offsets(offsets: Offsets, data_len: int) -> Offsets:
    """The offsets if they delimit slices of ``data_len`` bytes; the C code's checks and messages."""
    o = np.asarray(offsets)
    if o.ndim != 1:
        raise ValueError(f"offsets must be one-dimensional, got {o.ndim} dimensions")
    if o.dtype.kind != "i" or o.dtype.itemsize not in (4, 8) or not o.dtype.isnative:
        raise ValueError(
            "offsets must be int32 (Arrow string offsets) or int64 (large_string) in the machine's"
            f" byte order, got {o.dtype.str}"
        )
    if not len(o):
        raise ValueError("offsets must hold n + 1 values for n strings (at least one), got none")
    if o[0] < 0:
        raise ValueError(f"offsets must not be negative, offsets[0] is {o[0]}")
    down = np.flatnonzero(o[1:] < o[:-1])
    if len(down):
        i = int(down[0]) + 1
        raise ValueError(
            f"offsets must not decrease, offsets[{i}] = {o[i]} is below offsets[{i - 1}] = {o[i - 1]}"
        )
    if o[-1] > data_len:
        raise ValueError(
            f"offsets reach past the end of data: offsets[{len(o) - 1}] = {o[-1]}, data has {data_len} bytes"
        )
    return o


def variant_ids(text: pa.Array) -> npt.NDArray[np.int64]:
    """:func:`~genopath.annotation.pipeline.variant_id` of every ``chrom:pos:ref:alt`` key in ``text``.

    Parameters
    ----------
    text
        The keys as an Arrow ``string``, ``binary``, ``large_string``, ``large_binary`` (or
        ``*_view``) array without nulls; it may be a slice of a larger array.

    Returns
    -------
    numpy.ndarray
        int64, one per key: the first 8 bytes of the key's BLAKE2b digest (digest_size=8) read as
        a signed big-endian integer, exactly as ``pipeline.variant_id`` computes it.

    Raises
    ------
    TypeError
        ``text`` is not an Arrow string or binary array.
    ValueError
        ``text`` holds nulls.
    """
    if not isinstance(text, pa.Array):
        raise TypeError(f"variant_ids takes a pyarrow string or binary Array, got {type(text).__name__}")
    t = text.type
    if pa.types.is_string_view(t) or pa.types.is_binary_view(t):
        text = pc.cast(text, pa.string() if pa.types.is_string_view(t) else pa.binary())
        t = text.type
    wide = pa.types.is_large_string(t) or pa.types.is_large_binary(t)
    if not (wide or pa.types.is_string(t) or pa.types.is_binary(t)):
        raise TypeError(f"variant_ids takes Arrow string or binary keys, got an array of type {t}")
    if text.null_count:
        first = np.flatnonzero(text.is_null().to_numpy(zero_copy_only=False))[:5].tolist()
        raise ValueError(f"variant keys must not be null; {text.null_count} are, at rows {first} …")
    if not len(text):
        return np.zeros(0, np.int64)
    _validity, offsets_buf, data_buf = text.buffers()
    width = 8 if wide else 4
    # A sliced array shares its parent's buffers: its offsets start at element text.offset and
    # index the parent's data buffer as they are (they are not rebased to 0).
    offsets: Offsets = np.frombuffer(
        offsets_buf, np.int64 if wide else np.int32, len(text) + 1, text.offset * width
    )
    digests = blake2b_8(data_buf if data_buf is not None else b"", offsets)
    return np.frombuffer(digests, ">i8").astype(np.int64)
