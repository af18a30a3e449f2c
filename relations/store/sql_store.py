"""The SQL store: transactions on SQLite or PostgreSQL, and retrying writes that meet
contention (a lock held too long, a deadlock, a serialization failure)."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from relations.domain.errors import RelationsError
from relations.store.engine import WRITE
from relations.store.transaction import StoreTransaction

T = TypeVar("T")
# The advisory lock every PostgreSQL write transaction holds in shared mode.
WRITERS = int.from_bytes(hashlib.sha1(b"relations writers").digest()[:8], "big", signed=True)

# Contention a write may meet and should simply try again: SQLite's lock still held
# after the busy timeout; PostgreSQL's serialization failure and deadlock (SQLSTATE).
RETRY_BUDGET = 60.0  # seconds, over all attempts of one write (past SQLite's 30 s busy wait)
_RETRYABLE_STATES = ("40001", "40P01")


class Busy(RelationsError):
    """The database stayed busy with other writes for the whole retry budget."""

    exit_code = 1


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, work: Callable[[StoreTransaction], T], *, alone: bool = False) -> T:
        """Run ``work`` in one write transaction; if the database is busy with other
        writers (a lock held too long, a deadlock, a serialization failure), roll back
        and run it again, with growing pauses, for up to RETRY_BUDGET seconds; then
        raise Busy, a clear error that says to try again. ``work`` must have no effect
        outside the transaction."""
        deadline = time.monotonic() + RETRY_BUDGET
        pause = 0.02
        while True:
            try:
                with self.writing(alone=alone) as tx:
                    return work(tx)
            except DBAPIError as exc:
                if not contention(exc):
                    raise
                if time.monotonic() + pause > deadline:
                    raise Busy(
                        "the database stayed busy with other writes for "
                        f"{RETRY_BUDGET:.0f} s; nothing was written, try again"
                    ) from None
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def writing_once(
        self, *, alone: bool = False, bulk: Sequence[str] = ()
    ) -> Iterator[StoreTransaction]:
        """``writing`` for work that cannot simply be run again (an import streams its
        file): contention is reported as Busy, a clear error, instead of retried."""
        try:
            with self.writing(alone=alone, bulk=bulk) as tx:
                yield tx
        except DBAPIError as exc:
            if not contention(exc):
                raise
            raise Busy(
                "the database is busy with other writes; nothing was written, try again"
            ) from None

    @contextmanager
    def writing(
        self, *, alone: bool = False, bulk: Sequence[str] = ()
    ) -> Iterator[StoreTransaction]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits on success.

        On PostgreSQL it first takes the writers' lock in shared mode, before anything
        reads the clock for ``recorded_at``: see ``wait_for_writers``. ``alone`` takes it
        exclusively instead, for a write over every pair (SQLite has one writer anyway).

        ``bulk``, the tables with foreign keys that a write of a million rows fills:
        SQLite checks their references once, before the commit, instead of row by row (a
        sixth of the insert); a violation rolls everything back. Every such table the
        write touches must be listed: the others go unchecked. PostgreSQL's bulk writer
        does the same by dropping the constraints and adding them back (store.bulk).
        """
        connection = self.engine.connect().execution_options(**{WRITE: True})
        checked_once = bool(bulk) and connection.dialect.name == "sqlite"
        with connection:
            if checked_once:  # only outside a transaction does SQLite accept it
                _foreign_keys(connection, "OFF")
            try:
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        lock = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
                        connection.execute(text(f"SELECT {lock}(:k)"), {"k": WRITERS})
                    yield StoreTransaction(connection)
                    if checked_once:
                        _check_foreign_keys(connection, bulk)
            finally:
                if checked_once:
                    _foreign_keys(connection, "ON")

    def wait_for_writers(self) -> None:
        """Return once every write transaction that was under way has committed or
        rolled back. Events are stamped ``recorded_at`` inside their transaction, before
        it commits; after this, every event stamped before now is visible, so a report
        "as known at T" (T in the past) cannot miss one that commits late.
        SQLite: take the one write lock and let it go. PostgreSQL: take the writers'
        lock exclusively, which waits for every shared holder, and let it go.
        """
        connection = self.engine.connect().execution_options(**{WRITE: True})
        with connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITERS})

    @contextmanager
    def reading(self) -> Iterator[StoreTransaction]:
        """A read-only transaction: one consistent snapshot."""
        with self.engine.connect() as connection, connection.begin():
            yield StoreTransaction(connection)


class BrokenReference(RuntimeError):
    """A bulk write left a row pointing at one that does not exist (a bug, never bad
    input): the transaction is rolled back."""


def _foreign_keys(connection: Connection, setting: str) -> None:
    """Row-by-row foreign key checks on or off, through the driver (SQLAlchemy would
    begin a transaction first, and SQLite ignores the pragma inside one)."""
    driver: Any = connection.connection.driver_connection
    driver.execute(f"PRAGMA foreign_keys={setting}")


def _check_foreign_keys(connection: Connection, tables: Sequence[str]) -> None:
    broken = [
        row
        for table in tables
        for row in connection.exec_driver_sql(f"PRAGMA foreign_key_check({table})").fetchmany(5)
    ]
    if broken:
        raise BrokenReference(f"rows referring to missing rows (table, rowid, parent): {broken}")


def contention(exc: DBAPIError) -> bool:
    """Is this the database saying "busy, try again" (not a real error)?"""
    state = getattr(exc.orig, "sqlstate", None)
    if state in _RETRYABLE_STATES:
        return True
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)
