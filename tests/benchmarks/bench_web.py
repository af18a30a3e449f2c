"""The web service under load, on loopback only: `relations web` (uvicorn, N workers) on
a demo database, readers asking status and history over HTTP and recorders writing,
for a bounded time and a bounded number of requests; then a check that nothing
acknowledged was lost and every status equals a rebuild.

    python tests/benchmarks/bench_web.py [--seconds 60] [--workers 2] [--db URL]
    python tests/benchmarks/bench_web.py --db postgresql://postgres@127.0.0.1:5432/test

Default: a fresh SQLite file; a PostgreSQL URL names a server (a scratch database is
made there and dropped after). Prints per endpoint the requests per second, p50/p99
latency and errors (which must be 0), and, measured in the same run, the throughput of
a trivial endpoint of the same app (GET /api/v1/health) alone: the floor the status
endpoint is compared with (target: within 3x).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

COUNTRIES = ["PER", "MEX", "ECU", "COL", "VEN", "BOL", "CHL", "ARG", "BRA", "URY", "IRN", "SAU"]
KINDS = ["statement", "protest_note", "envoy_summoned", "visit"]
MAX_REQUESTS = 200_000  # per role: the bound on requests, besides the time


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)

    def line(self, name: str, elapsed: float) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (f"| {name:38} | {len(ordered) / elapsed:8.0f}/s | "
                f"{statistics.median(ordered) * 1000:7.1f} ms | {p99 * 1000:8.1f} ms | "
                f"{len(self.errors):6} |")  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hammer(
    base: str, seconds: float, threads: int, request: Callable[[httpx.Client, random.Random], int]
) -> tuple[Tally, float]:
    tally = Tally()
    stop = time.monotonic() + seconds
    count = [0]

    def run(number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop and count[0] < MAX_REQUESTS:
                count[0] += 1
                start = time.perf_counter()
                try:
                    status = request(client, rng)
                    error = None if status < 400 else f"HTTP {status}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                tally.add(time.perf_counter() - start, error)

    began = time.monotonic()
    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return tally, time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="a PostgreSQL server URL (default: a SQLite file)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    scratch = None
    if args.db:
        from sqlalchemy import create_engine, text

        scratch = f"relations_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.db.replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")  # fmt: skip
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{scratch}"'))
        url = args.db.rsplit("/", 1)[0] + "/" + scratch
    else:
        url = f"sqlite:///{folder / 'web.db'}"

    from relations.bootstrap import bootstrap
    from relations.config import to_url
    from relations.services import tokens
    from relations.services.demo import load_fixtures

    app = bootstrap(to_url(url))
    load_fixtures(app)
    reader = tokens.add(app, "bench-reader", "reader", by="bench")[1]
    recorder = tokens.add(app, "bench-recorder", "recorder", by="bench")[1]
    app.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RELATIONS_CACHE_DIR": str(folder / "cache")}
    server = subprocess.Popen(
        [sys.executable, "-m", "relations", "--db", url, "web", "--port", str(port),
         "--workers", str(args.workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        read = {"Authorization": f"Bearer {reader}"}
        write = {"Authorization": f"Bearer {recorder}"}

        # The floor, in the same run: the trivial endpoint alone, then status alone.
        share = max(args.seconds / 6, 3)
        floor, floor_time = hammer(base, share, 8, lambda c, r: c.get("/api/v1/health").status_code)

        def status(client: httpx.Client, rng: random.Random) -> int:
            a, b = rng.sample(COUNTRIES, 2)
            return client.get(f"/api/v1/pairs/{a}/{b}", headers=read).status_code

        alone, alone_time = hammer(base, share, 8, status)

        # Then the mix: readers of status and history, and recorders writing.
        acknowledged: list[str] = []
        ack_lock = threading.Lock()

        def history(client: httpx.Client, rng: random.Random) -> int:
            a, b = rng.choice([("PER", "MEX"), ("ECU", "MEX"), ("IRN", "SAU"), ("COL", "VEN")])
            return client.get(f"/api/v1/pairs/{a}/{b}/history", headers=read).status_code

        def record(client: httpx.Client, rng: random.Random) -> int:
            actor, target = rng.sample(COUNTRIES, 2)
            external = f"bench-{uuid.uuid4().hex}"
            day = f"20{rng.randrange(10, 25)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}"
            body = {"event_type": rng.choice(KINDS), "actor": actor, "targets": [target],
                    "occurred_on": day, "external_id": external}  # fmt: skip
            response = client.post("/api/v1/events", json=body, headers=write)
            if response.status_code == 201:
                with ack_lock:
                    acknowledged.append(external)
            return response.status_code

        mixed: dict[str, tuple[Tally, float]] = {}
        rest = max(args.seconds - 2 * share, 5)
        runners = {
            "status (mixed load)": (status, 4), "history (mixed load)": (history, 2),
            "record (mixed load)": (record, 2),
        }  # fmt: skip

        def run_role(name: str) -> None:
            request, threads = runners[name]
            mixed[name] = hammer(base, rest, threads, request)

        roles = [threading.Thread(target=run_role, args=(name,)) for name in runners]
        for role in roles:
            role.start()
        for role in roles:
            role.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    # The final check: every acknowledged event once, every status equal to a rebuild.
    from relations.services.queries import events
    from relations.services.reprojecting import reproject

    app = bootstrap(to_url(url))
    recorded = [e.external_id for e in events(app) if (e.external_id or "").startswith("bench-")]
    lost = sorted(set(acknowledged) - set(recorded))
    twice = len(recorded) - len(set(recorded))
    changed = reproject(app, by="bench").changed
    app.close()
    if scratch:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))

    print(f"`relations web`, {args.workers} worker(s), on {'PostgreSQL' if scratch else 'SQLite'}, "
          f"{args.seconds:.0f} s in all, loopback")  # fmt: skip
    print("| endpoint                               |  throughput |     p50 |      p99 | errors |")
    print(floor.line("GET /api/v1/health alone (floor)", floor_time))
    print(alone.line("GET /api/v1/pairs/{a}/{b} alone", alone_time))
    for name, (tally, elapsed) in mixed.items():
        print(tally.line(name, elapsed))
    ratio = (len(floor.latencies) / floor_time) / max(len(alone.latencies) / alone_time, 1e-9)
    print(f"status alone is {ratio:.1f}x slower than the trivial endpoint (target: within 3x)")
    print(f"acknowledged writes: {len(acknowledged)}, lost: {len(lost)}, recorded twice: {twice}; "
          f"statuses that differ from a rebuild: {len(changed)}")  # fmt: skip
    errors = sum(len(t.errors) for t, _ in [*mixed.values(), (floor, 0), (alone, 0)])
    sys.exit(1 if errors or lost or twice or changed else 0)


if __name__ == "__main__":
    main()
