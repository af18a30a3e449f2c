"""Two ways to run the same SQL text: the standard library's sqlite3 (no SQLAlchemy to
import, for fast command start-up) and a SQLAlchemy connection (SQLite or PostgreSQL).

Every read query is written once, as SQL text with named parameters (``:name``), and
run by either runner. A runner passes values in its driver's terms: SQLite stores dates
and timestamps as ISO text (SQLAlchemy's storage format, which the sqlite3 runner
reproduces), psycopg takes Python values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Connection

Row = Sequence[Any]
IN_CHUNK = 500  # values per IN (...) list: well under any driver's variable limit


class Runner(Protocol):
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]: ...

    def day(self, value: date) -> Any: ...

    def moment(self, value: datetime) -> Any: ...


def stored_moment(value: datetime) -> datetime:
    """How every timestamp is stored: naive, in UTC."""
    return value.astimezone(UTC).replace(tzinfo=None)


class Sqlite3Runner:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self.connection.execute(sql, params or {}).fetchall()

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        cursor = self.connection.execute(sql, params or {})
        try:
            while rows := cursor.fetchmany(5_000):
                yield from rows
        finally:
            cursor.close()

    def day(self, value: date) -> str:
        return value.isoformat()

    def moment(self, value: datetime) -> str:
        # SQLAlchemy's format for DateTime on SQLite; isoformat pads the year to 4 digits
        # (strftime's %Y does not, before year 1000).
        return stored_moment(value).isoformat(" ", "microseconds")


class AlchemyRunner:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        from sqlalchemy import text

        return list(self.connection.execute(text(sql), dict(params or {})))

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        from sqlalchemy import text

        # A statement option: Connection.execution_options() would change the whole
        # connection, and every later statement would go through a server-side cursor.
        statement = text(sql).execution_options(yield_per=20_000)
        yield from self.connection.execute(statement, dict(params or {}))

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def moment(self, value: datetime) -> Any:
        if self.sqlite:
            return stored_moment(value).isoformat(" ", "microseconds")
        return stored_moment(value)


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:name0, :name1, ...)`` and its parameters, for one chunk of an IN list."""
    params = {f"{name}{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


def event_filter(countries: Sequence[str], types: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """``AND`` conditions on the events ``e``: involving any of ``countries``, of any of
    ``types`` (either may be empty: no condition); and their parameters."""
    sql, params = "", {}
    if countries:
        marks, values = in_list("c", list(countries))
        sql += f" AND (e.actor IN {marks} OR e.target IN {marks})"
        params.update(values)
    if types:
        marks, values = in_list("t", list(types))
        sql += f" AND e.event_type IN {marks}"
        params.update(values)
    return sql, params


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
