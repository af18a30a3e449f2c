"""A pair's status is a pure fold of its events, in (occurred_on, recording order)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from relations.domain.machine import RelationMachine


class Fact(Protocol):
    @property
    def event_type(self) -> str: ...
    @property
    def occurred_on(self) -> date: ...


F = TypeVar("F", bound=Fact)


@dataclass(frozen=True, slots=True)
class Step(Generic[F]):
    """One event applied to a pair: the status before and after it."""

    event: F
    before: str
    after: str
    valid: bool

    @property
    def changed(self) -> bool:
        return self.after != self.before


@dataclass(frozen=True, slots=True)
class Folded(Generic[F]):
    status: str
    since: date | None  # when the pair entered `status`; None if never out of the initial one
    cause: F | None  # the event that put it there
    steps: list[Step[F]]

    @property
    def invalid(self) -> list[Step[F]]:
        return [step for step in self.steps if not step.valid]


def fold(machine: RelationMachine, events: Iterable[F]) -> Folded[F]:
    """Apply ``events`` (already in order) from the initial status.

    An invalid event leaves the status unchanged and is marked ``valid=False``; the
    callers decide whether that is a refusal (recording) or a finding (history).
    """
    status = machine.initial
    since: date | None = None
    cause: F | None = None
    steps: list[Step[F]] = []
    table = machine.table
    effects = {name: spec.effect for name, spec in machine.rules.event_types.items()}
    for event in events:
        after = table.get((status, effects.get(event.event_type, "")))
        if after is None:
            steps.append(Step(event, status, status, valid=False))
            continue
        steps.append(Step(event, status, after, valid=True))
        if after != status:
            status, since, cause = after, event.occurred_on, event
    return Folded(status, since, cause, steps)
