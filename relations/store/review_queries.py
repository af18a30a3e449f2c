"""The feed signals waiting for review, read once for both runners (see log_reader.py),
and the appending of analysts' decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from relations.domain.events import Event, Pair
from relations.store import decode
from relations.store.decode import EVENT_COLUMNS, events_from
from relations.store.log_reader import LogReader
from relations.store.runners import event_filter, in_list

# An event waiting for review: recorded pending, no decision yet (as known at a moment).
WAITING = "e.review = 'pending' AND v.id IS NULL"


class ReviewQueries(LogReader):
    def pending_events(
        self,
        *,
        countries: Sequence[str] = (),
        types: Sequence[str] = (),
        limit: int = 50,
    ) -> list[Event]:
        """The events waiting for review, most evidence first: source rows, then GDELT
        articles, then the order they were recorded (served by a partial index)."""
        sql = f"SELECT {EVENT_COLUMNS} FROM {events_from(False)} WHERE {WAITING}"
        params: dict[str, Any] = {"limit": limit}
        filters, values = event_filter(countries, types)
        sql += filters
        params.update(values)
        sql += (
            " ORDER BY e.source_rows DESC, COALESCE(e.source_articles, -1) DESC, e.id LIMIT :limit"
        )
        return [decode.event(row) for row in self.runner.rows(sql, params)]

    def waiting(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> tuple[int, date | None]:
        """How many of the pair's events wait for review, and the latest one's date."""
        sql = (
            f"SELECT count(*), max(e.occurred_on) FROM {events_from(known_at is not None)} "
            f"WHERE e.pair_first = :first AND e.pair_second = :second AND {WAITING}"
        )
        params: dict[str, Any] = {"first": pair.first, "second": pair.second}
        if known_at is not None:
            sql += " AND e.recorded_at <= :known_at"
            params["known_at"] = self.runner.moment(known_at)
        if up_to is not None:
            sql += " AND e.occurred_on <= :up_to"
            params["up_to"] = self.runner.day(up_to)
        count, latest = self.runner.rows(sql, params)[0]
        return int(count), decode.optional_day(latest)

    def waiting_pairs(
        self, countries: Sequence[str] = (), known_at: datetime | None = None
    ) -> list[tuple[Pair, int, date]]:
        """Every pair with events waiting for review (as known at ``known_at``): (pair,
        how many, latest date)."""
        sql = (
            f"SELECT e.pair_first, e.pair_second, count(*), max(e.occurred_on) "
            f"FROM {events_from(known_at is not None)} WHERE {WAITING}"
        )
        params: dict[str, Any] = {}
        if known_at is not None:
            sql += " AND e.recorded_at <= :known_at"
            params["known_at"] = self.runner.moment(known_at)
        if countries:
            marks, values = in_list("c", list(countries))
            sql += f" AND (e.pair_first IN {marks} OR e.pair_second IN {marks})"
            params.update(values)
        sql += " GROUP BY e.pair_first, e.pair_second ORDER BY e.pair_first, e.pair_second"
        return [
            (Pair(str(first), str(second)), int(count), decode.day(latest))
            for first, second, count, latest in self.runner.rows(sql, params)
        ]
