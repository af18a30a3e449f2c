"""Sustained load: 4 writers, 2 readers and `relations serve` for 60 s against one
database, then a check that nothing acknowledged was lost.

    python tests/benchmarks/load_test.py [--seconds 60] [--db URL]
    python tests/benchmarks/load_test.py --db postgresql://postgres@127.0.0.1:5432/test

Default: a fresh SQLite file. A PostgreSQL URL names a server: a scratch database is
created there and dropped afterwards. Writers are separate processes recording events
through the service layer (a quarter of them to one shared, contended pair); readers
ask `status` and `history` of random pairs; `serve` writes a report every 5 seconds.
Prints, per role, the operations per second, p50/p99 latency and errors (which must
be 0), and the final check: every acknowledged event is in the log exactly once, every
stored status equals a rebuild, and every report the daemon registered is on disk
with its checksum.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

WRITERS, READERS = 4, 2
COUNTRIES = ["PER", "MEX", "ECU", "COL", "VEN", "BOL", "CHL", "ARG", "BRA", "URY"]
KINDS = ["statement", "protest_note", "envoy_summoned", "asylum_granted", "visit"]


def writer(url: str, number: int, seconds: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from relations.bootstrap import bootstrap
    from relations.services.recording import record

    app = bootstrap(url)
    rng = random.Random(number)
    latencies, acknowledged, errors = [], [], []
    stop = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop:
        n += 1
        actor, target = ("PER", "MEX") if n % 4 == 0 else rng.sample(COUNTRIES, 2)
        day = date(2020, 1, 1) + timedelta(days=rng.randrange(2000))
        external = f"load-{number}-{n}"
        start = time.perf_counter()
        try:
            [done] = record(app, rng.choice(KINDS), actor, [target], day, external_id=external)
            acknowledged.append((done.event_id, external))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - start)
    app.close()
    out.put(("writer", latencies, acknowledged, errors))


def reader(url: str, number: int, seconds: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from relations.bootstrap import bootstrap
    from relations.services.queries import history, status

    app = bootstrap(url)
    rng = random.Random(100 + number)
    latencies, errors = [], []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        a, b = rng.sample(COUNTRIES, 2)
        start = time.perf_counter()
        try:
            if rng.random() < 0.8:
                status(app, a, b, date(2020, 1, 1) + timedelta(days=rng.randrange(2000)))
            else:
                history(app, a, b)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - start)
    app.close()
    out.put(("reader", latencies, [], errors))


def check(url: str, acknowledged: list[tuple[int, str]], folder: Path) -> list[str]:
    from relations.bootstrap import bootstrap
    from relations.domain.fold import fold

    problems = []
    app = bootstrap(url)
    with app.store.reading() as tx:
        found = tx.by_external_ids([external for _, external in acknowledged])
        for event_id, external in acknowledged:
            if external not in found or found[external].id != event_id:
                problems.append(f"acknowledged event {event_id} ({external}) is missing")
        total = tx.counts()["events"]
        if total != len(acknowledged):
            problems.append(f"{total} events in the log, {len(acknowledged)} acknowledged")
        for stored in tx.statuses():
            log = tx.pair_events(stored.pair)
            rebuilt = fold(app.machine, log)
            if (stored.status, stored.since, stored.event_count) != (
                rebuilt.status, rebuilt.since, len(log)
            ):  # fmt: skip
                problems.append(f"{stored.pair}: stored status differs from a rebuild")
        for entry in tx.reports.entries():
            path = Path(entry.path)
            if entry.checksum is None:
                problems.append(f"report {entry.id} failed: {entry.error}")
            elif (
                not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != entry.checksum
            ):
                problems.append(f"report {entry.id} is not on disk with its checksum")
        reports = len(tx.reports.entries())
    app.close()
    return problems + ([] if reports else ["serve registered no report"])


def summary(role: str, latencies: list[float], errors: list[str], seconds: float) -> str:
    if not latencies:
        return f"| {role} | 0 | - | - | {len(errors)} |"
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
    rate = len(latencies) / seconds
    return f"| {role} | {rate:,.0f}/s | {p50:.1f} ms | {p99:.1f} ms | {len(errors)} |"


def scratch_postgres(server: str) -> tuple[str, str]:
    import psycopg

    name = "relations_load_test"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server.rsplit('/', 1)[0]}/{name}", name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", help="SQLite path or PostgreSQL server URL (default: a temp file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="relations-load-"))
    scratch = None
    if args.db and args.db.startswith("postgresql"):
        url, scratch = scratch_postgres(args.db)
    else:
        url = f"sqlite:///{args.db or folder / 'load.db'}"
    relations = [sys.executable, "-m", "relations", "--db", url]
    schedule = ["schedule", "add", "load", "--every", "5s", "--format", "html"]
    reports = ["--output-dir", str(folder / "reports")]
    subprocess.run([*relations, *schedule, *reports], check=True, capture_output=True)
    daemon = subprocess.Popen(
        [*relations, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(target=writer, args=(url, n, args.seconds, out)) for n in range(WRITERS)
    ] + [context.Process(target=reader, args=(url, n, args.seconds, out)) for n in range(READERS)]
    for process in workers:
        process.start()
    results = [out.get() for _ in workers]
    for process in workers:
        process.join()
    daemon.send_signal(signal.SIGTERM)
    _, daemon_errors = daemon.communicate(timeout=60)
    acknowledged = [ack for role, _, acks, _ in results if role == "writer" for ack in acks]
    problems = check(url, acknowledged, folder)
    backend = "PostgreSQL" if scratch else "SQLite"
    print(f"{backend}, {args.seconds:.0f} s, {WRITERS} writers, {READERS} readers, serve")
    print("| role | throughput | p50 | p99 | errors |")
    print("|---|---|---|---|---|")
    for role in ("writer", "reader"):
        latencies = [x for r, lat, _, _ in results if r == role for x in lat]
        errors = [e for r, _, _, errs in results if r == role for e in errs]
        print(summary(f"{role}s", latencies, errors, args.seconds))
        for error in sorted(set(errors))[:5]:
            print(f"    {error}")
    print(f"serve exit code {daemon.returncode}" + (f": {daemon_errors.decode()[-300:]}"
          if daemon.returncode else ""))  # fmt: skip
    print(f"final check: {len(acknowledged)} acknowledged events; "
          + ("nothing lost, statuses equal a rebuild, reports on disk" if not problems
             else f"{len(problems)} problem(s): " + json.dumps(problems[:5])))  # fmt: skip
    if scratch:
        import psycopg

        with psycopg.connect(args.db, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch}")
    sys.exit(1 if problems or daemon.returncode else 0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
