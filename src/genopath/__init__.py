"""genopath: an end-to-end genomic medicine pathway for national genome programmes.

The public entry points live in the domain packages (``genopath.registry`` …); this module
only carries the version that every output artefact records.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("genopath")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
