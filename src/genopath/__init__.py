"""genopath: an end-to-end genomic medicine pathway for national genome programmes.

The public entry points live in the domain packages (``genopath.registry`` …); this module
only carries the version that every output artefact records.
"""

#: The package version (read by the build from here: pyproject.toml names this attribute).
__version__ = "0.1.0"

__all__ = ["__version__"]
