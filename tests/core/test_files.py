"""Atomic writes: whole files only, and the mode an ordinary write would give (umask respected)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from genopath.core.files import temporary_folder, write_text_atomic


@pytest.fixture(params=[0o022, 0o077, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_text_atomic__mode_follows_the_umask(tmp_path: Path, umask: int) -> None:
    out = tmp_path / "results.json"
    write_text_atomic(out, "{}\n")
    plain = tmp_path / "plain.json"
    plain.write_text("{}\n")  # what open() gives under the same umask
    assert mode(out) == mode(plain) == 0o666 & ~umask


def test_write_text_atomic__replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "results.json"
    write_text_atomic(out, "first\n")
    write_text_atomic(out, "second\n")
    assert out.read_text() == "second\n"
    assert [p.name for p in out.parent.iterdir()] == ["results.json"]


def test_write_text_atomic__failure_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    write_text_atomic(out, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(out, "bad \udcff surrogate")
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_temporary_folder__mode_follows_the_umask(tmp_path: Path, umask: int) -> None:
    folder = temporary_folder(tmp_path, ".v1.tmp-")
    plain = tmp_path / "plain"
    plain.mkdir()
    assert folder.is_dir() and folder.name.startswith(".v1.tmp-")
    assert mode(folder) == mode(plain) == 0o777 & ~umask
