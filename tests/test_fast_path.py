"""`status` and `history` on SQLite read through the standard library's sqlite3: they
must not import SQLAlchemy (about 0.3 s of a 300 ms budget; see bench_cli.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "alembic", "jinja2", "apscheduler", "relations.store.sql_store")


@pytest.mark.parametrize("command", [["status", "PER", "MEX"], ["history", "PER", "MEX"],
                                     ["status", "PER", "MEX", "--json"]])  # fmt: skip
def test_reads_of_one_pair_do_not_import_sqlalchemy(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "fast.db"
    subprocess.run(
        [sys.executable, "-m", "relations", "--db", str(db), "record", "relations_severed",
         "PER", "MEX", "--on", "2025-11-03"],
        check=True, capture_output=True,
    )  # fmt: skip
    code = (
        "import sys\nfrom relations.cli import cli\n"
        f"try:\n    cli({['--db', str(db), *command]!r})\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", out.stdout
