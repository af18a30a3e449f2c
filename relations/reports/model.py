"""What a report says, as plain values (no I/O): the facts of a period and the pictures'
inputs. The facts are computed two ways (reports/facts.py by replay, the reporting
service from the projections); tests/test_report_paths.py checks they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from relations.domain.events import Event, Pair
from relations.domain.rules import Rules
from relations.reports.period import Period


@dataclass(frozen=True, slots=True, order=True)
class Place:
    """Where a pair stands: its status and the stage within it."""

    status: str
    stage: str


@dataclass(frozen=True, slots=True)
class Change:
    """An event that changed a pair's status or stage, in the period or late news."""

    pair: Pair
    before: Place
    after: Place
    on: date
    cause: Event
    direction: str  # deteriorated, improved (by the rules' severity), or changed

    @property
    def status_changed(self) -> bool:
        return self.before.status != self.after.status


@dataclass(frozen=True, slots=True)
class Trend:
    """A pair whose status or stage at the end of the period differs from its start."""

    pair: Pair
    before: Place
    after: Place
    causes: list[Event]  # the events of the period that moved it, in order


@dataclass(frozen=True, slots=True)
class Standing:
    """A pair out of the initial status at the end of the period."""

    pair: Pair
    place: Place
    since: date
    stage_since: date | None
    days: int
    cause: Event

    @property
    def status(self) -> str:
        return self.place.status


@dataclass(frozen=True)
class Facts:
    """Everything a report says but its pictures; computed by replay or by projection."""

    status_counts: dict[str, int]
    stage_counts: dict[str, int]
    changes: list[Change]
    standing: list[Standing]
    occurred: list[Event]  # events that took effect in the period
    late: list[Event]  # events recorded in the period about earlier dates
    recorded: list[Event]  # events recorded in the period (either kind)
    deteriorated: list[Trend]
    improved: list[Trend]
    unchanged: int  # pairs with events whose place did not move
    ends: dict[Pair, Place] = field(default_factory=dict)  # every pair's place at the end


@dataclass(frozen=True, slots=True)
class Segment:
    place: Place
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class PairTimeline:
    pair: Pair
    segments: list[Segment]
    events: list[tuple[Event, bool]]  # (event, changed the status or stage)


@dataclass(frozen=True)
class Report:
    period: Period
    generated_at: datetime
    known_at: datetime
    countries: tuple[str, ...]
    rules: Rules
    facts: Facts
    timelines: list[PairTimeline] = field(default_factory=list)
    # Pairs with feed signals awaiting review (as known at known_at): pair, count, latest.
    pending: list[tuple[Pair, int, date]] = field(default_factory=list)

    @property
    def states(self) -> tuple[str, ...]:
        return self.rules.states

    @property
    def status_counts(self) -> dict[str, int]:
        return self.facts.status_counts

    @property
    def changes(self) -> list[Change]:
        return self.facts.changes

    @property
    def standing(self) -> list[Standing]:
        return self.facts.standing

    @property
    def recorded(self) -> list[Event]:
        return self.facts.recorded

    @property
    def empty(self) -> bool:
        """Nothing occurred, nothing was entered and nothing changed in the period."""
        facts = self.facts
        return not (facts.changes or facts.occurred or facts.recorded)


def initial_place(rules: Rules) -> Place:
    """Where a pair with no events stands (without building the machine)."""
    status = rules.initial
    derived = rules.derived.get(status)
    stage = rules.stages_of(status)[0] if derived is None else (
        derived.by_level.get(rules.initial_level, derived.otherwise)
    )  # fmt: skip
    return Place(status, stage)


def direction(rules: Rules, before: Place, after: Place) -> str:
    """deteriorated or improved by the rules' severity of stages (changed if equal)."""
    was, now = rules.rank(before.stage), rules.rank(after.stage)
    if now > was:
        return "deteriorated"
    if now < was:
        return "improved"
    return "changed"


def trends(
    rules: Rules, moves: dict[Pair, tuple[Place, Place, list[Event]]], pairs: int
) -> tuple[list[Trend], list[Trend], int]:
    """(deteriorated, improved, unchanged count) from each moved pair's place at the
    start and the end of the period, out of ``pairs`` pairs with events."""
    worse, better = [], []
    for pair, (start, end, causes) in sorted(moves.items()):
        way = direction(rules, start, end)
        if way == "deteriorated":
            worse.append(Trend(pair, start, end, causes))
        elif way == "improved":
            better.append(Trend(pair, start, end, causes))
    worse.sort(key=lambda t: (-rules.rank(t.after.stage), t.pair))
    better.sort(key=lambda t: (rules.rank(t.after.stage), t.pair))
    return worse, better, pairs - len(worse) - len(better)


def ordered(rules: Rules, facts: Facts) -> Facts:
    """The one order every report uses, whichever way its facts were computed."""
    states = rules.states
    stages = rules.all_stages
    return Facts(
        status_counts={state: facts.status_counts.get(state, 0) for state in states},
        stage_counts={stage: facts.stage_counts.get(stage, 0) for stage in stages},
        changes=sorted(facts.changes, key=lambda c: (c.on, c.cause.id)),
        # The most serious first, then the latest to get there.
        standing=sorted(
            facts.standing,
            key=lambda s: (-rules.rank(s.place.stage), -s.since.toordinal(), s.pair),
        ),
        occurred=sorted(facts.occurred, key=lambda e: (e.occurred_on, e.id)),
        late=sorted(facts.late, key=lambda e: (e.occurred_on, e.id)),
        recorded=sorted(facts.recorded, key=lambda e: e.id),
        deteriorated=facts.deteriorated,
        improved=facts.improved,
        unchanged=facts.unchanged,
        ends=facts.ends,
    )
