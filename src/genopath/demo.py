"""A small demonstration programme built from the packaged example files.

Three partner centres, their users, four families (PED and Phenopacket imports) with
phenotypes, identities, consent by age tier, samples at several stages, cases, and one
withdrawal showing its propagation. :func:`build_demo` returns a summary to print.
"""

from __future__ import annotations

import secrets
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from genopath.core.errors import ConfigurationError
from genopath.core.files import write_text_atomic
from genopath.core.settings import Settings
from genopath.registry import (
    Actor,
    CaseCategory,
    CaseState,
    ConsentForm,
    Purpose,
    Registry,
    Role,
    SampleState,
    SampleType,
    SignerRole,
    audit,
    cases,
    centres,
    consent,
    families,
    init_database,
    participants,
    phenopacket,
    samples,
    users,
)
from genopath.registry.models import Participant, Sample
from genopath.registry.pedigree import read_ped
from genopath.registry.vault import read_for_rule

MARKER = ".genopath-demo"
SIGNED_ON = date(2026, 3, 2)
CENTRES = (
    ("HKCH", "Hong Kong Children's Hospital"),
    ("PWH", "Prince of Wales Hospital"),
    ("QMH", "Queen Mary Hospital"),
)
USERS = (
    ("dr.hkch", Role.CLINICIAN, "HKCH"),
    ("gc.pwh", Role.GENETIC_COUNSELLOR, "PWH"),
    ("dr.qmh", Role.CLINICIAN, "QMH"),
    ("lab.central", Role.LAB, None),
    ("bio.central", Role.BIOINFORMATICIAN, None),
    ("sci.central", Role.CLINICAL_SCIENTIST, None),
    ("auth.central", Role.AUTHORISER, None),
    ("pm.central", Role.PROGRAMME_MANAGER, None),
)


@dataclass
class DemoSummary:
    """What the demo built, for printing."""

    home: Path
    credentials: Path
    participants: dict[str, Counter[str]] = field(default_factory=dict)  # centre → state → n
    samples: Counter[str] = field(default_factory=Counter)
    cases: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    consent: list[tuple[str, dict[Purpose, bool]]] = field(default_factory=list)
    audit_entries: int = 0
    resources: dict[str, str] = field(default_factory=dict)
    annotation: Path | None = None
    annotated: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def examples_dir() -> Path:
    """The packaged example files."""
    return Path(str(files("genopath") / "examples"))


def build_demo(home: Path, *, fresh: bool = True) -> DemoSummary:
    """Build the demonstration programme in ``home`` (a SQLite registry) and summarise it.

    Raises
    ------
    ConfigurationError
        If ``home`` exists, is not empty and was not made by the demo (nothing is deleted).
    """
    _prepare(home, fresh=fresh)
    settings = Settings(home=home, database_url=None)
    registry = init_database(settings)
    try:
        credentials = _setup(registry, home)
        with registry.transaction() as s:
            summary = _summarise(s, home, credentials)
    finally:
        registry.dispose()
    _annotate_example(settings, summary)
    return summary


def _annotate_example(settings: Settings, summary: DemoSummary) -> None:
    """Install the committed resource bundle and annotate the example BRCA1 VCF with it."""
    from genopath.annotation.run import annotate_vcf
    from genopath.resources import install_bundle, versions

    installed = install_bundle(settings)
    summary.resources = versions(settings, [r.name for r in installed])
    out = settings.home / "annotation" / "brca1_demo.annotation.parquet"
    result = annotate_vcf(settings, examples_dir() / "brca1_demo.vcf", out)
    summary.annotation = result.out
    import pyarrow.parquet as pq

    for r in pq.read_table(out).to_pylist():
        flag = " (REF differs from GRCh38)" if r["ref_mismatch"] else ""
        summary.annotated.append(
            (
                f"{r['chrom']}:{r['pos']}:{r['ref']}:{r['alt']}",
                f"{r['gene_symbol'] or ''} {r['hgvs_c'] or ''} {r['hgvs_p'] or ''}".strip(),
                (r["most_severe"] or "") + flag,
                r["clinvar_significance"] or "",
                "" if r["loeuf"] is None else f"{r['loeuf']:.2f}",
            )
        )


def _prepare(home: Path, *, fresh: bool) -> None:
    if home.exists() and any(home.iterdir()) and not (home / MARKER).exists():
        raise ConfigurationError(f"{home} exists and was not made by `genopath demo`; choose another --home")
    if fresh and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("made by `genopath demo`; safe to delete\n")
    if not fresh and (home / "genopath.db").exists():
        raise ConfigurationError(f"{home} already holds a demo programme; drop --no-fresh to rebuild it")


def _setup(registry: Registry, home: Path) -> Path:
    operator = Actor.system("demo")
    lines = ["# Demo users and passwords (development only; made by `genopath demo`)"]
    with registry.transaction() as s:
        for code, name in CENTRES:
            centres.add_centre(s, operator, code, name)
        for username, role, centre in USERS:
            password = secrets.token_urlsafe(12)
            users.add_user(s, operator, username, password, role, centre)
            lines.append(f"{username}\t{role.value}\t{centre or 'programme-wide'}\t{password}")
    credentials = home / "demo-credentials.tsv"
    write_text_atomic(credentials, "\n".join(lines) + "\n")
    credentials.chmod(0o600)
    actors = {u: Actor(u, r, c) for u, r, c in USERS}
    _import_families(registry, actors)
    _consent_everyone(registry, actors)
    _samples_and_cases(registry, actors)
    return credentials


def _import_families(registry: Registry, actors: dict[str, Actor]) -> None:
    ex = examples_dir()
    with registry.transaction() as s:
        for centre, user in (("HKCH", "dr.hkch"), ("QMH", "dr.qmh")):
            prefix = centre.lower()
            entries = families.read_phenotype_tsv(ex / f"{prefix}_phenotypes.tsv")
            people = families.read_identity_tsv(ex / f"{prefix}_identities.tsv")
            pedigrees = read_ped(ex / f"{prefix}_families.ped")
            families.import_families(
                s,
                actors[user],
                registry.cipher,
                pedigrees,
                centre=centre,
                phenotypes=entries,
                identities=people,
            )
        pedigree, entries = phenopacket.parse_family((ex / "pwh_family.phenopacket.json").read_text())
        families.import_family(
            s,
            actors["gc.pwh"],
            registry.cipher,
            pedigree,
            centre="PWH",
            phenotypes=entries,
            identities=families.read_identity_tsv(ex / "pwh_identities.tsv"),
        )


# Consent choices per PED individual: (additional findings, pharmacogenomics, research DUO codes).
CHOICES: dict[str, tuple[bool, bool, tuple[str, ...]]] = {
    "HK01-1": (True, True, ("DUO:0000042",)),
    "HK02-1": (True, False, ("DUO:0000006", "DUO:0000019")),
    "QM01-1": (True, True, ("DUO:0000006", "DUO:0000046")),
    "QM02-1": (False, False, ("DUO:0000007",)),
    "PW01-4": (True, True, ("DUO:0000042",)),
}
NOT_YET_CONSENTED = {"PW01-1"}  # the adult sibling has not been seen by the counsellor yet


def _consent_everyone(registry: Registry, actors: dict[str, Actor]) -> None:
    by_centre = {"HKCH": "dr.hkch", "PWH": "gc.pwh", "QMH": "dr.qmh"}
    with registry.transaction() as s:
        for p in s.execute(select(Participant).order_by(Participant.id)).scalars():
            if p.local_id in NOT_YET_CONSENTED:
                continue
            actor = actors[by_centre[p.centre.code]]
            born = read_for_rule(s, actor, registry.cipher, p, purpose="demo: choose signer").date_of_birth
            age = consent.age_on(born, SIGNED_ON) if born else 40
            af, pgx, duo = CHOICES.get(p.local_id or "", (False, True, ("DUO:0000042",)))
            form = ConsentForm(
                "HKGP-CF-2.1",
                SIGNED_ON,
                _signer(age),
                additional_findings=af,
                pharmacogenomics=pgx,
                research=bool(duo),
                research_duo=duo,
                recontact=True,
            )
            consent.record_consent(s, actor, registry.cipher, p.programme_id, form)
            if p.is_proband:
                participants.enrol(s, actor, p.programme_id)


def _signer(age: int) -> SignerRole:
    if age >= 18:
        return SignerRole.SELF
    if age >= 16:
        return SignerRole.PARENT_AND_CHILD
    return SignerRole.PARENT_WITH_ASSENT if age >= 7 else SignerRole.PARENT


# How far each family's samples have got at the central lab.
SAMPLE_STAGE = {
    "HK01": SampleState.DATA_DELIVERED,
    "HK02": SampleState.SEQUENCED,
    "PW01": SampleState.QC_PASSED,
    "QM01": SampleState.RECEIVED,
    "QM02": SampleState.COLLECTED,
}
CHAIN = (
    SampleState.COLLECTED,
    SampleState.RECEIVED,
    SampleState.EXTRACTED,
    SampleState.QC_PASSED,
    SampleState.SEQUENCED,
    SampleState.DATA_DELIVERED,
)


def _samples_and_cases(registry: Registry, actors: dict[str, Actor]) -> None:
    lab = actors["lab.central"]
    with registry.transaction() as s:
        consented = [
            p
            for p in s.execute(select(Participant).order_by(Participant.id)).scalars()
            if consent.may_use(s, p, Purpose.PARTICIPATION).allowed
        ]
        for number, p in enumerate(consented, start=1):
            barcode = f"HKGP-{number:05d}"
            samples.register_sample(s, lab, p.programme_id, barcode, SampleType.BLOOD)
            target = SAMPLE_STAGE[p.family.local_id if p.family else ""]
            for state in CHAIN[: CHAIN.index(target) + 1]:
                if state is SampleState.QC_PASSED and p.local_id == "PW01-2":
                    samples.move_sample(s, lab, barcode, SampleState.QC_FAILED, reason="DNA yield below 1 µg")
                    samples.move_sample(s, lab, barcode, SampleState.EXTRACTED)
                samples.move_sample(s, lab, barcode, state)
        samples.register_sample(
            s, lab, consented[0].programme_id, "HKGP-09001", SampleType.SALIVA, state=SampleState.COLLECTED
        )
        samples.move_sample(s, lab, "HKGP-09001", SampleState.REJECTED, reason="tube leaked in transit")
    _cases(registry, actors)


def _cases(registry: Registry, actors: dict[str, Actor]) -> None:
    with registry.transaction() as s:
        probands = {
            p.family.local_id: p
            for p in s.execute(select(Participant).where(Participant.is_proband)).scalars()
            if p.family
        }
        plan = (
            (
                "HK01",
                "dr.hkch",
                CaseCategory.RARE_DISEASE,
                "Infantile-onset epilepsy with developmental delay",
                ["Genetic epilepsy syndromes"],
                CaseState.READY,
            ),
            (
                "HK02",
                "dr.hkch",
                CaseCategory.RARE_DISEASE,
                "Paediatric dilated cardiomyopathy",
                ["Cardiomyopathies - including childhood onset"],
                CaseState.AWAITING_DATA,
            ),
            (
                "PW01",
                "gc.pwh",
                CaseCategory.RARE_DISEASE,
                "Intellectual disability with autism",
                ["Intellectual disability"],
                CaseState.AWAITING_DATA,
            ),
            (
                "QM01",
                "dr.qmh",
                CaseCategory.HEREDITARY_CANCER,
                "Breast cancer diagnosed at 38",
                ["Adult solid tumours cancer susceptibility"],
                CaseState.REGISTERED,
            ),
            (
                "QM02",
                "dr.qmh",
                CaseCategory.RARE_DISEASE,
                "Childhood-onset epilepsy with intellectual disability",
                ["Genetic epilepsy syndromes"],
                CaseState.AWAITING_DATA,
            ),
        )
        for family, user, category, indication, panels, target in plan:
            case = cases.open_case(
                s,
                actors[user],
                probands[family].programme_id,
                category=category,
                indication=indication,
                panels=panels,
            )
            path = (CaseState.AWAITING_DATA, CaseState.READY)
            for state in path[: path.index(target) + 1] if target in path else ():
                cases.move_case(s, actors["bio.central"], case.case_id, state)
    with registry.transaction() as s:
        mother = s.execute(select(Participant).where(Participant.local_id == "QM02-2")).scalar_one()
        participants.withdraw(
            s, actors["dr.qmh"], mother.programme_id, reason="no longer wishes to take part (demonstration)"
        )


def _summarise(s: Session, home: Path, credentials: Path) -> DemoSummary:
    summary = DemoSummary(home=home, credentials=credentials)
    for p in s.execute(select(Participant).order_by(Participant.id)).scalars():
        summary.participants.setdefault(p.centre.code, Counter())[p.state.value] += 1
        if p.is_proband:
            summary.consent.append(
                (p.programme_id, {pur: consent.may_use(s, p, pur).allowed for pur in Purpose})
            )
    for sample in s.execute(select(Sample)).scalars():
        summary.samples[
            sample.state.value + (" (flagged for destruction)" if sample.flagged_for_destruction else "")
        ] += 1
    admin = Actor.system("demo")
    summary.cases = [
        (c.case_id, c.centre.code, c.proband.programme_id, c.state.value, c.blocked_reason or "")
        for c in cases.list_cases(s, admin)
    ]
    summary.audit_entries = audit.verify(s).entries
    return summary
