"""Installed resources: require/versions, atomic installation, interrupted builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genopath.core.errors import NotFoundError
from genopath.core.settings import Settings
from genopath.resources import ResourceMissing, build_resources, bundle_path, installed, require, versions
from genopath.resources import builders as builders_module


def test_require__missing_resource_names_the_command(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ResourceMissing) as e:
        require(settings, "clinvar")
    assert isinstance(e.value, NotFoundError)
    assert "genopath resources build clinvar --from DIR" in e.value.message
    assert "genopath resources fetch clinvar" in e.value.message
    with pytest.raises(ResourceMissing, match="genopath resources"):
        versions(settings, ["mane"])
    assert installed(settings) == {}


def test_build__unknown_name_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ResourceMissing, match="known resources: hpo, mane"):
        build_resources(Settings(home=tmp_path / "home"), ["clinvr"], source=bundle_path())


def test_build__interrupted_build_keeps_the_previous_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path / "home")
    (first,) = build_resources(settings, ["acmg_sf"], source=bundle_path())
    record = (first.path / "resource.json").read_text()

    def interrupted(source: object, out: Path, progress: object) -> None:
        (out / "genes.parquet").write_bytes(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setitem(builders_module.BUILDERS, "acmg_sf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_resources(settings, ["acmg_sf"], source=bundle_path())
    root = settings.home / "resources" / "acmg_sf"
    assert sorted(p.name for p in root.iterdir()) == ["3.3", "current.json"]
    assert require(settings, "acmg_sf") == first
    assert (first.path / "resource.json").read_text() == record
    assert (first.path / "genes.parquet").read_bytes()[:4] == b"PAR1"


def test_build__leftover_tmp_folders_cleaned_and_rebuild_replaces(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    build_resources(settings, ["acmg_sf"], source=bundle_path())
    root = settings.home / "resources" / "acmg_sf"
    (root / ".3.3.tmp-crashed").mkdir()
    (root / ".3.3.tmp-crashed" / "genes.parquet").write_bytes(b"junk")
    (again,) = build_resources(settings, ["acmg_sf"], source=bundle_path())
    assert sorted(p.name for p in root.iterdir()) == ["3.3", "current.json"]
    assert json.loads((root / "current.json").read_text()) == {"version": "3.3"}
    assert again.subset == "demo bundle"


def test_build__bundle_without_hpo_says_so(tmp_path: Path) -> None:
    with pytest.raises(
        ResourceMissing, match=r"does not include resource 'hpo' \(the demo uses the HPO release embedded"
    ):
        build_resources(Settings(home=tmp_path / "home"), ["hpo"], source=bundle_path())


def test_build__nothing_fetched_names_fetch(tmp_path: Path) -> None:
    with pytest.raises(ResourceMissing, match="genopath resources fetch"):
        build_resources(Settings(home=tmp_path / "home"), ["clinvar"])
