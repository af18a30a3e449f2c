"""CLI start-up: `relations --help` (< 100 ms), `relations status PER MEX` and `relations
history PER MEX` (< 300 ms), whole process, median of N runs, beside the floor
`python -c pass` measured in the same run (and `import click`, which every click CLI
pays). The queries run on a demo database (real fixtures) in a temp folder.

    python tests/benchmarks/bench_cli.py [--runs 31]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Python caches compiled modules (.pyc) after the first run, as on any user's machine;
# an environment that disables that (PYTHONDONTWRITEBYTECODE, set on some CI images)
# would time the compiler, not relations.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_ms(command: list[str], runs: int) -> float:
    subprocess.run(command, check=True, capture_output=True, env=ENV)  # warm the caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    relations = shutil.which("relations") or str(Path(sys.executable).with_name("relations"))
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        subprocess.run([relations, "--db", db, "demo"], check=True, capture_output=True)
        rows = [
            ("python -c pass (floor)", [sys.executable, "-c", "pass"], None),
            ("python -c 'import click'", [sys.executable, "-c", "import click"], None),
            ("relations --help", [relations, "--help"], 100),
            ("relations status PER MEX", [relations, "--db", db, "status", "PER", "MEX"], 300),
            ("relations history PER MEX", [relations, "--db", db, "history", "PER", "MEX"], 300),
        ]
        floor = None
        print(f"{'command':28} {'median ms':>10} {'x floor':>8} {'target ms':>10}  ok")
        for label, command, target in rows:
            ms = median_ms(command, args.runs)
            floor = floor or ms
            verdict = "" if target is None else ("yes" if ms < target else "NO")
            shown_target = "" if target is None else str(target)
            print(f"{label:28} {ms:10.1f} {ms / floor:8.1f} {shown_target:>10}  {verdict}")
    print(f"({args.runs} runs each, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
