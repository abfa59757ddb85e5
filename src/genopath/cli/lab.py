"""``genopath registry sample|case|audit …``"""

from __future__ import annotations

from collections.abc import Sequence

import typer

from genopath.cli.context import console, ok, table, work
from genopath.registry import CaseCategory, CaseState, SampleState, SampleType, audit, cases, samples
from genopath.registry.models import CaseEvent, SampleEvent

sample_app = typer.Typer(help="Samples and their chain of custody.", no_args_is_help=True)
case_app = typer.Typer(help="Cases (referrals) and their state.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)

HISTORY_COLUMNS = ["when (UTC)", "from", "to", "reason", "by"]


def _history(events: Sequence[SampleEvent | CaseEvent]) -> list[tuple[str, str, str, str | None, str]]:
    """Rows of a sample's or case's state history."""
    return [
        (
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.from_state.value if e.from_state else "",
            e.to_state.value,
            e.reason,
            e.actor,
        )
        for e in events
    ]


@sample_app.command("add")
def sample_add(
    programme_id: str,
    barcode: str,
    type: SampleType = typer.Option(..., "--type", help="Sample material"),
    collected: bool = typer.Option(False, help="The sample is already collected"),
) -> None:
    """Register a sample (expected, or collected) for a consented participant."""
    with work() as (_, s, actor):
        state = SampleState.COLLECTED if collected else SampleState.EXPECTED
        samples.register_sample(s, actor, programme_id, barcode, type, state=state)
    ok(f"sample {barcode} registered for {programme_id} ({state.value})")


@sample_app.command("move")
def sample_move(
    barcode: str,
    state: SampleState,
    reason: str | None = typer.Option(None, help="Needed for rejected, destroyed, qc_failed"),
) -> None:
    """Move a sample to its next state."""
    with work() as (_, s, actor):
        samples.move_sample(s, actor, barcode, state, reason=reason)
    ok(f"sample {barcode} is {state.value}")


@sample_app.command("list")
def sample_list(
    participant: str | None = typer.Option(None), state: SampleState | None = typer.Option(None)
) -> None:
    """List samples you may see."""
    with work() as (_, s, actor):
        rows = [
            (
                x.barcode,
                x.participant.programme_id,
                x.sample_type.value,
                x.state.value,
                "yes" if x.flagged_for_destruction else "",
                f"{x.updated_at:%Y-%m-%d %H:%M}",
            )
            for x in samples.list_samples(s, actor, programme_id=participant, state=state)
        ]
    table("Samples", ["barcode", "participant", "type", "state", "to destroy", "updated (UTC)"], rows)


@sample_app.command("show")
def sample_show(barcode: str) -> None:
    """Show a sample and its full history."""
    with work() as (_, s, actor):
        x = samples.get_sample(s, actor, barcode)
        console.print(
            f"[bold]{x.barcode}[/] {x.sample_type.value} of {x.participant.programme_id}: {x.state.value}"
            f"{' — flagged for destruction' if x.flagged_for_destruction else ''}"
        )
        rows = _history(x.events)
    table("History", HISTORY_COLUMNS, rows)


@case_app.command("open")
def case_open(
    proband: str,
    category: CaseCategory = typer.Option(...),
    indication: str = typer.Option(..., help="Clinical indication for the referral"),
    panel: list[str] = typer.Option([], help="Applied panel, repeatable"),
) -> None:
    """Open a case for a proband (blocked from the start if consent is missing)."""
    with work() as (_, s, actor):
        case = cases.open_case(s, actor, proband, category=category, indication=indication, panels=panel)
        cid, state, reason = case.case_id, case.state, case.blocked_reason
    ok(f"case {cid} opened for {proband}: {state.value}{f' ({reason})' if reason else ''}")


@case_app.command("move")
def case_move(case_id: str, state: CaseState) -> None:
    """Move a case to its next state."""
    with work() as (_, s, actor):
        cases.move_case(s, actor, case_id, state)
    ok(f"case {case_id} is {state.value}")


@case_app.command("block")
def case_block(case_id: str, reason: str = typer.Option(...)) -> None:
    """Block a case with a reason."""
    with work() as (_, s, actor):
        cases.block_case(s, actor, case_id, reason=reason)
    ok(f"case {case_id} blocked: {reason}")


@case_app.command("unblock")
def case_unblock(
    case_id: str,
    proceed_without_withdrawn: bool = typer.Option(
        False, help="A family member withdrew: continue the case without their data (recorded)"
    ),
) -> None:
    """Return a blocked case to the state it was blocked in."""
    with work() as (_, s, actor):
        state = cases.unblock_case(
            s, actor, case_id, proceed_without_withdrawn=proceed_without_withdrawn
        ).state
    ok(f"case {case_id} is {state.value} again")


@case_app.command("list")
def case_list(state: CaseState | None = typer.Option(None), centre: str | None = typer.Option(None)) -> None:
    """List cases you may see."""
    with work() as (_, s, actor):
        rows = [
            (
                c.case_id,
                c.proband.programme_id,
                c.family.family_id if c.family else "",
                c.centre.code,
                c.category.value,
                c.state.value,
                c.blocked_reason,
            )
            for c in cases.list_cases(s, actor, state=state, centre=centre)
        ]
    table("Cases", ["ID", "proband", "family", "centre", "category", "state", "blocked because"], rows)


@case_app.command("show")
def case_show(case_id: str) -> None:
    """Show a case and its history."""
    with work() as (_, s, actor):
        c = cases.get_case(s, actor, case_id)
        console.print(
            f"[bold]{c.case_id}[/] {c.category.value} for {c.proband.programme_id} "
            f"({c.centre.code}): {c.state.value}"
        )
        console.print(f"indication: {c.indication}; panels: {', '.join(c.panels) or 'none'}")
        rows = _history(c.events)
    table("History", HISTORY_COLUMNS, rows)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit status 2 if any entry was edited or deleted."""
    with work() as (_, s, _actor):
        report = audit.verify(s)
    ok(f"audit log intact: {report.entries} entries, head {report.last_hash[:16]}…")


@audit_app.command("list")
def audit_list(
    entity: str | None = typer.Option(None, help="Only entries about this ID"), limit: int = typer.Option(50)
) -> None:
    """Show the newest audit entries."""
    with work() as (_, s, actor):
        rows = [
            (e.seq, e.at[:19], e.actor, e.action, e.entity_id, e.detail)
            for e in audit.entries(s, actor, entity_id=entity, limit=limit)
        ]
    table("Audit log", ["seq", "at (UTC)", "actor", "action", "about", "detail"], rows)
