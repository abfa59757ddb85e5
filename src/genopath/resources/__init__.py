"""Versioned reference resources: manifest, fetch, build, installation and the demo bundle.

Other domains read installed tables through this API::

    from genopath.resources import require, versions

    clinvar = require(settings, "clinvar")           # InstalledResource, or ResourceMissing
    table = clinvar.path / "variants.parquet"
    stamp = versions(settings, ["clinvar", "mane"])  # {"clinvar": "2026-02-26", "mane": "1.5"}

The tables each resource provides are listed in ``docs/resources.md`` and in the builders'
docstrings (:mod:`genopath.resources.builders`).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genopath.resources.build import build_fasta, build_resources, default_source
    from genopath.resources.bundle import bundle_path, install_bundle
    from genopath.resources.errors import ChecksumError, DownloadError, ResourceMissing
    from genopath.resources.fetch import fetch_resource
    from genopath.resources.manifest import RESOURCES, Resource, ResourceFile, get_resource
    from genopath.resources.progress import SILENT, Progress
    from genopath.resources.status import ResourceStatus, embedded_hpo_release, resource_status
    from genopath.resources.store import InstalledResource, installed, require, versions

#: Where each public name lives. They are imported on first use, so that reading an installed
#: resource (``require``) does not import the builders (Arrow, NumPy) — ``genopath pgx`` starts fast.
_HOME = {
    "build": ("build_fasta", "build_resources", "default_source"),
    "bundle": ("bundle_path", "install_bundle"),
    "errors": ("ChecksumError", "DownloadError", "ResourceMissing"),
    "fetch": ("fetch_resource",),
    "manifest": ("RESOURCES", "Resource", "ResourceFile", "get_resource"),
    "progress": ("SILENT", "Progress"),
    "status": ("ResourceStatus", "embedded_hpo_release", "resource_status"),
    "store": ("InstalledResource", "installed", "require", "versions"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "RESOURCES",
    "SILENT",
    "ChecksumError",
    "DownloadError",
    "InstalledResource",
    "Progress",
    "Resource",
    "ResourceFile",
    "ResourceMissing",
    "ResourceStatus",
    "build_fasta",
    "build_resources",
    "bundle_path",
    "default_source",
    "embedded_hpo_release",
    "fetch_resource",
    "get_resource",
    "install_bundle",
    "installed",
    "require",
    "resource_status",
    "versions",
]
