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
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from relations.domain.events import Event, Pair
from relations.domain.fold import fold

if TYPE_CHECKING:
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
    def first_day(self) -> date:
        """The first date whose events take effect in this period."""
        start = self.start.astimezone(UTC)
        return start.date() if start.time() == time.min else start.date() + timedelta(days=1)

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
    # Pairs with feed signals awaiting review (as known at known_at): pair, count, latest.
    pending: list[tuple[Pair, int, date]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing happened and nothing was recorded in the period."""
        return not self.changes and not self.recorded


# A timeline per pair is drawn for at most this many pairs (the most recently changed),
# with a marker per event unless a pair has more than MARKER_LIMIT events (then only
# its latest status changes in the period, at most MARKER_LIMIT of them): a report over
# a million events stays readable. The bands always show every status change.
TIMELINE_LIMIT = 40
MARKER_LIMIT = 200


@dataclass(frozen=True)
class Facts:
    """Everything a report says but its timelines; computed by replay or by projection."""

    status_counts: dict[str, int]
    changes: list[StatusChange]
    standing: list[Standing]
    recorded: list[Event]


def facts_from_logs(
    machine: RelationMachine,
    pair_logs: Iterable[tuple[Pair, Sequence[Event]]],
    period: Period,
    known_at: datetime,
    countries: Sequence[str] = (),
) -> Facts:
    """The reference way: fold every pair's log (as known at ``known_at``) once."""
    wanted = set(countries)
    counts: Counter[str] = Counter()
    changes: list[StatusChange] = []
    standing: list[Standing] = []
    recorded: list[Event] = []
    last_day = period.last_day
    for pair, log in pair_logs:
        if wanted and not (pair.first in wanted or pair.second in wanted):
            continue
        log = [e for e in log if e.recorded_at <= known_at]
        recorded.extend(e for e in log if period.holds(e.recorded_at))
        known = [e for e in log if period.before_end(e.occurred_on)]
        if not known:
            continue
        folded = fold(machine, known)
        counts[folded.status] += 1
        changes.extend(
            StatusChange(pair, s.before, s.after, s.event.occurred_on, s.event)
            for s in folded.steps
            if s.changed and is_news(period, s.event)
        )
        if folded.status != machine.initial and folded.since and folded.cause:
            days = (last_day - folded.since).days
            standing.append(Standing(pair, folded.status, folded.since, days, folded.cause))
    return ordered(machine, Facts(dict(counts), changes, standing, recorded))


def ordered(machine: RelationMachine, facts: Facts) -> Facts:
    """The one order every report uses, whichever way its facts were computed."""
    states = machine.rules.states
    return Facts(
        status_counts={state: facts.status_counts.get(state, 0) for state in states},
        changes=sorted(facts.changes, key=lambda c: (c.on, c.cause.id)),
        # The most serious status first (the later a state is listed, the more serious).
        standing=sorted(facts.standing, key=lambda s: (-states.index(s.status), s.since, s.pair)),
        recorded=sorted(facts.recorded, key=lambda e: e.id),
    )


def timeline_pairs(facts: Facts, limit: int = TIMELINE_LIMIT) -> list[Pair]:
    """Pairs to draw: those that changed in the period (latest first), then those not
    normal at its end (most recently changed first)."""
    chosen: dict[Pair, None] = {}  # insertion-ordered set
    latest_changes = sorted(facts.changes, key=lambda c: (c.on, c.cause.id), reverse=True)
    latest_standing = sorted(facts.standing, key=lambda s: s.since, reverse=True)
    for pair in [c.pair for c in latest_changes] + [s.pair for s in latest_standing]:
        if len(chosen) == limit:
            break
        chosen.setdefault(pair)
    return sorted(chosen)


@dataclass(frozen=True, slots=True)
class TimelineInput:
    """What a pair's timeline is drawn from (up to the period's last day, as known)."""

    first_day: date  # the date of the pair's first event
    changes: list[tuple[date, str]]  # (date, status after) of each event that changed it
    markers: list[tuple[Event, bool]]  # (event, changed the status), possibly only changes


def timeline_input(
    machine: RelationMachine, log: Sequence[Event], recent_from: date
) -> TimelineInput:
    """By replay of the pair's log (see ProjectionQueries.timeline_rows for the markers)."""
    steps = fold(machine, log).steps
    changed = [s for s in steps if s.changed]
    recent = [s for s in changed if s.event.occurred_on >= recent_from]
    shown = steps if len(steps) <= MARKER_LIMIT else recent[-MARKER_LIMIT:]
    return TimelineInput(
        first_day=steps[0].event.occurred_on,
        changes=[(s.event.occurred_on, s.after) for s in changed],
        markers=[(s.event, s.changed) for s in shown],
    )


def assemble(
    machine: RelationMachine,
    facts: Facts,
    inputs: dict[Pair, TimelineInput],
    period: Period,
    generated_at: datetime,
    known_at: datetime,
    countries: Sequence[str] = (),
) -> Report:
    """The report from its facts and the timeline inputs of the pairs that
    ``timeline_pairs`` chose."""
    timelines = [
        timeline(machine, pair, inputs[pair], period.last_day)
        for pair in timeline_pairs(facts)
        if pair in inputs
    ]
    return Report(
        period=period,
        generated_at=generated_at,
        known_at=known_at,
        countries=tuple(sorted(set(countries))),
        states=machine.rules.states,
        status_counts=facts.status_counts,
        changes=facts.changes,
        standing=facts.standing,
        recorded=facts.recorded,
        timelines=timelines,
    )


def build_report(
    machine: RelationMachine,
    pair_logs: Iterable[tuple[Pair, Sequence[Event]]],
    period: Period,
    generated_at: datetime,
    countries: Sequence[str] = (),
    known_at: datetime | None = None,
) -> Report:
    """A whole report by replay, from logs held in memory (the reference; tests use it)."""
    cutoff = known_at or generated_at
    logs = {pair: list(log) for pair, log in pair_logs}
    facts = facts_from_logs(machine, logs.items(), period, cutoff, countries)
    inputs = {}
    for pair in timeline_pairs(facts):
        known = [
            e for e in logs[pair] if e.recorded_at <= cutoff and period.before_end(e.occurred_on)
        ]
        if known:
            inputs[pair] = timeline_input(machine, known, period.first_day)
    return assemble(machine, facts, inputs, period, generated_at, cutoff, countries)


def timeline(
    machine: RelationMachine, pair: Pair, source: TimelineInput, last_day: date
) -> PairTimeline:
    segments: list[Segment] = []
    status, start = machine.initial, source.first_day
    for day, after in source.changes:
        if day > start:
            segments.append(Segment(status, start, day))
        status, start = after, day
    segments.append(Segment(status, start, last_day))
    return PairTimeline(pair, segments, source.markers)
