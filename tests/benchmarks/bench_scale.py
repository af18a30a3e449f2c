"""A million events: import, reproject and status, each beside its floor in the same run.

    python tests/benchmarks/bench_scale.py [--events 1000000] [--postgres URL]

1. Generates the synthetic file (generate_events.py: ~200 countries, skewed towards a
   few hundred active pairs, valid sequences) unless --csv is given.
2. SQLite import, whole process (`relations import FILE --quiet`), wall time (median
   of --runs runs, each into a fresh file) and peak memory (the children's max RSS).
   Floor, run before each import: plain sqlite3 reading the same CSV with csv.reader
   and executemany-ing its rows into one table, in one transaction, with the same
   durability settings (WAL, synchronous=FULL).
3. `relations reproject` of that database, whole process, median of --runs (3) runs:
   under the same rules (every stored row checked, none written) and under other rules
   (public statements made escalating, then back: every row written anew). Floor:
   plain sqlite3 reading every event's (id, pair, date, type), the least a rebuild must
   read, measured between the runs (median).
4. `status --as-of` for one pair: in-process per query (median over random pairs and
   dates) beside one plain sqlite3 index seek; and the CLI, whole process, beside
   `python -c pass`.
5. With --postgres (a server URL; a scratch database is created there and dropped):
   the import into PostgreSQL in events/s, beside psycopg COPY of the same rows into one
   table.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
RELATIONS = [sys.executable, "-m", "relations"]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=ENV)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def sqlite_floor(csv_path: Path, folder: Path) -> float:
    path = folder / "floor.db"
    remove_database(path)
    start = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(
        "CREATE TABLE events (occurred_on TEXT, event_type TEXT, actor TEXT, target TEXT, "
        "summary TEXT, source TEXT, external_id TEXT, via TEXT)"
    )
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        connection.execute("COMMIT")
    connection.close()
    return time.perf_counter() - start


def other_rules() -> str:
    """The packaged rules with public statements made escalating: a change of rules
    that changes the effect of 1 event in 22 of the generated file."""
    from relations.domain.rules import default_rules_path

    text = default_rules_path().read_text(encoding="utf-8")
    block = '[event_types.statement]\neffect = "none"'
    assert block in text, "the packaged rules changed: pick another edit"
    return text.replace(block, '[event_types.statement]\neffect = "escalate"')


def remove_database(path: Path) -> None:
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)


def read_floor(db: Path) -> float:
    start = time.perf_counter()
    connection = sqlite3.connect(db)
    query = "SELECT id, pair_first, pair_second, occurred_on, event_type FROM events ORDER BY id"
    for _ in connection.execute(query):
        pass
    connection.close()
    return time.perf_counter() - start


def status_in_process(db: Path, queries: int) -> tuple[float, float, float]:
    """Median and p99 ms of status(); median ms of one plain sqlite3 index seek."""
    from relations.bootstrap import bootstrap
    from relations.services.queries import status

    connection = sqlite3.connect(db)
    pairs = connection.execute(
        "SELECT pair_first, pair_second FROM pair_status ORDER BY event_count DESC LIMIT 200"
    ).fetchall()
    rng = random.Random(7)
    asks = [
        (*rng.choice(pairs), date(1990, 1, 1) + timedelta(days=rng.randrange(13000)))
        for _ in range(queries)
    ]
    app = bootstrap(f"sqlite:///{db}")
    status(app, *asks[0])  # open the database
    ours = []
    for a, b, day in asks:
        start = time.perf_counter()
        status(app, a, b, day)
        ours.append((time.perf_counter() - start) * 1000)
    app.close()
    floor = []
    for a, b, day in asks:
        start = time.perf_counter()
        connection.execute(
            "SELECT status_after FROM event_effects WHERE pair_first = ? AND pair_second = ? "
            "AND occurred_on <= ? ORDER BY occurred_on DESC, event_id DESC LIMIT 1",
            (a, b, day.isoformat()),
        ).fetchone()
        floor.append((time.perf_counter() - start) * 1000)
    connection.close()
    ours.sort()
    return statistics.median(ours), ours[int(len(ours) * 0.99) - 1], statistics.median(floor)


def cli_median(command: list[str], runs: int) -> float:
    subprocess.run(command, check=True, capture_output=True, env=ENV)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def postgres(csv_path: Path, server: str, events: int) -> tuple[float, float]:
    """Events/s of our import and of the COPY floor, in scratch databases."""
    import psycopg

    admin = psycopg.connect(server, autocommit=True)
    names = ("relations_bench_scale", "relations_bench_floor")
    for name in names:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    base = server.rsplit("/", 1)[0]
    try:
        url = f"{base}/{names[0]}"
        subprocess.run([*RELATIONS, "--db", url, "info"], check=True, capture_output=True)
        ours, _ = timed([*RELATIONS, "--db", url, "import", str(csv_path), "--quiet"])
        with psycopg.connect(f"{base}/{names[1]}") as connection:
            connection.execute(
                "CREATE TABLE events (occurred_on date, event_type text, actor text, "
                "target text, summary text, source text, external_id text, via text)"
            )
            start = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.copy("COPY events FROM STDIN") as copy,
                csv_path.open(newline="", encoding="utf-8") as handle,
            ):
                rows = csv.reader(handle)
                next(rows)
                for row in rows:
                    copy.write_row([value or None for value in row])
            connection.commit()
            floor = time.perf_counter() - start
    finally:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()
    return events / ours, events / floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="use this file instead of generating one")
    parser.add_argument("--postgres", help="a PostgreSQL server URL, e.g. postgresql://u@h/db")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="reprojections (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        csv_path = args.csv or folder / "events.csv"
        if args.csv is None:
            subprocess.run(
                [sys.executable, str(HERE / "generate_events.py"), str(csv_path),
                 "--events", str(args.events)],
                check=True, capture_output=True,
            )  # fmt: skip
        db = folder / "bench.db"
        # The import and its floor alternate too (each into a fresh file); medians.
        floors, imports, peaks = [], [], []
        for _ in range(args.runs):
            floors.append(sqlite_floor(csv_path, folder))
            remove_database(db)
            seconds, peak = timed([*RELATIONS, "--db", str(db), "import", str(csv_path), "--quiet"])
            imports.append(seconds)
            peaks.append(peak)
        floor, imported, peak = statistics.median(floors), statistics.median(imports), max(peaks)
        # This machine's speed drifts by a fifth from one minute to the next: reproject
        # and its floor alternate, and each reports its median. Under the same rules,
        # reproject checks every stored row and writes none; under other rules (public
        # statements made escalating, and back), it writes every row anew.
        other = folder / "other-rules.toml"
        other.write_text(other_rules(), encoding="utf-8")
        rereads, reprojections, rewrites = [], [], []
        for run in range(args.runs):
            rereads.append(read_floor(db))
            reprojections.append(timed([*RELATIONS, "--db", str(db), "reproject"])[0])
            rules = ["--rules", str(other)] if run % 2 == 0 else []
            rewrites.append(timed([*RELATIONS, "--db", str(db), *rules, "reproject"])[0])
        if args.runs % 2:  # leave the database under the packaged rules
            timed([*RELATIONS, "--db", str(db), "reproject"])
        reread, reprojected = statistics.median(rereads), statistics.median(reprojections)
        rewritten = statistics.median(rewrites)
        median, p99, seek = status_in_process(db, args.queries)
        a, b = (
            sqlite3.connect(db)
            .execute("SELECT pair_first, pair_second FROM pair_status ORDER BY event_count DESC")
            .fetchone()
        )
        cli = cli_median([*RELATIONS, "--db", str(db), "status", a, b, "--as-of", "2010-06-01"],
                         21)  # fmt: skip
        python = cli_median([sys.executable, "-c", "pass"], 21)
        rows = [
            (f"SQLite import, 1 process (median of {args.runs})", f"{imported:.1f} s",
             f"{floor:.1f} s",
             f"{imported / floor:.1f}x", "< 10 s, within 6x"),
            ("  peak memory of that import", f"{peak:.0f} MB", "", "", "< 300 MB"),
            (f"reproject, same rules (median of {args.runs})", f"{reprojected:.1f} s",
             f"{reread:.1f} s (read)", f"{reprojected / reread:.1f}x", "< 10 s"),
            (f"reproject, other rules (median of {args.runs})", f"{rewritten:.1f} s",
             f"{reread:.1f} s (read)", f"{rewritten / reread:.1f}x", ""),
            ("status --as-of, in-process (median)", f"{median:.2f} ms", f"{seek:.2f} ms",
             f"{median / seek:.1f}x", "< 5 ms"),
            ("status --as-of, in-process (p99)", f"{p99:.2f} ms", "", "", ""),
            ("status --as-of, CLI (median of 21)", f"{cli:.0f} ms", f"{python:.0f} ms",
             f"{cli / python:.1f}x", "< 300 ms"),
        ]  # fmt: skip
        if args.postgres:
            rate, copy_rate = postgres(csv_path, args.postgres, args.events)
            rows.append(("PostgreSQL import", f"{rate:,.0f} events/s",
                         f"{copy_rate:,.0f} rows/s (COPY)", f"{copy_rate / rate:.1f}x",
                         ">= 50,000 events/s"))  # fmt: skip
    print(f"{args.events:,} events; floors measured in the same run")
    print(f"| {'measure':<38} | {'ours':>14} | {'floor':>22} | {'ratio':>6} | target |")
    for row in rows:
        print(f"| {row[0]:<38} | {row[1]:>14} | {row[2]:>22} | {row[3]:>6} | {row[4]} |")


if __name__ == "__main__":
    main()
