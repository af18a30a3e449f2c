"""The fast path for read-only commands on SQLite: the standard library's sqlite3, with
the same queries as the SQLAlchemy store (log_reader.py), so nothing is written twice.

Importing SQLAlchemy takes about 0.3 s on our development machine, more than the whole
budget of `relations status` (300 ms): the commands that read one pair use this reader
when the database is SQLite and its schema is current.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from relations.store.review_queries import ReviewQueries
from relations.store.revision import SCHEMA_REVISION
from relations.store.runners import Sqlite3Runner


class SqliteReader(ReviewQueries):
    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__(Sqlite3Runner(connection))
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

    def close(self) -> None:
        self.connection.close()
