"""A pair's events in fold order, to which new facts are added only if the rules allow.

Used both to record one event and to check a whole import before anything is written.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from relations.domain.errors import Refused
from relations.domain.events import Pair
from relations.domain.fold import Fact, fold
from relations.domain.machine import RelationMachine


class Timeline:
    def __init__(self, machine: RelationMachine, pair: Pair, events: list[Any]) -> None:
        self.machine = machine
        self.pair = pair
        self.items: list[Any] = list(events)
        folded = fold(machine, self.items)
        self.status = folded.status
        # Events already invalid (e.g. under changed rules) are not the new event's fault.
        self._already_invalid = {id(step.event) for step in folded.invalid}

    def add(self, fact: Fact) -> tuple[str, str]:
        """Add ``fact`` in its place and return the pair's status before and after it on
        its date, or raise Refused explaining which rule it breaks."""
        if not self.items or fact.occurred_on >= self.items[-1].occurred_on:
            before, after = append_to(self.machine, self.pair, self.status, fact)
            self.items.append(fact)
            self.status = after
            return before, after
        position = bisect_right([e.occurred_on for e in self.items], fact.occurred_on)
        candidate = [*self.items[:position], fact, *self.items[position:]]
        folded = fold(self.machine, candidate)
        step = folded.steps[position]
        if not step.valid:
            raise Refused(not_allowed(self.machine, self.pair, fact, step.before))
        for later in folded.steps[position + 1 :]:
            if not later.valid and id(later.event) not in self._already_invalid:
                raise Refused(
                    f"{fact.event_type} on {fact.occurred_on} for {self.pair} would make a later "
                    f"event invalid: {describe(later.event)}, which is not allowed once the pair "
                    f"is {later.before}"
                )
        self.items = candidate
        self.status = folded.status
        return step.before, step.after


def append_to(machine: RelationMachine, pair: Pair, status: str, fact: Fact) -> tuple[str, str]:
    """The status before and after ``fact``, dated on or after every event of a pair
    whose status is ``status``; Refused if the rules do not allow it from there. All a
    new latest event needs: not the pair's log, only its current status."""
    after = machine.next_status(status, fact.event_type)
    if after is None:
        raise Refused(not_allowed(machine, pair, fact, status))
    return status, after


def not_allowed(machine: RelationMachine, pair: Pair, fact: Fact, status: str) -> str:
    allowed = ", ".join(machine.allowed_types(status)) or "none"
    return (
        f"{fact.event_type} is not allowed for {pair} on {fact.occurred_on}: the pair "
        f"was {status} then; allowed from {status}: {allowed}"
    )


def describe(event: Any) -> str:
    event_id = getattr(event, "id", None)
    where = f"event {event_id}" if event_id is not None else "earlier in this import"
    return f"{event.event_type} on {event.occurred_on} ({where})"
