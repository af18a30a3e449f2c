"""A pair's status, stage and missions are a pure fold of its events, in (occurred_on,
recording order), one kernel step per event (domain/kernel.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from relations.domain.state import Mission, RelationState

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine


class Fact(Protocol):
    @property
    def event_type(self) -> str: ...
    @property
    def occurred_on(self) -> date: ...
    @property
    def actor(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def via(self) -> str | None: ...


F = TypeVar("F", bound=Fact)


@dataclass(frozen=True, slots=True)
class Step(Generic[F]):
    """One event applied to a pair: its state before and after it."""

    event: F
    state_before: RelationState[date]
    state_after: RelationState[date]
    valid: bool

    @property
    def before(self) -> str:
        return self.state_before.status

    @property
    def after(self) -> str:
        return self.state_after.status

    @property
    def changed(self) -> bool:
        """Did it change the pair's status?"""
        return self.state_after.status != self.state_before.status

    @property
    def stage_changed(self) -> bool:
        return self.state_after.stage != self.state_before.stage


@dataclass(frozen=True, slots=True)
class Folded(Generic[F]):
    state: RelationState[date]
    steps: list[Step[F]]

    @property
    def status(self) -> str:
        return self.state.status

    @property
    def since(self) -> date | None:
        """When the pair entered its status; None if never out of the initial one."""
        return self.state.since

    @property
    def cause(self) -> F | None:
        """The event that put it there."""
        cause: F | None = self.state.cause
        return cause

    @property
    def stage(self) -> str:
        return self.state.stage

    @property
    def stage_since(self) -> date | None:
        return self.state.stage_since

    @property
    def missions(self) -> tuple[Mission[date], Mission[date]]:
        return self.state.missions

    @property
    def invalid(self) -> list[Step[F]]:
        return [step for step in self.steps if not step.valid]


def fold(machine: RelationMachine, events: Iterable[F], start: Any = None) -> Folded[F]:
    """Apply ``events`` (already in order, all of one pair) from the initial state (or
    ``start``).

    An invalid event leaves the state unchanged and is marked ``valid=False``; the
    callers decide whether that is a refusal (recording) or a finding (history).
    """
    kernel = machine.kernel
    state: RelationState[date] = start or kernel.start()
    codes = kernel.type_code
    unknown = kernel.unknown_type
    advance = kernel.advance
    steps: list[Step[F]] = []
    for event in events:
        after = advance(
            state,
            codes.get(event.event_type, unknown),
            event.actor < event.target,
            event.occurred_on,
            event,
            event.via,
        )
        if after is None:
            steps.append(Step(event, state, state, valid=False))
            continue
        steps.append(Step(event, state, after, valid=True))
        state = after
    return Folded(state, steps)


def actor_first(event: Fact) -> bool:
    """Is the actor the first country of the pair (in its canonical order)?"""
    return event.actor < event.target
