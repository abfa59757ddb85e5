"""Read (and decompress) an input VCF in a second thread while the rest of the program loads.

``genopath annotate`` starts a :class:`Prefetch` before it imports Arrow, NumPy and the
annotation code (about a quarter of a second), so that the file is in memory when
:func:`genopath.annotation.fastpath.read_records` wants it; zlib releases the GIL while it
inflates. Only the standard library is imported here. Any problem reading the file is left to
``read_records``, which reads it again and reports it as usual.
"""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip or BGZF (the magic number decides)."""
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == GZIP_MAGIC:
        with gzip.open(path, "rb") as g:
            return g.read()
    return Path(path).read_bytes()


class Prefetch:
    """The bytes of one file, read by a daemon thread from construction on."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._data: bytes | None = None
        self._thread = threading.Thread(target=self._run, name="genopath-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._data = read_bytes(self.path)
        except Exception:
            self._data = None

    def take(self, path: Path) -> bytes | None:
        """The bytes of ``path`` when this prefetch read that file without error, else ``None``
        (once: the bytes are not kept here afterwards)."""
        self._thread.join()
        data, self._data = self._data, None
        return data if Path(path) == self.path else None
