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

from relations.domain.events import Event, Pair
from relations.store.revision import SCHEMA_REVISION

_COLUMNS = "id, event_type, actor, target, occurred_on, summary, source, external_id, recorded_at"


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

    def pair_logs(self, countries: Sequence[str] = ()) -> Iterator[tuple[Pair, list[Event]]]:
        query = f"SELECT pair_first, pair_second, {_COLUMNS} FROM events"
        params: list[str] = []
        if countries:
            marks = ", ".join("?" * len(countries))
            query += f" WHERE pair_first IN ({marks}) OR pair_second IN ({marks})"
            params = [*countries, *countries]
        query += " ORDER BY pair_first, pair_second, occurred_on, id"
        return _pairs_of(self.connection.execute(query, params))

    def close(self) -> None:
        self.connection.close()

    def pair_events(self, pair: Pair, up_to: date | None = None) -> list[Event]:
        query = f"SELECT {_COLUMNS} FROM events WHERE pair_first = ? AND pair_second = ?"
        params: list[str] = [pair.first, pair.second]
        if up_to is not None:
            query += " AND occurred_on <= ?"
            params.append(up_to.isoformat())
        query += " ORDER BY occurred_on, id"
        return [_event(row) for row in self.connection.execute(query, params)]


def _pairs_of(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[Pair, list[Event]]]:
    for (first, second), group in groupby(rows, key=lambda r: (r[0], r[1])):
        yield Pair(str(first), str(second)), [_event(row[2:]) for row in group]


def _event(row: tuple[object, ...]) -> Event:
    event_id, kind, actor, target, occurred_on, summary, source, external_id, recorded_at = row
    return Event(
        id=int(str(event_id)),
        event_type=str(kind),
        actor=str(actor),
        target=str(target),
        occurred_on=date.fromisoformat(str(occurred_on)),
        summary=str(summary),
        source=str(source),
        external_id=None if external_id is None else str(external_id),
        recorded_at=datetime.fromisoformat(str(recorded_at)).replace(tzinfo=UTC),
    )
