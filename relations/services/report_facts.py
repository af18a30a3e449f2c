"""A report's facts from the projections (event_effects, pair_status) by index seeks:
what makes a report over a million events fast. They equal a replay (reports/facts.py)
only when the projections answer for ``known_at`` (``projections_answer``);
tests/test_report_paths.py checks the two ways agree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from relations.application import App
from relations.domain.events import Event, Pair
from relations.reports.facts import MARKER_LIMIT, TimelineInput
from relations.reports.model import (
    Change,
    Facts,
    Place,
    Standing,
    direction,
    ordered,
    trends,
)
from relations.reports.period import Period

if TYPE_CHECKING:
    from relations.store.transaction import StoreTransaction


def projections_answer(app: App, tx: StoreTransaction, known_at: datetime) -> bool:
    """The projections equal a replay as known at ``known_at``: nothing was recorded,
    retracted or reviewed after it, and every pair was projected under the rules in
    force."""
    for latest in (
        tx.latest_recorded_at(),
        tx.latest_retracted_at(),
        tx.latest_reviewed_at(),
    ):
        if latest is not None and latest > known_at:
            return False
    return tx.rules_digests() <= {app.rules.digest}


def facts_from_projections(
    app: App, tx: StoreTransaction, period: Period, countries: Sequence[str]
) -> Facts:
    rules = app.rules
    first_day, last_day = period.first_day, period.last_day
    ends = tx.ends_at(last_day, countries)
    statuses = Counter(end.status for end in ends)
    stages = Counter(end.stage for end in ends)
    standing = [
        Standing(end.pair, Place(end.status, end.stage), end.since, end.stage_since,
                 (last_day - end.since).days, end.cause)
        for end in ends
        if end.status != rules.initial and end.since is not None and end.cause is not None
    ]  # fmt: skip
    changes: list[Change] = []
    moves: dict[Pair, tuple[Place, Place, list[Event]]] = {}
    for move in sorted(
        tx.moves(first_day, last_day, period.start, period.end, countries),
        key=lambda m: (m.event.occurred_on, m.event.id),
    ):
        event = move.event
        before = Place(move.status_before, move.stage_before)
        after = Place(move.status_after, move.stage_after)
        changes.append(
            Change(event.pair, before, after, event.occurred_on, event,
                   direction(rules, before, after))
        )  # fmt: skip
        if move.late:
            continue
        start, _, causes = moves.get(event.pair, (before, after, []))
        moves[event.pair] = (start, after, [*causes, event])
    moved = {pair: m for pair, m in moves.items() if m[0] != m[1]}
    worse, better, unchanged = trends(rules, moved, len(ends))
    occurred = tx.occurred(first_day, last_day, countries)
    recorded = tx.recorded(period.start, period.end, countries)
    late = [e for e in recorded if e.occurred_on < first_day]
    facts = Facts(
        dict(statuses), dict(stages), changes, standing, occurred, late, recorded, worse, better,
        unchanged, {end.pair: Place(end.status, end.stage) for end in ends},
    )  # fmt: skip
    return ordered(rules, facts)


def timelines_from_projections(
    tx: StoreTransaction, pairs: Sequence[Pair], period: Period
) -> dict[Pair, TimelineInput]:
    sources = {}
    for pair in pairs:
        first_day, changes, markers = tx.timeline_rows(
            pair, period.last_day, period.first_day, MARKER_LIMIT
        )
        if first_day is not None:
            moves = [(day, Place(status, stage)) for day, status, stage in changes]
            sources[pair] = TimelineInput(first_day, moves, markers)
    return sources
