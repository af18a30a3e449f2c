"""Report over a big database: 1,000,000 events on all pairs of 200 countries (JSON and
Markdown < 3 s, HTML with its matrix or its world map < 4 s).

    python tests/benchmarks/generate_events.py /tmp/1m.csv --all-pairs
    relations --db /tmp/1m.db import /tmp/1m.csv
    python tests/benchmarks/bench_report.py /tmp/1m.db [--runs 3]

Measures, in-process, building and rendering a report for the year 2025 over all pairs
(json, markdown, html with the matrix) and over one country (html with the world map),
beside its floor measured in the same run: plain sqlite3
computing every pair's status at the period's end and the event that caused it, by
index seeks in event_effects, and fetching the rows (no Python objects, no rendering).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path


def timed(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from relations.bootstrap import bootstrap
    from relations.reports.render import render
    from relations.services import reporting

    def floor() -> None:
        seek = (
            "FROM event_effects e WHERE e.pair_first = p.pair_first AND "
            "e.pair_second = p.pair_second AND e.occurred_on <= '2025-12-31' {} "
            "ORDER BY e.occurred_on DESC, e.event_id DESC LIMIT 1"
        )
        query = (
            f"SELECT p.pair_first, p.pair_second, (SELECT e.status_after {seek.format('')}), "
            f"(SELECT e.event_id {seek.format('AND e.changed')}) FROM pair_status p"
        )
        with sqlite3.connect(args.db) as connection:
            connection.execute(query).fetchall()

    app = bootstrap(f"sqlite:///{args.db.resolve()}")
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    with sqlite3.connect(args.db) as connection:
        events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        pairs = connection.execute("SELECT count(*) FROM pair_status").fetchone()[0]
    print(f"database: {events} events, {pairs} pairs")
    floor_s = timed(floor, args.runs)
    print(f"{'what':36} {'median s':>9} {'x floor':>8}  target")
    print(f"{'floor: sqlite3, statuses at the end':36} {floor_s:9.2f} {1:8.1f}")
    cases = [("json", (), 3), ("markdown", (), 3), ("html", (), 4), ("html", ("PER",), 4)]
    for fmt, countries, target in cases:

        def build_and_render(fmt: str = fmt, countries: tuple[str, ...] = countries) -> None:
            drawn = fmt == "html"
            render(reporting.build(app, start, end, countries, with_timelines=drawn), fmt)

        seconds = timed(build_and_render, args.runs)
        verdict = "yes" if seconds < target else "NO"
        label = f"report, {'one country' if countries else 'all pairs'}, {fmt}"
        print(f"{label:36} {seconds:9.2f} {seconds / floor_s:8.1f}  < {target} s {verdict}")
    app.close()


if __name__ == "__main__":
    main()
