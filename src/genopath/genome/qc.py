"""``genopath genome qc``: per-sample and per-family quality control of ingested genomes.

Checks (thresholds in :class:`genopath.core.settings.Settings`, ``qc_*``):

* per sample — build (GRCh38, from the ingest manifest), missingness, mean DP, mean GQ
  (fail); Ti/Tv and het/hom ratio (warn); sex check against the registered sex (fail);
* per family — KING-robust kinship of every pair against the kinship the registered pedigree
  expects (fail when KING's inferred degree differs), and the Mendelian error rate of every
  trio with both parents sequenced (fail above the threshold).

A failed check fails every sample it concerns. The outcome is written next to each genome
(``qc.json``) and as a family report (JSON + HTML). Registry effects: a failure blocks every
open case of the family with the reason; when every sequenced member passes a family run,
the family's cases move on to ``ready``. A failing sample moves ``data_delivered → qc_failed``
with the failed checks as reason; a sample whose genome failed before and now passes moves back
to ``data_delivered`` (docs/adr/0005-genome-ingest-and-qc.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import genopath
from genopath.core.errors import InputError, NotFoundError
from genopath.core.settings import Settings
from genopath.genome import store
from genopath.genome.genotypes import joint_genotypes
from genopath.genome.kinship import UNRELATED, degree, expected_kinship, king_robust
from genopath.genome.mendel import mendelian_errors
from genopath.genome.metrics import SampleMetrics, sample_metrics
from genopath.genome.sexcheck import SexEvidence, sex_evidence
from genopath.registry import Actor, CaseState, SampleState, Sex, audit
from genopath.registry.access import Permission, require
from genopath.registry.cases import block_case, move_case
from genopath.registry.families import get_family
from genopath.registry.models import Case, Participant
from genopath.registry.samples import failed_genome_qc, get_sample, list_samples, move_sample_for_genome

PASS, FAIL, WARN, NOT_ASSESSED = "pass", "fail", "warn", "not_assessed"
_GONE = frozenset({SampleState.REJECTED, SampleState.DESTROYED})


@dataclass(frozen=True)
class Check:
    """One QC check's outcome.

    Attributes
    ----------
    name
        ``build``, ``missingness``, ``mean_dp``, ``mean_gq``, ``titv``, ``het_hom``, ``sex``,
        ``relatedness`` or ``mendelian``.
    status
        ``pass``, ``fail``, ``warn`` or ``not_assessed`` (too little data, or no such field).
    value
        The measured value.
    expected
        The threshold or expectation, in words.
    message
        One sentence saying what was found.
    samples
        Barcodes the check concerns.
    """

    name: str
    status: str
    value: Any
    expected: str
    message: str
    samples: tuple[str, ...]


@dataclass
class SampleQc:
    """QC of one genome: metrics, sex evidence and checks."""

    barcode: str
    programme_id: str
    registered_sex: str
    version: str
    metrics: SampleMetrics
    sex: SexEvidence
    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> str:
        return FAIL if any(c.status == FAIL for c in self.checks) else PASS


@dataclass
class QcResult:
    """A QC run over a family (or a list of samples).

    Attributes
    ----------
    family_id
        The family, or ``None`` for a sample-only run.
    samples
        One :class:`SampleQc` per genome checked.
    pairs, trios
        Kinship of every pair and Mendelian errors of every trio (family runs).
    awaiting
        Barcodes of family members' samples that have no ingested genome yet.
    cases
        ``case_id → what happened`` (``ready``, ``blocked: …``, ``unchanged``).
    sample_states
        ``barcode → registry state`` after the outcome was recorded (``qc_failed`` on failure).
    """

    family_id: str | None
    samples: list[SampleQc]
    pairs: list[dict[str, Any]] = field(default_factory=list)
    trios: list[dict[str, Any]] = field(default_factory=list)
    family_checks: list[Check] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)
    sample_states: dict[str, str] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def status(self) -> str:
        return FAIL if any(s.status == FAIL for s in self.samples) else PASS

    def failures(self) -> list[str]:
        """One line per failed check, for case block reasons and the CLI."""
        seen, lines = set(), []
        for check in [c for s in self.samples for c in s.checks] + self.family_checks:
            if check.status == FAIL and check.message not in seen:
                seen.add(check.message)
                lines.append(check.message)
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": "genopath.genome.qc/1",
            "genopath_version": genopath.__version__,
            "created_at": self.created_at,
            "family_id": self.family_id,
            "status": self.status,
            "failures": self.failures(),
            "samples": [
                {
                    "barcode": s.barcode,
                    "programme_id": s.programme_id,
                    "registered_sex": s.registered_sex,
                    "genome_version": s.version,
                    "status": s.status,
                    "metrics": s.metrics.as_dict(),
                    "sex_evidence": asdict(s.sex),
                    "checks": [asdict(c) for c in s.checks],
                }
                for s in self.samples
            ],
            "pairs": self.pairs,
            "trios": self.trios,
            "awaiting_genomes": self.awaiting,
            "cases": self.cases,
            "sample_states": self.sample_states,
        }


def _bounded(
    name: str,
    value: float | None,
    *,
    low: float | None,
    high: float | None,
    unit: str,
    barcode: str,
    soft: bool = False,
) -> Check:
    expected = " and ".join(
        x for x in (f"≥ {low:g}" if low is not None else "", f"≤ {high:g}" if high is not None else "") if x
    )
    if value is None:
        return Check(name, NOT_ASSESSED, None, expected, f"{barcode}: no data for {unit}", (barcode,))
    ok = (low is None or value >= low) and (high is None or value <= high)
    status = PASS if ok else (WARN if soft else FAIL)
    return Check(
        name,
        status,
        round(value, 4),
        expected,
        f"{barcode}: {unit} {value:.4g} (expected {expected})",
        (barcode,),
    )


def sample_checks(genome: store.StoredGenome, sex: Sex, settings: Settings) -> SampleQc:
    """Per-sample metrics and checks of one genome against ``settings``' thresholds."""
    s, b = settings, genome.barcode
    metrics = sample_metrics(genome)
    evidence = sex_evidence(genome, min_gq=s.qc_min_call_gq)
    build = genome.manifest["build"]
    checks = [
        Check(
            "build",
            PASS if build["name"] == "GRCh38" else FAIL,
            build["name"],
            "GRCh38",
            f"{b}: build {build['name']} ({build['evidence']})",
            (b,),
        ),
        _bounded(
            "missingness",
            metrics.missingness,
            low=None,
            high=s.qc_max_missingness,
            unit="missingness",
            barcode=b,
        ),
        _bounded("mean_dp", metrics.mean_dp, low=s.qc_min_mean_dp, high=None, unit="mean DP", barcode=b),
        _bounded("mean_gq", metrics.mean_gq, low=s.qc_min_mean_gq, high=None, unit="mean GQ", barcode=b),
        _bounded(
            "titv", metrics.titv, low=s.qc_titv_min, high=s.qc_titv_max, unit="Ti/Tv", barcode=b, soft=True
        ),
        _bounded(
            "het_hom",
            metrics.het_hom_ratio,
            low=None,
            high=s.qc_het_hom_max,
            unit="het/hom-alt ratio",
            barcode=b,
            soft=True,
        ),
        check_sex(b, sex, evidence, settings),
    ]
    return SampleQc(
        b, genome.manifest["sample"]["programme_id"], sex.value, genome.version, metrics, evidence, checks
    )


def check_sex(barcode: str, sex: Sex, e: SexEvidence, settings: Settings) -> Check:
    """Compare the chrX/chrY evidence with the registered sex (see :mod:`genopath.genome.sexcheck`)."""
    s = settings
    value = {"x_het_fraction": e.x_het_fraction, "x_calls": e.x_calls, "y_calls": e.y_calls}
    x_ok = e.x_calls >= s.qc_sex_min_x_calls and e.x_het_fraction is not None
    problems = []
    if sex is Sex.FEMALE:
        expected = f"female: chrX het fraction ≥ {s.qc_sex_x_het_female_min:g}, ≤ {s.qc_sex_y_calls_female_max} chrY calls"
        if e.y_calls > s.qc_sex_y_calls_female_max:
            problems.append(f"{e.y_calls} non-PAR chrY calls")
        if x_ok and e.x_het_fraction is not None and e.x_het_fraction < s.qc_sex_x_het_female_min:
            problems.append(f"non-PAR chrX het fraction {e.x_het_fraction:.3f}")
    elif sex is Sex.MALE:
        expected = f"male: chrX het fraction ≤ {s.qc_sex_x_het_male_max:g}"
        if x_ok and e.x_het_fraction is not None and e.x_het_fraction > s.qc_sex_x_het_male_max:
            problems.append(
                f"non-PAR chrX het fraction {e.x_het_fraction:.3f} ({e.x_het} of {e.x_calls} calls heterozygous)"
            )
    else:
        return Check(
            "sex",
            NOT_ASSESSED,
            value,
            "registered sex unknown",
            f"{barcode}: registered sex unknown",
            (barcode,),
        )
    if problems:
        return Check(
            "sex",
            FAIL,
            value,
            expected,
            f"{barcode}: registered {sex.value} but {' and '.join(problems)}",
            (barcode,),
        )
    if not x_ok and not (sex is Sex.FEMALE and e.y_calls):
        return Check(
            "sex",
            NOT_ASSESSED,
            value,
            expected,
            f"{barcode}: too few non-PAR chrX calls ({e.x_calls} < {s.qc_sex_min_x_calls}) for a sex check",
            (barcode,),
        )
    return Check(
        "sex", PASS, value, expected, f"{barcode}: genome consistent with registered {sex.value}", (barcode,)
    )


def _latest_genome(
    session: Session, actor: Actor, settings: Settings, participant: Participant
) -> tuple[list[str], store.StoredGenome | None]:
    live = [
        s for s in list_samples(session, actor, programme_id=participant.programme_id) if s.state not in _GONE
    ]
    genomes = [g for g in (store.current(settings, s.barcode) for s in live) if g is not None]
    genomes.sort(key=lambda g: str(g.manifest["ingested_at"]))
    return [s.barcode for s in live], (genomes[-1] if genomes else None)


def _generation_order(members: Sequence[Participant]) -> list[Participant]:
    depth: dict[int, int] = {}

    def d(p: Participant | None) -> int:
        if p is None:
            return -1
        if p.id not in depth:
            depth[p.id] = 1 + max(d(p.father), d(p.mother))
        return depth[p.id]

    return sorted(members, key=lambda p: (d(p), p.id))


def _relationship(a: Participant, b: Participant, phi: float) -> str:
    if a.father_pk == b.id or a.mother_pk == b.id or b.father_pk == a.id or b.mother_pk == a.id:
        return "parent-child"
    if a.father_pk and a.mother_pk and (a.father_pk, a.mother_pk) == (b.father_pk, b.mother_pk):
        return "full siblings"
    return UNRELATED if degree(phi) == UNRELATED else f"{degree(phi)} relatives"


def family_qc(session: Session, actor: Actor, settings: Settings, family_id: str) -> QcResult:
    """Run every per-sample and family check for the sequenced members of ``family_id``.

    Raises
    ------
    NotFoundError
        The family does not exist, or none of its members has an ingested genome.
    """
    family = get_family(session, actor, family_id)
    members = _generation_order(family.members)
    result = QcResult(family.family_id, [])
    by_member: dict[int, store.StoredGenome] = {}
    for p in members:
        barcodes, genome = _latest_genome(session, actor, settings, p)
        if genome is None:
            result.awaiting.extend(barcodes)
            continue
        by_member[p.id] = genome
        result.samples.append(sample_checks(genome, p.sex, settings))
    if not by_member:
        raise NotFoundError(
            f"no member of family {family.family_id} has an ingested genome; run `genopath genome ingest` first"
        )
    _family_checks(result, [p for p in members if p.id in by_member], by_member, members, settings)
    return result


def _family_checks(
    result: QcResult,
    sequenced: list[Participant],
    genomes: dict[int, store.StoredGenome],
    members: list[Participant],
    settings: Settings,
) -> None:
    ids = {p.id: p.programme_id for p in members}
    parents = {p.programme_id: (ids.get(p.father_pk or -1), ids.get(p.mother_pk or -1)) for p in members}
    expected = expected_kinship(parents, [p.programme_id for p in members])
    joint = joint_genotypes([genomes[p.id] for p in sequenced], min_gq=settings.qc_min_call_gq)
    for a, b in combinations(sequenced, 2):
        ga, gb = genomes[a.id], genomes[b.id]
        k = king_robust(joint.column(ga.barcode), joint.column(gb.barcode), joint.snv)
        phi_exp = expected[(a.programme_id, b.programme_id)]
        relation = _relationship(a, b, phi_exp)
        pair = {
            "a": ga.barcode,
            "b": gb.barcode,
            "relationship": relation,
            "expected_kinship": phi_exp,
            "expected_degree": degree(phi_exp),
            **asdict(k),
        }
        if k.phi is None or k.sites < settings.qc_kinship_min_sites:
            status, msg = (
                NOT_ASSESSED,
                f"{ga.barcode}/{gb.barcode}: only {k.sites} informative SNVs for kinship",
            )
        else:
            pair["observed_degree"] = degree(k.phi)
            ok = degree(k.phi) == degree(phi_exp)
            status = PASS if ok else FAIL
            msg = (
                f"{ga.barcode} ({a.programme_id}) vs {gb.barcode} ({b.programme_id}): kinship {k.phi:.3f} "
                f"({degree(k.phi)}) but the pedigree says {relation} ({phi_exp:.3f}); possible sample swap"
            )
            if ok:
                msg = f"{ga.barcode}/{gb.barcode}: kinship {k.phi:.3f} as expected for {relation}"
        pair["status"] = status
        result.pairs.append(pair)
        _attach(
            result,
            Check(
                "relatedness",
                status,
                k.phi,
                f"{degree(phi_exp)} (φ≈{phi_exp:g})",
                msg,
                (ga.barcode, gb.barcode),
            ),
        )
    by_id = {p.id: p for p in sequenced}
    for child in sequenced:
        if child.father_pk in by_id and child.mother_pk in by_id:
            g = [genomes[x] for x in (child.id, child.father_pk, child.mother_pk)]
            m = mendelian_errors(*(joint.column(x.barcode) for x in g))
            names = tuple(x.barcode for x in g)
            trio = {"child": names[0], "father": names[1], "mother": names[2], **asdict(m)}
            if m.rate is None or m.sites < settings.qc_mendel_min_sites:
                status, msg = NOT_ASSESSED, f"trio {'/'.join(names)}: only {m.sites} informative sites"
            elif m.rate > settings.qc_mendel_max_error_rate:
                status = FAIL
                msg = (
                    f"trio child {names[0]}, father {names[1]}, mother {names[2]}: Mendelian error rate "
                    f"{m.rate:.4f} ({m.errors} of {m.sites} sites) > {settings.qc_mendel_max_error_rate:g}"
                )
            else:
                status, msg = PASS, f"trio {'/'.join(names)}: Mendelian error rate {m.rate:.4f}"
            trio["status"] = status
            result.trios.append(trio)
            _attach(
                result,
                Check("mendelian", status, m.rate, f"≤ {settings.qc_mendel_max_error_rate:g}", msg, names),
            )


def _attach(result: QcResult, check: Check) -> None:
    result.family_checks.append(check)
    for sample in result.samples:
        if sample.barcode in check.samples:
            sample.checks.append(check)


def samples_qc(session: Session, actor: Actor, settings: Settings, barcodes: Sequence[str]) -> QcResult:
    """Per-sample checks only (no kinship or Mendelian checks) for the given samples."""
    if not barcodes:
        raise InputError("give a family (--family) or at least one sample (--sample)")
    result = QcResult(None, [])
    for barcode in barcodes:
        sample = get_sample(session, actor, barcode)
        result.samples.append(
            sample_checks(store.require_genome(settings, barcode), sample.participant.sex, settings)
        )
    return result


def record_outcome(session: Session, actor: Actor, settings: Settings, result: QcResult) -> None:
    """Write ``qc.json`` beside each genome, audit, and move or block the family's cases.

    Samples: a failing one moves ``data_delivered → qc_failed`` (reason: its failed checks); one
    whose genome failed genome QC before and now passes moves back to ``data_delivered``.
    Cases (of the family, or of each sample's participant): on failure every case that is
    neither closed nor already blocked is blocked with the failures as reason; after a passing
    *family* run with no member awaiting a genome, registered / awaiting_data cases move to
    ``ready``. A blocked case is never unblocked here: that is a person's decision.
    """
    require(actor, Permission.PROCESS_GENOMES)
    for sample in result.samples:
        genome = store.require_genome(settings, sample.barcode)
        store.write_qc(
            genome,
            {
                "status": sample.status,
                "created_at": result.created_at,
                "checks": [asdict(c) for c in sample.checks],
                "family_id": result.family_id,
            },
        )
        failed = [c.name for c in sample.checks if c.status == FAIL]
        result.sample_states[sample.barcode] = _move_sample(session, actor, sample)
        audit.record(
            session,
            actor,
            "genome.qc",
            "sample",
            sample.barcode,
            {
                "status": sample.status,
                "failed": failed,
                "genome_version": sample.version,
                "family": result.family_id,
            },
        )
    for case in _cases(session, result):
        if case.state in (CaseState.CLOSED, CaseState.BLOCKED):
            result.cases[case.case_id] = f"unchanged ({case.state.value})"
        elif result.status == FAIL:
            reason = "genome QC failed: " + "; ".join(result.failures())
            block_case(session, actor, case.case_id, reason=reason[:2000])
            result.cases[case.case_id] = "blocked"
        elif result.family_id is not None and not result.awaiting:
            if case.state is CaseState.REGISTERED:
                move_case(session, actor, case.case_id, CaseState.AWAITING_DATA)
            if case.state is CaseState.AWAITING_DATA:
                move_case(session, actor, case.case_id, CaseState.READY)
            result.cases[case.case_id] = case.state.value
        else:
            result.cases[case.case_id] = f"unchanged ({case.state.value})"


def _move_sample(session: Session, actor: Actor, sample: SampleQc) -> str:
    """``data_delivered → qc_failed`` on failure, ``qc_failed → data_delivered`` when a genome
    that failed genome QC passes again; returns the sample's state afterwards."""
    registered = get_sample(session, actor, sample.barcode)
    if sample.status == FAIL and registered.state is SampleState.DATA_DELIVERED:
        reason = "genome QC failed: " + "; ".join(c.message for c in sample.checks if c.status == FAIL)
        move_sample_for_genome(session, actor, sample.barcode, SampleState.QC_FAILED, reason=reason[:2000])
    elif sample.status != FAIL and failed_genome_qc(session, registered):
        move_sample_for_genome(
            session, actor, sample.barcode, SampleState.DATA_DELIVERED, reason="genome QC passed on re-run"
        )
    return registered.state.value


def _cases(session: Session, result: QcResult) -> list[Case]:
    from genopath.registry.models import Family

    if result.family_id is not None:
        query = (
            select(Case).join(Family, Case.family_pk == Family.id).where(Family.family_id == result.family_id)
        )
    else:
        pids = [s.programme_id for s in result.samples]
        query = (
            select(Case)
            .join(Participant, Case.proband_pk == Participant.id)
            .where(Participant.programme_id.in_(pids))
        )
    return list(session.execute(query.order_by(Case.case_id)).scalars())


def report_dir(settings: Settings, result: QcResult) -> Path:
    """``<home>/qc/<family_id>/`` (or ``<home>/qc/<barcode>/`` for a one-sample run)."""
    name = result.family_id or "+".join(s.barcode for s in result.samples)
    return settings.home / "qc" / name
