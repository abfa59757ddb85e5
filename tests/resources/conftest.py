"""Fixtures of the resources tests: the shared mirror, a home with the demo bundle, an HTTP server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from genopath.core.settings import Settings
from genopath.resources import InstalledResource, install_bundle


def mirror_path() -> Path:
    """The reference-data mirror: ``GENOPATH_RESOURCE_MIRROR`` or ``../shared/data`` beside the project."""
    env = os.environ.get("GENOPATH_RESOURCE_MIRROR")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The shared mirror, or skip with the reason."""
    path = mirror_path()
    if not (path / "clinvar").is_dir():
        pytest.skip(
            f"reference-data mirror not found at {path}; set GENOPATH_RESOURCE_MIRROR to run this test"
        )
    return path


@pytest.fixture(scope="module")
def bundle_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, InstalledResource]]:
    """A data home with every demo-bundle resource installed (built once per module)."""
    settings = Settings(home=tmp_path_factory.mktemp("bundle") / "home")
    return settings, {r.name: r for r in install_bundle(settings)}


@dataclass
class FileServer:
    """A loopback HTTP server over a folder; records each request's path and Range header."""

    root: Path
    url: str = ""
    ranges: bool = True
    drop_first: set[str] = field(default_factory=set)
    requests: list[tuple[str, str | None]] = field(default_factory=list)


def _handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            return

        def do_GET(self) -> None:
            wanted = self.headers.get("Range")
            server.requests.append((self.path, wanted))
            path = server.root / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            start = int(wanted[6:].split("-")[0]) if wanted and server.ranges else 0
            body = data[start:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path in server.drop_first:
                # Send half, then hang up: the client sees a short body.
                server.drop_first.discard(self.path)
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[FileServer]:
    """An HTTP server on 127.0.0.1 serving ``tmp_path / "served"``."""
    root = tmp_path / "served"
    root.mkdir()
    state = FileServer(root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
