"""Building reports from the log, writing them atomically, registering them."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from relations.bootstrap import App
from relations.domain.errors import InvalidInput, RelationsError
from relations.reports.model import Period, Report, build_report
from relations.reports.render import render
from relations.services import inputs
from relations.store.report_registry import ReportEntry

DEFAULT_SPAN = timedelta(days=7)


def build(
    app: App,
    start: datetime | None = None,
    end: datetime | None = None,
    countries: Sequence[str] = (),
    known_at: datetime | None = None,
) -> Report:
    """The report for [start, end) (default: the 7 days up to now), as the log knew it at
    ``known_at`` (default: now)."""
    now = app.clock()
    end = end or now
    start = start or end - DEFAULT_SPAN
    if end > now:
        raise InvalidInput(f"--to {end.isoformat()} is in the future (now is {now.isoformat()})")
    if start >= end:
        raise InvalidInput(f"--from {start.isoformat()} must be before --to {end.isoformat()}")
    codes = sorted({inputs.country(c) for c in countries})
    with app.reader.reading() as tx:
        logs = tx.pair_logs(codes)
        return build_report(app.machine, logs, Period(start, end), now, codes, known_at)


def write_atomically(path: Path, text: str) -> str:
    """Write via a temporary file in the same folder and rename: never a half-written file.

    Returns the sha256 of what was written.
    """
    data = text.encode("utf-8")
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def save(
    app: App, report: Report, fmt: str, path: Path, schedule: str | None = None
) -> ReportEntry:
    """Render, write and register a report. A file that cannot be written is registered
    as failed (with the reason) and raised as a RelationsError."""
    text = render(report, fmt)
    checksum = error = None
    try:
        checksum = write_atomically(path, text)
    except OSError as exc:
        error = f"cannot write {path}: {exc.strerror or exc}"
    entry = ReportEntry(
        id=0,
        schedule=schedule,
        period_start=report.period.start,
        period_end=report.period.end,
        format=fmt,
        countries=list(report.countries),
        path=str(path),
        generated_at=report.generated_at,
        checksum=checksum,
        error=error,
    )
    with app.store.writing() as tx:
        report_id = tx.reports.add(entry)
    if error:
        raise ReportNotWritten(error, report_id)
    return replace(entry, id=report_id)


class ReportNotWritten(RelationsError):
    def __init__(self, message: str, report_id: int) -> None:
        super().__init__(message)
        self.report_id = report_id


def registered(app: App, schedule: str | None = None) -> list[ReportEntry]:
    with app.store.reading() as tx:
        return tx.reports.entries(schedule)
