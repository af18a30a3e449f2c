"""Use cases for schedules: add, list, remove, and produce a schedule's due report."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from relations.application import App
from relations.domain.errors import InvalidInput
from relations.reports.formats import EXTENSIONS as FORMATS
from relations.scheduling.jobstore import (
    Schedule,
    add_job,
    schedule_of,
    scheduler_for_edits,
)
from relations.scheduling.periods import latest_fire_time, next_fire_time
from relations.scheduling.specs import parse_spec
from relations.services import inputs, reporting
from relations.store.report_registry import ReportEntry

log = logging.getLogger("relations.serve")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass(frozen=True, slots=True)
class ScheduleView:
    schedule: Schedule
    next_run: datetime | None
    last_period_end: datetime | None


def add(
    app: App,
    name: str,
    *,
    cron: str | None = None,
    every: str | None = None,
    fmt: str = "markdown",
    output_dir: Path = Path("reports"),
    countries: Sequence[str] = (),
    timezone: str | None = None,
) -> Schedule:
    """Store a new schedule; its first report will cover the time from now on."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"bad schedule name {name!r}: use letters, digits, '-', '_' or '.' (at most 100)"
        )
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    spec = parse_spec(cron, every, timezone)
    codes = sorted({inputs.country(c) for c in countries})
    folder = output_dir.expanduser().resolve()
    schedule = Schedule(
        name=name,
        kind=spec.kind,
        expression=spec.expression,
        timezone=spec.timezone,
        format=fmt,
        output_dir=str(folder),
        countries=codes,
        start=app.clock().astimezone(UTC).isoformat(),
    )
    from apscheduler.jobstores.base import ConflictingIdError

    if next_fire_time(schedule.trigger(), app.clock()) is None:
        raise InvalidInput(f"schedule {spec.describe()} never fires")
    with scheduler_for_edits(app) as scheduler:
        if scheduler.get_job(name) is not None:
            raise InvalidInput(f"a schedule named {name!r} already exists")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or exc
            raise InvalidInput(f"cannot create the output folder {folder}: {reason}") from None
        try:
            add_job(scheduler, schedule)
        except ConflictingIdError:
            raise InvalidInput(f"a schedule named {name!r} already exists") from None
    return schedule


def remove(app: App, name: str) -> None:
    from apscheduler.jobstores.base import JobLookupError

    if not _NAME.fullmatch(name):  # never a schedule's name (nor text the store can hold)
        raise InvalidInput(f"no schedule named {name!r} (see `relations schedule list`)")
    with scheduler_for_edits(app) as scheduler:
        try:
            scheduler.remove_job(name)
        except JobLookupError:
            raise InvalidInput(
                f"no schedule named {name!r} (see `relations schedule list`)"
            ) from None


def listing(app: App) -> list[ScheduleView]:
    with scheduler_for_edits(app) as scheduler:
        jobs = scheduler.get_jobs()
    views = []
    with app.store.reading() as tx:
        for job in sorted(jobs, key=lambda j: j.id):
            schedule = schedule_of(job)
            last = tx.reports.last_written_end(schedule.name, schedule.started)
            upcoming = next_fire_time(schedule.trigger(), last or schedule.started)
            views.append(ScheduleView(schedule, upcoming, last))
    return views


def produce_due(app: App, schedule: Schedule, now: datetime | None = None) -> ReportEntry | None:
    """Write the schedule's report for [end of its last written report, latest fire time].

    Returns None if no fire time has passed since that report, else the registered
    entry. A file that cannot be written is registered as failed (``entry.written`` is
    False) and logged; the period stays due for the next run.
    """
    now = now or app.clock()
    with app.store.reading() as tx:
        start = tx.reports.last_written_end(schedule.name, schedule.started) or schedule.started
    end = latest_fire_time(schedule.trigger(), start, now)
    if end is None:
        return None
    # Known at the period's end: late news goes to the next report, never twice. Events
    # stamped before the end but not yet committed would be missed by both reports, so
    # first wait for the writers under way.
    app.store.wait_for_writers()
    report = reporting.build(
        app, start, end, schedule.countries, known_at=end,
        with_timelines=schedule.format == "html",
    )  # fmt: skip
    folder = Path(schedule.output_dir)
    path = folder / report_file_name(schedule, start, end)
    try:
        entry = reporting.save(app, report, schedule.format, path, schedule=schedule.name)
    except reporting.ReportNotWritten as exc:
        log.error("schedule %s: report %s for %s to %s failed: %s", schedule.name,
                  exc.entry.id, _stamp(start), _stamp(end), exc)  # fmt: skip
        return exc.entry
    log.info("schedule %s: wrote report %s for %s to %s: %s", schedule.name, entry.id,
             _stamp(start), _stamp(end), path)  # fmt: skip
    return entry


def report_file_name(schedule: Schedule, start: datetime, end: datetime) -> str:
    extension = FORMATS[schedule.format]
    return f"{schedule.name}_{_stamp(start)}_{_stamp(end)}.{extension}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
