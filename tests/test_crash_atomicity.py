"""Crash safety: `kill -9` of real `relations` processes, on SQLite and PostgreSQL.

1. A 200,000-event import (one transaction), killed 10 times at moments drawn uniformly
   from [0.5 s, the measured duration of an uninterrupted run]. After each kill the
   database passes its integrity check (SQLite: ``PRAGMA integrity_check`` and
   ``foreign_key_check``; both: the schema, indexes and foreign keys the import drops
   for a bulk load are all back, counts and references agree), holds all of the import
   or none of it, and every pair's stored status and event effects equal a fold of its
   log. Re-running the import then completes with exactly 200,000 events, and re-running
   it again adds none.

   Time budget: re-running the import to completion after *every* kill, and once more to
   see it add nothing, took 6 min on SQLite and 12 min on PostgreSQL on a loaded 2-core
   machine, too much beside the rest of the suite in CI's 15 minutes. So, by default,
   the kills are chained: after a kill that leaves nothing, the next killed import *is*
   the re-run of the previous one (on the very database the crash left behind), and the
   re-run after the 10th kill runs to completion, then once more (it must add 0). After
   a kill that lands after the commit (all 200,000 there), the import is re-run at once
   (it must add 0) and the database emptied for the next kill. This test then takes
   about 1 min a backend on a quiet machine (3 on a loaded one). The numbers are not
   shrunk: 10 kills, 200,000 events, every check after every kill; what is not done is a
   *completed* re-run after each of the first 9 kills. ``RELATIONS_CRASH_RERUN_EACH=1``
   runs that literal variant (after every kill: re-run to completion, check, re-run
   again, check; then empty the database).

   Every pair is compared with a fold of its log in bulk (three queries, the comparison
   of tests/test_import_property.py); a sample of pairs (the largest, and random ones) is
   also compared through the store's own ``pair_events``/``stored_status``/
   ``pair_effects``, exactly as that test does (doing so for all ~11,400 pairs takes
   ~40 s a check).

2. `relations serve` killed while writing HTML reports over 20,000 events (~4.7 MB, a
   few seconds each), 8 times: after its first report, at random moments, and as soon as
   a report's temporary file appears (mid-write). After each kill every file in the
   output folder but a leftover ``.NAME.*.tmp`` is a complete report with the registered
   checksum, every registered report's file is there with that checksum; then
   ``serve --once`` covers every schedule's period without gap or overlap.

   A kill may also leave a complete report renamed into place but not yet registered
   (the next start removes it); never a partial file under a report's name.

3. The one moment (2) reaches only by chance, reached on purpose: the test holds the
   write lock, so the daemon renames its report and then waits to register it, and is
   killed there. The next start must remove that orphan and cover the period.

The checkers are shown to catch what they look for (a database half-populated outside
a transaction, a corrupted projection, a partial or unregistered report file).

Reproduce a run: the seed is printed (and is in every failure message);
``RELATIONS_CRASH_SEED=N`` replays its random draws (kill moments, sampled pairs).
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from projection_checks import expected_effects
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from relations.application import utc_now
from relations.bootstrap import bootstrap
from relations.domain.events import Pair
from relations.domain.fold import fold
from relations.domain.machine import default_machine
from relations.scheduling.periods import latest_fire_time
from relations.services import reporting, schedules
from relations.services.importing import import_file
from relations.store.report_registry import ReportEntry

from conftest import TABLES

pytestmark = pytest.mark.slow  # see pyproject.toml: `pytest -m "not slow"` skips these

EVENTS = 200_000
KILLS = 10
SERVE_KILLS = 8
REPORT_EVENTS = 20_000
SCHEDULES = 10
SAMPLED_PAIRS = 20  # compared through the store's API, besides the largest
RERUN_EACH = os.environ.get("RELATIONS_CRASH_RERUN_EACH", "") not in ("", "0")
SEED = int(os.environ.get("RELATIONS_CRASH_SEED") or random.SystemRandom().randrange(10**9))
GENERATOR = Path(__file__).parent / "benchmarks" / "generate_events.py"
TIMEOUT = 600
MACHINE = default_machine()


# -- the import file -------------------------------------------------------------------


@pytest.fixture(scope="session")
def import_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200,000 valid events in our CSV format (tests/benchmarks/generate_events.py),
    each with an external id ``gen-N`` so that importing the file again adds nothing."""
    folder = tmp_path_factory.mktemp("crash-import")
    raw = folder / "generated.csv"
    made = subprocess.run(
        [sys.executable, str(GENERATOR), str(raw), "--events", str(EVENTS), "--seed", "7"],
        capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    path = folder / "events.csv"
    with (
        raw.open(newline="", encoding="utf-8") as source,
        path.open("w", newline="", encoding="utf-8") as target,
    ):
        reader, writer = csv.reader(source), csv.writer(target)
        header = next(reader)
        column = header.index("external_id")
        writer.writerow(header)
        for number, row in enumerate(reader, start=1):
            row[column] = f"gen-{number}"
            writer.writerow(row)
    raw.unlink()
    return path


def csv_prefix(source: Path, rows: int, target: Path) -> Path:
    """The first ``rows`` events of ``source`` (dated in order, so still valid)."""
    with source.open(encoding="utf-8") as handle, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(handle):
            if number > rows:
                break
            out.write(line)
    return target


# -- the database ----------------------------------------------------------------------


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None


@pytest.fixture
def empty_database(db_url: str, request: pytest.FixtureRequest) -> Callable[[], None]:
    """Empties the test's database again (as the db_url fixture made it)."""

    def empty() -> None:
        path = sqlite_path(db_url)
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            return
        wait_for_other_sessions(db_url)
        engine = create_engine(db_url, poolclass=NullPool)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        engine.dispose()

    return empty


def wait_for_other_sessions(url: str, timeout: float = 300) -> float:
    """PostgreSQL: wait until no other client session is open on this database (the
    backend of a killed client lives on until it next talks to it, e.g. after the
    CREATE INDEX it was running), so that what we check is final. Returns the wait."""
    if sqlite_path(url) is not None:
        return 0.0
    started = time.monotonic()
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    try:
        with engine.connect() as connection:
            while connection.execute(query).scalar_one():
                assert time.monotonic() - started < timeout, "a killed client's session lives on"
                time.sleep(0.05)
    finally:
        engine.dispose()
    return time.monotonic() - started


@contextmanager
def registrations_held(url: str) -> Iterator[None]:
    """While inside: an INSERT into the report registry never returns (a trigger that
    sleeps on PostgreSQL, or counts a four-way join of the events on SQLite). After:
    the sessions still held are ended (their clients were killed) and the trigger is
    dropped."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    postgres = sqlite_path(url) is None
    with engine.connect() as connection:
        if postgres:
            connection.execute(text(
                "CREATE FUNCTION hold_registration() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(3600); RETURN NEW; END $$"
            ))  # fmt: skip
            connection.execute(text(
                "CREATE TRIGGER hold_registration BEFORE INSERT ON reports "
                "FOR EACH ROW EXECUTE FUNCTION hold_registration()"
            ))  # fmt: skip
        else:
            connection.execute(text(
                "CREATE TRIGGER hold_registration BEFORE INSERT ON reports WHEN (SELECT "
                "count(*) FROM events a, events b, events c, events d) < 0 BEGIN "
                "SELECT 1; END"
            ))  # fmt: skip
    try:
        yield
    finally:
        with engine.connect() as connection:
            if postgres:
                connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                ))  # fmt: skip
            connection.execute(
                text("DROP TRIGGER hold_registration" + (" ON reports" if postgres else ""))
            )
            if postgres:
                connection.execute(text("DROP FUNCTION hold_registration()"))
        engine.dispose()


def schema_of(url: str) -> list[tuple[Any, ...]]:
    """Every table, index and constraint definition: what a bulk load drops and adds back."""
    path = sqlite_path(url)
    if path is not None:
        with sqlite3.connect(path) as connection:
            rows = connection.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
            ).fetchall()
        connection.close()
        return rows
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() "
                "UNION ALL SELECT 'constraint', conname, conrelid::regclass::text, "
                "pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace "
                "UNION ALL SELECT 'invalid index', indexrelid::regclass::text, '', '' "
                "FROM pg_index WHERE NOT (indisvalid AND indisready AND indislive) "
                "ORDER BY 1, 2"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


# -- the import checker ------------------------------------------------------------------


class Live(NamedTuple):
    """What the fold needs of an event."""

    id: int
    event_type: str
    occurred_on: Any  # a date
    actor: str
    target: str
    via: str | None


def import_problems(
    url: str,
    total: int,
    schema: list[tuple[Any, ...]],
    rng: random.Random,
    *,
    thorough: bool = True,
) -> tuple[int, list[str]]:
    """(events in the database, what is wrong with it), for a database that was empty
    before importing a file of ``total`` events. Not ``thorough``: the schema and the
    counts only (for a database just re-imported into without a change)."""
    problems: list[str] = []
    path = sqlite_path(url)
    if path is not None and thorough:  # first, before anything else opens it
        with sqlite3.connect(path) as connection:
            integrity = connection.execute("PRAGMA integrity_check").fetchall()
            foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
        connection.close()
        if integrity != [("ok",)]:
            problems.append(f"PRAGMA integrity_check: {integrity[:20]}")
        if foreign:
            problems.append(f"PRAGMA foreign_key_check: {len(foreign)} rows, e.g. {foreign[:5]}")
    found = schema_of(url)
    if found != schema:
        missing = [row for row in schema if row not in found]
        extra = [row for row in found if row not in schema]
        problems.append(f"schema differs from a fresh database: missing {missing}, extra {extra}")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, connection.begin():  # one snapshot
            count = counts_problems(connection, total, problems)
            if thorough:
                problems += rebuild_problems(connection)
    finally:
        engine.dispose()
    if count and thorough and not problems:
        problems += api_problems(url, rng)
    return count, problems


def counts_problems(connection: Any, total: int, problems: list[str]) -> int:
    def scalar(sql: str) -> int:
        return int(connection.execute(text(sql)).scalar_one())

    count = scalar("SELECT count(*) FROM events")
    if count not in (0, total):
        problems.append(f"events: {count} rows, neither none (0) nor all ({total}) of the import")
    checks = {
        "events without an external id": ("SELECT count(*) FROM events "
                                          "WHERE external_id IS NULL", 0),
        "distinct external ids": ("SELECT count(DISTINCT external_id) FROM events", count),
        "audit rows (writes)": ("SELECT count(*) FROM writes", 1 if count else 0),
        "events whose write is missing": (
            "SELECT count(*) FROM events e LEFT JOIN writes w ON w.id = e.write_id "
            "WHERE w.id IS NULL", 0),
        "event_effects rows": ("SELECT count(*) FROM event_effects", count),
        "events with an effect": ("SELECT count(DISTINCT event_id) FROM event_effects", count),
        "effects whose event is missing": (
            "SELECT count(*) FROM event_effects f LEFT JOIN events e ON e.id = f.event_id "
            "WHERE e.id IS NULL", 0),
        "pair_status rows": ("SELECT count(*) FROM pair_status", scalar(
            "SELECT count(*) FROM (SELECT DISTINCT pair_first, pair_second FROM events) p")),
        "sum of pair_status.event_count": (
            "SELECT coalesce(sum(event_count), 0) FROM pair_status", count),
        "statuses whose cause is missing": (
            "SELECT count(*) FROM pair_status s LEFT JOIN events e ON e.id = s.cause_event_id "
            "WHERE s.cause_event_id IS NOT NULL AND e.id IS NULL", 0),
        "retractions": ("SELECT count(*) FROM retractions", 0),
    }  # fmt: skip
    for what, (sql, expected) in checks.items():
        value = scalar(sql)
        if value != expected:
            problems.append(f"{what}: {value}, expected {expected} (events: {count})")
    return count


def rebuild_problems(connection: Any) -> list[str]:
    """Every pair's event_effects and pair_status row against a fold of its live log,
    compared as tests/test_import_property.py does, read in three queries."""

    # Plain SQL through the driver, values as it gives them (SQLite: dates as ISO text,
    # on both sides of every comparison), to read 200,000 events and effects quickly.
    def rows(sql: str) -> list[Any]:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    logs: dict[tuple[str, str], list[Live]] = defaultdict(list)
    for first, second, event_id, kind, day, actor, target, via in rows(
        "SELECT pair_first, pair_second, id, event_type, occurred_on, actor, target, via "
        "FROM events WHERE id NOT IN (SELECT event_id FROM retractions) "
        "ORDER BY pair_first, pair_second, occurred_on, id"
    ):
        logs[first, second].append(Live(event_id, kind, as_date(day), actor, target, via))
    latest = {
        (first, second): version
        for first, second, version in rows(
            "SELECT pair_first, pair_second, max(version) FROM events GROUP BY 1, 2"
        )
    }
    effects: dict[tuple[str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for first, second, event_id, before, after, valid, changed, position, *stages in rows(
        "SELECT pair_first, pair_second, event_id, status_before, status_after, valid, "
        "changed, position, stage_before, stage_after, state FROM event_effects "
        "ORDER BY pair_first, pair_second, occurred_on, event_id"
    ):
        effects[first, second].append(
            (event_id, before, after, bool(valid), bool(changed), position, *stages)
        )
    statuses = {
        (first, second): (status, as_date(since), count, cause, as_date(last), *rest)
        for first, second, status, since, count, cause, last, *rest in rows(
            "SELECT pair_first, pair_second, status, since, event_count, cause_event_id, "
            "last_occurred_on, version, rules_digest, stage, stage_since FROM pair_status"
        )
    }
    digest = MACHINE.rules.digest
    wrong: list[str] = []  # "PAIR: what differs"
    for key in sorted(set(logs) | set(effects) | set(statuses)):
        pair = "-".join(key)
        log = logs.get(key, [])
        rebuilt = fold(MACHINE, log)
        expected = expected_effects(MACHINE, log)
        have = effects.get(key, [])
        if have != expected:
            wrong.append(f"{pair}: event_effects ({len(have)} rows) differ from the fold "
                         f"({len(expected)} steps), first difference at step "
                         f"{first_difference(have, expected)}")  # fmt: skip
        stored = statuses.get(key)
        if not log:
            if stored is not None:
                wrong.append(f"{pair}: a pair_status row {stored} without events")
            continue
        if stored is None:
            wrong.append(f"{pair}: {len(log)} events but no pair_status row")
            continue
        # (status, since, event_count, cause_event_id, last_occurred_on, version, digest)
        rebuilt_status = (rebuilt.status, rebuilt.since, len(log),
                          rebuilt.cause.id if rebuilt.cause else None, log[-1].occurred_on,
                          latest[key], digest, rebuilt.stage,
                          rebuilt.stage_since)  # fmt: skip
        stored = (*stored[:-1], as_date(stored[-1]))
        if stored != rebuilt_status:
            wrong.append(f"{pair}: pair_status {stored} != rebuild {rebuilt_status}")
    if not wrong:
        return []
    pairs = {w.split(":", 1)[0] for w in wrong}
    return [f"{len(pairs)} pair(s) differ from a rebuild, e.g.: " + "; ".join(wrong[:5])]


def as_date(value: Any) -> Any:
    """A date as the driver gives it (SQLite: ISO text) as a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def first_difference(have: list[Any], want: list[Any]) -> str:
    for n, (a, b) in enumerate(zip(have, want, strict=False), start=1):
        if a != b:
            return f"{n}: stored {a} != rebuilt {b}"
    return f"{min(len(have), len(want)) + 1} (one list is longer)"


def api_problems(url: str, rng: random.Random) -> list[str]:
    """The comparison of tests/test_import_property.py, through the store's own API, for
    the largest pair and SAMPLED_PAIRS random ones."""
    app = bootstrap(url)
    problems: list[str] = []
    try:
        with app.store.reading() as tx:
            stored = sorted(tx.statuses(), key=lambda s: (-s.event_count, str(s.pair)))
            pairs = [s.pair for s in stored[:1]]
            rest = [s.pair for s in stored[1:]]
            pairs += rng.sample(rest, min(SAMPLED_PAIRS, len(rest)))
            for pair in pairs:
                log = tx.pair_events(pair)
                rebuilt = fold(app.machine, log)
                effects = tx.pair_effects(pair)
                if effects != expected_effects(app.machine, log):
                    problems.append(f"{pair}: pair_effects != fold steps (store API)")
                status = tx.stored_status(pair)
                if not log or status is None:
                    problems.append(f"{pair}: no events or no stored status (store API)")
                    continue
                if (status.status, status.since, status.event_count) != (
                    rebuilt.status, rebuilt.since, len(log)
                ) or status.cause_event_id != (rebuilt.cause.id if rebuilt.cause else None) or (
                    status.last_occurred_on != log[-1].occurred_on
                ) or status.version != tx.latest_version(pair):  # fmt: skip
                    problems.append(f"{pair}: stored_status {status} != rebuild (store API)")
    finally:
        app.close()
    return problems


# -- running the import ------------------------------------------------------------------


def import_command(url: str, path: Path) -> list[str]:
    return [sys.executable, "-m", "relations", "--db", url, "import", str(path), "--quiet",
            "--json"]  # fmt: skip


def run_import(url: str, path: Path) -> tuple[dict[str, Any], float]:
    """Import to completion: (the JSON summary, seconds from start to exit)."""
    started = time.monotonic()
    done = subprocess.run(import_command(url, path), capture_output=True, text=True,
                          timeout=TIMEOUT)  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == 0, (done.returncode, done.stdout[-2000:], done.stderr[-5000:])
    return json.loads(done.stdout), elapsed


def kill_import_after(url: str, path: Path, delay: float, log: Path) -> str:
    """Start the import, SIGKILL it ``delay`` s later: "killed", or "finished" if it
    had already exited (successfully) by then."""
    with log.open("w") as output:
        process = subprocess.Popen(import_command(url, path), stdout=output, stderr=output)
        try:
            code = process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait(timeout=TIMEOUT)
            assert code == -9, (code, log.read_text()[-3000:])
            return "killed"
    assert code == 0, (code, log.read_text()[-3000:])
    return "finished"


@dataclass
class Kill:
    number: int
    delay: float
    outcome: str = ""
    events: int = -1
    lingered: float = 0.0  # PostgreSQL: how long the killed client's session lived on

    def __str__(self) -> str:
        lingered = f", its session lived {self.lingered:.1f} s more" if self.lingered > 0.5 else ""
        return (f"kill {self.number} at {self.delay:.2f} s: {self.outcome}, "
                f"{self.events} events after{lingered}")  # fmt: skip


def test_kill_9_during_a_200k_import_leaves_all_of_it_or_none(
    db_url: str, import_csv: Path, tmp_path: Path, empty_database: Callable[[], None]
) -> None:
    """Guarantee 3 (see the module docstring for the schedule of kills and re-runs)."""
    rng, sampling = random.Random(SEED), random.Random(SEED + 2)
    schema = schema_of(db_url)
    timeline: list[str] = [f"RELATIONS_CRASH_SEED={SEED}, backend {db_url.split(':')[0]}"]

    def check(total_expected: int | None = None, *, thorough: bool = True) -> int:
        count, problems = import_problems(db_url, EVENTS, schema, sampling, thorough=thorough)
        if total_expected is not None and count != total_expected:
            problems.append(f"expected {total_expected} events, found {count}")
        assert not problems, "\n".join([*timeline, "PROBLEMS:", *problems])
        return count

    def run_to_completion(before: int) -> None:
        """Re-run the import after a crash: it completes with exactly EVENTS events, and
        re-running it again adds nothing."""
        summary, took = run_import(db_url, import_csv)
        timeline.append(f"  re-run ({took:.1f} s): {summary['created']} recorded, "
                        f"{summary['already_recorded']} already recorded")  # fmt: skip
        assert (summary["created"], summary["already_recorded"]) == (
            EVENTS - before, before), "\n".join(timeline)  # fmt: skip
        check(EVENTS, thorough=before == 0)  # else it changed nothing: counts suffice
        if before == 0:  # re-running again adds nothing
            again, took = run_import(db_url, import_csv)
            timeline.append(f"  re-run again ({took:.1f} s): {again['created']} recorded, "
                            f"{again['already_recorded']} already recorded")  # fmt: skip
            assert (again["created"], again["already_recorded"]) == (0, EVENTS), timeline
            check(EVENTS, thorough=False)

    # An uninterrupted run, to measure how long one takes.
    started = time.monotonic()
    summary, duration = run_import(db_url, import_csv)
    assert summary["created"] == EVENTS, summary
    check(EVENTS)
    timeline.append(f"uninterrupted import: {duration:.1f} s; kills drawn from "
                    f"[0.5 s, {duration:.1f} s]")  # fmt: skip
    empty_database()
    kills: list[Kill] = []
    for number in range(1, KILLS + 1):
        kill = Kill(number, rng.uniform(0.5, duration))
        kill.outcome = kill_import_after(db_url, import_csv, kill.delay, tmp_path / f"{number}.log")
        kill.lingered = wait_for_other_sessions(db_url)
        kills.append(kill)
        timeline.append(f"[{time.monotonic() - started:3.0f} s] {kill}")
        kill.events = check()
        timeline[-1] = f"[{time.monotonic() - started:3.0f} s] {kill}"
        assert kill.outcome == "killed" or kill.events == EVENTS, "\n".join(timeline)
        if kill.events == EVENTS or RERUN_EACH:
            run_to_completion(kill.events)
            empty_database()
    if not (kills[-1].events == EVENTS or RERUN_EACH):  # else done above
        # The re-run after the last kill, on what the crashes left; then once more.
        run_to_completion(0)
    timeline.append(f"total {time.monotonic() - started:.0f} s")
    print("\n".join(timeline))
    assert any(k.events == 0 for k in kills), "no kill landed before the commit"


def append_outside_an_import(url: str, path: Path, rows: int) -> int:
    """Append the first ``rows`` events of ``path`` (with their pair versions and an
    audit row) through the driver, committing every 5,000: what an import that is not
    one transaction would leave if it died there. Returns the audit row's id."""
    now = utc_now().replace(tzinfo=None)
    columns = (
        "pair_first", "pair_second", "version", "event_type", "actor", "target", "occurred_on",
        "summary", "source", "external_id", "recorded_at", "write_id",
    )  # fmt: skip
    engine = create_engine(url, poolclass=NullPool)
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        cursor = driver.cursor()
        mark = "?" if sqlite_path(url) is not None else "%s"
        cursor.execute(
            "INSERT INTO writes (at, by, action, description) VALUES "
            f"({mark}, 'test', 'import', 'half an import') RETURNING id",
            (now if mark == "%s" else now.isoformat(" "),),
        )
        write_id = int(cursor.fetchone()[0])
        driver.commit()
        versions: dict[Pair, int] = defaultdict(int)
        batch: list[tuple[Any, ...]] = []

        def flush() -> None:
            if mark == "%s":
                with cursor.copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
                    for item in batch:
                        copy.write_row(item)
            else:
                marks = ", ".join("?" * len(columns))
                cursor.executemany(
                    f"INSERT INTO events ({', '.join(columns)}) VALUES ({marks})", batch
                )
            driver.commit()
            batch.clear()

        with path.open(newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=1):
                if number > rows:
                    break
                pair = Pair.of(row["actor"], row["target"])
                versions[pair] += 1
                day: Any = date.fromisoformat(row["occurred_on"])
                stamp: Any = now
                if mark == "?":
                    day, stamp = day.isoformat(), now.isoformat(" ")
                batch.append((pair.first, pair.second, versions[pair], row["event_type"],
                              row["actor"], row["target"], day, row["summary"], row["source"],
                              row["external_id"], stamp, write_id))  # fmt: skip
                if len(batch) == 5_000:
                    flush()
        if batch:
            flush()
    finally:
        raw.close()
        engine.dispose()
    return write_id


def test_the_import_checker_catches_a_non_atomic_import(
    db_url: str, import_csv: Path, tmp_path: Path, empty_database: Callable[[], None]
) -> None:
    """Break it: the checker must flag (a) half of the import's events appended by a
    second connection, outside the import's transaction (each batch of 5,000 committed on
    its own, as a non-atomic import would), and (b) a projection that no longer equals a
    rebuild."""
    rng = random.Random(SEED)
    schema = schema_of(db_url)
    append_outside_an_import(db_url, import_csv, EVENTS // 2)
    count, problems = import_problems(db_url, EVENTS, schema, rng)
    print("(a) half-populated database:", *problems, sep="\n  ")
    assert count == EVENTS // 2
    assert f"events: {EVENTS // 2} rows, neither none (0) nor all ({EVENTS}) of the import" in (
        problems
    )
    assert any("event_effects rows: 0, expected 100000" in p for p in problems)
    assert any("pair(s) differ from a rebuild" in p for p in problems)

    # (b) a complete import (a small one), then a projection row changed behind its back.
    small = 2_000
    empty_database()
    app = bootstrap(db_url)
    import_file(app, csv_prefix(import_csv, small, tmp_path / "small.csv"))
    app.close()
    assert import_problems(db_url, small, schema, rng) == (small, [])
    engine = create_engine(db_url, poolclass=NullPool)
    with engine.begin() as connection:
        first, second, status = connection.execute(
            text("SELECT pair_first, pair_second, status FROM pair_status "
                 "ORDER BY event_count DESC, pair_first, pair_second LIMIT 1")
        ).one()  # fmt: skip
        other = next(s for s in MACHINE.rules.states if s != status)
        connection.execute(
            text("UPDATE pair_status SET status = :s WHERE pair_first = :a AND pair_second = :b"),
            {"s": other, "a": first, "b": second},
        )
    engine.dispose()
    count, problems = import_problems(db_url, small, schema, rng)
    print("(b) a corrupted pair_status row:", *problems, sep="\n  ")
    assert count == small
    assert any(f"{first}-{second}: pair_status ('{other}'" in p for p in problems)


# -- reports -----------------------------------------------------------------------------

TEMPORARY = re.compile(r"^\.(?P<final>.+)\.[^.]+\.tmp$")  # write_atomically's mkstemp name


def registered(url: str) -> list[ReportEntry]:
    app = bootstrap(url)
    try:
        return reporting.registered(app)
    finally:
        app.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_problems(url: str, folder: Path) -> tuple[list[str], list[str]]:
    """(what is wrong, what a kill may leave): every file of ``folder`` must be a
    registered report with the registered checksum, except what a kill may leave: a
    temporary ``.NAME.*.tmp`` file, or a complete report renamed into place whose
    registration had not committed (the next start removes both). Every written report
    registered must have its file, with that checksum; a schedule's written reports must
    not overlap; no report may be registered failed."""
    entries = registered(url)
    written = {Path(e.path).name: e for e in entries if e.written}
    problems = [f"report {e.id} ({Path(e.path).name}) registered as failed: {e.error}"
                for e in entries if not e.written]  # fmt: skip
    leftovers = []
    for item in sorted(folder.iterdir()):
        if TEMPORARY.match(item.name):
            leftovers.append(item.name)
            continue
        data = item.read_bytes()
        entry = written.get(item.name)
        ending = "ends like a complete report" if data.rstrip().endswith(b"</html>") else (
            "does not end like a complete report")  # fmt: skip
        if entry is None and ending == "ends like a complete report":
            leftovers.append(item.name)
        elif entry is None:
            problems.append(f"{item.name} ({len(data)} bytes, {ending}) is in the folder but "
                            "not registered")  # fmt: skip
        elif hashlib.sha256(data).hexdigest() != entry.checksum:
            problems.append(f"{item.name} ({len(data)} bytes, {ending}): sha256 is not the "
                            f"registered {entry.checksum} of report {entry.id}")  # fmt: skip
    for name, entry in written.items():
        path = Path(entry.path)
        if not path.is_file():
            problems.append(f"report {entry.id} is registered as written but {name} is missing")
        elif path.parent != folder and sha256(path) != entry.checksum:
            problems.append(f"{path}: sha256 is not the registered one of report {entry.id}")
    by_schedule: dict[str | None, list[ReportEntry]] = defaultdict(list)
    for entry in written.values():
        by_schedule[entry.schedule].append(entry)
    for schedule, reports in by_schedule.items():
        reports.sort(key=lambda e: e.period_start)
        for a, b in itertools.pairwise(reports):
            if b.period_start < a.period_end:
                problems.append(f"schedule {schedule}: reports {a.id} and {b.id} overlap")
    return problems, leftovers


def coverage_problems(url: str, before: datetime, after: datetime) -> list[str]:
    """Each schedule's written reports cover [its start, its latest fire time], one after
    the other: no gap, no overlap. The run that wrote them read the clock between
    ``before`` and ``after``, so the end is the latest fire time at some moment there."""
    app = bootstrap(url)
    try:
        views = schedules.listing(app)
        entries = reporting.registered(app)
    finally:
        app.close()
    problems = []
    for view in views:
        schedule = view.schedule
        reports = sorted((e for e in entries if e.schedule == schedule.name and e.written),
                         key=lambda e: e.period_start)  # fmt: skip
        periods = [(e.period_start, e.period_end) for e in reports]
        earliest, latest = (latest_fire_time(schedule.trigger(), schedule.started, moment)
                            for moment in (before, after))  # fmt: skip
        end = periods[-1][1] if periods else None
        moments = [schedule.started] + [m for p in periods for m in p] + [end]
        if (
            end is None
            or any(moments[i] != moments[i + 1] for i in range(0, len(moments), 2))
            or not (earliest and latest and earliest <= end <= latest)
            or latest_fire_time(schedule.trigger(), schedule.started, end) != end
        ):
            until = earliest if latest == earliest else f"{earliest} to {latest}"
            problems.append(
                f"schedule {schedule.name}: reports {periods} do not cover "
                f"[{schedule.started}, its latest fire time {until}] exactly"
            )
    return problems


class Serve:
    """A `relations serve` process, its output in a file."""

    def __init__(self, url: str, log: Path, *args: str) -> None:
        self.log = log
        self.started = time.monotonic()
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "relations", "--db", url, "serve", *args],
                stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        self.process.kill()
        assert self.process.wait(timeout=TIMEOUT) == -9, self.output()

    def wait_until(self, done: Callable[[], bool], timeout: float = 120) -> bool:
        """Poll ``done`` every millisecond until it holds (True) or the daemon exits."""
        deadline = time.monotonic() + timeout
        while not done():
            if self.process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        return True


def serve_once(url: str, log: Path) -> str:
    """`relations serve --once`, again while a killed leader's lock is not yet released."""
    deadline = time.monotonic() + 60
    while True:
        done = subprocess.run(
            [sys.executable, "-m", "relations", "--db", url, "serve", "--once"],
            capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
        log.write_text(done.stdout + done.stderr)
        if done.returncode == 1 and "another `relations serve`" in done.stderr:
            assert time.monotonic() < deadline, done.stderr
            time.sleep(0.2)
            continue
        assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
        return done.stdout + done.stderr


def reports_database(
    url: str, folder: Path, names: list[str], events_file: Path, every: str, ago: timedelta
) -> datetime:
    """HTML schedules started ``ago``, and events_file's events recorded a minute after
    that, so that each report lists all of them: large and slow to write. Returns the
    moment the schedules start."""
    started = utc_now() - ago
    app = bootstrap(url, clock=lambda: started)
    for name in names:
        schedules.add(app, name, every=every, fmt="html", output_dir=folder)
    app.close()
    app = bootstrap(url, clock=lambda: started + timedelta(minutes=1))
    import_file(app, events_file)
    app.close()
    return started


def names_in(folder: Path) -> set[str]:
    return {item.name for item in folder.iterdir()}


def new_file(folder: Path, before: set[str], *, temporary: bool | None) -> Callable[[], bool]:
    """Has a file (a temporary one, a final one, or ``None``: either) appeared in
    ``folder`` since?"""
    return lambda: any(temporary is None or n.endswith(".tmp") == temporary
                       for n in names_in(folder) - before)  # fmt: skip


def pending(url: str, names: list[str]) -> list[str]:
    done = {e.schedule for e in registered(url) if e.written}
    return [name for name in names if name not in done]


def test_kill_9_of_serve_while_it_writes_reports(
    db_url: str, import_csv: Path, tmp_path: Path
) -> None:
    """Guarantee 4: no partial report file, no registered report without its file, and
    the next start covers every period."""
    rng = random.Random(SEED + 1)
    out = tmp_path / "out"
    names = [f"s{n:02d}" for n in range(SCHEDULES)]
    events_file = csv_prefix(import_csv, REPORT_EVENTS, tmp_path / "events.csv")
    started = reports_database(db_url, out, names, events_file, "1d", timedelta(days=3, minutes=5))
    timeline = [f"RELATIONS_CRASH_SEED={SEED}, backend {db_url.split(':')[0]}"]
    first_report = 0.0
    left: list[str] = []  # temporary files the kills left
    for number in range(1, SERVE_KILLS + 1):
        last = number == SERVE_KILLS
        if last and not pending(db_url, names):
            # A fast run wrote every report: one more schedule, so that the last kill
            # has a report to interrupt whatever the machine's speed.
            app = bootstrap(db_url, clock=lambda: started)
            schedules.add(app, "late", every="1d", fmt="html", output_dir=out)
            app.close()
            names.append("late")
        # The last kill: registrations are held, so it always lands before the report
        # being written is registered (while it is written, or after its rename).
        held = registrations_held(db_url) if last else nullcontext()
        with held:
            daemon = Serve(db_url, tmp_path / f"serve-{number}.log")
            files = names_in(out)
            if number == 1:
                kind = "right after its first report"
                assert daemon.wait_until(lambda: "wrote report" in daemon.output()), daemon.output()  # noqa: B023
                first_report = time.monotonic() - daemon.started
            elif last:
                kind = "as soon as a new file appears, its registration held"
                assert daemon.wait_until(new_file(out, files, temporary=None)), daemon.output()
            elif number % 2 == 0 and pending(db_url, names):
                kind = "as soon as a new file appears (a report's temporary file)"
                assert daemon.wait_until(new_file(out, files, temporary=None)), daemon.output()
                time.sleep(rng.uniform(0, 0.005))
            else:
                delay = rng.uniform(0.3, 2.5 * first_report)
                kind = f"at random, {delay:.2f} s after start"
                time.sleep(max(0.0, daemon.started + delay - time.monotonic()))
            daemon.kill()
        wait_for_other_sessions(db_url)
        problems, leftovers = report_problems(db_url, out)
        left += leftovers
        wrote = daemon.output().count("wrote report")
        timeline.append(f"kill {number} {kind}: it wrote {wrote} report(s); leftovers "
                        f"{leftovers}")  # fmt: skip
        assert not problems, "\n".join([*timeline, "PROBLEMS:", *problems, daemon.output()])
    before = registered(db_url)
    assert left, "no kill landed while a report was being written:\n" + "\n".join(timeline)
    assert pending(db_url, names), "every report was written before the last kill"
    # The next start writes what is due, covering each schedule's whole period.
    before_once = utc_now()
    output = serve_once(db_url, tmp_path / "once.log")
    problems, leftovers = report_problems(db_url, out)
    problems += coverage_problems(db_url, before_once, utc_now())
    after = registered(db_url)
    if after[: len(before)] != before:
        problems.append("serve --once changed reports registered before it")
    if leftovers:
        problems.append(f"files of killed runs left after serve --once: {leftovers}")
    if names_in(out) != {Path(e.path).name for e in after}:
        problems.append(f"the folder {sorted(names_in(out))} is not the registered reports")
    timeline.append(f"serve --once: {output.count('wrote report')} report(s)")
    print("\n".join(timeline))
    assert not problems, "\n".join([*timeline, "PROBLEMS:", *problems, output])


def test_kill_9_between_the_rename_and_the_registration_of_a_report(
    db_url: str, import_csv: Path, tmp_path: Path
) -> None:
    """The moment the random kills above reach only by chance, reached on purpose: a
    report's file renamed into place, its registration not committed. A trigger on the
    registry (the test's own, dropped after) holds any registration inside its INSERT:
    the daemon reads, renders, writes and renames its first report, then is stuck in
    the registration, and is killed there. Whatever the machine's speed, it cannot
    register before the kill.

    What the guarantee allows right after that kill: a *complete* report file that no
    registry entry vouches for (never a partial file, never a registered report without
    its file). The next start must remove that file and write the period again, so that
    the folder is exactly the registered reports, covering the period with no gap."""
    events_file = csv_prefix(import_csv, REPORT_EVENTS, tmp_path / "events.csv")
    # Every 2 s: by the next start the period has moved on, so the report written then
    # has another name, and the orphan must be removed, not merely overwritten.
    started = reports_database(db_url, tmp_path, [], events_file, "2s", timedelta(minutes=10))
    name, out = "probe", tmp_path / "out"
    app = bootstrap(db_url, clock=lambda: started)
    schedules.add(app, name, every="2s", fmt="html", output_dir=out)
    app.close()
    with registrations_held(db_url):
        daemon = Serve(db_url, tmp_path / "serve.log")
        try:
            assert daemon.wait_until(new_file(out, set(), temporary=False)), daemon.output()
            time.sleep(0.2)  # the daemon is inside its registration, held
        finally:
            daemon.kill()
    wait_for_other_sessions(db_url)
    assert pending(db_url, [name]), daemon.output()
    problems, leftovers = report_problems(db_url, out)
    [orphan] = [item for item in out.iterdir() if not TEMPORARY.match(item.name)]
    assert (problems, leftovers) == ([], [orphan.name]), daemon.output()
    time.sleep(2.1)  # the schedule fires again
    before_once = utc_now()
    output = serve_once(db_url, tmp_path / "once.log")
    problems, leftovers = report_problems(db_url, out)
    problems += coverage_problems(db_url, before_once, utc_now())
    [entry] = [e for e in registered(db_url) if e.schedule == name]
    assert (problems, leftovers) == ([], []), output
    assert names_in(out) == {Path(entry.path).name} != {orphan.name}, output
    assert f"removed {orphan}" in output, output


def test_the_report_checker_catches_partial_and_unregistered_files(
    db_url: str, tmp_path: Path
) -> None:
    """Break it: a partial file under a report's name, a registered report whose file is
    gone, or whose file was cut short, are all flagged; leftover temporaries are not."""
    out = tmp_path / "out"
    out.mkdir()
    app = bootstrap(db_url)
    app_report = reporting.build(app)
    entry = reporting.save(app, app_report, "html", out / "daily_A_B.html", schedule="daily")
    app.close()
    assert report_problems(db_url, out) == ([], [])
    full = (out / "daily_A_B.html").read_bytes()
    (out / ".daily_B_C.html.x1y2z3.tmp").write_bytes(full[: len(full) // 2])
    assert report_problems(db_url, out) == ([], [".daily_B_C.html.x1y2z3.tmp"])
    (out / "daily_B_C.html").write_bytes(full[: len(full) // 2])  # a partial file
    problems, _ = report_problems(db_url, out)
    print(*problems, sep="\n")
    assert problems == [
        f"daily_B_C.html ({len(full) // 2} bytes, does not end like a complete report) is in "
        "the folder but not registered"
    ]
    (out / "daily_B_C.html").write_bytes(full)  # complete, renamed, never registered
    assert report_problems(db_url, out) == (
        [], [".daily_B_C.html.x1y2z3.tmp", "daily_B_C.html"]
    )  # fmt: skip
    (out / "daily_B_C.html").unlink()
    (out / "daily_A_B.html").write_bytes(full[:-10])  # the registered file, cut short
    problems, _ = report_problems(db_url, out)
    print(*problems, sep="\n")
    assert problems == [
        f"daily_A_B.html ({len(full) - 10} bytes, does not end like a complete report): "
        f"sha256 is not the registered {entry.checksum} of report {entry.id}"
    ]
    (out / "daily_A_B.html").unlink()
    problems, _ = report_problems(db_url, out)
    print(*problems, sep="\n")
    assert problems == [f"report {entry.id} is registered as written but daily_A_B.html is missing"]
