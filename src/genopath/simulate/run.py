"""``simulate_cases``: synthetic rare-disease families with a known diagnosis, written to disk.

Each case is drawn from its own random streams (see :mod:`genopath.simulate.case`), so a case
depends only on the seed, its index and its options: the same seed gives byte-identical files,
and case 7 is the same whether 10 or 200 cases are made.

Per case, in ``<out>/<case_id>/``: ``case.vcf.gz`` (+ ``.tbi``), ``case.ped``, ``hpo.txt`` and
``truth.json``; ``<out>/manifest.json`` lists the cases. Every file is written to a temporary
name and moved into place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import genopath
from genopath.core.errors import InputError
from genopath.core.files import write_text_atomic
from genopath.core.settings import Settings
from genopath.resources import SILENT, Progress
from genopath.simulate.case import Case, SimulatedCase
from genopath.simulate.catalogue import Catalogue
from genopath.simulate.diseases import SIM_MOIS
from genopath.simulate.families import STRUCTURES

BACKGROUNDS = ("coding", "wgs")
#: Share of simulated cases by mode of inheritance when several are allowed: roughly the mix of
#: diagnoses in rare-disease genome sequencing (de novo dominant ≈ half in paediatric cohorts;
#: 100,000 Genomes Project Pilot Investigators, N Engl J Med 2021;385:1868).
MOI_WEIGHTS = {"AD": 0.45, "AR": 0.40, "XLR": 0.10, "XLD": 0.05}


def simulate_cases(
    settings: Settings,
    out_dir: Path,
    *,
    n_cases: int,
    structures: Sequence[str],
    mois: Sequence[str] | None = None,
    seed: int = 0,
    background: str = "coding",
    wgs_variants: int = 4_000_000,
    progress: Progress = SILENT,
) -> list[SimulatedCase]:
    """Simulate ``n_cases`` families and write them under ``out_dir``.

    Parameters
    ----------
    settings
        The data home whose installed resources are drawn from (``mane``, ``clinvar`` and/or
        ``clinvar_2star``; optionally ``reference`` and ``hpo``).
    out_dir
        Created if needed; one folder per case (``SIM0001`` …) and ``manifest.json``.
    n_cases
        Number of families, at least 1.
    structures
        Family structures (``singleton``, ``duo``, ``trio``, ``quad``; ``mixed`` = all four),
        used in turn: case *i* gets ``structures[i % len(structures)]``.
    mois
        Modes of inheritance to draw from (``AD``, ``AR``, ``XLR``, ``XLD``); default all, in
        the proportions of :data:`MOI_WEIGHTS`.
    seed
        Seed of every random draw.
    background
        ``coding`` (ClinVar benign variants, recessive carriers, rare decoys) or ``wgs`` (the
        same plus ``wgs_variants`` non-coding variants per person on chr1–22).
    progress
        Receives one step per case (chromosomes written) after the resources are loaded.

    Returns
    -------
    list[SimulatedCase]
        In case order.

    Raises
    ------
    InputError
        For a bad count, structure, mode or background, or when no disease fits the modes asked.
    ResourceMissing
        When ``mane`` or both ClinVar resources are not installed.
    """
    structures = _check_options(n_cases, structures, mois, background, wgs_variants, out_dir)
    catalogue = Catalogue.load(settings, progress)
    weights = _moi_weights(catalogue, mois)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = []
    for index in range(n_cases):
        case = Case(catalogue, index, seed, structures[index % len(structures)], weights)
        cases.append(case.write(out_dir, background, wgs_variants, progress))
    manifest = {
        "schema": "genopath.simulate.manifest/1",
        "genopath_version": genopath.__version__,
        "seed": seed,
        "options": {
            "n_cases": n_cases,
            "structures": list(structures),
            "mois": sorted(weights),
            "background": background,
            "wgs_variants": wgs_variants if background == "wgs" else None,
        },
        "resources": catalogue.versions,
        "cases": [_manifest_row(c, out_dir) for c in cases],
    }
    write_text_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return cases


def _check_options(
    n_cases: int,
    structures: Sequence[str],
    mois: Sequence[str] | None,
    background: str,
    wgs_variants: int,
    out_dir: Path,
) -> list[str]:
    if n_cases < 1:
        raise InputError(f"the number of cases must be at least 1, not {n_cases}")
    if isinstance(structures, str):
        structures = [structures]
    expanded = [s for name in structures for s in (STRUCTURES if name == "mixed" else (name,))]
    unknown = sorted({s for s in expanded if s not in STRUCTURES})
    if unknown or not expanded:
        raise InputError(
            f"unknown family structure {', '.join(unknown) or '(none given)'}; choose from "
            f"{', '.join(STRUCTURES)} or mixed"
        )
    bad = sorted({m for m in mois or () if m not in SIM_MOIS})
    if bad or (mois is not None and not mois):
        raise InputError(
            f"unknown mode of inheritance {', '.join(bad) or '(none given)'}; choose from {', '.join(SIM_MOIS)}"
        )
    if background not in BACKGROUNDS:
        raise InputError(f"background must be coding or wgs, not {background!r}")
    if background == "wgs" and wgs_variants < 1:
        raise InputError(f"--wgs-variants must be at least 1, not {wgs_variants}")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"output {out_dir} exists and is not a folder; give a folder for the cases")
    return expanded


def _moi_weights(catalogue: Catalogue, mois: Sequence[str] | None) -> dict[str, float]:
    wanted = list(mois) if mois is not None else list(SIM_MOIS)
    weights = {m: MOI_WEIGHTS[m] for m in wanted if catalogue.by_moi.get(m)}
    missing = [m for m in wanted if m not in weights]
    if mois is not None and missing:
        raise InputError(
            f"no disease with mode of inheritance {', '.join(missing)} has a gene with ClinVar P/LP variants in "
            f"the installed resources ({catalogue.summary()}); install the full ClinVar tables with "
            "`genopath resources build clinvar_2star --from DIR` or choose other --moi"
        )
    if not weights:
        raise InputError(
            f"no disease of the HPO annotations has a gene with usable ClinVar P/LP variants ({catalogue.summary()}); "
            "install ClinVar with `genopath resources build clinvar_2star --from DIR`"
        )
    return weights


def _manifest_row(case: SimulatedCase, out_dir: Path) -> dict[str, Any]:
    t = case.truth
    return {
        "case_id": case.case_id,
        "dir": str(case.case_dir.relative_to(out_dir)),
        "vcf": str(case.vcf.relative_to(out_dir)),
        "ped": str(case.ped.relative_to(out_dir)),
        "hpo": list(case.hpo),
        "structure": t["structure"],
        "proband": t["family"]["proband"],
        "moi": t["moi"],
        "genotype_model": t["genotype_model"],
        "gene": t["gene"],
        "disease_id": t["disease"]["id"],
        "variants": [v["key"] for v in t["variants"]],
    }
