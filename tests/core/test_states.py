"""State machines: the generic checker and the participant, sample and case life cycles.

The expected tables below are written out from DESIGN.md §2, not read from the machines, so a
change to a machine that the design does not describe makes these tests fail.
"""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genopath.core.errors import GenopathError, StateTransitionError
from genopath.core.states import StateMachine, moves
from genopath.registry.cases import CASE_MACHINE
from genopath.registry.participants import PARTICIPANT_MACHINE
from genopath.registry.samples import SAMPLE_MACHINE
from genopath.registry.terms import CaseState, ParticipantState, SampleState
from tests.expected_states import EXPECTED_CASE, EXPECTED_PARTICIPANT, EXPECTED_SAMPLE

PS, SS, CS = ParticipantState, SampleState, CaseState


MACHINES = [
    pytest.param(PARTICIPANT_MACHINE, EXPECTED_PARTICIPANT, PS, id="participant"),
    pytest.param(SAMPLE_MACHINE, EXPECTED_SAMPLE, SS, id="sample"),
    pytest.param(CASE_MACHINE, EXPECTED_CASE, CS, id="case"),
]


class Light(StrEnum):
    RED = "red"
    GREEN = "green"
    AMBER = "amber"
    OFF = "off"
    BROKEN = "broken"


LIGHT = StateMachine(
    name="light",
    transitions=moves([(Light.RED, [Light.GREEN]), (Light.GREEN, [Light.AMBER]), (Light.AMBER, [Light.RED])]),
    from_any=frozenset({Light.OFF, Light.BROKEN}),
    terminal=frozenset({Light.BROKEN}),
)


# --- the generic machine ------------------------------------------------------------------------


def test_moves__builds_frozensets_per_state() -> None:
    table = moves([(Light.RED, [Light.GREEN, Light.GREEN, Light.AMBER]), (Light.AMBER, iter([Light.RED]))])
    assert table == {Light.RED: frozenset({Light.GREEN, Light.AMBER}), Light.AMBER: frozenset({Light.RED})}
    assert all(isinstance(v, frozenset) for v in table.values())


def test_moves__a_state_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="'red' is listed twice"):
        moves([(Light.RED, [Light.GREEN]), (Light.RED, [Light.AMBER])])


def test_allowed__forward_moves_plus_from_any() -> None:
    assert LIGHT.allowed(Light.RED) == {Light.GREEN, Light.OFF, Light.BROKEN}


def test_allowed__from_any_state_does_not_move_onto_itself() -> None:
    assert LIGHT.allowed(Light.OFF) == {Light.BROKEN}
    with pytest.raises(StateTransitionError):
        LIGHT.check(Light.OFF, Light.OFF, subject="L1")


def test_allowed__terminal_state_has_no_moves_even_from_any() -> None:
    assert LIGHT.allowed(Light.BROKEN) == frozenset()


def test_check__allowed_move_returns_none() -> None:
    assert LIGHT.check(Light.RED, Light.GREEN, subject="L1") is None


def test_check__refusal_names_machine_subject_states_and_options() -> None:
    with pytest.raises(StateTransitionError) as e:
        LIGHT.check(Light.RED, Light.AMBER, subject="L1")
    message = str(e.value)
    assert message.startswith("light L1 ")
    assert "'red'" in message and "'amber'" in message
    assert "allowed from 'red': broken, green, off" in message
    assert e.value.message == message
    assert e.value.code == "illegal_transition"
    assert isinstance(e.value, GenopathError)


def test_check__terminal_refusal_says_terminal() -> None:
    with pytest.raises(StateTransitionError, match=r"none \(terminal state\)"):
        LIGHT.check(Light.BROKEN, Light.RED, subject="L1")


# --- the registry machines against DESIGN §2 ------------------------------------------------------


@pytest.mark.parametrize(("machine", "expected", "states"), MACHINES)
def test_machine__allowed_matches_design(
    machine: StateMachine, expected: dict[StrEnum, frozenset[StrEnum]], states: type[StrEnum]
) -> None:
    for state in states:
        assert machine.allowed(state) == expected[state], state


@pytest.mark.parametrize(("machine", "expected", "states"), MACHINES)
def test_machine__every_state_reachable_from_start(
    machine: StateMachine, expected: dict[StrEnum, frozenset[StrEnum]], states: type[StrEnum]
) -> None:
    start = next(iter(states))
    reached, frontier = {start}, [start]
    while frontier:
        for nxt in machine.allowed(frontier.pop()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(states)


def _walk(
    machine: StateMachine, expected: dict[StrEnum, frozenset[StrEnum]], start: StrEnum, targets: list[StrEnum]
) -> None:
    """Request each target in turn; check every answer against the expected table."""
    current = start
    terminal_reached = not expected[current]
    for target in targets:
        before = current
        try:
            machine.check(current, target, subject="X1")
        except StateTransitionError as e:
            assert target not in expected[current], f"{current} → {target} refused but the design allows it"
            assert f"'{current.value}'" in e.message and f"'{target.value}'" in e.message
            assert "X1" in e.message
        else:
            assert target in expected[current], f"{current} → {target} allowed but the design forbids it"
            current = target
        if terminal_reached:
            assert current == before, f"left terminal state {before} for {current}"
        terminal_reached = terminal_reached or not expected[current]


@given(
    start=st.sampled_from(PS),
    targets=st.lists(st.sampled_from(PS), max_size=40),
)
def test_participant_machine__random_walk_stays_in_table(
    start: ParticipantState, targets: list[ParticipantState]
) -> None:
    _walk(PARTICIPANT_MACHINE, EXPECTED_PARTICIPANT, start, targets)


@given(
    start=st.sampled_from(SS),
    targets=st.lists(st.sampled_from(SS), max_size=40),
)
def test_sample_machine__random_walk_stays_in_table(start: SampleState, targets: list[SampleState]) -> None:
    _walk(SAMPLE_MACHINE, EXPECTED_SAMPLE, start, targets)


@given(
    start=st.sampled_from(CS),
    targets=st.lists(st.sampled_from(CS), max_size=40),
)
def test_case_machine__random_walk_stays_in_table(start: CaseState, targets: list[CaseState]) -> None:
    _walk(CASE_MACHINE, EXPECTED_CASE, start, targets)


@given(targets=st.lists(st.sampled_from(SS), max_size=40))
def test_sample_machine__destroyed_never_left(targets: list[SampleState]) -> None:
    for target in targets:
        with pytest.raises(StateTransitionError, match="terminal"):
            SAMPLE_MACHINE.check(SS.DESTROYED, target, subject="BC0001")


@given(targets=st.lists(st.sampled_from(PS), max_size=20))
def test_participant_machine__withdrawn_never_left(targets: list[ParticipantState]) -> None:
    for target in targets:
        with pytest.raises(StateTransitionError, match="terminal"):
            PARTICIPANT_MACHINE.check(PS.WITHDRAWN, target, subject="P000001")


# --- explicit cases -------------------------------------------------------------------------------


def test_sample_machine__received_twice() -> None:
    SAMPLE_MACHINE.check(SS.COLLECTED, SS.RECEIVED, subject="BC0001")
    with pytest.raises(StateTransitionError) as e:
        SAMPLE_MACHINE.check(SS.RECEIVED, SS.RECEIVED, subject="BC0001")
    assert "sample BC0001 cannot move from 'received' to 'received'" in e.value.message


def test_sample_machine__qc_failed_back_to_extracted() -> None:
    SAMPLE_MACHINE.check(SS.QC_FAILED, SS.EXTRACTED, subject="BC0001")


def test_sample_machine__qc_failed_cannot_be_sequenced() -> None:
    with pytest.raises(StateTransitionError, match="'qc_failed' to 'sequenced'"):
        SAMPLE_MACHINE.check(SS.QC_FAILED, SS.SEQUENCED, subject="BC0001")


def test_sample_machine__skipping_receipt() -> None:
    with pytest.raises(StateTransitionError, match="allowed from 'collected': destroyed, received, rejected"):
        SAMPLE_MACHINE.check(SS.COLLECTED, SS.EXTRACTED, subject="BC0001")


def test_sample_machine__rejected_can_still_be_destroyed() -> None:
    SAMPLE_MACHINE.check(SS.REJECTED, SS.DESTROYED, subject="BC0001")
    with pytest.raises(StateTransitionError):
        SAMPLE_MACHINE.check(SS.REJECTED, SS.RECEIVED, subject="BC0001")


@pytest.mark.parametrize("state", [s for s in SS if s is not SS.DESTROYED])
def test_sample_machine__destroyed_from_any_live_state(state: SampleState) -> None:
    SAMPLE_MACHINE.check(state, SS.DESTROYED, subject="BC0001")


def test_participant_machine__withdrawn_to_enrolled() -> None:
    with pytest.raises(StateTransitionError) as e:
        PARTICIPANT_MACHINE.check(PS.WITHDRAWN, PS.ENROLLED, subject="P000001")
    assert e.value.message.startswith("participant P000001 cannot move from 'withdrawn' to 'enrolled'")
    assert "none (terminal state)" in e.value.message


def test_participant_machine__referred_cannot_skip_consent() -> None:
    with pytest.raises(StateTransitionError, match="'referred' to 'enrolled'"):
        PARTICIPANT_MACHINE.check(PS.REFERRED, PS.ENROLLED, subject="P000001")


@pytest.mark.parametrize("state", [PS.REFERRED, PS.CONSENTED, PS.ENROLLED])
def test_participant_machine__withdrawal_from_any_live_state(state: ParticipantState) -> None:
    PARTICIPANT_MACHINE.check(state, PS.WITHDRAWN, subject="P000001")


def test_case_machine__closed_case_reanalysed() -> None:
    CASE_MACHINE.check(CS.CLOSED, CS.INTERPRETED, subject="C000001")


def test_case_machine__cannot_authorise_without_review() -> None:
    with pytest.raises(StateTransitionError, match="'interpreted' to 'authorised'"):
        CASE_MACHINE.check(CS.INTERPRETED, CS.AUTHORISED, subject="C000001")


@pytest.mark.parametrize("state", [s for s in CS if s is not CS.BLOCKED])
def test_case_machine__blocked_from_anywhere(state: CaseState) -> None:
    CASE_MACHINE.check(state, CS.BLOCKED, subject="C000001")
