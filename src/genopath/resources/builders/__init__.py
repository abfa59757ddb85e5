"""Builders: each turns a resource's verified upstream-format files into local tables.

A builder is ``build(source, out, progress)``: it reads :class:`BuildInput` files and writes
into ``out`` (a hidden folder published only when the build completes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from genopath.resources.builders.clinvar import build_clinvar
from genopath.resources.builders.genes import build_acmg_sf, build_constraint, build_gencode, build_mane
from genopath.resources.builders.hpo import build_hpo
from genopath.resources.builders.panelapp import build_panelapp
from genopath.resources.builders.pgx import build_pgx
from genopath.resources.builders.reference import build_reference
from genopath.resources.builders.tables import BuildInput
from genopath.resources.progress import Progress

Builder = Callable[[BuildInput, Path, Progress], None]

BUILDERS: dict[str, Builder] = {
    "hpo": build_hpo,
    "mane": build_mane,
    "gencode": build_gencode,
    "clinvar": build_clinvar,
    "clinvar_2star": build_clinvar,
    "constraint": build_constraint,
    "panelapp": build_panelapp,
    "acmg_sf": build_acmg_sf,
    "reference": build_reference,
    "pgx": build_pgx,
}

__all__ = ["BUILDERS", "BuildInput", "Builder"]
