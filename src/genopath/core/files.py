"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def shareable(path: Path) -> Path:
    """Give a file made by ``mkstemp`` (0600) or a folder made by ``mkdtemp`` (0700) the mode a
    plain ``open``/``mkdir`` would have given it: 0666/0777 less the process umask.

    Outputs are written to a temporary place and renamed into place; without this they would
    stay owner-only whatever the site's umask says (a programme that wants owner-only files
    sets ``umask 077``).
    """
    mask = os.umask(0o022)
    os.umask(mask)
    path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)
    return path


def temporary_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder inside ``parent`` to build into before renaming it into place."""
    return shareable(Path(tempfile.mkdtemp(prefix=prefix, dir=parent)))


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place.

    A crash or a full disk leaves either the old file or the new one, never a partial file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        shareable(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
