"""``genopath case run`` and ``genopath case reanalyse``: interpretation of a registered case.

A case's analysis reads the family's ingested genomes (their source VCF, checked against the
sha256 recorded at ingest), the proband's recorded HPO terms and the case's panels, and is filed
as a new numbered version under ``<home>/cases/<case_id>/a<n>/`` — never overwriting an earlier
one (DESIGN §2). Consent gates every step: programme participation for each sequenced member,
primary findings for the proband; additional findings only with that consent, by the age rule.

Reanalysis re-runs with the current resources and HPO terms. When only the phenotype or panels
changed (same genome files, same resource versions) it re-ranks the previous analysis's
candidate table instead of reading the genome again. Either way it reports what changed: new
and dropped candidate genes, rank moves and ACMG reclassifications.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from genopath.core.errors import ConflictError, InputError, StateTransitionError
from genopath.core.files import temporary_folder
from genopath.core.settings import Settings
from genopath.genome import store
from genopath.genome.store import sha256_file
from genopath.interpretation.model import Family, Member
from genopath.interpretation.run import Options, Phenotype, interpret_family, read_results, rerank
from genopath.registry import audit
from genopath.registry.access import Actor
from genopath.registry.cases import get_case, move_case
from genopath.registry.consent import may_use, require_consent
from genopath.registry.models import Case, Participant
from genopath.registry.phenotypes import list_phenotypes
from genopath.registry.samples import list_samples
from genopath.registry.terms import CaseState, ParticipantState, Purpose, SampleState
from genopath.registry.vault import VaultCipher, read_for_rule
from genopath.resources import SILENT, Progress, installed

RESULTS = "results.json"
#: Resources the genome-wide half (loading, annotation joins) reads; a change in any of them means
#: a full re-run rather than a re-rank.
GENOME_WIDE_RESOURCES = ("mane", "clinvar", "clinvar_2star", "constraint")
CHANGES = "changes.json"
#: States from which a case can be reanalysed (a new version); closed ones reopen to interpreted.
REANALYSABLE = frozenset(
    {
        CaseState.INTERPRETED,
        CaseState.IN_REVIEW,
        CaseState.AWAITING_AUTHORISATION,
        CaseState.AUTHORISED,
        CaseState.REPORTED,
        CaseState.RESULTS_RETURNED,
        CaseState.CLOSED,
    }
)


@dataclass
class CaseAnalysis:
    """One filed analysis of a case."""

    case_id: str
    version: int
    folder: Path
    results: dict[str, Any]
    changes: dict[str, Any] | None = None
    reranked: bool = False


def cases_root(settings: Settings) -> Path:
    return settings.home / "cases"


def analyses(settings: Settings, case_id: str) -> list[Path]:
    """The case's analysis folders (``a1``, ``a2`` …), oldest first."""
    folder = cases_root(settings) / case_id
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and p.name[:1] == "a" and p.name[1:].isdigit()]
    return sorted(found, key=lambda p: int(p.name[1:]))


def run_case(
    session: Session,
    actor: Actor,
    settings: Settings,
    cipher: VaultCipher,
    case_id: str,
    *,
    panels: tuple[str, ...] | None = None,
    progress: Progress = SILENT,
) -> CaseAnalysis:
    """First analysis of a ``ready`` case; moves it to ``interpreted``.

    Raises
    ------
    StateTransitionError
        The case is not ready (e.g. awaiting data, blocked) or was analysed already (reanalyse it).
    ConsentError
        A sequenced member lacks participation consent, or the proband primary-findings consent.
    InputError
        A member's genome is missing or its source VCF changed since ingest.
    """
    case = get_case(session, actor, case_id)
    if case.state is not CaseState.READY:
        hint = (
            "it has analyses already; use `genopath case reanalyse`"
            if analyses(settings, case.case_id)
            else "it becomes ready when every member's genome has passed QC (`genopath genome qc`)"
        )
        reason = f" ({case.blocked_reason})" if case.state is CaseState.BLOCKED else ""
        raise StateTransitionError(f"case {case.case_id} is {case.state.value}{reason}, not ready; {hint}")
    analysis = _analyse(session, actor, settings, cipher, case, panels, previous=None, progress=progress)
    move_case(session, actor, case.case_id, CaseState.INTERPRETED)
    return analysis


def reanalyse_case(
    session: Session,
    actor: Actor,
    settings: Settings,
    cipher: VaultCipher,
    case_id: str,
    *,
    panels: tuple[str, ...] | None = None,
    progress: Progress = SILENT,
) -> CaseAnalysis:
    """A new analysis version with current resources and HPO terms, and what changed.

    A closed case moves back to ``interpreted``; a case under review stays where it is.
    """
    case = get_case(session, actor, case_id)
    earlier = analyses(settings, case.case_id)
    if not earlier:
        raise StateTransitionError(
            f"case {case.case_id} has no analysis yet; run `genopath case run {case.case_id}`"
        )
    if case.state not in REANALYSABLE:
        reason = f" ({case.blocked_reason})" if case.state is CaseState.BLOCKED else ""
        raise StateTransitionError(
            f"case {case.case_id} is {case.state.value}{reason}; it cannot be reanalysed now"
        )
    analysis = _analyse(
        session, actor, settings, cipher, case, panels, previous=earlier[-1], progress=progress
    )
    if case.state is CaseState.CLOSED:
        move_case(session, actor, case.case_id, CaseState.INTERPRETED)
    return analysis


def _analyse(
    session: Session,
    actor: Actor,
    settings: Settings,
    cipher: VaultCipher,
    case: Case,
    panels: tuple[str, ...] | None,
    *,
    previous: Path | None,
    progress: Progress,
) -> CaseAnalysis:
    proband = case.proband
    require_consent(session, proband, Purpose.PRIMARY_FINDINGS)
    family, vcf, sha = _family_genomes(session, actor, settings, case)
    phenotype = _phenotype(session, actor, proband.programme_id)
    additional = may_use(session, proband, Purpose.ADDITIONAL_FINDINGS).allowed
    age = _age(session, actor, cipher, proband) if additional else None
    version = int(previous.name[1:]) + 1 if previous is not None else 1
    options = Options(
        panels=tuple(panels if panels is not None else case.panels or ()),
        additional_findings=additional,
        additional_findings_status="not_requested" if additional else "not_consented",
        proband_age=age,
        case_id=case.case_id,
        analysis_version=version,
    )
    folder = cases_root(settings) / case.case_id / f"a{version}"
    if folder.exists():
        raise ConflictError(f"{folder} exists already; another analysis of {case.case_id} is being filed")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_folder(folder.parent, f".a{version}.")
    before = read_results(previous / RESULTS) if previous is not None else None
    try:
        reuse = before is not None and _same_genome_and_resources(before, sha, settings)
        if reuse and previous is not None:
            results = rerank(
                settings, previous / RESULTS, phenotype, tmp / RESULTS, options=options, progress=progress
            )
        else:
            results = interpret_family(
                settings, vcf, family, phenotype, tmp / RESULTS, options=options, progress=progress
            )
        changes = diff(before, results) if before is not None else None
        if changes is not None:
            (tmp / CHANGES).write_text(json.dumps(changes, indent=1) + "\n")
        _write_report(results, tmp / "report.html")
        tmp.rename(folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    audit.record(
        session,
        actor,
        "case.reanalyse" if previous is not None else "case.analyse",
        "case",
        case.case_id,
        {
            "version": version,
            "reranked_only": bool(before is not None and reuse),
            "vcf_sha256": sha,
            "hpo": list(phenotype.observed),
            "panels": list(options.panels),
            "additional_findings": additional,
            "top_gene": results["genes"][0]["gene_symbol"] if results["genes"] else None,
        },
    )
    return CaseAnalysis(
        case.case_id, version, folder, results, changes, reranked=bool(before is not None and reuse)
    )


def _write_report(results: dict[str, Any], out: Path) -> None:
    from genopath.reports.clinical import write_clinical_report

    write_clinical_report(results, out)


def _family_genomes(
    session: Session, actor: Actor, settings: Settings, case: Case
) -> tuple[Family, Path, str]:
    """The family bound to its ingested genomes' VCF columns, and that one source VCF."""
    people: list[Participant] = list(case.family.members) if case.family is not None else [case.proband]
    members, sources = [], {}
    for person in people:
        if person.state is ParticipantState.WITHDRAWN:
            members.append(_member(person, None))  # never analysed, whatever was sequenced
            continue
        genome = _genome(session, actor, settings, person)
        if genome is None:
            if person.id == case.proband_pk:
                raise InputError(
                    f"proband {person.programme_id} has no delivered genome; ingest it (`genopath genome ingest`)"
                )
            members.append(_member(person, None))
            continue
        require_consent(session, person, Purpose.PARTICIPATION)
        source = genome.manifest["source"]
        sources[person.programme_id] = (Path(source["path"]), str(source["sha256"]))
        members.append(_member(person, str(genome.manifest["sample"]["vcf_sample"])))
    files = {s for s in sources.values()}
    if len(files) != 1:
        listing = "; ".join(f"{pid}: {p.name}" for pid, (p, _) in sorted(sources.items()))
        raise InputError(
            f"case {case.case_id}: the family's genomes come from {len(files)} different VCFs ({listing}); "
            "ingest one joint-called family VCF (e.g. `bcftools merge`) so genotypes are comparable"
        )
    ((vcf, sha),) = files
    if not vcf.exists():
        raise InputError(
            f"{vcf}, the VCF these genomes were ingested from, is gone; re-ingest the family VCF"
        )
    if sha256_file(vcf) != sha:
        raise InputError(f"{vcf} changed since it was ingested (sha256 differs); re-ingest it with --replace")
    proband_id = case.proband.programme_id
    return Family(case.family.family_id if case.family else proband_id, proband_id, tuple(members)), vcf, sha


def _member(p: Participant, sample: str | None) -> Member:
    return Member(
        p.programme_id,
        sample,
        p.father.programme_id if p.father is not None else None,
        p.mother.programme_id if p.mother is not None else None,
        p.sex,
        p.affected,
    )


def _genome(
    session: Session, actor: Actor, settings: Settings, person: Participant
) -> store.StoredGenome | None:
    delivered = list_samples(
        session, actor, programme_id=person.programme_id, state=SampleState.DATA_DELIVERED
    )
    genomes = [g for g in (store.current(settings, s.barcode) for s in delivered) if g is not None]
    genomes.sort(key=lambda g: str(g.manifest["ingested_at"]))
    return genomes[-1] if genomes else None


def _phenotype(session: Session, actor: Actor, programme_id: str) -> Phenotype:
    rows = list_phenotypes(session, actor, programme_id)
    return Phenotype(
        tuple(r.hpo_id for r in rows if r.observed), tuple(r.hpo_id for r in rows if not r.observed)
    )


def _age(session: Session, actor: Actor, cipher: VaultCipher, person: Participant) -> float | None:
    identity = read_for_rule(session, actor, cipher, person, purpose="additional findings age rule")
    if identity.date_of_birth is None:
        return None
    return (date.today() - identity.date_of_birth).days / 365.25


def _same_genome_and_resources(before: dict[str, Any], sha: str, settings: Settings) -> bool:
    """Whether only phenotype/panels can differ: the same VCF and the same genome-wide resources."""
    if before.get("input", {}).get("sha256") != sha:
        return False
    have = {name: res.version for name, res in installed(settings).items()}
    used = before.get("resources", {})
    # the knowledge the genome-wide stage joins: same versions, none added or removed since; the
    # reference only matters when it was used (a plain VCF annotated by genopath)
    same = all(have.get(name) == used.get(name) for name in GENOME_WIDE_RESOURCES)
    return same and ("reference" not in used or have.get("reference") == used["reference"])


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two analyses: new and dropped genes, rank moves, reclassifications."""

    def genes(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {g["gene_symbol"]: g for g in results["genes"]}

    old, new = genes(before), genes(after)
    moves, reclassified = [], []
    for symbol in sorted(old.keys() & new.keys()):
        a, b = old[symbol], new[symbol]
        if a["rank"] != b["rank"]:
            moves.append({"gene": symbol, "from": a["rank"], "to": b["rank"]})
        old_classes = {_vkey(v): v["acmg"]["class"] for v in a["variants"]}
        for v in b["variants"]:
            was = old_classes.get(_vkey(v))
            if was is not None and was != v["acmg"]["class"]:
                reclassified.append(
                    {"gene": symbol, "variant": _vkey(v), "from": was, "to": v["acmg"]["class"]}
                )
    return {
        "from_analysis": before.get("analysis", {}),
        "to_analysis": after.get("analysis", {}),
        "new_genes": [
            {"gene": s, "rank": new[s]["rank"]}
            for s in sorted(new.keys() - old.keys(), key=lambda s: new[s]["rank"])
        ],
        "dropped_genes": [
            {"gene": s, "rank": old[s]["rank"]}
            for s in sorted(old.keys() - new.keys(), key=lambda s: old[s]["rank"])
        ],
        "rank_moves": sorted(moves, key=lambda m: m["to"]),
        "reclassified": reclassified,
        "resources": {
            k: {"from": before["resources"].get(k), "to": after["resources"].get(k)}
            for k in sorted(set(before["resources"]) | set(after["resources"]))
            if before["resources"].get(k) != after["resources"].get(k)
        },
        "phenotype": {
            "added": sorted(
                {t["id"] for t in after["phenotype"]["observed"]}
                - {t["id"] for t in before["phenotype"]["observed"]}
            ),
            "removed": sorted(
                {t["id"] for t in before["phenotype"]["observed"]}
                - {t["id"] for t in after["phenotype"]["observed"]}
            ),
        },
    }


def _vkey(v: dict[str, Any]) -> str:
    return f"{v['chrom']}:{v['pos']}:{v['ref']}:{v['alt']}"
