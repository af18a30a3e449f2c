"""What a report says, computed from the event log as plain values (no I/O).

A report covers the period [start, end) as the log knew it at ``known_at``: events
recorded after that do not count. ``relations report`` uses the time it runs (what is
known now about any period); a scheduled report uses its period's end, so that what
it says depends only on what was known when the period closed.

An event takes effect at the midnight (UTC) that begins its date. A status change is
in the period if it took effect in the period, or if it took effect earlier but was
recorded in the period (late news). With ``known_at`` = the period's end, every change
falls in exactly one of a schedule's consecutive reports: never twice, never lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from relations.domain.events import Event, Pair
from relations.domain.fold import Step, fold
from relations.domain.machine import RelationMachine


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs time-zone-aware datetimes")

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def before_end(self, day: date) -> bool:
        return day_start(day) < self.end

    @property
    def last_day(self) -> date:
        """The last date whose events count in this period."""
        end = self.end.astimezone(UTC)
        return end.date() if end.time() != time.min else date.fromordinal(end.toordinal() - 1)


def is_news(period: Period, event: Event) -> bool:
    """The event took effect in the period, or earlier but was recorded in it."""
    effective = day_start(event.occurred_on)
    return period.holds(effective) or (effective < period.start and period.holds(event.recorded_at))


@dataclass(frozen=True, slots=True)
class StatusChange:
    pair: Pair
    before: str
    after: str
    on: date
    cause: Event


@dataclass(frozen=True, slots=True)
class Standing:
    """A pair out of the initial status at the end of the period."""

    pair: Pair
    status: str
    since: date
    days: int
    cause: Event


@dataclass(frozen=True, slots=True)
class Segment:
    status: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class PairTimeline:
    pair: Pair
    segments: list[Segment]
    events: list[tuple[Event, bool]]  # (event, changed the status)


@dataclass(frozen=True)
class Report:
    period: Period
    generated_at: datetime
    known_at: datetime
    countries: tuple[str, ...]
    states: tuple[str, ...]
    status_counts: dict[str, int]
    changes: list[StatusChange] = field(default_factory=list)
    standing: list[Standing] = field(default_factory=list)
    recorded: list[Event] = field(default_factory=list)
    timelines: list[PairTimeline] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing happened and nothing was recorded in the period."""
        return not self.changes and not self.recorded


def build_report(
    machine: RelationMachine,
    pair_logs: Iterable[tuple[Pair, Sequence[Event]]],
    period: Period,
    generated_at: datetime,
    countries: Sequence[str] = (),
    known_at: datetime | None = None,
) -> Report:
    """Fold every pair's log once, collecting what the report needs."""
    cutoff = known_at or generated_at
    wanted = set(countries)
    counts: Counter[str] = Counter()
    changes: list[StatusChange] = []
    standing: list[Standing] = []
    recorded: list[Event] = []
    timelines: list[PairTimeline] = []
    last_day = period.last_day
    for pair, log in pair_logs:
        if wanted and not (pair.first in wanted or pair.second in wanted):
            continue
        log = [e for e in log if e.recorded_at <= cutoff]
        recorded.extend(e for e in log if period.holds(e.recorded_at))
        known = [e for e in log if period.before_end(e.occurred_on)]
        if not known:
            continue
        folded = fold(machine, known)
        counts[folded.status] += 1
        pair_changes = [
            StatusChange(pair, s.before, s.after, s.event.occurred_on, s.event)
            for s in folded.steps
            if s.changed and is_news(period, s.event)
        ]
        changes.extend(pair_changes)
        if folded.status != machine.initial and folded.since and folded.cause:
            days = (last_day - folded.since).days
            standing.append(Standing(pair, folded.status, folded.since, days, folded.cause))
        if pair_changes or folded.status != machine.initial:
            timelines.append(_timeline(machine, pair, folded.steps, last_day))
    changes.sort(key=lambda c: (c.on, c.cause.id))
    # The most serious status first (the later a state is listed, the more serious).
    standing.sort(key=lambda s: (-machine.rules.states.index(s.status), s.since, s.pair))
    recorded.sort(key=lambda e: e.id)
    return Report(
        period=period,
        generated_at=generated_at,
        known_at=cutoff,
        countries=tuple(sorted(wanted)),
        states=machine.rules.states,
        status_counts={state: counts.get(state, 0) for state in machine.rules.states},
        changes=changes,
        standing=standing,
        recorded=recorded,
        timelines=sorted(timelines, key=lambda t: t.pair),
    )


def _timeline(
    machine: RelationMachine, pair: Pair, steps: Sequence[Step[Event]], last_day: date
) -> PairTimeline:
    segments: list[Segment] = []
    status = machine.initial
    start = steps[0].event.occurred_on
    for step in steps:
        if step.changed:
            if step.event.occurred_on > start:
                segments.append(Segment(status, start, step.event.occurred_on))
            status, start = step.after, step.event.occurred_on
    segments.append(Segment(status, start, last_day))
    return PairTimeline(pair, segments, [(s.event, s.changed) for s in steps])
