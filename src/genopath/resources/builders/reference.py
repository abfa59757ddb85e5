"""A bgzipped, faidx-indexed GRCh38 FASTA → ``genome.fa.gz`` (+ ``.fai``, ``.gzi``) and ``contigs.json``."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import pysam

from genopath.core.errors import InputError
from genopath.resources.builders.tables import BuildInput
from genopath.resources.contigs import Contig, describe_contigs
from genopath.resources.progress import Progress

_BGZF_MAGIC = b"\x1f\x8b\x08\x04"
_FIX = "compress it with `bgzip` and index it with `samtools faidx` (both from htslib/samtools)"


def check_fasta(fasta: Path) -> list[Contig]:
    """Check that ``fasta`` is a BGZF-compressed, faidx-indexed GRCh38 FASTA; return its contigs.

    Raises
    ------
    InputError
        When it is plain text or plain gzip (not BGZF), when ``.fai``/``.gzi`` are missing,
        when the index does not fit, or when the contig lengths say GRCh37 or an unknown build.
    """
    with fasta.open("rb") as handle:
        head = handle.read(18)
    if not head.startswith(_BGZF_MAGIC) or head[12:14] != b"BC":
        kind = "plain gzip" if head.startswith(b"\x1f\x8b") else "not compressed"
        raise InputError(f"{fasta} is {kind}, not BGZF; {_FIX}")
    missing = [s for s in (".fai", ".gzi") if not Path(f"{fasta}{s}").is_file()]
    if missing:
        raise InputError(f"{fasta} has no index ({', '.join(f'{fasta.name}{m}' for m in missing)}); {_FIX}")
    try:
        with pysam.FastaFile(str(fasta)) as handle:
            lengths = dict(zip(handle.references, handle.lengths, strict=True))
            contigs = describe_contigs(lengths, source=str(fasta))
            for contig in contigs[:1]:  # an index that belongs to another file fails here
                handle.fetch(contig.name, contig.length - 1, contig.length)
    except (OSError, ValueError) as e:
        raise InputError(
            f"{fasta} cannot be read with its index ({e}); re-index it with `samtools faidx`"
        ) from e
    return contigs


def fasta_files(source: BuildInput) -> tuple[Path, Path, Path]:
    """The FASTA and its ``.fai`` and ``.gzi`` among the source files."""
    fasta = next(p for name, p in source.files.items() if not name.endswith((".fai", ".gzi")))
    return fasta, Path(f"{fasta}.fai"), Path(f"{fasta}.gzi")


def build_reference(source: BuildInput, out: Path, progress: Progress) -> None:
    """Copy the FASTA and its indexes as ``genome.fa.gz`` (+ ``.fai``/``.gzi``) and write
    ``contigs.json``: a list of ``{name, length, chrom, offset}`` (see
    :class:`genopath.resources.contigs.Contig`): a slice named ``chr17_42425000_43600000``
    has chrom ``chr17`` and offset 42424999 (slice position p is chromosome position p + offset).
    """
    progress.begin("reference FASTA")
    fasta, fai, gzi = fasta_files(source)
    contigs = check_fasta(fasta)
    for src, name in ((fasta, "genome.fa.gz"), (fai, "genome.fa.gz.fai"), (gzi, "genome.fa.gz.gzi")):
        shutil.copyfile(src, out / name)
    (out / "contigs.json").write_text(
        json.dumps([asdict(c) for c in contigs], indent=2) + "\n", encoding="utf-8"
    )
    progress.end()
