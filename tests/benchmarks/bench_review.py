"""Feed review at scale: `review --limit 50` over a database of N pending feed events
(default 1,000,000) in process, beside its floor, one indexed SQL query for the same 50
ids; and the default import of that feed (events pending) beside the same import with
--confirm (every event folded, as before review existed).

    python tests/benchmarks/bench_review.py [--rows 1000000] [--keep FOLDER]

The feed is a synthetic GDELT 2.0 file (61 tab-separated columns) of state-actor rows
between ~150 countries over 20 years, with CAMEO codes the crosswalk maps, random
NumMentions/NumSources/NumArticles; most rows are distinct events, some collapse.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

RELATIONS = [sys.executable, "-m", "relations"]
CODES = ["161", "160", "057", "042", "111", "114", "163"]


def generate(path: Path, rows: int, seed: int = 3) -> None:
    import pycountry

    rng = random.Random(seed)
    countries = sorted(c.alpha_3 for c in pycountry.countries)[:150]
    start = date(2005, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        for n in range(rows):
            a, b = rng.sample(countries, 2)
            day = start + timedelta(days=rng.randrange(7300))
            fields = [""] * 61
            fields[0] = str(900_000_000 + n)
            fields[1] = day.strftime("%Y%m%d")
            fields[5], fields[7], fields[12] = f"{a}GOV", a, "GOV"
            fields[15], fields[17], fields[22] = f"{b}GOV", b, "GOV"
            fields[25] = "1"
            fields[26] = rng.choice(CODES)
            fields[30] = "-4.0"
            fields[31] = str(rng.randint(1, 40))  # NumMentions
            fields[32] = str(rng.randint(1, 10))  # NumSources
            fields[33] = str(rng.randint(1, 30))  # NumArticles
            fields[59] = "20250807220000"
            fields[60] = f"https://example.org/{n}"
            out.write("\t".join(fields) + "\n")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def review_in_process(db: Path, runs: int) -> tuple[float, float]:
    from relations.bootstrap import bootstrap
    from relations.services.review import queue

    app = bootstrap(f"sqlite:///{db}")
    queue(app, limit=50)  # open the database
    ours = []
    for _ in range(runs):
        start = time.perf_counter()
        found = queue(app, limit=50)
        ours.append((time.perf_counter() - start) * 1000)
    app.close()
    assert len(found) == 50
    connection = sqlite3.connect(db)
    floor = []
    for _ in range(runs):
        start = time.perf_counter()
        connection.execute(
            "SELECT id FROM events WHERE review = 'pending' "
            "ORDER BY source_rows DESC, coalesce(source_articles, -1) DESC, id "
            "LIMIT 50"
        ).fetchall()
        floor.append((time.perf_counter() - start) * 1000)
    connection.close()
    return statistics.median(ours), statistics.median(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--keep", type=Path, help="keep the feed file and databases here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        feed = folder / "feed.export.CSV"
        generate(feed, args.rows)
        pending_db, confirmed_db = folder / "pending.db", folder / "confirmed.db"
        for db in (pending_db, confirmed_db):
            db.unlink(missing_ok=True)
        pending = timed([*RELATIONS, "--db", str(pending_db), "import", str(feed), "--quiet"])
        confirmed = timed([*RELATIONS, "--db", str(confirmed_db), "import", str(feed),
                           "--confirm", "--quiet"])  # fmt: skip
        count = (
            sqlite3.connect(pending_db)
            .execute("SELECT count(*) FROM events WHERE review = 'pending'")
            .fetchone()[0]
        )
        ours, floor = review_in_process(pending_db, args.runs)
    print(f"{args.rows:,} GDELT rows -> {count:,} pending feed events; floors in the same run")
    print("| measure | ours | floor | ratio | target |")
    print(
        f"| review --limit 50, in process (median of {args.runs}) | {ours:.2f} ms | "
        f"{floor:.2f} ms (one indexed query) | {ours / floor:.1f}x | < 1 s |"
    )
    print(
        f"| default import (pending) | {pending:.1f} s | {confirmed:.1f} s (--confirm, "
        f"folded as before review) | {pending / confirmed:.2f}x | keeps its speed |"
    )


if __name__ == "__main__":
    main()
