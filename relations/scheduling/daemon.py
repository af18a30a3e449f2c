"""`relations serve`: the scheduler in the foreground, one per database.

A second `serve` on the same database stands by and takes over when the first stops
or dies (see leader.py). SIGTERM and Ctrl-C stop it cleanly: the report being written
is finished (files are written to a temporary name and renamed), then it exits 0.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from datetime import UTC
from pathlib import Path
from typing import Any

from relations.application import App
from relations.domain.errors import Refused
from relations.reports.formats import EXTENSIONS as FORMATS
from relations.scheduling import jobs
from relations.scheduling.jobstore import (
    JOB_DEFAULTS,
    Schedule,
    job_store,
    schedule_of,
    scheduler_for_edits,
)
from relations.scheduling.leader import Leadership
from relations.scheduling.periods import next_fire_time
from relations.services.schedules import produce_due

log = logging.getLogger("relations.serve")


def run_once(app: App) -> tuple[int, int]:
    """Write every due schedule's report once: (reports written, reports failed)."""
    leadership = Leadership(app)
    if not leadership.try_acquire():
        raise Refused("another `relations serve` is running on this database; it writes the "
                      "reports (stop it, or let it do the work)")  # fmt: skip
    try:
        return catch_up(app)
    finally:
        leadership.release()


def catch_up(app: App, stopping: threading.Event | None = None) -> tuple[int, int]:
    """Write the due report of every schedule (one per schedule, covering any gap):
    (reports written, reports failed). One schedule's failure does not stop the others."""
    written = failed = 0
    now = app.clock()
    with scheduler_for_edits(app) as scheduler:
        for job in scheduler.get_jobs():
            if stopping is not None and stopping.is_set():
                break
            schedule = schedule_of(job)
            remove_leftovers(app, schedule)
            try:
                entry = produce_due(app, schedule, now)
            except Exception:
                log.exception("schedule %s: the report could not be produced", schedule.name)
                failed += 1
                continue
            if entry is not None:
                written, failed = (written + 1, failed) if entry.written else (written, failed + 1)
            job.modify(next_run_time=next_fire_time(schedule.trigger(), now))
    return written, failed


def remove_leftovers(app: App, schedule: Schedule) -> None:
    """Delete what a killed daemon left of this schedule's reports: temporary files, and
    a finished file it renamed into place but was killed before registering (the next
    run writes that period again, under its own name).

    Only the leader runs this, and only it writes this schedule's files, so no such
    file can belong to a write in progress. Only names this schedule gives its files
    are touched."""
    folder = Path(schedule.output_dir)
    if not folder.is_dir():
        return
    with app.store.reading() as tx:
        registered = {Path(entry.path).name for entry in tx.reports.entries(schedule.name)}
    ours = re.compile(
        rf"{re.escape(schedule.name)}_\d{{8}}T\d{{6}}Z_\d{{8}}T\d{{6}}Z\.{FORMATS[schedule.format]}"
    )
    unregistered = [
        path for path in folder.glob(f"{schedule.name}_*")
        if ours.fullmatch(path.name) and path.name not in registered
    ]  # fmt: skip
    for leftover in [*folder.glob(f".{schedule.name}_*.tmp"), *unregistered]:
        try:
            leftover.unlink()
            log.info("schedule %s: removed %s, left by an interrupted run", schedule.name, leftover)
        except OSError as exc:
            log.warning("schedule %s: cannot remove %s: %s", schedule.name, leftover, exc)


def serve(app: App, *, poll_seconds: float = 5.0, standby_seconds: float = 1.0) -> None:
    """Run until SIGTERM or Ctrl-C. Blocks. Raises Refused if the lock that makes this
    daemon the only one was lost (another may be writing the reports now)."""
    stopping = threading.Event()
    lost = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        # Only set a flag here: the scheduler may be starting, running or not yet built.
        log.info("received %s: finishing the current report, then stopping",
                 signal.Signals(signum).name)  # fmt: skip
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    leadership = Leadership(app)
    try:
        if not leadership.try_acquire():
            log.info("another `relations serve` is running on this database: standing by")
            while not stopping.is_set() and not leadership.try_acquire():
                stopping.wait(standby_seconds)
            if stopping.is_set():
                return
            log.info("the other `relations serve` stopped: taking over")
        # Reports missed while no daemon ran: one per schedule, covering the whole gap.
        catch_up(app, stopping)
        if stopping.is_set():
            return

        def keep_leading() -> None:
            if not leadership.still_held():
                log.error("lost the lock that makes this the only `relations serve`; stopping")
                lost.set()
                stopping.set()

        scheduler = _scheduler(app, poll_seconds, keep_leading)
        threading.Thread(target=_stop_when, args=(stopping, scheduler), daemon=True).start()
        jobs.use(app)
        log.info("serving the schedules of this database; stop with Ctrl-C or SIGTERM")
        scheduler.start()
    finally:
        jobs.use(None)
        leadership.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("stopped")
    if lost.is_set():
        raise Refused("stopped: lost the database lock (connection dropped?); restart serve")


def _stop_when(stopping: threading.Event, scheduler: Any) -> None:
    """Shut the scheduler down once asked to, waiting for the report being written."""
    stopping.wait()
    while not scheduler.running:  # the stop can come while start() is still under way
        time.sleep(0.05)
    scheduler.shutdown(wait=True)


def _scheduler(app: App, poll_seconds: float, keep_leading: Any) -> Any:
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone=UTC,
        jobstores={"default": job_store(app), "internal": MemoryJobStore()},
        job_defaults=JOB_DEFAULTS,
    )
    # Every few seconds: check the lock is still ours, and wake the scheduler so that
    # schedules added by other processes are seen.
    scheduler.add_job(
        keep_leading, "interval", seconds=poll_seconds, id="keep-leading", jobstore="internal"
    )
    return scheduler
