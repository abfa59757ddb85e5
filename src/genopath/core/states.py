"""Finite state machines with named, checked transitions.

Each domain declares its machine once (states and allowed moves); every change of state goes
through :meth:`StateMachine.check`, so no code path can reach an illegal state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from genopath.core.errors import StateTransitionError

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """A set of allowed ``from → to`` moves over the states of one enum.

    Parameters
    ----------
    name
        What the machine is about, for error messages (``"sample"``).
    transitions
        For each state, the states it may move to.
    from_any
        States reachable from every state that is not terminal (``rejected`` for samples).
    terminal
        States nothing leaves.
    """

    name: str
    transitions: Mapping[S, frozenset[S]]
    from_any: frozenset[S] = field(default_factory=frozenset)
    terminal: frozenset[S] = field(default_factory=frozenset)

    def allowed(self, current: S) -> frozenset[S]:
        """The states ``current`` may move to."""
        if current in self.terminal:
            return frozenset()
        return self.transitions.get(current, frozenset()) | (self.from_any - {current})

    def check(self, current: S, target: S, *, subject: str) -> None:
        """Raise unless ``current → target`` is allowed.

        Raises
        ------
        StateTransitionError
            Naming the subject, both states and the moves that are allowed.
        """
        allowed = self.allowed(current)
        if target not in allowed:
            options = ", ".join(sorted(s.value for s in allowed)) or "none (terminal state)"
            raise StateTransitionError(
                f"{self.name} {subject} cannot move from {current.value!r} to {target.value!r}; "
                f"allowed from {current.value!r}: {options}"
            )


def moves(pairs: Iterable[tuple[S, Iterable[S]]]) -> dict[S, frozenset[S]]:
    """Build a transitions mapping from ``(state, [next states])`` pairs; a state listed twice
    is a mistake (the second list would silently replace the first) and raises ``ValueError``."""
    table: dict[S, frozenset[S]] = {}
    for state, nexts in pairs:
        if state in table:
            raise ValueError(f"state {state.value!r} is listed twice; give all its moves in one entry")
        table[state] = frozenset(nexts)
    return table
