"""``genopath resources`` as a user drives it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from genopath.cli.main import app
from genopath.resources import bundle_path


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GENOPATH_RESOURCE_MIRROR", raising=False)
    monkeypatch.delenv("GENOPATH_RESOURCE_BASE_URL", raising=False)
    runner = CliRunner()
    home = tmp_path / "home"

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["--home", str(home), "resources", *args])
        output = result.stdout + (result.stderr or "")
        assert result.exit_code == code, f"resources {' '.join(args)} exited {result.exit_code}:\n{output}"
        return output

    return invoke


def test_status__before_anything_lists_missing_with_commands(run) -> None:
    out = run("status")
    assert "missing clinvar: run `genopath resources build clinvar --from DIR`" in out
    assert "HPO release embedded in hpo3" in out


def test_build_from_bundle__then_status_flags_demo(run) -> None:
    out = run("build", "--from", str(bundle_path()), "clinvar", "acmg_sf")
    assert "clinvar 2026-02-26 (demo bundle) installed" in out and "acmg_sf 3.3 (demo bundle)" in out
    status = run("status")
    row = next(line for line in status.splitlines() if "clinvar " in line and "2026-02-26" in line)
    assert "demo bundle" in row
    assert "missing mane" in status


def test_build_demo_bundle_flag__builds_everything_in_it(run) -> None:
    out = run("build", "--demo-bundle")
    assert out.count("(demo bundle) installed") == 9


def test_build__errors_are_one_line_and_exit_2(run, tmp_path: Path) -> None:
    plain = tmp_path / "x.fa"
    plain.write_text(">chr17_1_4\nACGT\n")
    assert "not compressed, not BGZF" in run("build", "--fasta", str(plain), code=2)
    assert "known resources" in run("build", "nonsense", "--from", str(bundle_path()), code=2)
    assert "GENOPATH_RESOURCE_BASE_URL" in run("fetch", "clinvar", code=2)
