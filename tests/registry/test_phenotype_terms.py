"""Checking HPO terms and onsets against the HPO release embedded in ``hpo3`` (2025-11-24).

The term IDs below are facts of that release; ``test_hpo_version__pinned`` fails first when the
``hpo3`` package brings another one, so that these expectations are reviewed, not silently kept.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest

from genopath.core.errors import InputError, PhenotypeError
from genopath.registry.phenotypes import Term, hpo_version, resolve_onset, resolve_term

MIRROR = Path(
    os.environ.get("GENOPATH_RESOURCE_MIRROR", Path(__file__).resolve().parents[3] / "shared" / "data")
)
HP_OBO = MIRROR / "hpo" / "hp.obo.gz"


def test_hpo_version__pinned() -> None:
    assert hpo_version() == "2025-11-24"


# --- resolve_term ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hpo_id", "label"),
    [
        ("HP:0001250", "Seizure"),
        ("HP:0008665", "Clitoral hypertrophy"),
        ("HP:0000118", "Phenotypic abnormality"),
    ],
)
def test_resolve_term__current_phenotype(hpo_id: str, label: str) -> None:
    assert resolve_term(hpo_id) == Term(hpo_id, label)


def test_resolve_term__case_and_whitespace_normalised() -> None:
    assert resolve_term("  hp:0001250\n") == Term("HP:0001250", "Seizure")


def test_resolve_term__unknown_id() -> None:
    with pytest.raises(PhenotypeError) as e:
        resolve_term("HP:9999999")
    assert "unknown HPO ID HP:9999999" in e.value.message
    assert "2025-11-24" in e.value.message


def test_resolve_term__obsolete_names_replacement() -> None:
    with pytest.raises(PhenotypeError) as e:
        resolve_term("HP:0000057")
    assert e.value.message.startswith("HP:0000057 (Clitoromegaly) is obsolete in HPO 2025-11-24")
    assert "use HP:0008665 (Clitoral hypertrophy) instead" in e.value.message


def test_resolve_term__obsolete_without_single_replacement() -> None:
    # HP:0000535 was split into two terms (replaced_by HP:0045074 and HP:0045075 in hp.obo).
    with pytest.raises(PhenotypeError, match=r"HP:0000535 .* is obsolete .*; choose a current term"):
        resolve_term("HP:0000535")


def test_resolve_term__obsolete_replacement_chain_followed() -> None:
    with pytest.raises(PhenotypeError) as e:
        resolve_term("HP:0410382")
    assert "use HP:0410379" in e.value.message
    assert "use HP:0025623" not in e.value.message


@pytest.mark.parametrize("value", ["HP:123", "HP:00012500", "0001250", "HPO:0001250", "HP0001250", ""])
def test_resolve_term__malformed(value: str) -> None:
    with pytest.raises(PhenotypeError) as e:
        resolve_term(value)
    assert e.value.message == f"{value!r} is not an HPO ID; HPO IDs look like HP:0001250"


@pytest.mark.parametrize(
    ("hpo_id", "label"),
    [
        ("HP:0000006", "Autosomal dominant inheritance"),
        ("HP:0003577", "Congenital onset"),
        ("HP:0000001", "All"),
    ],
)
def test_resolve_term__outside_phenotypic_abnormality(hpo_id: str, label: str) -> None:
    with pytest.raises(PhenotypeError) as e:
        resolve_term(hpo_id)
    assert e.value.message.startswith(
        f"{hpo_id} ({label}) is not a phenotypic abnormality (under HP:0000118)"
    )


def test_phenotype_error__is_an_input_error() -> None:
    with pytest.raises(InputError):
        resolve_term("HP:123")


@pytest.mark.skipif(not HP_OBO.exists(), reason=f"HPO mirror not found at {HP_OBO}")
def test_resolve_term__obsolete_in_hp_obo_refused() -> None:
    """Every term marked obsolete in the mirrored hp.obo (2025-01-16) is refused as obsolete:
    HPO never revives an obsolete ID, so the later embedded release must agree."""
    obsolete, current = [], None
    with gzip.open(HP_OBO, "rt") as f:
        for line in f:
            if line.startswith("id: HP:"):
                current = line[4:].strip()
            elif line.strip() == "is_obsolete: true":
                obsolete.append(current)
    assert len(obsolete) > 100
    for hpo_id in obsolete:
        with pytest.raises(PhenotypeError, match=re.escape(f"{hpo_id} (") + ".* is obsolete in HPO"):
            resolve_term(hpo_id)


# --- resolve_onset --------------------------------------------------------------------------------


@pytest.mark.parametrize("onset", ["HP:0003577", "HP:0011462", "hp:0003577"])
def test_resolve_onset__onset_term(onset: str) -> None:
    assert resolve_onset(onset) == onset.upper()


@pytest.mark.parametrize(
    ("onset", "expected"),
    [("P3Y6M", "P3Y6M"), ("P3Y", "P3Y"), ("P10W", "P10W"), ("P2D", "P2D"), ("p1y2m3w4d", "P1Y2M3W4D")],
)
def test_resolve_onset__iso_age(onset: str, expected: str) -> None:
    assert resolve_onset(onset) == expected


@pytest.mark.parametrize("onset", [None, "", "   "])
def test_resolve_onset__absent(onset: str | None) -> None:
    assert resolve_onset(onset) is None


@pytest.mark.parametrize("onset", ["P", "P3", "P6M3Y", "3Y", "PT5H", "P1.5Y"])
def test_resolve_onset__malformed_age(onset: str) -> None:
    with pytest.raises(PhenotypeError, match=re.escape(repr(onset))):
        resolve_onset(onset)


def test_resolve_onset__phenotype_term_is_not_an_onset() -> None:
    with pytest.raises(PhenotypeError) as e:
        resolve_onset("HP:0001250")
    assert e.value.message.startswith(
        "onset HP:0001250 (Seizure) is not an HPO onset term (under HP:0003674)"
    )


def test_resolve_onset__unknown_term() -> None:
    with pytest.raises(PhenotypeError, match="unknown HPO ID HP:9999999"):
        resolve_onset("HP:9999999")
