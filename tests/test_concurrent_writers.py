"""Concurrent writers as real OS processes (tests/concurrent_writer.py), on each backend.

1. Eight writers record 200 events each at once, half to one shared pair: every
   acknowledged event is in the log exactly once, every pair's stored status and
   event effects equal a fold of its live events, and no writer saw a raw driver
   error ("database is locked", a serialization failure, a deadlock, a duplicate key):
   contention is absorbed inside the store or surfaces as a clear RelationsError.
2. Two writers race `relations_severed` on the same normal pair, released together
   by a barrier, round after round on fresh pairs: exactly one succeeds, the other
   gets the rules' refusal (Refused; exit 1 and "is not allowed" through the CLI).

The workers are released together by writing to their stdins after each has opened
the database and printed "ready"; see tests/concurrent_writer.py.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from projection_checks import expected_effects
from sqlalchemy import func, select

from relations.application import App
from relations.domain.events import Pair
from relations.domain.fold import fold
from relations.store.schema import events, writes

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import concurrent_writer as worker  # noqa: E402  (the helper script, next to this file)

pytestmark = pytest.mark.slow  # see pyproject.toml: `pytest -m "not slow"` skips these

WRITERS = 8
RECORDS = 200  # per writer; even ones to the shared pair
RACE_ROUNDS = 12
TIMEOUT = 300  # seconds a run of workers may take before the test gives up (a hang guard)
# What a raw driver error says, whatever class it arrives in (the CLI turns a DBAPI
# error into "database error on URL: <the driver's message>", exit 1).
RAW_DRIVER_TEXT = (
    "database is locked", "database table is locked", "could not serialize",
    "serialization failure", "deadlock", "duplicate key", "unique constraint",
    "integrityerror", "operationalerror", "psycopg", "sqlite3", "database error on",
)  # fmt: skip


class Workers:
    """Worker processes, each released from the barrier when the test says so."""

    def __init__(self, folder: Path, argvs: list[list[str]]) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[str]] = []
        self.lines: list[queue.Queue[str]] = []
        for n, argv in enumerate(argvs):
            stderr = (folder / f"worker-{n}.stderr").open("w")
            process = subprocess.Popen(
                [sys.executable, str(HERE / "concurrent_writer.py"), *argv],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
            stderr.close()
            lines: queue.Queue[str] = queue.Queue()
            threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
            self.processes.append(process)
            self.lines.append(lines)

    def release(self) -> None:
        """Wait until every worker is at the barrier, then let them all go at once."""
        deadline = time.monotonic() + TIMEOUT
        for n, lines in enumerate(self.lines):
            while True:
                try:
                    line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise AssertionError(f"worker {n} never reached the barrier") from None
                if line == "":
                    raise AssertionError(f"worker {n} died before the barrier: {self.stderr(n)}")
                if line.strip() == "ready":
                    break
        for process in self.processes:  # one write each: microseconds apart
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()

    def finish(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        for process in self.processes:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for n, process in enumerate(self.processes):
            stderr = self.stderr(n)
            assert process.returncode == 0 and "Traceback" not in stderr, (n, stderr)

    def stderr(self, n: int) -> str:
        return (self.folder / f"worker-{n}.stderr").read_text()

    def stop(self) -> None:
        """Kill what is still running (only these processes, started here)."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdin is not None:
                process.stdin.close()


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put("")  # end of output


@contextmanager
def workers(folder: Path, argvs: list[list[str]]) -> Iterator[Workers]:
    started = Workers(folder, argvs)
    try:
        yield started
    finally:
        started.stop()


def outcomes(paths: list[Path]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in paths:
        if path.exists():
            found.extend(json.loads(line) for line in path.read_text().splitlines())
    return found


def raw_driver_errors(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Failures that are not a clear RelationsError, or whose message is the driver's."""
    return [
        o
        for o in found
        if not o["ok"]
        and (o["raw"] or any(text in o["message"].lower() for text in RAW_DRIVER_TEXT))
    ]


def describe(failures: list[dict[str, Any]]) -> str:
    kinds = Counter(
        (o.get("error"), o.get("exit_code"), (o["message"] or "-").splitlines()[0][:300])
        for o in failures
    )
    lines = [f"{len(failures)} failure(s):"]
    for (error, code, message), n in kinds.most_common(10):
        lines.append(f"  {n} x {error} (exit {code}): {message}")
    first = next((o["traceback"] for o in failures if o.get("traceback")), None)
    if first:
        lines.append("first traceback:\n" + first)
    return "\n".join(lines)


def rebuild_mismatches(app: App, pairs: set[Pair]) -> list[str]:
    """Every pair whose stored status or event effects differ from a fold of its log."""
    wrong = []
    digest = app.machine.rules.digest
    with app.store.reading() as tx:
        for pair in sorted(pairs):
            log = tx.pair_events(pair)
            folded = fold(app.machine, log)
            stored = tx.stored_status(pair)
            expected = (
                folded.status,
                folded.since,
                folded.cause.id if folded.cause else None,
                len(log),
                tx.latest_version(pair),
                digest,
                log[-1].occurred_on if log else None,
            )
            got = (
                None
                if stored is None
                else (
                    stored.status,
                    stored.since,
                    stored.cause_event_id,
                    stored.event_count,
                    stored.version,
                    stored.rules_digest,
                    stored.last_occurred_on,
                )
            )
            if got != expected:
                wrong.append(f"{pair}: pair_status {got} != rebuild {expected}")
            effects = tx.pair_effects(pair)
            steps = expected_effects(app.machine, log)
            if effects != steps:
                diff = [(a, b) for a, b in zip(effects, steps, strict=False) if a != b][:3]
                wrong.append(
                    f"{pair}: event_effects ({len(effects)} rows) != rebuild ({len(steps)} steps);"
                    f" first differences (stored, rebuilt): {diff}"
                )
    return wrong


def test_concurrent_writers_lose_nothing_and_keep_every_status_equal_to_a_rebuild(
    app: App, db_url: str, tmp_path: Path
) -> None:
    paths = [tmp_path / f"writer-{n}.jsonl" for n in range(WRITERS)]
    argvs = [
        ["writers", db_url, str(n), str(RECORDS), "7", str(path)] for n, path in enumerate(paths)
    ]
    with workers(tmp_path, argvs) as running:
        running.release()
        began = time.monotonic()
        running.finish()
        elapsed = time.monotonic() - began
    found = outcomes(paths)

    raw = raw_driver_errors(found)
    assert not raw, "a writer saw a raw database error:\n" + describe(raw)
    rules = ("relations.domain.errors.InvalidInput", "relations.domain.errors.Refused")
    refused = [o for o in found if not o["ok"] and o["error"] in rules]
    assert not refused, "a valid event was refused under contention:\n" + describe(refused)
    acked = {o["external_id"]: o for o in found if o["ok"]}
    failed_first = {o["external_id"] for o in found if not o["ok"]}
    assert not [x for x in failed_first & set(acked) if not acked[x]["created"]], (
        "a record reported as failed was committed anyway"
    )
    assert all(o["created"] for o in acked.values())
    expected_ids = {f"cw-{w}-{i}" for w in range(WRITERS) for i in range(RECORDS)}
    assert set(acked) == expected_ids, (
        f"{len(expected_ids - set(acked))} record(s) never acknowledged (after "
        f"{worker.RETRIES} attempts each):\n" + describe([o for o in found if not o["ok"]])
    )

    # Every acknowledged event is in the log exactly once, with the id it was given.
    engine = app.store.engine
    with engine.connect() as connection:
        columns = (events.c.id, events.c.external_id, events.c.pair_first, events.c.pair_second)
        rows = connection.execute(select(*columns, events.c.version)).all()
        audited = connection.execute(
            select(func.count()).select_from(writes).where(writes.c.action == "record")
        ).scalar_one()
    twice = [x for x, n in Counter(r.external_id for r in rows).items() if n > 1]
    assert not twice, f"events recorded more than once: {twice[:10]}"
    in_log = {r.external_id: r.id for r in rows}
    assert in_log == {x: o["id"] for x, o in acked.items()}, "the log differs from what was acked"
    assert audited == len(rows), "one audit row per recorded event"
    versions: dict[Pair, list[int]] = defaultdict(list)
    for r in rows:
        versions[Pair(r.pair_first, r.pair_second)].append(r.version)
    gaps = {p: v for p, v in versions.items() if sorted(v) != list(range(1, len(v) + 1))}
    assert not gaps, f"pair versions are not 1..n: {list(gaps)}"
    shared = Pair(*worker.SHARED)
    assert len(versions[shared]) == WRITERS * RECORDS // 2

    # Every stored status and every event effect equals a rebuild from the log.
    with app.store.reading() as tx:
        projected = {s.pair for s in tx.statuses()}
    assert projected == set(versions), "a pair with events has no stored status, or vice versa"
    wrong = rebuild_mismatches(app, set(versions))
    assert not wrong, "projections differ from a rebuild:\n" + "\n".join(wrong[:20])

    # The shared pair was really contended: all the writers were writing at the same
    # time (CLOCK_MONOTONIC is one clock for every process), and interleave in its log.
    spans = defaultdict(list)
    for o in acked.values():
        spans[o["worker"]].append((o["started"], o["ended"]))
    all_going = max(min(s for s, _ in v) for v in spans.values())
    first_done = min(max(e for _, e in v) for v in spans.values())
    writer_of = {r.id: r.external_id.split("-")[1] for r in rows if Pair(*r[2:4]) == shared}
    in_order = [writer_of[n] for n in sorted(writer_of)]
    switches = sum(1 for a, b in pairwise(in_order) if a != b)
    slowest = max(e - s for v in spans.values() for s, e in v)
    retried = sum(1 for o in acked.values() if o["attempt"] > 1)
    print(
        f"{db_url.split(':')[0]}: {len(rows)} events by {WRITERS} writers in {elapsed:.1f} s, "
        f"all {WRITERS} writing together for {first_done - all_going:.1f} s; the shared pair "
        f"changed writer {switches} times; slowest record {slowest:.2f} s; "
        f"{retried} record(s) acknowledged only on a client's retry"
    )
    assert all_going < first_done, "the writers did not all run at the same time"
    assert switches >= 2 * WRITERS, f"the shared pair was hardly contended ({switches} switches)"


@pytest.mark.parametrize("via", ["service", "cli"])
def test_racing_severances_one_wins_the_other_is_refused(
    app: App, db_url: str, tmp_path: Path, via: str
) -> None:
    paths = [tmp_path / f"racer-{n}.jsonl" for n in range(2)]
    argvs = [["race", db_url, str(n), str(RACE_ROUNDS), via, str(p)] for n, p in enumerate(paths)]
    with workers(tmp_path, argvs) as running:
        for _ in range(RACE_ROUNDS):
            running.release()
        running.finish()
    found = outcomes(paths)
    assert len(found) == 2 * RACE_ROUNDS

    raw = raw_driver_errors(found)
    assert not raw, "a racer saw a raw database error:\n" + describe(raw)
    rounds: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for o in found:
        rounds[o["round"]].append(o)
    overlapping = 0
    for k, (a, b) in sorted(rounds.items()):
        pair = Pair.of(worker.RACE_ACTOR, worker.RACE_TARGETS[k])
        winners = [o for o in (a, b) if o["ok"]]
        assert len(winners) == 1, f"round {k} ({pair}): {len(winners)} successes: {a} {b}"
        [winner] = winners
        [loser] = [o for o in (a, b) if not o["ok"]]
        assert (winner["created"], winner["before"], winner["after"]) == (True, "normal", "severed")
        if via == "service":
            assert loser["error"] == "relations.domain.errors.Refused", loser
        assert loser["exit_code"] == 1, loser
        assert f"relations_severed is not allowed for {pair}" in loser["message"], loser
        assert "the pair was severed (broken)" in loser["message"], loser
        with app.store.reading() as tx:
            assert [e.id for e in tx.pair_events(pair)] == [winner["id"]]
        overlapping += a["started"] < b["ended"] and b["started"] < a["ended"]
    race_pairs = {Pair.of(worker.RACE_ACTOR, t) for t in worker.RACE_TARGETS[:RACE_ROUNDS]}
    wrong = rebuild_mismatches(app, race_pairs)
    assert not wrong, "projections differ from a rebuild:\n" + "\n".join(wrong)
    with app.store.reading() as tx:
        stored = [tx.stored_status(p) for p in race_pairs]
    assert {s.status if s else None for s in stored} == {"severed"}
    print(f"{via}: {overlapping} of {RACE_ROUNDS} rounds overlapped in time")
    assert overlapping >= RACE_ROUNDS // 3, f"only {overlapping} rounds really raced"


def test_racing_severances_through_two_relations_processes(app: App, db_url: str) -> None:
    """The same race through two `relations record` processes started together (their
    start-up makes the overlap less sure; the in-process rounds above make it sure)."""
    target = worker.RACE_TARGETS[RACE_ROUNDS]
    pair = Pair.of(worker.RACE_ACTOR, target)
    env = {**os.environ, "RELATIONS_DB": db_url}
    commands = [
        [sys.executable, "-m", "relations", "record", "relations_severed", actor, other,
         "--on", "2024-06-01"]
        for actor, other in ((worker.RACE_ACTOR, target), (target, worker.RACE_ACTOR))
    ]  # fmt: skip
    processes = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    try:
        finished = [(*p.communicate(timeout=TIMEOUT), p.returncode) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
    codes = sorted(code for _, _, code in finished)
    assert codes == [0, 1], finished
    [(_, refusal, _)] = [f for f in finished if f[2] == 1]
    assert refusal.startswith("Error: relations_severed is not allowed for"), refusal
    assert "the pair was severed (broken)" in refusal and "Traceback" not in refusal, refusal
    with app.store.reading() as tx:
        assert len(tx.pair_events(pair)) == 1
    assert not rebuild_mismatches(app, {pair})
