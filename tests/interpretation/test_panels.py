"""Panels from the installed demo PanelApp release and from files; GEL-style tiers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.interpretation.model import Acmg, GeneCandidate
from genopath.interpretation.panels import Panel, PanelGene, list_panels, load_panels, moi_compatible, tier


def test_load_panels__panelapp_id_from_the_bundle(bundle_settings: Settings) -> None:
    # Panel 635 "Inherited breast cancer and ovarian cancer" v2.18 is in the demo bundle's
    # PanelApp core TSV with 7 green genes; BRCA1 is AD/AR there.
    [panel] = load_panels(bundle_settings, ["635"])
    assert (panel.panel_id, panel.name, panel.version) == (
        "635",
        "Inherited breast cancer and ovarian cancer",
        "2.18",
    )
    assert sorted(panel.genes) == ["ATM", "BRCA1", "BRCA2", "CHEK2", "PALB2", "RAD51C", "RAD51D"]
    assert panel.genes["BRCA1"] == PanelGene("BRCA1", 3, "AD/AR")
    assert panel.as_dict() == {
        "id": "635",
        "name": "Inherited breast cancer and ovarian cancer",
        "version": "2.18",
    }


def test_load_panels__one_per_spec_in_order(bundle_settings: Settings) -> None:
    panels = load_panels(bundle_settings, ["749", " 635"])
    assert [p.panel_id for p in panels] == ["749", "635"]
    cardio = panels[0]
    assert cardio.genes["DMD"].moi == "XL" and cardio.genes["GLA"].confidence == 2
    with pytest.raises(InputError, match="an empty panel"):
        load_panels(bundle_settings, ["635", " "])


def test_load_panels__unknown_id_names_it_and_the_available_panels(bundle_settings: Settings) -> None:
    with pytest.raises(InputError) as e:
        load_panels(bundle_settings, ["9999"])
    message = e.value.message
    assert "PanelApp panel 9999 is not in the installed panelapp resource" in message
    assert "635 (Inherited breast cancer and ovarian cancer)" in message
    assert "genopath resources status" in message
    assert {p["panel_id"] for p in list_panels(bundle_settings)} >= {245, 504, 541, 635, 657, 749}


def test_load_panels__one_symbol_per_line_file(bundle_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "my_panel.txt"
    path.write_text("# hereditary cancer, local list\nbrca1\nTP53\n\nBRCA1\n")
    [panel] = load_panels(bundle_settings, [str(path)])
    assert panel.panel_id == str(path) and panel.name == "my_panel.txt"
    assert panel.version is not None and panel.version.startswith("sha256:")
    assert panel.genes == {"BRCA1": PanelGene("BRCA1", 3, None), "TP53": PanelGene("TP53", 3, None)}


def test_load_panels__tsv_with_header(bundle_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "panel.tsv"
    path.write_text("gene_symbol\tconfidence\tmoi\nATP7B\tamber\tAR\nBRCA2\t3\tAD\nRB1\t\t\n")
    [panel] = load_panels(bundle_settings, [str(path)])
    assert panel.genes == {
        "ATP7B": PanelGene("ATP7B", 2, "AR"),
        "BRCA2": PanelGene("BRCA2", 3, "AD"),
        "RB1": PanelGene("RB1", 3, None),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("BRCA1\nNOTAGENE1\nFAKE2\n", "gene symbol(s) not in MANE 1.5 (the installed mane resource, "),
        ("gene_symbol\tmoi\nBRCA1\tsometimes\n", "mode of inheritance 'sometimes' is not one of AD, AR"),
        ("gene_symbol\tconfidence\nBRCA1\tpurple\n", "confidence 'purple' is not 0–3 or green/amber/red"),
        ("BRCA1\t3\nTP53\t2\n", "line 1 has several columns but the file has no header naming gene_symbol"),
        ("# nothing\n\n", "lists no genes"),
        ("gene_symbol\n", "has a header but lists no genes"),
    ],
)
def test_load_panels__bad_files(
    bundle_settings: Settings, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(InputError) as e:
        load_panels(bundle_settings, [str(path)])
    assert message in e.value.message
    if "MANE" in message:
        assert "FAKE2, NOTAGENE1" in e.value.message and "BRCA1" not in e.value.message.split(":")[-1]


def test_load_panels__missing_file(bundle_settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="neither a PanelApp panel ID"):
        load_panels(bundle_settings, [str(tmp_path / "absent.tsv")])


@pytest.mark.parametrize(
    ("panel_moi", "moi", "ok"),
    [("AD", "AD", True), ("AD", "AR", False), ("AR", "AR", True), ("AR", "AD", False), ("AD/AR", "AD", True),
     ("AD/AR", "AR", True), ("AD/AR", "XLR", False), ("XL", "XLR", True), ("XL", "XLD", True), ("XL", "AD", False),
     ("MT", "MT", True), ("MT", "AR", False), ("NA", "XLD", True), (None, "MT", True), ("XLR", "XLD", False)],
)  # fmt: skip
def test_moi_compatible(panel_moi: str | None, moi: str, ok: bool) -> None:
    assert moi_compatible(panel_moi, moi) is ok


# --------------------------------------------------------------------------- tiers

K1 = ("chr17", 43_045_712, "T", "C")
K2 = ("chr17", 43_050_000, "G", "A")
PANEL = Panel(
    "1",
    "test",
    "1.0",
    {
        "BRCA1": PanelGene("BRCA1", 3, "AD/AR"),
        "BRCA2": PanelGene("BRCA2", 3, "AD"),
        "ATP7B": PanelGene("ATP7B", 3, "AR"),
        "GLA": PanelGene("GLA", 2, "XL"),
        "DMD": PanelGene("DMD", 3, "XL"),
        "RED1": PanelGene("RED1", 1, None),
    },
)
VUS = Acmg("Uncertain significance", 2, ("PM2_Supporting", "PP3"))


def _row(term: str, **kw: Any) -> dict[str, Any]:
    return {"consequence": term, "most_severe": term, **kw}


def _tier(gene: str, moi: str, *rows: dict[str, Any], de_novo: bool = False, acmg: Acmg = VUS,
          panels: tuple[Panel, ...] = (PANEL,)) -> str:  # fmt: skip
    keys = (K1, K2)[: len(rows)]
    c = GeneCandidate(gene, moi, keys, "test", de_novo=de_novo)
    return tier(c, dict.fromkeys(keys, acmg), dict(zip(keys, rows, strict=True)), panels)


def test_tier1__high_impact_or_de_novo_in_green_gene_with_matching_moi() -> None:
    assert _tier("BRCA1", "AD", _row("stop_gained")) == "TIER1"
    assert _tier("BRCA1", "AR", _row("frameshift_variant")) == "TIER1"  # AD/AR admits AR
    assert _tier("BRCA2", "AD", _row("missense_variant"), de_novo=True) == "TIER1"
    assert _tier("BRCA2", "AD", _row("synonymous_variant"), de_novo=True) == "TIER3"
    assert _tier("DMD", "XLR", _row("splice_donor_variant")) == "TIER1"


def test_tier1__clinvar_pathogenic_with_a_star() -> None:
    assert _tier("BRCA2", "AD", _row("missense_variant", clinvar_class="P", clinvar_stars=2)) == "TIER1"
    assert _tier("BRCA2", "AD", _row("missense_variant", clinvar_class="LP", clinvar_stars=0)) == "TIER2"
    assert _tier("GLA", "XLR", _row("missense_variant", clinvar_class="LP", clinvar_stars=1)) == "TIER1"


def test_tier2__moderate_impact_or_amber() -> None:
    assert _tier("BRCA2", "AD", _row("missense_variant")) == "TIER2"
    assert _tier("BRCA2", "AD", _row("inframe_deletion")) == "TIER2"
    assert _tier("BRCA2", "AD", _row("splice_region_variant&intron_variant", impact="LOW")) == "TIER2"
    assert _tier("GLA", "XLD", _row("stop_gained")) == "TIER2"  # high impact but amber


def test_tier3__off_panel_wrong_moi_low_impact_benign_red() -> None:
    assert _tier("TP53", "AD", _row("stop_gained")) == "TIER3"
    assert _tier("BRCA2", "AR", _row("stop_gained")) == "TIER3"  # panel says AD
    assert _tier("BRCA2", "AD", _row("synonymous_variant")) == "TIER3"
    assert _tier("BRCA2", "AD", _row("stop_gained"), acmg=Acmg("Likely benign", -2, ("BP4",))) == "TIER3"
    assert _tier("RED1", "AD", _row("stop_gained")) == "TIER3"
    assert _tier("BRCA2", "AD", _row("stop_gained"), panels=()) == "TIER3"


def test_tier__compound_heterozygous_takes_the_lower_tier() -> None:
    assert _tier("ATP7B", "AR", _row("stop_gained"), _row("frameshift_variant")) == "TIER1"
    assert _tier("ATP7B", "AR", _row("stop_gained"), _row("missense_variant")) == "TIER2"
    assert _tier("ATP7B", "AR", _row("stop_gained"), _row("synonymous_variant")) == "TIER3"


def test_tier__panel_genes_from_the_bundle(bundle_settings: Settings) -> None:
    panels = tuple(load_panels(bundle_settings, ["635", "749"]))
    assert _tier("BRCA1", "AD", _row("stop_gained"), panels=panels) == "TIER1"
    assert _tier("ACADVL", "AR", _row("missense_variant"), _row("missense_variant"), panels=panels) == "TIER2"
    assert _tier("ACADVL", "AD", _row("stop_gained"), panels=panels) == "TIER3"
