"""``genopath registry family|phenotype|consent …``"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Literal

import typer

from genopath.cli.context import console, emit, errors, ok, table, work
from genopath.core.errors import PedigreeError
from genopath.registry import ConsentForm, Purpose, ResearchUse, SignerRole, consent, families, phenotypes
from genopath.registry import phenopacket as ppkt
from genopath.registry.pedigree import Pedigree, read_ped, write_ped
from genopath.registry.vault import Identity

family_app = typer.Typer(help="Families: PED and Phenopacket import/export.", no_args_is_help=True)
phenotype_app = typer.Typer(help="HPO terms observed or excluded.", no_args_is_help=True)
consent_app = typer.Typer(help="Consent records and the consent check.", no_args_is_help=True)


@family_app.command("import")
def family_import(
    ped: Path = typer.Argument(..., help="PED file (6 columns); may hold several families"),
    centre: str = typer.Option(..., help="Recruiting centre code"),
    hpo: Path | None = typer.Option(None, help="TSV: individual_id, hpo_id, status, onset"),
    identities: Path | None = typer.Option(
        None, help="TSV: individual_id, name, id_card_number, date_of_birth, contact"
    ),
    proband: list[str] = typer.Option([], help="FAMILY:INDIVIDUAL; default: the only affected member"),
) -> None:
    """Import families from a PED file with their phenotypes and identities (all or nothing)."""
    with errors():
        pedigrees = _with_probands(read_ped(ped), proband)
        entries = families.read_phenotype_tsv(hpo) if hpo else []
        people = families.read_identity_tsv(identities) if identities else {}
    _import(pedigrees, centre, entries, people)


@family_app.command("import-phenopacket")
def family_import_phenopacket(
    path: Path = typer.Argument(..., help="GA4GH Phenopacket v2 Family JSON"),
    centre: str = typer.Option(...),
    identities: Path | None = typer.Option(None, help="TSV as for `family import`"),
) -> None:
    """Import a family from a Phenopacket v2 Family JSON."""
    with errors():
        try:
            text = path.read_text()
        except OSError as e:
            raise PedigreeError(f"cannot read {path}: {e}") from e
        pedigree, entries = ppkt.parse_family(text, source=str(path))
        people = families.read_identity_tsv(identities) if identities else {}
    _import([pedigree], centre, entries, people)


def _import(
    pedigrees: list[Pedigree],
    centre: str,
    entries: list[families.PhenotypeEntry],
    people: dict[str, Identity],
) -> None:
    with work() as (registry, s, actor):
        imported = families.import_families(
            s, actor, registry.cipher, pedigrees, centre=centre, phenotypes=entries, identities=people
        )
        done = [(f.local_id, f.family_id, len(f.members)) for f in imported]
    for local, fid, n in done:
        ok(f"family {local} imported as {fid} ({n} members)")


def _with_probands(pedigrees: list[Pedigree], probands: list[str]) -> list[Pedigree]:
    chosen: dict[str, str] = {}
    for spec in probands:
        family, sep, individual = spec.partition(":")
        if not sep or not individual:
            raise PedigreeError(f"--proband {spec!r} must be FAMILY:INDIVIDUAL")
        if family in chosen:
            raise PedigreeError(
                f"family {family} has more than one proband ({chosen[family]}, {individual}); "
                "a family has one proband"
            )
        chosen[family] = individual
    unknown = set(chosen) - {p.family_id for p in pedigrees}
    if unknown:
        raise PedigreeError(f"--proband names family {', '.join(sorted(unknown))}, which is not in the PED")
    out = []
    for pedigree in pedigrees:
        if pedigree.family_id in chosen:
            pedigree.member(chosen[pedigree.family_id])
            pedigree = replace(pedigree, proband=chosen[pedigree.family_id])
        out.append(pedigree)
    return out


@family_app.command("export")
def family_export(
    family_id: str,
    format: str = typer.Option("ped", help="ped or phenopacket"),
    ids: str = typer.Option("programme", help="programme (P/F IDs) or local (IDs of the imported PED)"),
    out: Path | None = typer.Option(None, help="File to write (atomically); default: standard output"),
) -> None:
    """Export a family as PED or Phenopacket v2 Family JSON."""
    if format not in ("ped", "phenopacket"):
        raise typer.BadParameter("choose ped or phenopacket", param_hint="--format")
    if ids not in ("programme", "local"):
        raise typer.BadParameter("choose programme or local", param_hint="--ids")
    style: Literal["programme", "local"] = "local" if ids == "local" else "programme"
    with work() as (_, s, actor):
        if format == "ped":
            text = write_ped([families.family_pedigree(s, actor, family_id, ids=style)])
        else:
            text = ppkt.export_family(s, actor, family_id) + "\n"
    with errors():
        emit(text, out)


@family_app.command("list")
def family_list() -> None:
    """List families you may see."""
    with work() as (_, s, actor):
        rows = [
            (
                f.family_id,
                f.local_id,
                f.centre.code,
                len(f.members),
                next((m.programme_id for m in f.members if m.is_proband), ""),
            )
            for f in families.list_families(s, actor)
        ]
    table("Families", ["ID", "local ID", "centre", "members", "proband"], rows)


@family_app.command("show")
def family_show(family_id: str) -> None:
    """Show a family's members and pedigree links."""
    with work() as (_, s, actor):
        f = families.get_family(s, actor, family_id)
        rows = [
            (
                m.programme_id,
                m.local_id,
                m.sex.value,
                m.affected.value,
                m.father.programme_id if m.father else "",
                m.mother.programme_id if m.mother else "",
                "yes" if m.is_proband else "",
                m.state.value,
            )
            for m in f.members
        ]
        title = f"Family {f.family_id} ({f.local_id}, {f.centre.code})"
    table(title, ["ID", "local ID", "sex", "affected", "father", "mother", "proband", "state"], rows)


@phenotype_app.command("add")
def phenotype_add(
    programme_id: str,
    hpo_id: str,
    excluded: bool = typer.Option(False, "--excluded", help="The feature was looked for and is absent"),
    onset: str | None = typer.Option(None, help="HPO onset term (HP:0003577) or ISO 8601 age (P3Y)"),
) -> None:
    """Record an HPO term for a participant (checked against the HPO release)."""
    with work() as (_, s, actor):
        row = phenotypes.add_phenotype(s, actor, programme_id, hpo_id, observed=not excluded, onset=onset)
        label = row.label
    ok(f"{hpo_id} ({label}) recorded as {'excluded' if excluded else 'observed'} for {programme_id}")


@phenotype_app.command("remove")
def phenotype_remove(programme_id: str, hpo_id: str) -> None:
    """Remove a recorded HPO term."""
    with work() as (_, s, actor):
        phenotypes.remove_phenotype(s, actor, programme_id, hpo_id)
    ok(f"{hpo_id} removed from {programme_id}")


@phenotype_app.command("list")
def phenotype_list(programme_id: str) -> None:
    """List a participant's HPO terms."""
    with work() as (_, s, actor):
        rows = [
            (p.hpo_id, p.label, "observed" if p.observed else "excluded", p.onset, p.hpo_version)
            for p in phenotypes.list_phenotypes(s, actor, programme_id)
        ]
    table(f"Phenotypes of {programme_id}", ["HPO", "label", "status", "onset", "HPO release"], rows)


@consent_app.command("record")
def consent_record(
    programme_id: str,
    form_version: str = typer.Option(..., help="Version of the signed form"),
    signed_on: str = typer.Option(..., help="Date signed, YYYY-MM-DD"),
    signer: SignerRole = typer.Option(..., help="Who signed (checked against the participant's age)"),
    primary_findings: bool = typer.Option(True, help="Results about the referral reason"),
    additional_findings: bool = typer.Option(False, help="ACMG SF actionable findings"),
    pharmacogenomics: bool = typer.Option(False),
    research: str | None = typer.Option(None, help="Research use, as DUO codes: DUO:0000042[,DUO:0000019]"),
    recontact: bool = typer.Option(False),
    designated_person: bool = typer.Option(False, help="A designated person may receive results"),
) -> None:
    """Record a signed consent form; it supersedes the active one."""
    try:
        day = date.fromisoformat(signed_on)
    except ValueError as e:
        raise typer.BadParameter(f"{signed_on!r} is not a date YYYY-MM-DD", param_hint="--signed-on") from e
    codes = tuple(c for c in (research or "").split(",") if c.strip())
    form = ConsentForm(
        form_version,
        day,
        signer,
        True,
        primary_findings,
        additional_findings,
        pharmacogenomics,
        research is not None,
        codes,
        recontact,
        designated_person,
    )
    with work() as (registry, s, actor):
        record = consent.record_consent(s, actor, registry.cipher, programme_id, form)
        version, tier = record.version, record.age_tier.value
    ok(f"consent v{version} recorded for {programme_id} ({tier})")


@consent_app.command("withdraw")
def consent_withdraw(programme_id: str, reason: str = typer.Option(...)) -> None:
    """Withdraw all consent: the participant leaves the programme (see `participant withdraw`).
    To narrow consent instead, record a new form without the use."""
    from genopath.registry import participants

    with work() as (_, s, actor):
        participants.withdraw(s, actor, programme_id, reason=reason)
    ok(f"consent of {programme_id} withdrawn; the participant is withdrawn")


@consent_app.command("history")
def consent_history(programme_id: str) -> None:
    """All consent records of a participant."""
    with work() as (_, s, actor):
        rows = [
            (
                c.version,
                c.state.value,
                c.signed_on,
                c.form_version,
                c.signer.value,
                c.age_tier.value,
                ", ".join(consent.consented_uses(c)),
                " ".join(c.research_duo),
            )
            for c in consent.consent_history(s, actor, programme_id)
        ]
    table(
        f"Consent of {programme_id}",
        ["v", "state", "signed", "form", "signer", "age tier", "uses", "DUO"],
        rows,
    )


@consent_app.command("check")
def consent_check(
    programme_id: str,
    purpose: Purpose,
    research_use: str | None = typer.Option(None, help="The project's DUO permission term, for research"),
    commercial: bool = typer.Option(False, help="The research is commercial"),
) -> None:
    """May this participant's data be used for PURPOSE now? Exit status 0 yes, 1 no."""
    with work() as (_, s, actor):
        from genopath.registry.participants import get_participant

        get_participant(s, actor, programme_id)
        use = ResearchUse(research_use, commercial) if research_use else None
        decision = consent.may_use(s, programme_id, purpose, research_use=use)
    colour = "green" if decision.allowed else "red"
    console.print(f"[{colour}]{'allowed' if decision.allowed else 'refused'}[/]: {decision.reason}")
    if decision.scope:
        console.print(f"scope: {decision.scope}")
    for condition in decision.conditions:
        console.print(f"condition: {condition}")
    if not decision.allowed:
        raise typer.Exit(code=1)
