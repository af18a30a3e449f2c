"""A report's facts by replay: fold every pair's log (as known at ``known_at``) once.

The reference way, used when the projections cannot answer (something was recorded
after ``known_at``, or a pair is projected under other rules) and by the tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from relations.domain.events import Event, Pair
from relations.domain.fold import Step, fold
from relations.reports.model import (
    Change,
    Facts,
    PairTimeline,
    Place,
    Segment,
    Standing,
    direction,
    ordered,
    trends,
)
from relations.reports.period import Period, is_late, is_news

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine

# Timelines are drawn for at most this many pairs (the most recently moved), with a
# marker per event unless a pair has more than MARKER_LIMIT events in view (then only
# its changes of status or stage in the period, the latest MARKER_LIMIT of them).
TIMELINE_LIMIT = 40
MARKER_LIMIT = 200


def facts_from_logs(
    machine: RelationMachine,
    pair_logs: Iterable[tuple[Pair, Sequence[Event]]],
    period: Period,
    known_at: datetime,
    countries: Sequence[str] = (),
) -> Facts:
    rules = machine.rules
    wanted = set(countries)
    statuses: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    changes: list[Change] = []
    standing: list[Standing] = []
    occurred: list[Event] = []
    late: list[Event] = []
    recorded: list[Event] = []
    moves: dict[Pair, tuple[Place, Place, list[Event]]] = {}
    ends: dict[Pair, Place] = {}
    last_day = period.last_day
    for pair, log in pair_logs:
        if wanted and not (pair.first in wanted or pair.second in wanted):
            continue
        log = [e for e in log if e.recorded_at <= known_at]
        recorded.extend(e for e in log if period.holds(e.recorded_at))
        late.extend(e for e in log if is_late(period, e))
        occurred.extend(e for e in log if period.occurred_in(e.occurred_on))
        known = [e for e in log if period.before_end(e.occurred_on)]
        if not known:
            continue
        folded = fold(machine, known)
        start = folded.steps[0].state_before
        causes = []
        for step in folded.steps:
            before = Place(step.state_before.status, step.state_before.stage)
            after = Place(step.state_after.status, step.state_after.stage)
            if step.event.occurred_on < period.first_day:
                start = step.state_after
            elif before != after:
                causes.append(step.event)
            if before != after and is_news(period, step.event):
                way = direction(rules, before, after)
                changes.append(Change(pair, before, after, step.event.occurred_on, step.event,
                                      way))  # fmt: skip
        state = folded.state
        end = Place(state.status, state.stage)
        ends[pair] = end
        statuses[end.status] += 1
        stages[end.stage] += 1
        begin = Place(start.status, start.stage)
        if begin != end:
            moves[pair] = (begin, end, causes)
        if state.status != rules.initial and state.since and state.cause:
            days = (last_day - state.since).days
            standing.append(Standing(pair, end, state.since, state.stage_since, days, state.cause))
    worse, better, unchanged = trends(rules, moves, len(ends))
    facts = Facts(
        dict(statuses), dict(stages), changes, standing, occurred, late, recorded, worse, better,
        unchanged, ends,
    )  # fmt: skip
    return ordered(rules, facts)


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
    """What a pair's timeline up to the period's last day is drawn from, as known."""

    first_day: date  # the date of the pair's first event
    changes: list[tuple[date, Place]]  # (date, place after) of each change of place
    markers: list[tuple[Event, bool]]  # (event, changed the place), possibly only changes


def timeline_input(
    machine: RelationMachine, log: Sequence[Event], recent_from: date
) -> TimelineInput:
    """By replay of the pair's log (see ReportQueries.timeline_rows for the markers)."""
    steps = fold(machine, log).steps

    def moved(step: Step[Event]) -> bool:
        return step.changed or step.stage_changed

    changed = [s for s in steps if moved(s)]
    recent = [s for s in changed if s.event.occurred_on >= recent_from]
    shown = steps if len(steps) <= MARKER_LIMIT else recent[-MARKER_LIMIT:]
    return TimelineInput(
        first_day=steps[0].event.occurred_on,
        changes=[(s.event.occurred_on, Place(s.after, s.state_after.stage)) for s in changed],
        markers=[(s.event, moved(s)) for s in shown],
    )


def timeline(initial: Place, pair: Pair, source: TimelineInput, last_day: date) -> PairTimeline:
    segments: list[Segment] = []
    place, start = initial, source.first_day
    for day, after in source.changes:
        if day > start:
            segments.append(Segment(place, start, day))
        place, start = after, day
    segments.append(Segment(place, start, last_day))
    return PairTimeline(pair, segments, source.markers)
