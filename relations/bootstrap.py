"""The composition root: the one place that builds the store, machine and clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from relations.domain.events import Entry, Event, Pair
from relations.domain.rules import Rules, default_rules

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine

if TYPE_CHECKING:
    from relations.store.rows import ProjectedStatus
    from relations.store.sql_store import SqlStore


def utc_now() -> datetime:
    return datetime.now(UTC)


def today_anywhere() -> date:
    """The latest date on Earth right now (UTC+14). An event dated after it is in the
    future for everyone; the answer does not depend on the machine's time zone."""
    return (utc_now() + timedelta(hours=14)).date()


class PairEvents(Protocol):
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
    """Everything a service needs, passed in explicitly so tests can swap any part.

    The database is opened on first use: ``store`` (SQLAlchemy, migrated to the
    current schema) for everything, ``reader`` for the commands that only read one
    pair's events (stdlib sqlite3 when possible, to keep them fast).
    """

    url: str
    rules: Rules = field(default_factory=default_rules)
    clock: Callable[[], datetime] = utc_now
    today: Callable[[], date] = today_anywhere
    given_machine: RelationMachine | None = None

    @cached_property
    def machine(self) -> RelationMachine:
        """The state machine of ``rules``, built on first use: commands that only read
        the projections (`status`) never pay for importing and building it."""
        return self.given_machine or machine_of(self.rules)

    @cached_property
    def store(self) -> SqlStore:
        from relations.store.engine import engine_for
        from relations.store.migrations import ensure_schema
        from relations.store.sql_store import SqlStore

        engine = engine_for(self.url)
        ensure_schema(engine)
        return SqlStore(engine)

    @cached_property
    def reader(self) -> EventReader:
        if "store" not in self.__dict__ and self.url.startswith("sqlite:///"):
            from relations.store.sqlite_reader import SqliteReader

            fast = SqliteReader.open(Path(self.url.removeprefix("sqlite:///")))
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


def rules_for(path: Path | None) -> Rules:
    """The rules of a rules file (None: the packaged rules)."""
    if path is None:
        return default_rules()
    from relations.domain.rules import load_rules

    return load_rules(path)


def machine_for(path: Path | None) -> RelationMachine:
    """The state machine for a rules file (None: the packaged rules)."""
    return machine_of(rules_for(path))


_machines: dict[str, RelationMachine] = {}


def machine_of(rules: Rules) -> RelationMachine:
    """One machine per meaning of the rules, built once per process; its lookup table is
    kept between runs (relations/kernel_cache.py)."""
    from relations import kernel_cache
    from relations.domain.machine import RelationMachine

    found = _machines.get(rules.digest)
    if found is not None:
        return found
    table = kernel_cache.load(rules)
    machine = None
    if table is not None:
        try:
            machine = RelationMachine(rules, kernel_table=table)
        except (ValueError, KeyError, TypeError):
            machine = None  # a table from elsewhere: build it again
    if machine is None:
        machine = RelationMachine(rules)
        kernel_cache.save(rules, machine.kernel.table())
    _machines[rules.digest] = machine
    return machine


def bootstrap(
    url: str,
    *,
    machine: RelationMachine | None = None,
    rules: Rules | None = None,
    clock: Callable[[], datetime] = utc_now,
    today: Callable[[], date] = today_anywhere,
) -> App:
    """Wire an App for the database at ``url``; the database is opened on first use.
    ``machine`` or ``rules``: other rules than the packaged ones."""
    if machine is not None:
        rules = machine.rules
    return App(url, rules or default_rules(), clock, today, machine)
