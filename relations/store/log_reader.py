"""Reading the event log and the pairs' stored statuses: every query written once, as SQL
text, run by either runner (stdlib sqlite3 on the fast path, SQLAlchemy elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any

from relations.domain.events import Entry, Event, EventDraft, Pair
from relations.store import decode, state_codec
from relations.store.decode import EVENT_COLUMNS, REVIEW_COLUMNS, STATUS_COLUMNS, events_from
from relations.store.rows import ProjectedStatus, StoredStatus
from relations.store.runners import Runner, chunks, event_filter, in_list

PAIR = "e.pair_first = :first AND e.pair_second = :second"
FOLD_ORDER = "e.occurred_on, e.id"
LATEST_FIRST = "f.occurred_on DESC, f.event_id DESC"


class LogReader:
    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    # -- a pair's events -------------------------------------------------------------

    def pair_logs(
        self, countries: Sequence[str] = (), known_at: datetime | None = None
    ) -> Iterator[tuple[Pair, list[Event]]]:
        """Every pair's live events in fold order, one pair at a time, streamed."""
        condition, params = self._known(known_at)
        sql = (
            f"SELECT e.pair_first, e.pair_second, {EVENT_COLUMNS} "
            f"FROM {events_from(known_at is not None)} WHERE {condition}"
        )
        if countries:
            marks, values = in_list("c", list(countries))
            sql += f" AND (e.pair_first IN {marks} OR e.pair_second IN {marks})"
            params.update(values)
        sql += f" ORDER BY e.pair_first, e.pair_second, {FOLD_ORDER}"
        rows = self.runner.stream(sql, params)
        for (first, second), group in groupby(rows, key=lambda r: (r[0], r[1])):
            yield Pair(str(first), str(second)), [decode.event(row[2:]) for row in group]

    def pair_events(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Event]:
        """The pair's live events (as known at ``known_at``, default now) in fold order:
        (occurred_on, recording sequence)."""
        condition, params = self._known(known_at)
        sql, params = self._of_pair(pair, up_to, known_at, condition, params, EVENT_COLUMNS)
        return [decode.event(row) for row in self.runner.rows(sql, params)]

    def same_event(self, draft: EventDraft) -> Event | None:
        """A live event without an external id that says exactly what ``draft`` says
        (type, actor, target, date, summary, source): recording it again would be a
        duplicate."""
        condition, params = self._known(None, include_pending=True)
        params.update(
            first=draft.pair.first, second=draft.pair.second, kind=draft.event_type,
            actor=draft.actor, target=draft.target, day=self.runner.day(draft.occurred_on),
            summary=draft.summary, source=draft.source,
        )  # fmt: skip
        sql = (
            f"SELECT {EVENT_COLUMNS} FROM {events_from(False)} WHERE {condition} "
            "AND e.pair_first = :first AND e.pair_second = :second AND e.event_type = :kind "
            "AND e.actor = :actor AND e.target = :target AND e.occurred_on = :day "
            "AND e.summary = :summary AND e.source = :source AND e.external_id IS NULL "
            "ORDER BY e.id LIMIT 1"
        )
        rows = self.runner.rows(sql, params)
        return decode.event(rows[0]) if rows else None

    def pair_record(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Entry]:
        """Every event of the pair, retracted, pending and dismissed ones included, as known
        at ``known_at``: one query, retractions, corrections and reviews joined in (no IN
        list, however long the log)."""
        condition, params = self._known(known_at, include_retracted=True, include_pending=True)
        retracted = "r.event_id = e.id"
        corrected = "c.supersedes = e.id"
        if known_at is not None:
            retracted += " AND r.retracted_at <= :known_at"
            corrected += " AND c.recorded_at <= :known_at"
        columns = f"{EVENT_COLUMNS}, {REVIEW_COLUMNS}, r.retracted_at, r.by, r.reason, c.id"
        joins = f"LEFT JOIN retractions r ON {retracted} LEFT JOIN events c ON {corrected}"
        sql, params = self._of_pair(pair, up_to, known_at, condition, params, columns, joins)
        return [_entry(row) for row in self.runner.rows(sql, params)]

    def _of_pair(
        self,
        pair: Pair,
        up_to: date | None,
        known_at: datetime | None,
        condition: str,
        params: dict[str, Any],
        columns: str,
        joins: str = "",
    ) -> tuple[str, dict[str, Any]]:
        source = events_from(known_at is not None)
        sql = f"SELECT {columns} FROM {source} {joins} WHERE {PAIR} AND {condition}"
        params.update(first=pair.first, second=pair.second)
        if up_to is not None:
            sql += " AND e.occurred_on <= :up_to"
            params["up_to"] = self.runner.day(up_to)
        return sql + f" ORDER BY {FOLD_ORDER}", params

    def _known(
        self,
        known_at: datetime | None,
        *,
        include_retracted: bool = False,
        include_pending: bool = False,
    ) -> tuple[str, dict[str, Any]]:
        """The events the database held at ``known_at`` (None: now), without those it
        had retracted by then unless ``include_retracted``, and only those that count
        (confirmed by then) unless ``include_pending``. Needs ``events_from``."""
        conditions = ["1 = 1"]
        if not include_pending:
            conditions.append("(e.review = 'confirmed' OR v.decision = 'confirmed')")
        params: dict[str, Any] = {}
        if known_at is not None:
            conditions.append("e.recorded_at <= :known_at")
            params["known_at"] = self.runner.moment(known_at)
        if not include_retracted:
            retracted = "SELECT 1 FROM retractions x WHERE x.event_id = e.id"
            if known_at is not None:
                retracted += " AND x.retracted_at <= :known_at"
            conditions.append(f"NOT EXISTS ({retracted})")
        return " AND ".join(conditions), params

    # -- single events ----------------------------------------------------------------

    def event(self, event_id: int) -> Entry | None:
        """An event as the record holds it now, with its retraction, correction, review."""
        sql = (
            f"SELECT {EVENT_COLUMNS}, {REVIEW_COLUMNS}, r.retracted_at, r.by, r.reason, c.id "
            f"FROM {events_from(False)} LEFT JOIN retractions r ON r.event_id = e.id "
            "LEFT JOIN events c ON c.supersedes = e.id WHERE e.id = :id"
        )
        rows = self.runner.rows(sql, {"id": event_id})
        return _entry(rows[0]) if rows else None

    def events_by_id(self, ids: Sequence[int]) -> dict[int, Event]:
        found: dict[int, Event] = {}
        for chunk in chunks(list(ids)):
            marks, params = in_list("id", chunk)
            sql = f"SELECT {EVENT_COLUMNS} FROM {events_from(False)} WHERE e.id IN {marks}"
            found.update((e.id, e) for e in map(decode.event, self.runner.rows(sql, params)))
        return found

    def by_external_ids(self, external_ids: Sequence[str]) -> dict[str, Event]:
        found: dict[str, Event] = {}
        for chunk in chunks(list(external_ids)):
            marks, params = in_list("x", chunk)
            sql = f"SELECT {EVENT_COLUMNS} FROM {events_from(False)} WHERE e.external_id IN {marks}"
            for row in self.runner.rows(sql, params):
                event = decode.event(row)
                assert event.external_id is not None
                found[event.external_id] = event
        return found

    def find_events(
        self,
        *,
        countries: Sequence[str] = (),
        types: Sequence[str] = (),
        start: date | None = None,
        end: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Event]:
        """Live events (as known at ``known_at``), in fold order."""
        condition, params = self._known(known_at)
        sql = f"SELECT {EVENT_COLUMNS} FROM {events_from(known_at is not None)}"
        dates = "e.occurred_on"
        if known_at is None and (start or end):
            # event_effects holds exactly the live events, with an index on their dates
            # (events has none: one index less to maintain on every append).
            sql += " JOIN event_effects f ON f.event_id = e.id"
            dates = "f.occurred_on"
        sql += f" WHERE {condition}"
        filters, values = event_filter(countries, types)
        sql += filters
        params.update(values)
        if start is not None:
            sql += f" AND {dates} >= :start"
            params["start"] = self.runner.day(start)
        if end is not None:
            sql += f" AND {dates} <= :end"
            params["end"] = self.runner.day(end)
        sql += f" ORDER BY {dates}, e.id"
        return [decode.event(row) for row in self.runner.rows(sql, params)]

    # -- stored statuses -------------------------------------------------------------

    def statuses(self, status: str | None = None) -> list[StoredStatus]:
        sql = f"SELECT {STATUS_COLUMNS} FROM pair_status s"
        params = {}
        if status is not None:
            sql += " WHERE s.status = :status"
            params["status"] = status
        sql += " ORDER BY s.pair_first, s.pair_second"
        return [decode.stored_status(row) for row in self.runner.rows(sql, params)]

    def stored_status(self, pair: Pair) -> StoredStatus | None:
        sql = (
            f"SELECT {STATUS_COLUMNS} FROM pair_status s "
            "WHERE s.pair_first = :first AND s.pair_second = :second"
        )
        rows = self.runner.rows(sql, {"first": pair.first, "second": pair.second})
        return decode.stored_status(rows[0]) if rows else None

    def status_at(self, pair: Pair, day: date, digest: str) -> ProjectedStatus | None:
        """The pair's state at the end of ``day`` from the projections (index seeks, in
        one query, and one more for the event that caused it), or None if they were
        computed under rules other than ``digest``."""
        mine = (
            "f.pair_first = s.pair_first AND f.pair_second = s.pair_second "
            "AND f.occurred_on <= :day"
        )
        latest = f"FROM event_effects f WHERE {mine} ORDER BY {LATEST_FIRST} LIMIT 1"
        changed = (
            f"FROM event_effects f WHERE {mine} AND f.state IS NOT NULL "
            f"ORDER BY {LATEST_FIRST} LIMIT 1"
        )
        sql = (
            f"SELECT s.rules_digest, (SELECT f.status_after {latest}), "
            f"(SELECT f.stage_after {latest}), (SELECT f.position {latest}), "
            f"(SELECT f.occurred_on {latest}), (SELECT f.state {changed}) "
            "FROM pair_status s WHERE s.pair_first = :first AND s.pair_second = :second"
        )
        params = {"first": pair.first, "second": pair.second, "day": self.runner.day(day)}
        found = self.runner.rows(sql, params)
        if not found:
            return ProjectedStatus(None, None, None, 0)
        stored_digest, status, stage, position, latest_day, text = found[0]
        if stored_digest != digest:
            return None
        if status is None:
            return ProjectedStatus(None, None, None, 0)
        latest_day = decode.day(latest_day)
        if text is None:  # nothing changed the pair's state yet: the initial one
            return ProjectedStatus(
                str(status), None, None, int(position), str(stage), latest_day=latest_day
            )
        state = state_codec.decode(str(text))
        cause = None
        if state.cause_id is not None:
            cause = self.events_by_id([state.cause_id]).get(state.cause_id)
        return ProjectedStatus(
            str(status), state.since, cause, int(position), str(stage), state.stage_since,
            state.missions, latest_day,
        )  # fmt: skip

    # -- counts and versions ---------------------------------------------------------

    def latest_version(self, pair: Pair) -> int:
        rows = self.runner.rows(
            "SELECT coalesce(max(e.version), 0) FROM events e WHERE " + PAIR,
            {"first": pair.first, "second": pair.second},
        )
        return int(rows[0][0])

    def counts(self) -> dict[str, int]:
        run = self.runner.rows
        by_status = {
            str(s): int(n)
            for s, n in run("SELECT status, count(*) FROM pair_status GROUP BY status")
        }
        return {
            "events": int(run("SELECT count(*) FROM events")[0][0]),
            "retracted": int(run("SELECT count(*) FROM retractions")[0][0]),
            **by_status,
        }


def _entry(row: Any) -> Entry:
    """An Entry from EVENT_COLUMNS, REVIEW_COLUMNS, then a retraction and a correction."""
    event = decode.event(row)
    at, by, reason, superseded_by = row[decode.EVENT_WIDTH + 3 :]
    withdrawn = None if at is None else decode.retraction(event.id, at, by, reason)
    later = None if superseded_by is None else int(superseded_by)
    return Entry(event, withdrawn, later, decode.review(event.id, row))
