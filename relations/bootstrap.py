"""The composition root: the one place that builds the store, the reader, the machine
and the clock, and wires them into an App (relations/application.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from relations.application import App, EventReader, today_anywhere, utc_now
from relations.domain.rules import Rules, default_rules

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine
    from relations.store.sql_store import SqlStore


def bootstrap(
    url: str,
    *,
    machine: RelationMachine | None = None,
    rules: Rules | None = None,
    clock: Callable[[], datetime] = utc_now,
    today: Callable[[], date] = today_anywhere,
    store: SqlStore | None = None,
    reader: EventReader | None = None,
) -> App:
    """Wire an App for the database at ``url``; the database is opened on first use.
    ``machine`` or ``rules``: other rules than the packaged ones. ``store``, ``reader``:
    parts already built (a test's, another entry point's) instead of opening ``url``."""
    if machine is not None:
        rules = machine.rules
    given_machine = machine
    return App(
        url=url,
        rules=rules or default_rules(),
        open_store=(lambda: store) if store is not None else (lambda: open_store(url)),
        open_fast_reader=(lambda: reader) if reader is not None else (lambda: fast_reader(url)),
        build_machine=(lambda _: given_machine) if given_machine is not None else machine_of,
        clock=clock,
        today=today,
    )


def open_store(url: str) -> SqlStore:
    """The SQLAlchemy store of ``url``, migrated to the current schema."""
    from relations.store.engine import engine_for
    from relations.store.migrations import ensure_schema
    from relations.store.sql_store import SqlStore

    engine = engine_for(url)
    ensure_schema(engine)
    return SqlStore(engine)


def fast_reader(url: str) -> EventReader | None:
    """The stdlib sqlite3 reader of a SQLite database at the current schema, else None
    (the App then reads through the store)."""
    if not url.startswith("sqlite:///"):
        return None
    from relations.store.sqlite_reader import SqliteReader

    return SqliteReader.open(Path(url.removeprefix("sqlite:///")))


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
