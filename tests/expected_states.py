"""The allowed moves of the registry's state machines, written out by hand from DESIGN §2.

Independent of the code under test: the machine tests and the stateful registry test both
compare genopath's behaviour with these tables.
"""

from __future__ import annotations

from enum import StrEnum

from genopath.registry.terms import CaseState, ParticipantState, SampleState

PS, SS, CS = ParticipantState, SampleState, CaseState


def _with_from_any(
    forward: dict[StrEnum, set[StrEnum]],
    from_any: set[StrEnum],
    terminal: set[StrEnum],
    states: type[StrEnum],
) -> dict[StrEnum, frozenset[StrEnum]]:
    """Every state's expected successors: its forward moves plus the any-state moves (not onto itself)."""
    table = {}
    for state in states:
        if state in terminal:
            table[state] = frozenset()
        else:
            table[state] = frozenset(forward.get(state, set()) | (from_any - {state}))
    return table


# DESIGN §2: referred → consented → enrolled → withdrawn; withdrawal from any point, never left.
EXPECTED_PARTICIPANT = _with_from_any(
    {PS.REFERRED: {PS.CONSENTED}, PS.CONSENTED: {PS.ENROLLED}},
    from_any={PS.WITHDRAWN},
    terminal={PS.WITHDRAWN},
    states=PS,
)

# DESIGN §2: expected → collected → received → extracted → qc_passed | qc_failed → sequenced →
# data_delivered; a failed QC goes back to extraction; a delivered genome that fails genome QC
# is qc_failed too (issue 4) and returns to data_delivered when QC passes again (the service
# allows that return only after a genome-QC failure); rejected / destroyed at any point;
# a destroyed sample is gone.
EXPECTED_SAMPLE = _with_from_any(
    {
        SS.EXPECTED: {SS.COLLECTED},
        SS.COLLECTED: {SS.RECEIVED},
        SS.RECEIVED: {SS.EXTRACTED},
        SS.EXTRACTED: {SS.QC_PASSED, SS.QC_FAILED},
        SS.QC_FAILED: {SS.EXTRACTED, SS.DATA_DELIVERED},
        SS.QC_PASSED: {SS.SEQUENCED},
        SS.SEQUENCED: {SS.DATA_DELIVERED},
        SS.DATA_DELIVERED: {SS.QC_FAILED},
    },
    from_any={SS.REJECTED, SS.DESTROYED},
    terminal={SS.DESTROYED},
    states=SS,
)

# DESIGN §2: registered → … → closed, review loops back to interpretation, a closed case can be
# reanalysed, blocked from anywhere. Unblocking restores the saved state outside the machine
# (cases.unblock_case), so the machine itself offers no move out of blocked.
EXPECTED_CASE = _with_from_any(
    {
        CS.REGISTERED: {CS.AWAITING_DATA},
        CS.AWAITING_DATA: {CS.READY},
        CS.READY: {CS.INTERPRETED},
        CS.INTERPRETED: {CS.IN_REVIEW},
        CS.IN_REVIEW: {CS.AWAITING_AUTHORISATION, CS.INTERPRETED},
        CS.AWAITING_AUTHORISATION: {CS.AUTHORISED, CS.IN_REVIEW},
        CS.AUTHORISED: {CS.REPORTED},
        CS.REPORTED: {CS.RESULTS_RETURNED},
        CS.RESULTS_RETURNED: {CS.CLOSED},
        CS.CLOSED: {CS.INTERPRETED},
    },
    from_any={CS.BLOCKED},
    terminal=set(),
    states=CS,
)
