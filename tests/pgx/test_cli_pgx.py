"""``genopath pgx`` as a user drives it: JSON + HTML/PDF report, consent gate and audit, missing resource."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import genopath
from genopath.cli.main import app
from genopath.pgx.definitions import PgxData
from tests.pgx.conftest import vcf_text
from tests.pgx.test_vcf import rows_for

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "genopath" / "examples"
SAMPLE = "HK01-proband"

Cli = Callable[..., str]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run genopath commands against a fresh SQLite data home."""
    monkeypatch.delenv("GENOPATH_DATABASE_URL", raising=False)
    monkeypatch.delenv("GENOPATH_USER", raising=False)
    runner = CliRunner()
    home = tmp_path / "home"

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["--home", str(home), *args])
        output = result.stdout + (result.stderr or "")
        assert result.exit_code == code, (
            f"genopath {' '.join(args)} exited {result.exit_code}:\n{output}\n{result.exception!r}"
        )
        return output

    run("init")
    return run


@pytest.fixture
def vcf(pgx_data: PgxData, write_vcf: Callable[..., Path]) -> Path:
    return write_vcf(
        vcf_text(rows_for(pgx_data.definition("CYP2C19"), [("*2", "*17")]), samples=(SAMPLE,)),
        compress="bgzip",
    )


def test_pgx__json_html_and_pdf(cli: Cli, vcf: Path, tmp_path: Path) -> None:
    cli("resources", "build", "pgx", "--demo-bundle")
    out, html, pdf = tmp_path / "pgx.json", tmp_path / "r.html", tmp_path / "r.pdf"
    printed = cli(
        "pgx",
        "--vcf",
        str(vcf),
        "--out",
        str(out),
        "--gene",
        "CYP2C19",
        "--report",
        str(html),
        "--report",
        str(pdf),
    )
    assert "*2/*17" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["genopath_version"] == genopath.__version__
    assert document["resources"]["pgx"] == "2025-11-05"
    [sample] = document["samples"]
    cyp2c19 = next(g for g in sample["genes"] if g["gene"] == "CYP2C19")
    assert [d["name"] for d in cyp2c19["diplotypes"]] == ["*2/*17"]
    assert cyp2c19["phenotype"] == "Intermediate Metabolizer"
    text = html.read_text(encoding="utf-8")
    assert f"Sample {SAMPLE}" in text and "DRAFT" in text and "*2/*17" in text and "clopidogrel" in text
    assert pdf.read_bytes().startswith(b"%PDF")


def test_pgx__missing_resource_names_the_command(cli: Cli, vcf: Path, tmp_path: Path) -> None:
    out = tmp_path / "pgx.json"
    message = cli("pgx", "--vcf", str(vcf), "--out", str(out), code=2)
    assert "genopath resources" in message and "pgx" in message
    assert not out.exists()


def test_pgx__truncated_vcf_exits_cleanly_and_writes_nothing(cli: Cli, vcf: Path, tmp_path: Path) -> None:
    cli("resources", "build", "pgx", "--demo-bundle")
    data = vcf.read_bytes()
    vcf.write_bytes(data[: len(data) // 2])
    Path(f"{vcf}.tbi").unlink()
    out, html = tmp_path / "pgx.json", tmp_path / "r.html"
    message = cli("pgx", "--vcf", str(vcf), "--out", str(out), "--report", str(html), code=2)
    assert "error" in message
    assert not out.exists() and not html.exists()


def _consent(cli: Cli, *flags: str) -> None:
    cli(
        "registry", "consent", "record", "P000001",
        "--form-version", "CF-2", "--signed-on", "2026-03-02", "--signer", "parent", *flags,
    )  # fmt: skip


def test_pgx__participant_needs_pharmacogenomics_consent_and_is_audited(
    cli: Cli, vcf: Path, tmp_path: Path
) -> None:
    cli("resources", "build", "pgx", "--demo-bundle")
    cli("registry", "centre", "add", "HKCH", "Hong Kong Children's Hospital")
    cli(
        "registry", "family", "import", str(EXAMPLES / "hkch_families.ped"), "--centre", "HKCH",
        "--hpo", str(EXAMPLES / "hkch_phenotypes.tsv"), "--identities", str(EXAMPLES / "hkch_identities.tsv"),
    )  # fmt: skip
    _consent(cli)
    out = tmp_path / "pgx.json"
    args = ("pgx", "--vcf", str(vcf), "--out", str(out), "--gene", "CYP2C19", "--participant", "P000001")
    refused = cli(*args, code=2)
    assert "pharmacogenomics" in refused.lower()
    assert not out.exists()
    assert "pgx.run" not in cli("registry", "audit", "list", "--entity", "P000001")

    _consent(cli, "--pharmacogenomics")
    failed = ("pgx", "--vcf", str(vcf), "--out", str(out), "--gene", "CYP9Z9", "--participant", "P000001")
    assert "CYP9Z9" in cli(*failed, code=2)
    assert not out.exists()
    assert "pgx.run" not in cli("registry", "audit", "list", "--entity", "P000001")  # nothing was produced

    cli(*args)
    assert json.loads(out.read_text(encoding="utf-8"))["samples"][0]["sample"] == SAMPLE
    entries = cli("registry", "audit", "list", "--entity", "P000001")
    assert "pgx.run" in entries and "pgx.json" in entries
