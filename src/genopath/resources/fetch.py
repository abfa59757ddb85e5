"""Downloading pinned files over HTTP(S): resumable, verified, standard library only.

Each file goes to ``<home>/resources/.downloads/<mirror path>.part`` and becomes
``<mirror path>`` only once its sha256 matches the manifest. URLs are tried in order: the
programme mirror (``GENOPATH_RESOURCE_BASE_URL``) first, then the public URLs that serve the
same bytes. An interrupted transfer resumes with an HTTP ``Range`` request (on the next
attempt, or the next run); a server that ignores ``Range`` sends the whole file again and the
``.part`` is restarted. A checksum mismatch deletes the ``.part`` and stops: bad bytes are
never retried into place.
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from genopath.core.settings import Settings
from genopath.resources.errors import ChecksumError, DownloadError
from genopath.resources.manifest import Resource, ResourceFile
from genopath.resources.progress import SILENT, Progress
from genopath.resources.sources import sha256_file
from genopath.resources.store import downloads_dir

_CHUNK = 1 << 16
ATTEMPTS = 3
TIMEOUT_SECONDS = 60.0


class _Interrupted(Exception):
    """The connection ended before the whole file arrived; the ``.part`` keeps what did."""


@dataclass(frozen=True)
class Download:
    """Where a fetched file came from."""

    path: str
    local: Path
    url: str | None  # None when an already verified download was reused


def urls_for(settings: Settings, file: ResourceFile) -> list[str]:
    """URLs to try for ``file``: the programme mirror first, then its public URLs."""
    urls = []
    if settings.resource_base_url:
        urls.append(f"{settings.resource_base_url.rstrip('/')}/{file.path}")
    return urls + list(file.urls)


def fetch_resource(settings: Settings, resource: Resource, progress: Progress = SILENT) -> list[Download]:
    """Download and verify every file of ``resource`` into the download area.

    Files already there with the right sha256 are reused. Nothing is installed here: the
    caller builds from the download area once every file verified.

    Raises
    ------
    ChecksumError
        When a downloaded file's sha256 differs from the manifest's (its ``.part`` is deleted).
    DownloadError
        When no URL can serve a file (network or HTTP errors, or no URL known).
    """
    return [_fetch_file(settings, resource, f, progress) for f in resource.files]


def _fetch_file(settings: Settings, resource: Resource, file: ResourceFile, progress: Progress) -> Download:
    target = downloads_dir(settings) / file.path
    if target.is_file() and sha256_file(target) == file.sha256:
        return Download(file.path, target, None)
    urls = urls_for(settings, file)
    if not urls:
        raise DownloadError(
            f"{file.path} (resource {resource.name}) has no public URL that serves the pinned bytes "
            f"({file.origin}); set GENOPATH_RESOURCE_BASE_URL to the programme's resource mirror, or "
            f"run `genopath resources build {resource.name} --from DIR` with an offline mirror"
        )
    part = target.with_name(target.name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        try:
            _download(url, part, file, progress)
        except DownloadError as e:
            failures.append(f"{url}: {e.message}")
            continue
        actual = sha256_file(part)
        if actual != file.sha256:
            part.unlink(missing_ok=True)
            raise ChecksumError(file.path, file.sha256, actual, origin=url)
        os.replace(part, target)
        return Download(file.path, target, url)
    raise DownloadError(
        f"could not download {file.path} (resource {resource.name}): "
        + "; ".join(failures)
        + (
            ""
            if settings.resource_base_url
            else "; set GENOPATH_RESOURCE_BASE_URL to a programme mirror or use `genopath resources build --from DIR`"
        )
    )


def _download(url: str, part: Path, file: ResourceFile, progress: Progress) -> None:
    """Fill ``part`` from ``url``, resuming up to :data:`ATTEMPTS` times after a dropped connection."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _transfer(url, part, file.size, progress)
            return
        except _Interrupted as e:
            if attempt == ATTEMPTS:
                raise DownloadError(f"the connection dropped {ATTEMPTS} times ({e}); re-run to resume") from e
        except urllib.error.HTTPError as e:
            if e.code == 416 and attempt < ATTEMPTS:  # the .part is not a prefix the server can extend
                part.unlink(missing_ok=True)
                continue
            raise DownloadError(f"HTTP {e.code} {e.reason}") from e
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            reason = getattr(e, "reason", e)
            raise DownloadError(f"{reason}") from e


def _transfer(url: str, part: Path, size: int | None, progress: Progress) -> None:
    have = part.stat().st_size if part.exists() else 0
    if size is not None and have >= size:
        # A .part as long as the file (or longer) cannot be resumed; start again.
        part.unlink()
        have = 0
    request = urllib.request.Request(url, headers={"User-Agent": "genopath"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        resumed = have > 0 and response.status == 206 and _range_start(response.headers) == have
        if response.status == 206 and not resumed:
            part.unlink(missing_ok=True)  # a range we did not ask for: start again from byte 0
            raise _Interrupted(f"server sent Content-Range {response.headers.get('Content-Range')}")
        mode = "ab" if resumed else "wb"
        start = have if resumed else 0
        length = response.headers.get("Content-Length")
        expected = start + int(length) if length is not None else size
        progress.begin(f"download {Path(part.name).stem}", expected)
        progress.advance(start)
        received = start
        try:
            with part.open(mode) as out:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    progress.advance(len(chunk))
        except (OSError, http.client.HTTPException) as e:
            raise _Interrupted(f"{received} bytes received, then {e!r}") from e
        finally:
            progress.end()
    if expected is not None and received < expected:
        raise _Interrupted(f"{received} of {expected} bytes")


def _range_start(headers: object) -> int | None:
    value = getattr(headers, "get", lambda _k: None)("Content-Range")
    if not value or not str(value).startswith("bytes "):
        return None
    try:
        return int(str(value)[6:].split("-", 1)[0])
    except ValueError:
        return None
