"""Building from the full reference-data mirror (skipped when the mirror is absent)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from genopath.core.settings import Settings
from genopath.resources import RESOURCES, ChecksumError, build_resources, require
from genopath.resources.sources import sha256_file


def _data_lines(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]


def test_manifest__checksums_match_the_mirror(mirror: Path) -> None:
    for resource in RESOURCES.values():
        for f in resource.files:
            local = mirror / f.path
            assert sha256_file(local) == f.sha256, f.path
            assert f.size is None or local.stat().st_size == f.size


def test_clinvar__full_files_counted_from_text(mirror: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    clinvar, star2 = build_resources(settings, ["clinvar", "clinvar_2star"], source=mirror)
    assert clinvar.subset is None and clinvar.version == "2026-02-26"
    records = _data_lines(mirror / RESOURCES["clinvar"].files[0].path)
    assert len(records) == 69302  # the mirror README's count
    with_alt = [r for r in records if r[4] != "."]
    table = pq.read_table(clinvar.path / "variants.parquet")
    assert table.num_rows == len(with_alt)
    # The README counts 14,998 records in the BRCA1 slice interval.
    assert sum(1 for r in records if r[0] == "17" and 42425000 <= int(r[1]) <= 43600000) == 14998
    rows = pq.read_table(star2.path / "variants.parquet", columns=["chrom", "sig_class", "stars"]).to_pylist()
    text = [
        r
        for name in ("pathogenic", "benign")
        for r in _data_lines(mirror / f"clinvar/clinvar_20200803_grch38_{name}_2star.vcf.gz")
        if r[4] != "."
    ]
    assert len(rows) == len(text)
    assert sum(r["chrom"] == "chrM" for r in rows) == sum(r[0] == "MT" for r in text) > 0
    assert all(r["stars"] >= 2 for r in rows)


def test_hpo__pyhpo_loads_the_built_folder(mirror: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    (hpo,) = build_resources(settings, ["hpo"], source=mirror)
    # In a child process: pyhpo's ontology is a process-wide singleton the registry tests use.
    script = "import sys; from pyhpo import Ontology; Ontology(sys.argv[1]); print(Ontology.version())"
    out = subprocess.run(
        [sys.executable, "-c", script, str(hpo.path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2025-01-16"


def test_mirror__tampered_file_is_refused_and_nothing_installed(mirror: Path, tmp_path: Path) -> None:
    copy = tmp_path / "mirror"
    (copy / "acmg-sf").mkdir(parents=True)
    text = (mirror / "acmg-sf/acmg_sf_v3.3.tsv").read_text()
    (copy / "acmg-sf/acmg_sf_v3.3.tsv").write_text(text.replace("Dliated", "Dilated"))
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ChecksumError) as e:
        build_resources(settings, ["acmg_sf"], source=copy)
    assert (
        "acmg-sf/acmg_sf_v3.3.tsv" in e.value.message
        and RESOURCES["acmg_sf"].files[0].sha256 in e.value.message
    )
    assert not (settings.home / "resources" / "acmg_sf" / "3.3").exists()


def test_build__default_source_is_the_configured_mirror(mirror: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", resource_mirror=mirror)
    (built,) = build_resources(settings, ["constraint"])
    rows = pq.read_table(built.path / "genes.parquet").to_pylist()
    assert len(rows) == 17481
    assert sum(1 for r in rows if r["loeuf"] is not None and r["loeuf"] < 0.6) == 3784  # README count
    assert require(settings, "constraint").path == built.path
    shutil.rmtree(built.path.parent)
