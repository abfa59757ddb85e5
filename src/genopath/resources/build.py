"""Building resources: verify the upstream-format files, run the builder, install atomically."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.resources.builders import BUILDERS, BuildInput
from genopath.resources.builders.reference import check_fasta
from genopath.resources.errors import ResourceMissing
from genopath.resources.manifest import RESOURCES, Resource, get_resource
from genopath.resources.progress import SILENT, Progress
from genopath.resources.sources import SourceDir, SourceFile, sha256_file
from genopath.resources.store import InstalledResource, downloads_dir, install

USER_FASTA_LICENCE = "supplied by the user: the licence of the FASTA's origin applies"


def default_source(settings: Settings) -> Path:
    """Where ``build`` reads when no ``--from`` is given: ``GENOPATH_RESOURCE_MIRROR`` when
    set, else the download area that ``fetch`` fills."""
    return settings.resource_mirror if settings.resource_mirror is not None else downloads_dir(settings)


def build_resources(
    settings: Settings,
    names: Sequence[str] = (),
    *,
    source: Path | None = None,
    fasta: Path | None = None,
    progress: Progress = SILENT,
) -> list[InstalledResource]:
    """Build and install resources from upstream-format files, one after the other.

    Parameters
    ----------
    names
        Resources to build; empty means every resource the source provides (a bundle's
        resources, or every manifest resource whose files are all in the folder), plus
        ``reference`` when ``fasta`` is given.
    source
        A folder laid out like the mirror, or a bundle; default :func:`default_source`.
    fasta
        A bgzipped, faidx-indexed GRCh38 FASTA to install as ``reference`` instead of the
        manifest's slice.

    Returns
    -------
    list of InstalledResource
        The new current installations, in build order.

    Raises
    ------
    ResourceMissing
        A name is unknown, the source lacks a file, or there is nothing to build.
    ChecksumError
        A source file is not the pinned one (nothing of that resource is installed).
    InputError
        A FASTA is not BGZF, not indexed, or not GRCh38.
    """
    for name in names:
        get_resource(name)
    wanted = list(names)
    if fasta is not None and "reference" not in wanted:
        wanted.append("reference")
    from_source = [n for n in wanted if not (n == "reference" and fasta is not None)]
    src = _open_source(settings, source) if from_source or not wanted else None
    if src is not None and not wanted:
        wanted = available(src)
        if not wanted:
            raise ResourceMissing(
                f"{src.root} holds no complete resource; give --from a folder laid out like the "
                "reference-data mirror, or run `genopath resources fetch`"
            )
    done = []
    for name in wanted:
        if name == "reference" and fasta is not None:
            done.append(build_fasta(settings, fasta, progress))
        else:
            assert src is not None
            done.append(build_resource(settings, get_resource(name), src, progress))
    return done


def _open_source(settings: Settings, source: Path | None) -> SourceDir:
    root = source or default_source(settings)
    if source is None and settings.resource_mirror is None and not root.is_dir():
        raise ResourceMissing(
            f"nothing has been fetched into {root} yet; run `genopath resources fetch NAME`, or build "
            "from an offline mirror with `genopath resources build NAME --from DIR`"
        )
    return SourceDir.open(root)


def available(src: SourceDir) -> list[str]:
    """Resources whose files are all in ``src`` (for a bundle: the resources it lists)."""
    if src.bundle is not None:
        return [n for n in RESOURCES if n in src.resource_names()]
    return [r.name for r in RESOURCES.values() if all((src.root / f.path).is_file() for f in r.files)]


def build_resource(
    settings: Settings, resource: Resource, src: SourceDir, progress: Progress = SILENT
) -> InstalledResource:
    """Verify the files of ``resource`` in ``src``, build it and make it current."""
    if src.bundle is not None:
        bundled = src.bundle["resources"].get(resource.name, {}).get("version", resource.version)
        if bundled != resource.version:
            raise InputError(
                f"the bundle at {src.root} holds {resource.name} {bundled}, but this genopath pins "
                f"{resource.version}; regenerate the bundle with scripts/make_demo_bundle.py"
            )
    files = src.resolve(resource, progress)
    metadata = _metadata(resource.title, resource.licence, resource.attribution, resource.upstream, files)
    metadata |= {"source": str(src.root), "subset": src.subset}
    return _install(settings, resource.name, resource.version, files, metadata, progress)


def build_fasta(settings: Settings, fasta: Path, progress: Progress = SILENT) -> InstalledResource:
    """Install a user-supplied FASTA as ``reference``, version ``<file stem>-<sha256[:12]>``.

    Raises
    ------
    InputError
        When it is not BGZF, lacks ``.fai``/``.gzi``, or its contig lengths are not GRCh38.
    """
    fasta = fasta.resolve()
    if not fasta.is_file():
        raise InputError(f"FASTA {fasta} does not exist")
    check_fasta(fasta)
    files = {}
    for local in (fasta, Path(f"{fasta}.fai"), Path(f"{fasta}.gzi")):
        progress.begin(f"checksum {local.name}", local.stat().st_size)
        files[local.name] = SourceFile(local.name, local, sha256_file(local, progress), local.stat().st_size)
        progress.end()
    stem = re.sub(r"\.(fa|fasta|fna)$", "", fasta.name.removesuffix(".gz").removesuffix(".bgz"))
    version = f"{stem}-{files[fasta.name].sha256[:12]}"
    metadata = _metadata(f"reference FASTA {fasta.name}", USER_FASTA_LICENCE, "", str(fasta), files)
    metadata |= {"source": str(fasta.parent), "subset": None}
    return _install(settings, "reference", version, files, metadata, progress)


def _metadata(
    title: str, licence: str, attribution: str, upstream: str, files: dict[str, SourceFile]
) -> dict[str, Any]:
    return {
        "title": title,
        "licence": licence,
        "attribution": attribution,
        "upstream": upstream,
        "sources": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in files.values()],
    }


def _install(
    settings: Settings,
    name: str,
    version: str,
    files: dict[str, SourceFile],
    metadata: dict[str, Any],
    progress: Progress,
) -> InstalledResource:
    builder = BUILDERS[name]
    source = BuildInput({path: f.local for path, f in files.items()})
    return install(settings, name, version, lambda out: builder(source, out, progress), metadata)
