"""Read a pair's events from SQLite with the standard library's sqlite3 alone.

Importing SQLAlchemy takes about 0.3 s on our development machine, more than the
whole budget of `relations status` (300 ms). The read-only commands that need only
a pair's events use this reader when the database is SQLite and its schema is
current; everything else goes through the SQLAlchemy store. Both return the same
Events: tests/test_store_contract.py checks they agree on every pair and date.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path

from relations.domain.events import Entry, Event, FeedExtras, Pair, Retraction
from relations.store.revision import SCHEMA_REVISION
from relations.store.rows import ProjectedStatus

_COLUMNS = (
    "id, event_type, actor, target, occurred_on, summary, source, external_id, recorded_at, "
    "supersedes, source_rows, source_score, source_event_id"
)
# Timestamps are compared as text, in SQLAlchemy's storage format for DateTime on
# SQLite: "YYYY-MM-DD HH:MM:SS.ffffff" (see _stamp).


class SqliteReader:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: Path) -> SqliteReader | None:
        """A reader, or None if the file is missing or its schema is not exactly current."""
        if not path.is_file():
            return None
        try:
            connection = sqlite3.connect(path, timeout=30)
            connection.isolation_level = None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
        if row is None or row[0] != SCHEMA_REVISION:
            connection.close()
            return None
        return cls(connection)

    @contextmanager
    def reading(self) -> Iterator[SqliteReader]:
        """One read transaction, so every query sees the same snapshot."""
        self.connection.execute("BEGIN")
        try:
            yield self
        finally:
            self.connection.execute("COMMIT")

    def pair_logs(
        self, countries: Sequence[str] = (), known_at: datetime | None = None
    ) -> Iterator[tuple[Pair, list[Event]]]:
        condition, params = _known(known_at)
        query = f"SELECT pair_first, pair_second, {_COLUMNS} FROM events e WHERE {condition}"
        if countries:
            marks = ", ".join("?" * len(countries))
            query += f" AND (pair_first IN ({marks}) OR pair_second IN ({marks}))"
            params += [*countries, *countries]
        query += " ORDER BY pair_first, pair_second, occurred_on, id"
        return _pairs_of(self.connection.execute(query, params))

    def close(self) -> None:
        self.connection.close()

    def pair_events(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Event]:
        return [_event(row) for row in self._pair_rows(pair, up_to, _known(known_at))]

    def status_at(self, pair: Pair, day: date, digest: str) -> ProjectedStatus | None:
        """The pair's status at the end of ``day`` from the projections (three index
        seeks), or None if they were computed under rules other than ``digest``."""
        where = "pair_first = ? AND pair_second = ?"
        row = self.connection.execute(
            f"SELECT rules_digest FROM pair_status WHERE {where}", (pair.first, pair.second)
        ).fetchone()
        if row is None:
            return ProjectedStatus(None, None, None, 0)
        if row[0] != digest:
            return None
        params = (pair.first, pair.second, day.isoformat())
        latest = self.connection.execute(
            f"SELECT status_after, position FROM event_effects WHERE {where} "
            "AND occurred_on <= ? ORDER BY occurred_on DESC, event_id DESC LIMIT 1",
            params,
        ).fetchone()
        if latest is None:
            return ProjectedStatus(None, None, None, 0)
        cause = self.connection.execute(
            f"SELECT {_COLUMNS} FROM events WHERE id = (SELECT event_id FROM event_effects "
            f"WHERE {where} AND changed AND occurred_on <= ? "
            "ORDER BY occurred_on DESC, event_id DESC LIMIT 1)",
            params,
        ).fetchone()
        event = _event(cause) if cause else None
        return ProjectedStatus(str(latest[0]), event.occurred_on if event else None, event,
                               int(latest[1]))  # fmt: skip

    def pair_record(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Entry]:
        condition = _known(known_at, include_retracted=True)
        found = [_event(row) for row in self._pair_rows(pair, up_to, condition)]
        if not found:
            return []
        stamp = [] if known_at is None else [_stamp(known_at)]
        marks = ", ".join("?" * len(found))
        ids = [e.id for e in found]
        retracted = {
            row[0]: Retraction(row[0], _moment(row[1]), str(row[2]), str(row[3]))
            for row in self.connection.execute(
                "SELECT event_id, retracted_at, by, reason FROM retractions "
                f"WHERE event_id IN ({marks})" + (" AND retracted_at <= ?" if stamp else ""),
                [*ids, *stamp],
            )
        }
        replaced = dict(
            self.connection.execute(
                f"SELECT supersedes, id FROM events WHERE supersedes IN ({marks})"
                + (" AND recorded_at <= ?" if stamp else ""),
                [*ids, *stamp],
            ).fetchall()
        )
        return [Entry(e, retracted.get(e.id), replaced.get(e.id)) for e in found]

    def _pair_rows(
        self, pair: Pair, up_to: date | None, known: tuple[str, list[str]]
    ) -> Iterator[tuple[object, ...]]:
        condition, params = known
        query = (
            f"SELECT {_COLUMNS} FROM events e WHERE pair_first = ? AND pair_second = ? "
            f"AND {condition}"
        )
        params = [pair.first, pair.second, *params]
        if up_to is not None:
            query += " AND occurred_on <= ?"
            params.append(up_to.isoformat())
        query += " ORDER BY occurred_on, id"
        return self.connection.execute(query, params)


def _known(known_at: datetime | None, include_retracted: bool = False) -> tuple[str, list[str]]:
    """The SQL condition for the live events as known at ``known_at`` (None: now)."""
    conditions = ["1"]
    params: list[str] = []
    if known_at is not None:
        conditions.append("e.recorded_at <= ?")
        params.append(_stamp(known_at))
    if not include_retracted:
        retracted = "SELECT 1 FROM retractions r WHERE r.event_id = e.id"
        if known_at is not None:
            retracted += " AND r.retracted_at <= ?"
            params.append(_stamp(known_at))
        conditions.append(f"NOT EXISTS ({retracted})")
    return " AND ".join(conditions), params


def _stamp(moment: datetime) -> str:
    # isoformat pads the year to 4 digits (strftime's %Y does not, before year 1000)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _moment(text: object) -> datetime:
    return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)


def _pairs_of(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[Pair, list[Event]]]:
    for (first, second), group in groupby(rows, key=lambda r: (r[0], r[1])):
        yield Pair(str(first), str(second)), [_event(row[2:]) for row in group]


def _event(row: tuple[object, ...]) -> Event:
    (
        event_id,
        kind,
        actor,
        target,
        occurred_on,
        summary,
        source,
        external_id,
        recorded_at,
        supersedes,
        source_rows,
        source_score,
        source_event_id,
    ) = row
    return Event(
        id=int(str(event_id)),
        event_type=str(kind),
        actor=str(actor),
        target=str(target),
        occurred_on=date.fromisoformat(str(occurred_on)),
        summary=str(summary),
        source=str(source),
        external_id=None if external_id is None else str(external_id),
        recorded_at=_moment(recorded_at),
        supersedes=None if supersedes is None else int(str(supersedes)),
        feed=(
            None
            if source_rows is None
            else FeedExtras(
                int(str(source_rows)),
                None if source_score is None else float(str(source_score)),
                str(source_event_id),
            )
        ),
    )
