"""`relations serve` as real processes: one daemon per database (a second stands by and
takes over), SIGTERM stops cleanly with no partial report. No test waits on a schedule's
timer: schedules are created already due, and the tests wait for the daemons' log lines.
"""

from __future__ import annotations

import hashlib
import queue
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from relations.application import utc_now
from relations.bootstrap import bootstrap
from relations.services import reporting, schedules

pytestmark = pytest.mark.slow  # see pyproject.toml: `pytest -m "not slow"` skips these

TIMEOUT = 60


class Daemon:
    """A `relations serve` process whose log lines can be awaited."""

    def __init__(self, url: str, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relations", "--db", url, "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str) -> str:
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"never logged {text!r}; saw: {self.seen}") from None
            self.seen.append(line)
            if text in line:
                return line

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=TIMEOUT)
        finally:
            self.seen.extend(self._rest())
            print("".join(self.seen))  # shown by pytest if the test fails

    def _rest(self) -> list[str]:
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return rest


def due_schedules(url: str, folder: Path, names: list[str]) -> None:
    """Schedules created three days ago, so each is due when a daemon starts."""
    past = utc_now() - timedelta(days=3, minutes=5)
    app = bootstrap(url, clock=lambda: past)
    folder.mkdir(exist_ok=True)
    for name in names:
        schedules.add(app, name, every="1d", output_dir=folder)
    app.close()


def check_registry(url: str) -> list[reporting.ReportEntry]:
    """Every written report has its complete file; no temporary file is left."""
    app = bootstrap(url)
    entries = reporting.registered(app)
    app.close()
    for entry in entries:
        if entry.written:
            data = Path(entry.path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry.checksum
    return entries


def test_a_second_serve_stands_by_and_takes_over_without_duplicates(
    db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    due_schedules(db_url, out, ["daily"])
    first = Daemon(db_url)
    first.wait_for("serving the schedules")
    second = Daemon(db_url)
    second.wait_for("standing by")
    once = subprocess.run(
        [sys.executable, "-m", "relations", "--db", db_url, "serve", "--once"],
        capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert once.returncode == 1 and "another `relations serve` is running" in once.stderr
    assert first.stop() == 0
    second.wait_for("taking over")
    second.wait_for("serving the schedules")
    assert second.stop() == 0
    entries = check_registry(db_url)
    assert [(e.schedule, e.written) for e in entries] == [("daily", True)], "exactly one report"
    start, end = entries[0].period_start, entries[0].period_end
    assert end - start == timedelta(days=3)
    assert sorted(p.name for p in out.iterdir()) == [Path(entries[0].path).name]


def test_sigterm_stops_cleanly_with_no_partial_report(db_url: str, tmp_path: Path) -> None:
    names = [f"s{n:02d}" for n in range(12)]
    out = tmp_path / "out"
    due_schedules(db_url, out, names)
    daemon = Daemon(db_url)
    daemon.wait_for("wrote report")
    assert daemon.stop() == 0  # while the catch-up of the other schedules is running
    assert any("stopped" in line for line in daemon.seen)
    entries = check_registry(db_url)
    assert 1 <= len(entries) <= len(names)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert len(list(out.iterdir())) == len(entries)
    # The next start covers what was not written, without touching what was.
    again = Daemon(db_url)
    again.wait_for("serving the schedules")
    assert again.stop() == 0
    final = check_registry(db_url)
    assert sorted(e.schedule for e in final) == names
    assert final[: len(entries)] == entries


def test_ctrl_c_stops_a_standby_at_once(db_url: str) -> None:
    leader = Daemon(db_url)
    leader.wait_for("serving the schedules")
    standby = Daemon(db_url)
    standby.wait_for("standing by")
    standby.process.send_signal(signal.SIGINT)
    assert standby.process.wait(timeout=TIMEOUT) == 0
    assert leader.stop() == 0


def test_a_postgres_leader_that_loses_its_lock_stops(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        import pytest

        pytest.skip("the lock is a PostgreSQL session lock only on PostgreSQL")
    from sqlalchemy import create_engine, text

    leader = Daemon(db_url)
    leader.wait_for("serving the schedules")
    engine = create_engine(db_url)
    with engine.begin() as connection:
        killed = connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_locks "
                 "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
                 "AND objsubid = 1")
        ).all()  # fmt: skip
    engine.dispose()
    assert killed
    leader.wait_for("lost the lock")
    assert leader.process.wait(timeout=TIMEOUT) == 1
