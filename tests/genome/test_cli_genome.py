"""``genopath genome ingest`` and ``genopath genome qc`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from genopath.cli.main import app
from tests.genome.conftest import Haplotypes, Person, Programme, write_family_vcf


def run(prog: Programme, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--home", str(prog.settings.home), *args])
    output = result.stdout + (result.stderr or "")
    assert result.exit_code == code, output
    return output


def test_cli__ingest_then_qc(programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes,
                             tmp_path: Path) -> None:  # fmt: skip
    p = trio_people
    vcf = write_family_vcf(tmp_path / "trio.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)
    out = run(programme, "genome", "ingest", str(vcf), "--sample-map", str(programme.sample_map))
    assert "3 genome(s) stored" in out and "split only" in out
    assert "0 genome(s) stored, 3 unchanged" in run(programme, "genome", "ingest", str(vcf), "--sample-map",
                                                     str(programme.sample_map))  # fmt: skip
    out = run(programme, "genome", "qc", "--family", "F000001", "--out", str(tmp_path / "report"))
    assert "genome QC passed" in out and "case C000001: ready" in out
    assert (tmp_path / "report" / "qc_report.html").exists()


def test_cli__qc_failure_exits_1_and_blocks(programme: Programme, trio_people: dict[str, Person],
                                            haplotypes: Haplotypes, tmp_path: Path) -> None:  # fmt: skip
    p = trio_people
    vcf = write_family_vcf(tmp_path / "swap.vcf.gz", [p["stranger"], p["father"], p["mother"]], haplotypes)
    run(programme, "genome", "ingest", str(vcf), "--sample-map", str(programme.sample_map))
    out = run(programme, "genome", "qc", "--family", "F000001", code=1)
    assert "QC failed" in out and "possible sample swap" in out and "case C000001: blocked" in out
    assert "sample BC-KID-01: qc_failed" in out
    assert "blocked" in run(programme, "registry", "case", "show", "C000001")


def test_cli__bad_input_is_one_error_line(programme: Programme, tmp_path: Path) -> None:
    out = run(programme, "genome", "ingest", str(tmp_path / "missing.vcf.gz"), code=2)
    assert "error:" in out and "missing.vcf.gz does not exist" in out
