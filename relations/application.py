"""The wiring types: ``App``, what every service, the daemon and the CLI are given, and
the protocol of the fast read path. ``bootstrap.py`` (the composition root) builds an
App from its parts; nothing here opens a database or builds a machine by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from relations.domain.events import Entry, Event, Pair
from relations.domain.rules import Rules

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine
    from relations.store.rows import ProjectedStatus
    from relations.store.sql_store import SqlStore


def utc_now() -> datetime:
    return datetime.now(UTC)


def today_anywhere() -> date:
    """The latest date on Earth right now (UTC+14). An event dated after it is in the
    future for everyone; the answer does not depend on the machine's time zone."""
    return (utc_now() + timedelta(hours=14)).date()


class PairEvents(Protocol):
    """What the read path answers inside ``reading()``: one pair's log and status."""

    def pair_events(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Event]: ...

    def pair_record(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Entry]: ...

    def pair_logs(
        self, countries: Sequence[str] = (), known_at: datetime | None = None
    ) -> Iterator[tuple[Pair, list[Event]]]: ...

    def status_at(self, pair: Pair, day: date, digest: str) -> ProjectedStatus | None: ...

    def waiting(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> tuple[int, date | None]: ...

    def pending_events(
        self, *, countries: Sequence[str] = (), types: Sequence[str] = (), limit: int = 50
    ) -> list[Event]: ...


class EventReader(Protocol):
    def reading(self) -> AbstractContextManager[PairEvents]: ...

    def close(self) -> None: ...


@dataclass
class App:
    """Everything a service needs, each part given by the composition root so that
    tests and other entry points can pass their own.

    The database is opened on first use: ``store`` (SQLAlchemy, migrated to the current
    schema) for everything, ``reader`` for the commands that only read (the fast reader
    when there is one and the store is not open yet: stdlib sqlite3, no SQLAlchemy
    import). The state machine is built on first use: commands that only read the
    projections (`status`) never pay for it.
    """

    url: str
    rules: Rules
    open_store: Callable[[], SqlStore]
    open_fast_reader: Callable[[], EventReader | None]
    build_machine: Callable[[Rules], RelationMachine]
    clock: Callable[[], datetime] = utc_now
    today: Callable[[], date] = today_anywhere

    @cached_property
    def machine(self) -> RelationMachine:
        return self.build_machine(self.rules)

    @cached_property
    def store(self) -> SqlStore:
        return self.open_store()

    @cached_property
    def reader(self) -> EventReader:
        if "store" not in self.__dict__:
            fast = self.open_fast_reader()
            if fast is not None:
                return fast
        return self.store

    def close(self) -> None:
        """Release database connections (each command calls this when it ends)."""
        if "store" in self.__dict__:
            self.store.engine.dispose()
        reader = self.__dict__.get("reader")
        if reader is not None and reader is not self.__dict__.get("store"):
            reader.close()
