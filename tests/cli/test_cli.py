"""The command line as a user drives it: init, the README walkthrough, errors, and docs coverage."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from genopath.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "genopath" / "examples"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run genopath commands against a fresh SQLite data home."""
    monkeypatch.delenv("GENOPATH_DATABASE_URL", raising=False)
    monkeypatch.delenv("GENOPATH_USER", raising=False)
    runner = CliRunner()
    home = tmp_path / "home"

    def run(*args: str, code: int = 0, input: str | None = None) -> str:
        result = runner.invoke(app, ["--home", str(home), *args], input=input)
        output = result.stdout + (result.stderr or "")
        assert result.exit_code == code, f"genopath {' '.join(args)} exited {result.exit_code}:\n{output}"
        return output

    run("init")
    return run


def test_init__is_idempotent(cli) -> None:
    assert "ready" in cli("init")


def test_registry_command__before_init_names_the_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "none"), "registry", "centre", "list"])
    assert result.exit_code == 2
    assert "genopath init" in result.stderr


def test_bad_setting__one_line_naming_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENOPATH_QC_MIN_MEAN_DP", "fifteen")
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "init"])
    assert result.exit_code == 2
    assert "GENOPATH_QC_MIN_MEAN_DP must be a number, not 'fifteen'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "home").exists()


def test_walkthrough__family_consent_samples_case(cli) -> None:
    cli("registry", "centre", "add", "HKCH", "Hong Kong Children's Hospital")
    out = cli(
        "registry",
        "family",
        "import",
        str(EXAMPLES / "hkch_families.ped"),
        "--centre",
        "HKCH",
        "--hpo",
        str(EXAMPLES / "hkch_phenotypes.tsv"),
        "--identities",
        str(EXAMPLES / "hkch_identities.tsv"),
    )
    assert "HK01 imported as F000001 (3 members)" in out
    assert "HK02 imported as F000002 (1 members)" in out
    listing = cli("registry", "participant", "list")
    assert listing.count("referred") == 4
    # The proband (born 2020) can only be consented by a parent.
    refused = cli(
        "registry",
        "consent",
        "record",
        "P000001",
        "--form-version",
        "CF-2",
        "--signed-on",
        "2026-03-02",
        "--signer",
        "self",
        code=2,
    )
    assert "was 5 on 2026-03-02" in refused and "parent" in refused
    cli(
        "registry",
        "consent",
        "record",
        "P000001",
        "--form-version",
        "CF-2",
        "--signed-on",
        "2026-03-02",
        "--signer",
        "parent",
        "--research",
        "DUO:0000042",
    )
    assert "allowed" in cli("registry", "consent", "check", "P000001", "research")
    cli("registry", "participant", "enrol", "P000001")
    cli("registry", "sample", "add", "P000001", "BC-0001", "--type", "blood", "--collected")
    cli("registry", "sample", "move", "BC-0001", "received")
    again = cli("registry", "sample", "move", "BC-0001", "received", code=2)
    assert "cannot move from 'received' to 'received'" in again
    assert "received" in cli("registry", "sample", "show", "BC-0001")
    cli(
        "registry",
        "case",
        "open",
        "P000001",
        "--category",
        "rare_disease",
        "--indication",
        "epilepsy",
        "--panel",
        "Genetic epilepsy syndromes",
    )
    cli("registry", "case", "move", "C000001", "awaiting_data")
    assert "awaiting_data" in cli("registry", "case", "show", "C000001")
    cli("registry", "participant", "withdraw", "P000001", "--reason", "family decision")
    refused = cli("registry", "consent", "check", "P000001", "participation", code=1)
    assert "withdrew" in refused
    assert "blocked" in cli("registry", "case", "list")
    assert "intact" in cli("registry", "audit", "verify")


def test_family_export__ped_round_trip_and_phenopacket(cli, tmp_path: Path) -> None:
    cli("registry", "centre", "add", "PWH", "Prince of Wales Hospital")
    cli(
        "registry",
        "family",
        "import-phenopacket",
        str(EXAMPLES / "pwh_family.phenopacket.json"),
        "--centre",
        "PWH",
        "--identities",
        str(EXAMPLES / "pwh_identities.tsv"),
    )
    out = tmp_path / "out" / "pw01.ped"
    cli("registry", "family", "export", "F000001", "--ids", "local", "--out", str(out))
    lines = sorted(out.read_text().splitlines())
    assert lines == sorted(
        [
            "PW01\tPW01-1\tPW01-2\tPW01-3\t2\t1",
            "PW01\tPW01-2\t0\t0\t1\t1",
            "PW01\tPW01-3\t0\t0\t2\t1",
            "PW01\tPW01-4\tPW01-2\tPW01-3\t1\t2",
        ]
    )
    packet = cli("registry", "family", "export", "F000001", "--format", "phenopacket")
    assert '"id": "P000004"' in packet and "HP:0000729" in packet and "Chan" not in packet


def test_family_import__bad_inputs_change_nothing(cli, tmp_path: Path) -> None:
    cli("registry", "centre", "add", "HKCH", "Hong Kong Children's Hospital")
    ped = tmp_path / "bad.ped"
    ped.write_text("F1\tkid\tmum\tdad\t1\t2\nF1\tdad\t0\t0\t1\t1\nF1\tmum\t0\t0\t2\t1\n")
    assert "recorded as female" in cli("registry", "family", "import", str(ped), "--centre", "HKCH", code=2)
    hpo = tmp_path / "hpo.tsv"
    hpo.write_text("individual_id\thpo_id\tstatus\tonset\nHK01-1\tHP:0000057\tobserved\t\n")
    out = cli(
        "registry",
        "family",
        "import",
        str(EXAMPLES / "hkch_families.ped"),
        "--centre",
        "HKCH",
        "--hpo",
        str(hpo),
        code=2,
    )
    assert "obsolete" in out and "HP:0008665" in out
    assert "no participants" in cli("registry", "participant", "list")
    two = cli(
        "registry",
        "family",
        "import",
        str(EXAMPLES / "hkch_families.ped"),
        "--centre",
        "HKCH",
        "--proband",
        "HK01:HK01-1",
        "--proband",
        "HK01:HK01-2",
        code=2,
    )
    assert "more than one proband" in two


def test_user__login_scopes_to_centre(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("registry", "centre", "add", "HKCH", "Hong Kong Children's Hospital")
    cli("registry", "centre", "add", "QMH", "Queen Mary Hospital")
    cli("registry", "participant", "add", "--centre", "HKCH", "--sex", "female")
    cli(
        "registry",
        "user",
        "add",
        "dr.qmh",
        "--role",
        "clinician",
        "--centre",
        "QMH",
        "--password-stdin",
        input="a long enough password\n",
    )
    monkeypatch.setenv("GENOPATH_PASSWORD", "a long enough password")
    assert "another centre" in cli("--user", "dr.qmh", "registry", "participant", "show", "P000001", code=2)
    assert "no participants" in cli("--user", "dr.qmh", "registry", "participant", "list")
    monkeypatch.setenv("GENOPATH_PASSWORD", "wrong password entirely")
    assert "wrong username or password" in cli("--user", "dr.qmh", "registry", "centre", "list", code=2)


def _commands(group: Any, prefix: str = "") -> list[str]:
    """Every command path, loading lazily registered commands as the shell would."""
    names = []
    ctx = typer.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = f"{prefix} {name}".strip()
        if hasattr(command, "list_commands"):
            names.extend(_commands(command, path))
        else:
            names.append(path)
    return names


def test_every_command_is_documented() -> None:
    text = DOCS.read_text()
    commands = _commands(get_command(app))
    assert {"pgx", "annotate", "registry participant add", "case run", "init"} <= set(commands)
    missing = [c for c in commands if not re.search(rf"genopath[^\n`]* {re.escape(c)}\b", text)]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_commands_are_imported_only_when_used() -> None:
    """``genopath pgx`` must not pay for the registry, SQLAlchemy, Arrow or hpo3 at start-up."""
    code = (
        "import sys\n"
        "from genopath.cli.main import app\n"
        "from typer.main import get_command\n"
        "get_command(app)\n"
        "heavy = [m for m in ('sqlalchemy', 'pyarrow', 'hpo3', 'duckdb', 'genopath.registry') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_running_a_command_imports_no_validation_framework(tmp_path: Path) -> None:
    """Settings are read by the standard library, and typer below 0.29 converts parameters
    without pydantic (0.29 builds a TypeAdapter per parameter): ≈ 0.2 s of every command."""
    code = (
        "import sys\n"
        "from genopath.cli.main import app\n"
        f"sys.argv = ['genopath', '--home', {str(tmp_path / 'home')!r}, 'resources', 'status']\n"
        "try:\n"
        "    app()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('loaded:', ','.join(m for m in ('pydantic', 'pydantic_settings', 'dotenv') if m in sys.modules))\n"
    )  # python-dotenv is imported only where there is a .env file: none in tmp_path
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.splitlines()[-1].rstrip() == "loaded:"


def test_participant_identity__updates_only_given_fields(cli) -> None:
    cli("registry", "centre", "add", "HKCH", "Hong Kong Children's Hospital")
    cli(
        "registry",
        "participant",
        "add",
        "--centre",
        "HKCH",
        "--sex",
        "female",
        "--name",
        "Ho Wing Sze",
        "--dob",
        "1986-05-09",
        "--id-card",
        "C567890(5)",
    )
    cli("registry", "participant", "identity", "P000001", "--contact", "+852 5550 0201")
    shown = cli("registry", "participant", "show", "P000001", "--identity", "--purpose", "test")
    assert "Ho Wing Sze, ID card C567890(5), born 1986-05-09, contact +852 5550 0201" in shown
    assert "identity.read" in cli("registry", "audit", "list", "--entity", "P000001")


def test_production__commands_need_a_user(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENOPATH_ENVIRONMENT", "production")
    monkeypatch.setenv("GENOPATH_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("GENOPATH_VAULT_KEY", "v" * 40)
    assert "needs a user" in cli("registry", "centre", "list", code=2)
