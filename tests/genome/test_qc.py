"""Genome QC on synthetic families built from real 1000 Genomes haplotypes: a true trio passes
and readies the case; a swapped child or parent, a female with chrY calls and a male with chrX
heterozygosity are caught, fail their samples and block the case with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genopath.core.errors import AccessDenied, StateTransitionError
from genopath.genome import family_qc, ingest_vcf, record_outcome, report_dir, samples_qc, write_report
from genopath.genome.store import current, read_qc
from genopath.registry import Actor, CaseState, Role, SampleState, SampleType
from genopath.registry.cases import get_case
from genopath.registry.samples import get_sample, move_sample, move_sample_for_genome, register_sample
from tests.genome.conftest import Haplotypes, Person, Programme, write_family_vcf


def run_qc(prog: Programme, vcf: Path):
    with prog.registry.transaction() as s:
        ingest_vcf(s, prog.actor, prog.settings, vcf, sample_map=prog.sample_map)
    with prog.registry.transaction() as s:
        result = family_qc(s, prog.actor, prog.settings, prog.family_id)
        record_outcome(s, prog.actor, prog.settings, result)
        write_report(result, report_dir(prog.settings, result))
    return result


def case_of(prog: Programme):
    with prog.registry.transaction() as s:
        case = get_case(s, prog.actor, prog.case_id)
        return case.state, case.blocked_reason


def failed(result, name: str) -> list[str]:
    return [c.message for c in result.family_checks + [c for s in result.samples for c in s.checks]
            if c.name == name and c.status == "fail"]  # fmt: skip


def test_family_qc__true_trio_passes_and_case_is_ready(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path
) -> None:
    p = trio_people
    vcf = write_family_vcf(tmp_path / "trio.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)
    result = run_qc(programme, vcf)
    assert result.status == "pass", result.failures()
    kin = {frozenset((x["a"], x["b"])): x for x in result.pairs}
    parent_child = kin[frozenset(("BC-KID-01", "BC-DAD-01"))]
    assert parent_child["relationship"] == "parent-child"
    assert 0.177 < parent_child["phi"] < 0.354
    spouses = kin[frozenset(("BC-DAD-01", "BC-MUM-01"))]
    assert spouses["phi"] < 0.0442 and spouses["expected_kinship"] == 0
    (trio,) = result.trios
    assert trio["errors"] == 0 and trio["sites"] > 500
    sexes = {s.barcode: s.sex for s in result.samples}
    assert sexes["BC-MUM-01"].x_het_fraction > 0.4 and sexes["BC-MUM-01"].y_calls == 0
    assert sexes["BC-DAD-01"].x_het_fraction == 0 and sexes["BC-DAD-01"].y_calls > 20
    assert case_of(programme) == (CaseState.READY, None)
    genome = current(programme.settings, "BC-KID-01")
    assert genome is not None and read_qc(genome)["status"] == "pass"
    report = report_dir(programme.settings, result)
    data = json.loads((report / "qc_report.json").read_text())
    assert data["status"] == "pass" and len(data["pairs"]) == 3
    html = (report / "qc_report.html").read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<script" not in html


def test_family_qc__swapped_child_is_caught(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path
) -> None:
    p = trio_people
    vcf = write_family_vcf(tmp_path / "swap.vcf.gz", [p["stranger"], p["father"], p["mother"]], haplotypes)
    result = run_qc(programme, vcf)
    assert result.status == "fail"
    relatedness = failed(result, "relatedness")
    assert any("BC-KID-01" in m and "BC-DAD-01" in m and "parent-child" in m for m in relatedness)
    assert failed(result, "mendelian"), result.trios
    assert result.trios[0]["rate"] > 0.05
    state, reason = case_of(programme)
    assert state is CaseState.BLOCKED and "genome QC failed" in reason and "BC-KID-01" in reason
    genome = current(programme.settings, "BC-KID-01")
    assert genome is not None and read_qc(genome)["status"] == "fail"


def test_family_qc__swapped_father_is_caught(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path
) -> None:
    p = trio_people
    vcf = write_family_vcf(tmp_path / "swap.vcf.gz", [p["child"], p["other_man"], p["mother"]], haplotypes)
    result = run_qc(programme, vcf)
    kin = {frozenset((x["a"], x["b"])): x for x in result.pairs}
    assert kin[frozenset(("BC-KID-01", "BC-DAD-01"))]["status"] == "fail"
    assert kin[frozenset(("BC-KID-01", "BC-MUM-01"))]["status"] == "pass"
    assert result.trios[0]["status"] == "fail"
    assert case_of(programme)[0] is CaseState.BLOCKED


def test_family_qc__female_with_chry_calls_is_caught(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path
) -> None:
    p = trio_people
    p["mother"].y_calls = True
    vcf = write_family_vcf(tmp_path / "y.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)
    result = run_qc(programme, vcf)
    (message,) = failed(result, "sex")
    assert "BC-MUM-01" in message and "registered female" in message and "chrY" in message
    assert case_of(programme)[0] is CaseState.BLOCKED


def test_family_qc__male_with_chrx_heterozygosity_is_caught(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path
) -> None:
    p = trio_people
    p["father"].x_het_extra = 0.5
    vcf = write_family_vcf(tmp_path / "x.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)
    result = run_qc(programme, vcf)
    (message,) = failed(result, "sex")
    assert "BC-DAD-01" in message and "registered male" in message and "chrX het fraction" in message


def test_samples_qc__per_sample_checks_only(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path
) -> None:
    p = trio_people
    vcf = write_family_vcf(tmp_path / "trio.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)
    with programme.registry.transaction() as s:
        ingest_vcf(s, programme.actor, programme.settings, vcf, sample_map=programme.sample_map)
        result = samples_qc(s, programme.actor, programme.settings, ["BC-MUM-01"])
        record_outcome(s, programme.actor, programme.settings, result)
    assert [x.barcode for x in result.samples] == ["BC-MUM-01"] and not result.pairs
    assert {c.name for c in result.samples[0].checks} >= {"build", "missingness", "mean_dp", "sex", "titv"}
    # a per-sample run never makes a case ready: relatedness has not been checked
    assert case_of(programme)[0] is CaseState.REGISTERED


@pytest.mark.parametrize("missing_member", ["MUM"])
def test_family_qc__member_without_genome_keeps_case_waiting(
    programme: Programme,
    trio_people: dict[str, Person],
    haplotypes: Haplotypes,
    tmp_path: Path,
    missing_member: str,
) -> None:
    p = trio_people
    vcf = write_family_vcf(tmp_path / "duo.vcf.gz", [p["child"], p["father"]], haplotypes)
    result = run_qc(programme, vcf)
    assert result.status == "pass" and result.awaiting == ["BC-MUM-01"] and not result.trios
    assert case_of(programme)[0] is CaseState.REGISTERED


def sample_state(prog: Programme, barcode: str):
    with prog.registry.transaction() as s:
        sample = get_sample(s, prog.actor, barcode)
        return sample.state, sample.state_reason


def test_family_qc__failure_moves_samples_to_qc_failed_and_a_passing_redelivery_moves_them_back(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path
) -> None:
    p = trio_people
    swapped = write_family_vcf(
        tmp_path / "swap.vcf.gz", [p["stranger"], p["father"], p["mother"]], haplotypes
    )
    result = run_qc(programme, swapped)
    state, reason = sample_state(programme, "BC-KID-01")
    assert state is SampleState.QC_FAILED
    assert reason.startswith("genome QC failed: ") and "parent-child" in reason
    assert result.sample_states["BC-KID-01"] == "qc_failed"
    # the lab re-delivers the right child's genome; QC passes, the samples are delivered again,
    # and the case stays blocked until a person unblocks it
    right = write_family_vcf(tmp_path / "trio.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)
    with programme.registry.transaction() as s:
        ingest_vcf(
            s, programme.actor, programme.settings, right, sample_map=programme.sample_map, replace=True
        )
    with programme.registry.transaction() as s:
        again = family_qc(s, programme.actor, programme.settings, programme.family_id)
        record_outcome(s, programme.actor, programme.settings, again)
    assert again.status == "pass", again.failures()
    for barcode in ("BC-KID-01", "BC-DAD-01", "BC-MUM-01"):
        assert sample_state(programme, barcode)[0] is SampleState.DATA_DELIVERED
    assert case_of(programme)[0] is CaseState.BLOCKED


def test_lab_qc_failure_before_sequencing_is_not_a_genome_qc_failure(programme: Programme) -> None:
    with programme.registry.transaction() as s:
        register_sample(s, programme.actor, programme.ids["KID"], "BC-KID-02", SampleType.BLOOD,
                        state=SampleState.COLLECTED)  # fmt: skip
        for state in (SampleState.RECEIVED, SampleState.EXTRACTED):
            move_sample(s, programme.actor, "BC-KID-02", state)
        move_sample(s, programme.actor, "BC-KID-02", SampleState.QC_FAILED, reason="DNA degraded")
    with (
        programme.registry.transaction() as s,
        pytest.raises(StateTransitionError, match="failed the lab's DNA QC before sequencing"),
    ):
        move_sample_for_genome(s, programme.actor, "BC-KID-02", SampleState.DATA_DELIVERED)
    with programme.registry.transaction() as s, pytest.raises(StateTransitionError, match="extracted"):
        move_sample(s, programme.actor, "BC-KID-02", SampleState.DATA_DELIVERED)


@pytest.mark.parametrize(("role", "allowed"), [(Role.BIOINFORMATICIAN, True), (Role.LAB, True),
                                               (Role.CLINICIAN, False), (Role.RESEARCHER, False)])  # fmt: skip
def test_ingest_and_qc_need_process_genomes(
    programme: Programme, trio_people: dict[str, Person], haplotypes: Haplotypes, tmp_path: Path,
    role: Role, allowed: bool,
) -> None:  # fmt: skip
    p = trio_people
    vcf = write_family_vcf(tmp_path / "trio.vcf.gz", [p["child"], p["father"], p["mother"]], haplotypes)
    actor = Actor(
        username=f"u-{role.value}", role=role, centre=None if role is not Role.CLINICIAN else "HKCH"
    )
    with programme.registry.transaction() as s:
        if not allowed:
            with pytest.raises(AccessDenied):
                ingest_vcf(s, actor, programme.settings, vcf, sample_map=programme.sample_map)
            return
        ingest_vcf(s, actor, programme.settings, vcf, sample_map=programme.sample_map)
    assert sample_state(programme, "BC-KID-01")[0] is SampleState.DATA_DELIVERED
    assert current(programme.settings, "BC-KID-01") is not None
