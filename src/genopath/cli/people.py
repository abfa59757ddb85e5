"""``genopath registry centre|user|participant …``"""

from __future__ import annotations

from datetime import date

import typer
from rich.markup import escape

from genopath.cli.context import console, ok, table, work
from genopath.registry import centres, participants, users, vault
from genopath.registry.terms import AffectedStatus, ParticipantState, Role, Sex

centre_app = typer.Typer(help="Partner centres (hospitals).", no_args_is_help=True)
user_app = typer.Typer(help="User accounts, roles and centre binding.", no_args_is_help=True)
participant_app = typer.Typer(help="Participants, their identity and their state.", no_args_is_help=True)


@centre_app.command("add")
def centre_add(
    code: str = typer.Argument(..., help="Short code, e.g. HKCH"),
    name: str = typer.Argument(..., help="Full name"),
) -> None:
    """Register a partner centre."""
    with work() as (_, s, actor):
        centres.add_centre(s, actor, code, name)
    ok(f"centre {code} added")


@centre_app.command("list")
def centre_list() -> None:
    """List centres."""
    with work() as (_, s, _actor):
        table("Centres", ["code", "name"], [(c.code, c.name) for c in centres.list_centres(s)])


@user_app.command("add")
def user_add(
    username: str,
    role: Role = typer.Option(..., help="What the user does"),
    centre: str | None = typer.Option(None, help="Centre code; omit for programme-wide users"),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input"),
) -> None:
    """Create a user (the password is prompted for, or read from stdin)."""
    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with work() as (_, s, actor):
        users.add_user(s, actor, username, password, role, centre)
    ok(f"user {username} ({role.value}, {centre or 'programme-wide'}) added")


@user_app.command("list")
def user_list() -> None:
    """List users with role and centre."""
    with work() as (_, s, actor):
        rows = [
            (u.username, u.role.value, u.centre.code if u.centre else "programme-wide", u.active)
            for u in users.list_users(s, actor)
        ]
    table("Users", ["username", "role", "centre", "active"], rows)


@participant_app.command("add")
def participant_add(
    centre: str = typer.Option(..., help="Recruiting centre code"),
    sex: Sex = typer.Option(...),
    affected: AffectedStatus = typer.Option(AffectedStatus.UNKNOWN),
    name: str | None = typer.Option(None, help="Full name (identity vault)"),
    id_card: str | None = typer.Option(None, help="ID-card number (identity vault)"),
    dob: str | None = typer.Option(None, help="Date of birth YYYY-MM-DD (identity vault)"),
    contact: str | None = typer.Option(None, help="Contact details (identity vault)"),
) -> None:
    """Register a referred participant; identity goes to the encrypted vault."""
    birth = _date(dob, "--dob")
    with work() as (registry, s, actor):
        p = participants.new_participant(s, actor, centre=centre, sex=sex, affected=affected)
        if any((name, id_card, birth, contact)):
            identity = vault.Identity(name=name, id_card_number=id_card, date_of_birth=birth, contact=contact)
            vault.store_identity(s, actor, registry.cipher, p, identity)
        pid = p.programme_id
    ok(f"participant {pid} registered at {centre}")


@participant_app.command("list")
def participant_list(
    centre: str | None = typer.Option(None), state: ParticipantState | None = typer.Option(None)
) -> None:
    """List participants you may see (programme IDs only)."""
    with work() as (_, s, actor):
        rows = [
            (
                p.programme_id,
                p.centre.code,
                p.family.family_id if p.family else "",
                p.sex.value,
                p.affected.value,
                "yes" if p.is_proband else "",
                p.state.value,
            )
            for p in participants.list_participants(s, actor, centre=centre, state=state)
        ]
    table("Participants", ["ID", "centre", "family", "sex", "affected", "proband", "state"], rows)


@participant_app.command("show")
def participant_show(
    programme_id: str,
    identity: bool = typer.Option(False, "--identity", help="Also show identity (audited read)"),
    purpose: str = typer.Option("clinical care", help="Why the identity is read (recorded in the audit log)"),
) -> None:
    """Show a participant; with --identity, decrypt their identity (the read is audited)."""
    from genopath.registry import consent, phenotypes

    lines = []
    with work() as (registry, s, actor):
        p = participants.get_participant(s, actor, programme_id)
        active = consent.active_consent(s, p)
        lines.append(
            f"[bold]{p.programme_id}[/] {p.sex.value}, {p.affected.value}, state {p.state.value}, "
            f"centre {p.centre.code}, family {p.family.family_id if p.family else '-'}"
            f"{' (proband)' if p.is_proband else ''}"
        )
        lines.append(
            f"consent: {f'v{active.version} signed {active.signed_on}' if active else 'none active'}"
        )
        for ph in phenotypes.list_phenotypes(s, actor, p.programme_id):
            onset = f" (onset {ph.onset})" if ph.onset else ""
            lines.append(escape(f"  {'+' if ph.observed else '-'} {ph.hpo_id} {ph.label}{onset}"))
        if identity:
            who = vault.read_identity(s, actor, registry.cipher, p, purpose=purpose)
            lines.append(
                escape(
                    f"identity: {who.name or '-'}, ID card {who.id_card_number or '-'}, born "
                    f"{who.date_of_birth or '-'}, contact {who.contact or '-'}"
                )
            )
    # Printed only after the transaction, with its audit entry of the identity read, committed.
    for line in lines:
        console.print(line)


@participant_app.command("identity")
def participant_identity(
    programme_id: str,
    name: str | None = typer.Option(None),
    id_card: str | None = typer.Option(None),
    dob: str | None = typer.Option(None, help="YYYY-MM-DD"),
    contact: str | None = typer.Option(None),
    designated_person: str | None = typer.Option(None, help="Name and contact of the designated person"),
) -> None:
    """Set identity fields in the vault; fields not given keep their stored value."""
    changes = vault.Identity(name, id_card, _date(dob, "--dob"), contact, designated_person)
    with work() as (registry, s, actor):
        person = participants.get_participant(s, actor, programme_id)
        vault.update_identity(s, actor, registry.cipher, person, changes)
    ok(f"identity of {programme_id} updated")


@participant_app.command("enrol")
def participant_enrol(programme_id: str) -> None:
    """Enrol a consented participant."""
    with work() as (_, s, actor):
        participants.enrol(s, actor, programme_id)
    ok(f"{programme_id} enrolled")


@participant_app.command("withdraw")
def participant_withdraw(programme_id: str, reason: str = typer.Option(..., help="Why, as recorded")) -> None:
    """Withdraw a participant: consent withdrawn, open cases blocked, samples flagged for destruction."""
    with work() as (_, s, actor):
        participants.withdraw(s, actor, programme_id, reason=reason)
    ok(f"{programme_id} withdrawn; open cases blocked and samples flagged for destruction")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=option) from e
