"""A data home with the committed demo bundle installed, shared by the interpretation tests."""

from __future__ import annotations

import pytest

from genopath.core.settings import Settings
from genopath.resources import install_bundle


@pytest.fixture(scope="session")
def bundle_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose home has every demo-bundle resource installed (MANE, ClinVar, constraint,
    PanelApp, ACMG SF, the BRCA1-locus reference slice, PGx)."""
    settings = Settings(home=tmp_path_factory.mktemp("interpretation-home"))
    install_bundle(settings)
    return settings
