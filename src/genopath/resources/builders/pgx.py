"""PharmCAT-format pharmacogene data → one normalised JSON file per gene plus the guidelines.

The mirror folder ``pgx-cpic/`` holds gzipped JSON in the format PharmCAT distributes
(allele definitions, exemptions, phenotype maps, CPIC guideline recommendations) and a
``SHA256SUMS`` listing every file. The manifest pins ``SHA256SUMS``; this builder checks
every file it lists against it, so one pinned hash covers the whole folder.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from genopath.core.errors import InputError
from genopath.resources.builders.tables import BuildInput
from genopath.resources.errors import ChecksumError
from genopath.resources.progress import Progress

_TAG = re.compile(r"<[^>]+>")


def build_pgx(source: BuildInput, out: Path, progress: Progress) -> None:
    """Write ``genes/<GENE>.json`` and ``guidelines.json`` into ``out``.

    ``genes/<GENE>.json``: ``gene``, ``chromosome``, ``version`` (definition data version),
    ``variants`` (defining positions: ``position``, ``ref``, ``alts``, ``rsid``, ``hgvs``),
    ``alleles`` (``name``, ``reference``, ``alleles`` aligned with ``variants``; null = the
    reference base), ``exemptions`` (PharmCAT ``exemptions.json`` entry, or ``{}``) and
    ``phenotype`` (``haplotypes`` function, ``activity`` values, ``diplotypes`` with
    ``diplotype``, ``phenotype``, ``lookupkey``, ``activity_score``). Genes with a phenotype
    map but no definition (CYP2D6 is defined, MT-RNR1 is not) get empty ``variants``.

    ``guidelines.json``: a list of guidelines with ``id``, ``name``, ``url``, ``version``,
    ``drugs``, ``genes`` and ``recommendations`` (``drugs``, ``population``,
    ``classification``, ``lookup`` gene → key, ``implications``, ``text`` as plain text).

    Raises
    ------
    ChecksumError
        When a file listed in ``SHA256SUMS`` does not have its listed sha256.
    InputError
        When a listed file is missing or not the expected JSON.
    """
    sums = source.get("pgx-cpic/SHA256SUMS")
    files = _verified(sums, progress)
    exemptions = _load(files["definitions/exemptions.json.gz"])
    genes: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in files if p.startswith("definitions/") and "_translation" in p):
        definition = _load(files[path])
        genes[definition["gene"]] = _gene(definition, exemptions.get(definition["gene"], {}))
    for path in sorted(p for p in files if p.startswith("phenotypes/")):
        phenotype = _load(files[path])
        name = str(phenotype["gene"]).replace("_", "-")
        entry = genes.setdefault(name, _empty_gene(name, str(phenotype.get("version", ""))))
        entry["phenotype"] = _phenotype(phenotype)
    (out / "genes").mkdir()
    for name, entry in genes.items():
        (out / "genes" / f"{name}.json").write_text(json.dumps(entry, sort_keys=True), encoding="utf-8")
    guidelines = [_guideline(_load(files[p])) for p in sorted(files) if p.startswith("guidelines/")]
    (out / "guidelines.json").write_text(json.dumps(guidelines, sort_keys=True), encoding="utf-8")


def _verified(sums: Path, progress: Progress) -> dict[str, Path]:
    listed: dict[str, Path] = {}
    lines = [line.split(maxsplit=1) for line in sums.read_text(encoding="utf-8").splitlines() if line.strip()]
    progress.begin("pharmacogene data", total=len(lines))
    for digest, name in lines:
        path = sums.parent / name.strip()
        if not path.is_file():
            raise InputError(f"{path} is listed in {sums} but missing; re-copy the pgx-cpic folder")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != digest:
            raise ChecksumError(str(path), digest, actual, f"the list {sums}")
        listed[name.strip()] = path
        progress.advance(1)
    progress.end()
    return listed


def _load(path: Path) -> Any:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as e:
        raise InputError(f"{path} is not gzipped JSON ({e}); re-copy the pgx-cpic folder") from e


def _empty_gene(name: str, version: str) -> dict[str, Any]:
    return {
        "gene": name,
        "chromosome": None,
        "version": version,
        "variants": [],
        "alleles": [],
        "exemptions": {},
        "phenotype": None,
    }


def _position(variant: dict[str, Any]) -> dict[str, Any]:
    return {
        "chromosome": variant["chromosome"],
        "position": int(variant["position"]),
        "ref": variant["ref"],
        "alts": list(variant["alts"]),
        "rsid": variant.get("rsid"),
        "hgvs": variant.get("chromosomeHgvsName"),
    }


def _gene(definition: dict[str, Any], exemption: dict[str, Any]) -> dict[str, Any]:
    return {
        "gene": definition["gene"],
        "chromosome": definition["chromosome"],
        "version": definition["version"],
        "variants": [_position(v) for v in definition["variants"]],
        "alleles": [
            {"name": a["name"], "reference": bool(a["reference"]), "alleles": a["alleles"]}
            for a in definition["namedAlleles"]
        ],
        "exemptions": {
            "required_positions": exemption.get("requiredPositions", []),
            "ignored_positions": [int(v["position"]) for v in exemption.get("ignoredPositions", [])],
            "extra_positions": [_position(v) for v in exemption.get("extraPositions", [])],
            "ignored_alleles": exemption.get("ignoredAllelesLc", []),
            "unphased_priorities": [
                {"list": p["list"], "pick": p["pick"]}
                for p in exemption.get("unphasedDiplotypePriorities", [])
            ],
        },
        "phenotype": None,
    }


def _phenotype(phenotype: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": phenotype.get("version"),
        "haplotypes": phenotype.get("haplotypes", {}),
        "activity": phenotype.get("activityValues", {}),
        "diplotypes": [
            {
                "diplotype": d["diplotype"],
                "key": d.get("diplotypekey", {}),
                "phenotype": d.get("generesult"),
                "lookupkey": d.get("lookupkey"),
                "activity_score": d.get("activityScore"),
            }
            for d in phenotype.get("diplotypes", [])
        ],
    }


def _plain(text: str | None) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text or "")).split())


def _text(html_text: str | None) -> dict[str, str]:
    """The recommendation proper, and CPIC's "Other Considerations" that follow it."""
    text = _plain(html_text)
    head, _, tail = text.partition("Other Considerations")
    return {"text": head.strip(), "considerations": tail.strip()}


def _guideline(data: dict[str, Any]) -> dict[str, Any]:
    guideline = data["guideline"]
    return {
        "id": guideline["id"],
        "name": guideline["name"],
        "url": guideline.get("url"),
        "version": data.get("version"),
        "drugs": [c["name"] for c in guideline.get("relatedChemicals", [])],
        "genes": [g["symbol"] for g in guideline.get("relatedGenes", [])],
        "recommendations": [
            {
                "drugs": [c["name"] for c in r.get("relatedChemicals", [])],
                "population": r.get("population"),
                "classification": (r.get("classification") or {}).get("term"),
                "lookup": r.get("lookupKey") or {},
                "implications": r.get("implications", []),
                **_text((r.get("text") or {}).get("html")),
            }
            for r in data.get("recommendations", [])
        ],
    }
