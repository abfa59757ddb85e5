"""Errors of the resources domain, each a subclass of the one hierarchy in :mod:`genopath.core.errors`.

::

    NotFoundError
    └── ResourceMissing        a resource, or a source file to build it from, is not there
    InputError
    └── ChecksumError          a downloaded or mirrored file's sha256 is not the pinned one
    GenopathError
    └── DownloadError          no URL served a file (network down, HTTP error, none configured)
"""

from __future__ import annotations

from genopath.core.errors import GenopathError, InputError, NotFoundError


class ResourceMissing(NotFoundError):
    """Raised when a resource is not installed, or a file to build it from cannot be found.

    The message names the ``genopath resources`` command that installs it.
    """

    code = "resource_missing"


class ChecksumError(InputError):
    """Raised when a file's sha256 differs from the manifest's; names the file and both hashes."""

    code = "checksum_mismatch"

    def __init__(self, path: str, expected: str, actual: str, origin: str) -> None:
        super().__init__(
            f"checksum mismatch for {path} from {origin}: expected sha256 {expected}, got {actual}; "
            "the file is corrupt or is not the pinned release — nothing was installed"
        )
        self.path, self.expected, self.actual = path, expected, actual


class DownloadError(GenopathError):
    """Raised when no URL could serve a file: network errors, HTTP errors or no URL configured."""

    code = "download_failed"
