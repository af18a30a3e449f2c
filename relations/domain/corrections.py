"""Withdrawing and replacing events without breaking the rules for the events after them.

A pair's live events must stay a sequence the rules allow: an event that was valid may
not become invalid because an earlier one was retracted or corrected. (Events already
invalid, e.g. under changed rules or from a lenient import, are not counted against a
change: they were invalid before it.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from relations.domain.errors import Refused
from relations.domain.events import Event, Pair
from relations.domain.explain import refusal
from relations.domain.fold import Fact, fold
from relations.domain.state import RelationState
from relations.domain.timeline import describe, said

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine


def plan_retraction(
    machine: RelationMachine,
    live: Sequence[Event],
    event: Event,
    *,
    cascade: bool,
    verb: str = "retracting",
) -> list[Event]:
    """The events to retract so that ``event`` can go: ``event`` itself and, with
    ``cascade``, every later event its removal would make invalid (in fold order).
    Without ``cascade``, such an event is refused, naming it."""
    baseline = _invalid_ids(machine, live)
    remaining = [e for e in live if e.id != event.id]
    withdrawn = [event]
    while (broken := _newly_invalid(machine, remaining, baseline)) is not None:
        step_event, state = broken
        if not cascade:
            hint = (
                "retract that event first, or pass --cascade to retract it too"
                if verb == "retracting"
                else "retract or correct that event first"
            )
            raise Refused(
                f"{verb} event {event.id} ({event.event_type} on {event.occurred_on}) would "
                f"make {describe(step_event)} invalid: {step_event.event_type} is not allowed "
                f"once the pair is {said(machine, state)}; {hint}"
            )
        remaining = [e for e in remaining if e is not step_event]
        withdrawn.append(step_event)
    return withdrawn


def check_removal(
    machine: RelationMachine, live: Sequence[Event], removed: Event, *, verb: str
) -> None:
    """Refuse if removing ``removed`` from ``live`` makes a later event invalid."""
    plan_retraction(machine, live, removed, cascade=False, verb=verb)


def check_replacement(
    machine: RelationMachine, live: Sequence[Event], removed: Event | None, added: Fact
) -> None:
    """Refuse if, once ``removed`` (if any) is taken out of ``live`` and ``added`` is put
    in (after every event of its date), ``added`` is not allowed or a later event that
    was valid becomes invalid."""
    baseline = _invalid_ids(machine, live)
    remaining = [e for e in live if removed is None or e.id != removed.id]
    position = sum(1 for e in remaining if e.occurred_on <= added.occurred_on)
    candidate: list[Any] = [*remaining[:position], added, *remaining[position:]]
    steps = fold(machine, candidate).steps
    step = steps[position]
    if not step.valid:
        pair = Pair.of(added.actor, added.target)
        raise Refused(
            f"the corrected event is refused: {refusal(machine, pair, added, step.state_before)}"
        )
    for later in steps:
        if later is not step and not later.valid and later.event.id not in baseline:
            raise Refused(
                f"the correction would make {describe(later.event)} invalid: "
                f"{later.event.event_type} is not allowed once the pair is "
                f"{said(machine, later.state_before)}"
            )


def _invalid_ids(machine: RelationMachine, live: Sequence[Event]) -> set[int]:
    return {step.event.id for step in fold(machine, live).invalid}


def _newly_invalid(
    machine: RelationMachine, events: Sequence[Event], baseline: set[int]
) -> tuple[Event, RelationState[Any]] | None:
    for step in fold(machine, events).steps:
        if not step.valid and step.event.id not in baseline:
            return step.event, step.state_before
    return None


def check_confirmation(
    machine: RelationMachine, live: Sequence[Event], confirmed: Sequence[Event]
) -> None:
    """Refuse if counting the ``confirmed`` events (pending until now, each in its place
    in the fold: its date, then its id) is not allowed, or makes an event of ``live``
    that was valid invalid, naming it."""
    baseline = _invalid_ids(machine, live)
    new = {event.id for event in confirmed}
    candidate = sorted([*live, *confirmed], key=lambda e: (e.occurred_on, e.id))
    for step in fold(machine, candidate).steps:
        if step.valid:
            continue
        event = step.event
        if event.id in new:
            pair = Pair.of(event.actor, event.target)
            raise Refused(
                f"confirming event {event.id}: {refusal(machine, pair, event, step.state_before)}"
            )
        if event.id not in baseline:
            raise Refused(
                f"confirming would make {describe(event)} invalid: {event.event_type} is not "
                f"allowed once the pair is {said(machine, step.state_before)}"
            )
