"""Ingest on a real registry: binding and the consent gate, idempotence, --replace with history,
atomicity under injected failures and a killed process, and refused inputs that write nothing."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from genopath.core.errors import ConflictError, ConsentError, InputError, NotFoundError, StateTransitionError
from genopath.genome import ingest_vcf
from genopath.genome.store import GenomeWriter, current, sample_dir
from genopath.registry import SampleState
from genopath.registry.models import AuditEntry, Sample
from tests.genome.conftest import BARCODES, Haplotypes, Person, Programme, build_programme, write_family_vcf


@pytest.fixture
def trio_vcf(trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path) -> Path:
    p = trio_people
    return write_family_vcf(tmp_path / "trio.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)


def ingest(prog: Programme, vcf: Path, **kw):
    with prog.registry.transaction() as s:
        return ingest_vcf(
            s, prog.actor, prog.settings, vcf, sample_map=kw.pop("sample_map", prog.sample_map), **kw
        )


def states(prog: Programme) -> dict[str, SampleState]:
    with prog.registry.transaction() as s:
        return {x.barcode: x.state for x in s.execute(select(Sample)).scalars()}


def nothing_stored(prog: Programme) -> bool:
    root = prog.settings.home / "genomes"
    return not root.exists() or all(current(prog.settings, b) is None for b in BARCODES.values())


def test_ingest__trio_stored_and_samples_delivered(programme: Programme, trio_vcf: Path) -> None:
    result = ingest(programme, trio_vcf)
    assert [o.status for o in result.samples] == ["ingested"] * 3
    assert set(states(programme).values()) == {SampleState.DATA_DELIVERED}
    genome = current(programme.settings, "BC-KID-01")
    assert genome is not None and genome.version == "v1"
    m = genome.manifest
    assert m["source"]["sha256"] == result.sha256 and m["build"]["name"] == "GRCh38"
    assert m["sample"] == {**m["sample"], "vcf_sample": "KID", "barcode": "BC-KID-01"}
    assert m["normalisation"]["left_aligned"] is False and "split only" in m["normalisation"]["note"]
    assert m["genopath_version"] and m["tools"]["bcftools"]
    table = pq.read_table(genome.calls_path)
    # every stored row is a non-reference or no-call genotype
    assert table.num_rows == m["files"]["calls_rows"] > 1000
    assert all(d is None or d >= 1 for d in table.column("call_dosage").to_pylist())
    assert set(table.column("variant_chrom").to_pylist()) == {"chr22", "chrX", "chrY"}
    with programme.registry.transaction() as s:
        actions = [
            e.action
            for e in s.execute(select(AuditEntry).where(AuditEntry.entity_id == "BC-KID-01")).scalars()
        ]
    assert "genome.ingest" in actions


def test_ingest__same_file_again_changes_nothing(programme: Programme, trio_vcf: Path) -> None:
    ingest(programme, trio_vcf)
    folder = sample_dir(programme.settings, "BC-KID-01")
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    again = ingest(programme, trio_vcf)
    assert [o.status for o in again.samples] == ["unchanged"] * 3
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before


def test_ingest__different_file_needs_replace_and_keeps_history(
    programme: Programme,
    trio_vcf: Path,
    trio_people: dict[str, Person],
    haplotypes: Haplotypes,
    tmp_path: Path,
) -> None:
    ingest(programme, trio_vcf)
    p = trio_people
    other = write_family_vcf(
        tmp_path / "redelivery.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes, seed=9
    )
    with pytest.raises(ConflictError, match=r"BC-KID-01 already has a genome.*--replace"):
        ingest(programme, other)
    assert current(programme.settings, "BC-KID-01").version == "v1"
    result = ingest(programme, other, replace=True)
    assert {o.status for o in result.samples} == {"replaced"}
    genome = current(programme.settings, "BC-KID-01")
    assert genome.version == "v2" and genome.manifest["replaces"] == "v1"
    old = sample_dir(programme.settings, "BC-KID-01") / "history" / "v1" / "manifest.json"
    assert json.loads(old.read_text())["source"]["sha256"] != genome.source_sha256


def test_ingest__vcf_sample_missing_from_map_refused(
    programme: Programme, trio_vcf: Path, tmp_path: Path
) -> None:
    partial = tmp_path / "map.tsv"
    partial.write_text("KID\tBC-KID-01\nDAD\tBC-DAD-01\n")
    with pytest.raises(InputError, match="MUM are not in the sample map"):
        ingest(programme, trio_vcf, sample_map=partial)
    assert nothing_stored(programme)


def test_ingest__unregistered_barcode_refused(programme: Programme, trio_vcf: Path) -> None:
    with pytest.raises(
        NotFoundError, match=r"VCF sample KID is taken as .* barcode KID, which is not a registered"
    ):
        ingest(programme, trio_vcf, sample_map=None)
    assert nothing_stored(programme)


def test_ingest__participant_without_consent_has_no_sample_to_bind(tmp_path: Path, trio_vcf: Path) -> None:
    # Without consent no sample can be registered, so the VCF's MUM column binds to nothing.
    prog = build_programme(tmp_path / "p", consent=("KID", "DAD"))
    try:
        with pytest.raises(
            NotFoundError, match="VCF sample MUM is mapped to barcode BC-MUM-01, which is not"
        ):
            ingest(prog, trio_vcf)
        assert nothing_stored(prog)
    finally:
        prog.registry.dispose()


def test_ingest__withdrawn_participant_named_and_nothing_read(programme: Programme, trio_vcf: Path) -> None:
    from genopath.registry.participants import withdraw

    with programme.registry.transaction() as s:
        withdraw(s, programme.actor, programme.ids["MUM"], reason="changed her mind")
    with pytest.raises(
        ConsentError, match=rf"{programme.ids['MUM']} withdrew.*VCF sample MUM .*was not read"
    ):
        ingest(programme, trio_vcf)
    assert nothing_stored(programme)
    assert set(states(programme).values()) == {SampleState.SEQUENCED}


def test_ingest__sample_not_sequenced_refused(programme: Programme, trio_vcf: Path) -> None:
    from genopath.registry.samples import move_sample

    with programme.registry.transaction() as s:
        move_sample(s, programme.actor, "BC-DAD-01", SampleState.REJECTED, reason="haemolysed")
    with pytest.raises(StateTransitionError, match=r"BC-DAD-01 .* is rejected"):
        ingest(programme, trio_vcf)
    assert nothing_stored(programme)


def test_ingest__grch37_header_refused(programme: Programme, trio_people: dict[str, Person],
                                       haplotypes: Haplotypes, tmp_path: Path) -> None:  # fmt: skip
    p = trio_people
    vcf = write_family_vcf(tmp_path / "b37.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes,
                           contig_lengths={"chr22": 51304566, "chrX": 155270560, "chrY": 59373566})  # fmt: skip
    with pytest.raises(InputError, match=r"b37.vcf.gz is on GRCh37: contig chr22 is 51,304,566 bp"):
        ingest(programme, vcf)
    assert nothing_stored(programme)


def test_ingest__truncated_gzip_fails_cleanly(programme: Programme, trio_vcf: Path, tmp_path: Path) -> None:
    data = trio_vcf.read_bytes()
    truncated = tmp_path / "truncated.vcf.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match=r"truncated.vcf.gz could not be read to the end"):
        ingest(programme, truncated)
    assert nothing_stored(programme)
    assert not list((programme.settings.home / "genomes").glob("*/.tmp-*"))
    assert set(states(programme).values()) == {SampleState.SEQUENCED}


def test_ingest__not_a_vcf_named(programme: Programme, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.vcf.gz"
    with gzip.open(bogus, "wt") as handle:
        handle.write("this is not a VCF\n")
    with pytest.raises(InputError, match=r"bogus.vcf.gz"):
        ingest(programme, bogus)


def test_ingest__failure_mid_write_leaves_no_genome(
    programme: Programme, trio_vcf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = GenomeWriter.write
    calls = {"n": 0}

    def failing(self: GenomeWriter, calls_table, intervals) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full (injected)")
        real_write(self, calls_table, intervals)

    monkeypatch.setattr(GenomeWriter, "write", failing)
    with pytest.raises(OSError, match="injected"):
        ingest(programme, trio_vcf)
    assert nothing_stored(programme)
    assert not list((programme.settings.home / "genomes").rglob(".tmp-*"))
    monkeypatch.setattr(GenomeWriter, "write", real_write)
    assert {o.status for o in ingest(programme, trio_vcf).samples} == {"ingested"}


KILLER = """
import os, sys
from pathlib import Path
from genopath.core.settings import Settings
from genopath.genome import ingest_vcf, store
from genopath.registry import Actor, Registry

real = store.GenomeWriter.write
def write_then_die(self, calls, intervals):
    real(self, calls, intervals)
    os._exit(9)   # like SIGKILL: no finally blocks, no cleanup
store.GenomeWriter.write = write_then_die
settings = Settings(home=Path(sys.argv[1]))
registry = Registry(settings)
with registry.transaction() as s:
    ingest_vcf(s, Actor.system("tester"), settings, Path(sys.argv[2]), sample_map=Path(sys.argv[3]))
"""


def test_ingest__killed_process_leaves_no_partial_genome(programme: Programme, trio_vcf: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(programme.settings.home), str(trio_vcf), str(programme.sample_map)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 9, proc.stderr
    leftovers = list((programme.settings.home / "genomes").rglob(".tmp-*"))
    assert leftovers, "the killed process should have left its temporary folder behind"
    assert nothing_stored(programme)
    assert set(states(programme).values()) == {SampleState.SEQUENCED}
    result = ingest(programme, trio_vcf)
    assert {o.status for o in result.samples} == {"ingested"}
    assert not list((programme.settings.home / "genomes").rglob(".tmp-*"))
