"""Report queries answered from the projections (event_effects, pair_status) with index
seeks, instead of replaying every event: what makes a report over a million events fast.

They equal a replay only when the projections are current and nothing was recorded
after the report's ``known_at``; services/reporting.py checks both before using them,
and tests/test_report_paths.py checks the two ways agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from relations.domain.events import Event, Pair
from relations.store import decode, state_codec
from relations.store.decode import EVENT_COLUMNS, events_from
from relations.store.log_reader import LATEST_FIRST, LogReader
from relations.store.runners import in_list


@dataclass(frozen=True, slots=True)
class EndState:
    """A pair's place at the end of a period, as the projections hold it."""

    pair: Pair
    status: str
    stage: str
    since: date | None
    stage_since: date | None
    cause: Event | None


@dataclass(frozen=True, slots=True)
class Move:
    """An event that changed its pair's status or stage, with the places around it."""

    event: Event
    status_before: str
    stage_before: str
    status_after: str
    stage_after: str
    late: bool  # recorded in the period about an earlier date


class ReportQueries(LogReader):
    def latest_recorded_at(self) -> datetime | None:
        latest = self.runner.rows("SELECT max(recorded_at) FROM events")[0][0]
        return decode.moment(latest) if latest is not None else None

    def latest_retracted_at(self) -> datetime | None:
        latest = self.runner.rows("SELECT max(retracted_at) FROM retractions")[0][0]
        return decode.moment(latest) if latest is not None else None

    def latest_reviewed_at(self) -> datetime | None:
        latest = self.runner.rows("SELECT max(reviewed_at) FROM reviews")[0][0]
        return decode.moment(latest) if latest is not None else None

    def rules_digests(self) -> set[str]:
        return {
            str(r[0]) for r in self.runner.rows("SELECT DISTINCT rules_digest FROM pair_status")
        }

    def ends_at(self, last_day: date, countries: Sequence[str]) -> list[EndState]:
        """Each pair's place at the end of ``last_day``, since when, and the event that
        put it in its status (pairs with no event by then are left out)."""
        latest_day = self.runner.rows("SELECT max(occurred_on) FROM event_effects")[0][0]
        if latest_day is not None and decode.day(latest_day) <= last_day:
            return self._current_ends(countries)  # the usual case: a period up to now
        involving, params = _involving("s", countries)
        same_pair = (
            "f.pair_first = s.pair_first AND f.pair_second = s.pair_second "
            "AND f.occurred_on <= :last_day"
        )
        params["last_day"] = self.runner.day(last_day)
        sql = (
            "SELECT s.pair_first, s.pair_second, "
            f"(SELECT f.status_after FROM event_effects f WHERE {same_pair} "
            f"ORDER BY {LATEST_FIRST} LIMIT 1), "
            f"(SELECT f.stage_after FROM event_effects f WHERE {same_pair} "
            f"ORDER BY {LATEST_FIRST} LIMIT 1), "
            f"(SELECT f.state FROM event_effects f WHERE {same_pair} AND f.state IS NOT NULL "
            f"ORDER BY {LATEST_FIRST} LIMIT 1) "
            f"FROM pair_status s WHERE {involving}"
        )
        found = []
        for first, second, status, stage, text in self.runner.rows(sql, params):
            if status is None:
                continue
            state = state_codec.decode(str(text)) if text is not None else None
            found.append((Pair(str(first), str(second)), str(status), str(stage), state))
        causes = self.events_by_id(
            [s.cause_id for *_, s in found if s is not None and s.cause_id is not None]
        )
        return [
            EndState(
                pair, status, stage,
                state.since if state else None,
                state.stage_since if state else None,
                causes.get(state.cause_id) if state and state.cause_id else None,
            )
            for pair, status, stage, state in found
        ]  # fmt: skip

    def _current_ends(self, countries: Sequence[str]) -> list[EndState]:
        """From pair_status, with each cause joined in: no per-pair seek at all."""
        involving, params = _involving("s", countries)
        sql = (
            "SELECT s.pair_first, s.pair_second, s.status, s.stage, s.since, s.stage_since, "
            f"{EVENT_COLUMNS} FROM pair_status s "
            "LEFT JOIN events e ON e.id = s.cause_event_id "
            "LEFT JOIN reviews v ON v.event_id = e.id "
            f"WHERE {involving} AND s.event_count > 0"
        )
        return [
            EndState(
                Pair(str(row[0]), str(row[1])), str(row[2]), str(row[3]),
                decode.optional_day(row[4]), decode.optional_day(row[5]),
                decode.event(row[6:]) if row[6] is not None else None,
            )
            for row in self.runner.rows(sql, params)
        ]  # fmt: skip

    def moves(
        self,
        first_day: date,
        last_day: date,
        start: datetime,
        end: datetime,
        countries: Sequence[str],
    ) -> list[Move]:
        """Every event that changed its pair's status or stage: those that took effect
        in [first_day, last_day] (``late`` False), and those that took effect earlier
        but were recorded in [start, end) (``late`` True)."""
        involving, params = _involving("f", countries)
        params.update(
            first_day=self.runner.day(first_day),
            last_day=self.runner.day(last_day),
            start=self.runner.moment(start),
            end=self.runner.moment(end),
        )
        base = (
            f"SELECT {EVENT_COLUMNS}, f.status_before, f.status_after, f.stage_before, "
            f"f.stage_after FROM {events_from(False)} "
            "JOIN event_effects f ON f.event_id = e.id WHERE f.state IS NOT NULL "
            "AND (f.status_before <> f.status_after OR f.stage_before <> f.stage_after) "
            f"AND {involving}"
        )
        in_period = " AND f.occurred_on >= :first_day AND f.occurred_on <= :last_day"
        late = (
            " AND f.occurred_on < :first_day AND e.recorded_at >= :start AND e.recorded_at < :end"
        )
        found = []
        for is_late, condition in ((False, in_period), (True, late)):
            for row in self.runner.rows(base + condition, params):
                status_before, status_after, stage_before, stage_after = row[decode.EVENT_WIDTH :]
                found.append(
                    Move(decode.event(row), str(status_before), str(stage_before),
                         str(status_after), str(stage_after), is_late)
                )  # fmt: skip
        return found

    def occurred(self, first_day: date, last_day: date, countries: Sequence[str]) -> list[Event]:
        """Live events that took effect in [first_day, last_day] (by the dates index of
        event_effects, which holds exactly the live events)."""
        involving, params = _involving("f", countries)
        params.update(first_day=self.runner.day(first_day), last_day=self.runner.day(last_day))
        sql = (
            f"SELECT {EVENT_COLUMNS} FROM {events_from(False)} "
            "JOIN event_effects f ON f.event_id = e.id "
            f"WHERE f.occurred_on >= :first_day AND f.occurred_on <= :last_day AND {involving}"
        )
        return [decode.event(row) for row in self.runner.rows(sql, params)]

    def recorded(self, start: datetime, end: datetime, countries: Sequence[str]) -> list[Event]:
        """Live events recorded in [start, end)."""
        condition, params = self._known(None)
        involving, values = _involving("e", countries)
        params.update(values, start=self.runner.moment(start), end=self.runner.moment(end))
        sql = (
            f"SELECT {EVENT_COLUMNS} FROM {events_from(False)} WHERE {condition} AND {involving} "
            "AND e.recorded_at >= :start AND e.recorded_at < :end ORDER BY e.id"
        )
        return [decode.event(row) for row in self.runner.rows(sql, params)]

    def pair_effects(self, pair: Pair) -> list[tuple[Any, ...]]:
        """(event id, status before, after, valid, changed, place in the fold, stage
        before, after, state after if it changed) of the pair, in fold order."""
        sql = (
            "SELECT event_id, status_before, status_after, valid, changed, position, "
            "stage_before, stage_after, state FROM event_effects "
            "WHERE pair_first = :first AND pair_second = :second ORDER BY occurred_on, event_id"
        )
        rows = self.runner.rows(sql, {"first": pair.first, "second": pair.second})
        return [
            (int(r[0]), str(r[1]), str(r[2]), bool(r[3]), bool(r[4]), int(r[5]), r[6], r[7], r[8])
            for r in rows
        ]

    def timeline_rows(
        self, pair: Pair, last_day: date, recent_from: date, marker_limit: int
    ) -> tuple[date | None, list[tuple[date, str, str]], list[tuple[Event, bool]]]:
        """What the pair's timeline up to ``last_day`` is drawn from: the date of its first
        event, (date, status after, stage after) of every event that changed its status
        or stage, and the events to mark as (event, moved it): all of them if there are
        at most ``marker_limit``, else the latest moves since ``recent_from`` (at most
        that many)."""
        mine = "f.pair_first = :first AND f.pair_second = :second AND f.occurred_on <= :last_day"
        moved = (
            "f.state IS NOT NULL AND (f.status_before <> f.status_after "
            "OR f.stage_before <> f.stage_after)"
        )
        params: dict[str, Any] = {
            "first": pair.first,
            "second": pair.second,
            "last_day": self.runner.day(last_day),
        }
        first_day, count = self.runner.rows(
            f"SELECT min(f.occurred_on), count(*) FROM event_effects f WHERE {mine}", params
        )[0]
        changes = [
            (decode.day(day), str(status), str(stage))
            for day, status, stage in self.runner.rows(
                f"SELECT f.occurred_on, f.status_after, f.stage_after FROM event_effects f "
                f"WHERE {mine} AND {moved} ORDER BY f.occurred_on, f.event_id",
                params,
            )
        ]
        marked = (
            f"SELECT {EVENT_COLUMNS}, CASE WHEN {moved} THEN 1 ELSE 0 END "
            f"FROM {events_from(False)} JOIN event_effects f ON f.event_id = e.id WHERE {mine}"
        )
        if count > marker_limit:
            marked += f" AND {moved} AND f.occurred_on >= :recent_from"
            params["recent_from"] = self.runner.day(recent_from)
        marked += f" ORDER BY {LATEST_FIRST} LIMIT {int(marker_limit)}"
        markers = [
            (decode.event(row), bool(row[decode.EVENT_WIDTH]))
            for row in self.runner.rows(marked, params)
        ]
        return (decode.optional_day(first_day), changes, markers[::-1])


def _involving(alias: str, countries: Sequence[str]) -> tuple[str, dict[str, Any]]:
    if not countries:
        return "1 = 1", {}
    marks, params = in_list("c", list(countries))
    return f"({alias}.pair_first IN {marks} OR {alias}.pair_second IN {marks})", params
