"""Schedules live in APScheduler 3's SQLAlchemy job store, in the events database.

A schedule is one persistent job: id = the schedule's name, function = the plain
reference ``relations.scheduling.jobs:run_schedule`` (jobs are pickled: a renamed
function would silently drop the job, so tests check every stored job resolves), and
its options as keyword arguments of plain types.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from relations.application import App
from relations.scheduling.specs import ScheduleSpec

JOB_FUNCTION = "relations.scheduling.jobs:run_schedule"
TABLE = "apscheduler_jobs"
JOB_DEFAULTS = {
    "coalesce": True,  # missed runs become one run...
    "misfire_grace_time": None,  # ...however late: the period since the last report is never lost
    "max_instances": 1,
}


@dataclass(frozen=True)
class Schedule:
    name: str
    kind: str
    expression: str
    timezone: str
    format: str
    output_dir: str
    countries: list[str] = field(default_factory=list)
    start: str = ""  # ISO timestamp (UTC): the first report's period starts here

    @property
    def spec(self) -> ScheduleSpec:
        return ScheduleSpec(self.kind, self.expression, self.timezone)

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.start).astimezone(UTC)

    def trigger(self) -> Any:
        return self.spec.trigger(self.started)


def job_store(app: App) -> Any:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    return SQLAlchemyJobStore(engine=app.store.engine, tablename=TABLE)


@contextmanager
def scheduler_for_edits(app: App) -> Iterator[Any]:
    """A scheduler on the job store that never runs a job: reading, adding, changing or
    removing jobs writes the store at once.

    It has no thread. A paused BackgroundScheduler is not enough: its shutdown() leaves
    the paused state before it stops its executors, so a thread woken by an edit runs
    whatever is due, or logs "Error submitting job", while it shuts down
    (apscheduler#285; tests/test_schedules.py reproduces it)."""
    from apscheduler.schedulers.base import BaseScheduler

    class EditingScheduler(BaseScheduler):  # type: ignore[misc]
        def wakeup(self) -> None:  # nothing to wake: jobs are only stored here
            pass

        def shutdown(self, wait: bool = True) -> None:  # abstract in BaseScheduler
            super().shutdown(wait)

    scheduler = EditingScheduler(
        timezone=UTC, jobstores={"default": job_store(app)}, job_defaults=JOB_DEFAULTS
    )
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


def add_job(scheduler: Any, schedule: Schedule) -> None:
    scheduler.add_job(
        JOB_FUNCTION,
        trigger=schedule.trigger(),
        id=schedule.name,
        name=schedule.name,
        kwargs=asdict(schedule),
        replace_existing=False,
    )


def schedule_of(job: Any) -> Schedule:
    return Schedule(**job.kwargs)
