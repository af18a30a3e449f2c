"""Report queries answered from the projections (event_effects, pair_status) with index
seeks, instead of replaying every event: what makes a report over a million events fast.

They equal a replay only when the projections are current and nothing was recorded
after the report's ``known_at``; services/reporting.py checks both before using them,
and tests/test_report_paths.py checks the two ways agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from relations.domain.events import Event, Pair
from relations.store.rows import naive_utc
from relations.store.schema import event_effects, events, pair_status, retractions
from relations.store.sql import known, row_to_event

effects = event_effects


class ProjectionQueries:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def latest_recorded_at(self) -> datetime | None:
        latest = self.connection.execute(select(func.max(events.c.recorded_at))).scalar()
        return latest.replace(tzinfo=UTC) if latest else None

    def latest_retracted_at(self) -> datetime | None:
        latest = self.connection.execute(select(func.max(retractions.c.retracted_at))).scalar()
        return latest.replace(tzinfo=UTC) if latest else None

    def rules_digests(self) -> set[str]:
        query = select(pair_status.c.rules_digest).distinct()
        return {row[0] for row in self.connection.execute(query)}

    def statuses_at(
        self, last_day: date, countries: Sequence[str]
    ) -> list[tuple[Pair, str, Event | None]]:
        """Each pair's status at the end of ``last_day`` and the event that caused it
        (pairs with no event by then are left out; the cause is None if it never changed).
        """
        latest_day = self.connection.execute(select(func.max(effects.c.occurred_on))).scalar()
        if latest_day is not None and latest_day <= last_day:
            return self._current_statuses(countries)  # the usual case: a period up to now
        same_pair = and_(
            effects.c.pair_first == pair_status.c.pair_first,
            effects.c.pair_second == pair_status.c.pair_second,
            effects.c.occurred_on <= last_day,
        )
        latest = (effects.c.occurred_on.desc(), effects.c.event_id.desc())
        status = select(effects.c.status_after).where(same_pair).order_by(*latest).limit(1)
        cause = (
            select(effects.c.event_id)
            .where(same_pair, effects.c.changed.is_(True))
            .order_by(*latest)
            .limit(1)
        )
        query = select(
            pair_status.c.pair_first,
            pair_status.c.pair_second,
            status.scalar_subquery().label("status"),
            cause.scalar_subquery().label("cause_id"),
        )
        query = query.where(_involving(pair_status, countries))
        found = [
            (Pair(row.pair_first, row.pair_second), row.status, row.cause_id)
            for row in self.connection.execute(query)
            if row.status is not None
        ]
        causes = self.events_by_id([cause for _, _, cause in found if cause is not None])
        return [
            (pair, status, causes.get(cause) if cause else None) for pair, status, cause in found
        ]

    def _current_statuses(self, countries: Sequence[str]) -> list[tuple[Pair, str, Event | None]]:
        """From pair_status, with each cause joined in: no per-pair seek at all."""
        query = (
            select(pair_status.c.status, events)
            .select_from(pair_status)
            .outerjoin(events, events.c.id == pair_status.c.cause_event_id)
            .where(_involving(pair_status, countries), pair_status.c.event_count > 0)
        )
        rows = self.connection.execute(
            query.add_columns(
                pair_status.c.pair_first.label("first"), pair_status.c.pair_second.label("second")
            )
        )
        return [
            (Pair(row.first, row.second), row.status, row_to_event(row) if row.id else None)
            for row in rows
        ]

    def changes(
        self,
        first_day: date,
        last_day: date,
        start: datetime,
        end: datetime,
        countries: Sequence[str],
    ) -> list[tuple[Event, str, str]]:
        """Status changes that took effect in [first_day, last_day], or earlier but were
        recorded in [start, end)."""
        base = (
            select(events, effects.c.status_before, effects.c.status_after)
            .join(effects, effects.c.event_id == events.c.id)
            .where(effects.c.changed.is_(True), _involving(effects, countries))
        )
        in_period = base.where(
            effects.c.occurred_on >= first_day, effects.c.occurred_on <= last_day
        )
        late = base.where(
            effects.c.occurred_on < first_day,
            events.c.recorded_at >= naive_utc(start),
            events.c.recorded_at < naive_utc(end),
        )
        found = []
        for query in (in_period, late):
            for row in self.connection.execute(query):
                found.append((row_to_event(row), row.status_before, row.status_after))
        return found

    def recorded(self, start: datetime, end: datetime, countries: Sequence[str]) -> list[Event]:
        """Live events recorded in [start, end)."""
        query = select(events).where(
            known(None),
            events.c.recorded_at >= naive_utc(start),
            events.c.recorded_at < naive_utc(end),
            _involving(events, countries),
        )
        return [row_to_event(row) for row in self.connection.execute(query.order_by(events.c.id))]

    def pair_effects(self, pair: Pair) -> list[tuple[int, str, str, bool, bool, int]]:
        """(event id, status before, after, valid, changed, place in the fold) of the
        pair, in fold order."""
        query = (
            select(effects.c.event_id, effects.c.status_before, effects.c.status_after,
                   effects.c.valid, effects.c.changed, effects.c.position)
            .where(effects.c.pair_first == pair.first, effects.c.pair_second == pair.second)
            .order_by(effects.c.occurred_on, effects.c.event_id)
        )  # fmt: skip
        return [
            (row[0], row[1], row[2], bool(row[3]), bool(row[4]), row[5])
            for row in self.connection.execute(query)
        ]

    def timeline_rows(
        self, pair: Pair, last_day: date, recent_from: date, marker_limit: int
    ) -> tuple[date | None, list[tuple[date, str]], list[tuple[Event, bool]]]:
        """What the pair's timeline up to ``last_day`` is drawn from: the date of its first
        event, (date, status after) of every event that changed its status, and the
        events to mark as (event, changed): all of them if there are at most
        ``marker_limit``, else the latest changes since ``recent_from`` (at most that many).
        """
        mine = and_(
            effects.c.pair_first == pair.first,
            effects.c.pair_second == pair.second,
            effects.c.occurred_on <= last_day,
        )
        first_day, count = self.connection.execute(
            select(func.min(effects.c.occurred_on), func.count()).where(mine)
        ).one()
        order = (effects.c.occurred_on, effects.c.event_id)
        changes = [
            (row.occurred_on, row.status_after)
            for row in self.connection.execute(
                select(effects.c.occurred_on, effects.c.status_after)
                .where(mine, effects.c.changed.is_(True))
                .order_by(*order)
            )
        ]
        marked = (
            select(events, effects.c.changed)
            .join(effects, effects.c.event_id == events.c.id)
            .where(mine)
        )
        if count > marker_limit:
            marked = marked.where(effects.c.changed.is_(True), effects.c.occurred_on >= recent_from)
        marked = marked.order_by(*(c.desc() for c in order)).limit(marker_limit)
        markers = [
            (row_to_event(row), bool(row.changed)) for row in self.connection.execute(marked)
        ]
        return first_day, changes, markers[::-1]

    def events_by_id(self, ids: Sequence[int]) -> dict[int, Event]:
        found: dict[int, Event] = {}
        for start in range(0, len(ids), 500):
            query = select(events).where(events.c.id.in_(ids[start : start + 500]))
            found.update((row.id, row_to_event(row)) for row in self.connection.execute(query))
        return found


def _involving(table: Any, countries: Sequence[str]) -> Any:
    if not countries:
        return and_(True)
    return or_(table.c.pair_first.in_(countries), table.c.pair_second.in_(countries))
