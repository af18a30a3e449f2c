"""A pair's events in fold order, to which new facts are added only if the rules allow.

Used both to record one event and to check a whole import before anything is written.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from typing import TYPE_CHECKING, Any

from relations.domain.errors import Refused
from relations.domain.events import Pair
from relations.domain.explain import refusal, stage_label
from relations.domain.fold import Fact, fold
from relations.domain.state import RelationState

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine


class Timeline:
    def __init__(self, machine: RelationMachine, pair: Pair, events: list[Any]) -> None:
        self.machine = machine
        self.pair = pair
        self.items: list[Any] = list(events)
        folded = fold(machine, self.items)
        self.state = folded.state
        # Events already invalid (e.g. under changed rules) are not the new event's fault.
        self._already_invalid = {id(step.event) for step in folded.invalid}

    @property
    def status(self) -> str:
        return self.state.status

    def add(self, fact: Fact) -> tuple[RelationState[date], RelationState[date]]:
        """Add ``fact`` in its place and return the pair's state before and after it on
        its date, or raise Refused explaining which rule it breaks."""
        if not self.items or fact.occurred_on >= self.items[-1].occurred_on:
            before, after = append_to(self.machine, self.pair, self.state, fact)
            self.items.append(fact)
            self.state = after
            return before, after
        position = bisect_right([e.occurred_on for e in self.items], fact.occurred_on)
        candidate = [*self.items[:position], fact, *self.items[position:]]
        folded = fold(self.machine, candidate)
        step = folded.steps[position]
        if not step.valid:
            raise Refused(refusal(self.machine, self.pair, fact, step.state_before))
        for later in folded.steps[position + 1 :]:
            if not later.valid and id(later.event) not in self._already_invalid:
                raise Refused(
                    f"{fact.event_type} on {fact.occurred_on} for {self.pair} would make a later "
                    f"event invalid: {describe(later.event)}, which is not allowed once the pair "
                    f"is {said(self.machine, later.state_before)}"
                )
        self.items = candidate
        self.state = folded.state
        return step.state_before, step.state_after


def append_to(
    machine: RelationMachine, pair: Pair, state: RelationState[date], fact: Fact
) -> tuple[RelationState[date], RelationState[date]]:
    """The state before and after ``fact``, dated on or after every event of a pair in
    ``state``; Refused if the rules do not allow it from there. All a new latest event
    needs: not the pair's log, only its current state."""
    kernel = machine.kernel
    code = kernel.type_code.get(fact.event_type, kernel.unknown_type)
    after = kernel.advance(state, code, fact.actor < fact.target, fact.occurred_on, fact, fact.via)
    if after is None:
        raise Refused(refusal(machine, pair, fact, state))
    return state, after


def said(machine: RelationMachine, state: RelationState[Any]) -> str:
    return stage_label(machine.rules, state.status, state.stage)


def describe(event: Any) -> str:
    event_id = getattr(event, "id", None)
    where = f"event {event_id}" if event_id is not None else "earlier in this import"
    return f"{event.event_type} on {event.occurred_on} ({where})"
