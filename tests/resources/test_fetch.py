"""Fetching over HTTP from a loopback server: verification, resume, servers without Range."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest

from genopath.core.settings import Settings
from genopath.resources import ChecksumError, DownloadError, Resource, ResourceFile, fetch_resource, require
from genopath.resources.store import downloads_dir
from tests.resources.conftest import FileServer


def _resource(server: FileServer, size: int = 300_000) -> tuple[Resource, bytes]:
    """A resource of two synthetic files, served by ``server`` in mirror layout."""
    data = os.urandom(size)
    small = b"small file\n"
    files = []
    for rel, body in (("synthetic/big.bin", data), ("synthetic/small.txt", small)):
        (server.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (server.root / rel).write_bytes(body)
        files.append(ResourceFile(rel, hashlib.sha256(body).hexdigest(), len(body)))
    return Resource("synthetic", "1", "test", "CC0", "nobody", "a test", tuple(files)), data


def _settings(tmp_path: Path, server: FileServer) -> Settings:
    return Settings(home=tmp_path / "home", resource_base_url=server.url + "/")


def test_fetch__downloads_and_verifies(tmp_path: Path, file_server: FileServer) -> None:
    resource, data = _resource(file_server)
    settings = _settings(tmp_path, file_server)
    done = fetch_resource(settings, resource)
    assert [d.url for d in done] == [
        f"{file_server.url}/synthetic/big.bin",
        f"{file_server.url}/synthetic/small.txt",
    ]
    assert (downloads_dir(settings) / "synthetic/big.bin").read_bytes() == data
    assert not list(downloads_dir(settings).rglob("*.part"))
    # A second fetch reuses the verified files without asking the server again.
    before = len(file_server.requests)
    assert all(d.url is None for d in fetch_resource(settings, resource))
    assert len(file_server.requests) == before


def test_fetch__corrupt_file_is_a_checksum_error_and_part_removed(
    tmp_path: Path, file_server: FileServer
) -> None:
    resource, data = _resource(file_server)
    (file_server.root / "synthetic/big.bin").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    settings = _settings(tmp_path, file_server)
    with pytest.raises(ChecksumError) as e:
        fetch_resource(settings, resource)
    message = e.value.message
    assert "synthetic/big.bin" in message and resource.files[0].sha256 in message
    assert hashlib.sha256((file_server.root / "synthetic/big.bin").read_bytes()).hexdigest() in message
    assert not (downloads_dir(settings) / "synthetic/big.bin").exists()
    assert not (downloads_dir(settings) / "synthetic/big.bin.part").exists()


def test_fetch__dropped_connection_resumes_with_range(tmp_path: Path, file_server: FileServer) -> None:
    resource, data = _resource(file_server)
    file_server.drop_first.add("/synthetic/big.bin")
    settings = _settings(tmp_path, file_server)
    fetch_resource(settings, resource)
    assert (downloads_dir(settings) / "synthetic/big.bin").read_bytes() == data
    big = [r for r in file_server.requests if r[0] == "/synthetic/big.bin"]
    assert big == [("/synthetic/big.bin", None), ("/synthetic/big.bin", f"bytes={len(data) // 2}-")]


def test_fetch__partial_download_from_an_earlier_run_resumes(tmp_path: Path, file_server: FileServer) -> None:
    resource, data = _resource(file_server)
    settings = _settings(tmp_path, file_server)
    part = downloads_dir(settings) / "synthetic/big.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:1000])
    fetch_resource(settings, resource)
    assert (downloads_dir(settings) / "synthetic/big.bin").read_bytes() == data
    assert ("/synthetic/big.bin", "bytes=1000-") in file_server.requests


def test_fetch__server_without_range_restarts_cleanly(tmp_path: Path, file_server: FileServer) -> None:
    resource, data = _resource(file_server)
    file_server.ranges = False
    settings = _settings(tmp_path, file_server)
    part = downloads_dir(settings) / "synthetic/big.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"stale bytes from another file")
    fetch_resource(settings, resource)
    assert (downloads_dir(settings) / "synthetic/big.bin").read_bytes() == data


def test_fetch__no_url_names_the_mirror_setting(tmp_path: Path, file_server: FileServer) -> None:
    resource, _ = _resource(file_server)
    with pytest.raises(DownloadError, match="GENOPATH_RESOURCE_BASE_URL"):
        fetch_resource(Settings(home=tmp_path / "home"), resource)
    missing = replace(resource, files=(replace(resource.files[0], path="synthetic/absent.bin"),))
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch_resource(_settings(tmp_path, file_server), missing)


def test_fetch_cli__mirror_files_fetched_then_built(
    tmp_path: Path, file_server: FileServer, mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from genopath.cli.main import app

    for rel in ("acmg-sf/acmg_sf_v3.3.tsv",):
        (file_server.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (file_server.root / rel).write_bytes((mirror / rel).read_bytes())
    monkeypatch.setenv("GENOPATH_RESOURCE_BASE_URL", file_server.url)
    monkeypatch.delenv("GENOPATH_RESOURCE_MIRROR", raising=False)
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["--home", str(home), "resources", "fetch", "acmg_sf"])
    assert result.exit_code == 0, result.output
    assert "acmg_sf 3.3 installed" in result.stdout
    installed = require(Settings(home=home), "acmg_sf")
    assert installed.subset is None and (installed.path / "genes.parquet").is_file()
