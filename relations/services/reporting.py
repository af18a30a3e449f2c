"""Building reports from the log, writing them atomically, registering them."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from relations.application import App
from relations.domain.errors import InvalidInput, Refused, RelationsError
from relations.reports.assemble import assemble
from relations.reports.facts import facts_from_logs, timeline_input, timeline_pairs
from relations.reports.model import Report
from relations.reports.period import Period, day_start
from relations.reports.render import LAYOUT, render
from relations.services import inputs
from relations.services.report_facts import (
    facts_from_projections,
    projections_answer,
    timelines_from_projections,
)
from relations.store.report_registry import ReportEntry

DEFAULT_SPAN = timedelta(days=7)


def build(
    app: App,
    start: datetime | None = None,
    end: datetime | None = None,
    countries: Sequence[str] = (),
    known_at: datetime | None = None,
    generated_at: datetime | None = None,
    with_timelines: bool = True,
) -> Report:
    """The report for [start, end) (default: the 7 days up to now), as the log knew it at
    ``known_at`` (default: now). ``generated_at`` is for reproducing a report; only HTML
    draws timelines, so the other formats skip reading what they are drawn from."""
    now = app.clock()
    inputs.known_at(known_at, now)
    end = end or now
    try:
        start = start or end - DEFAULT_SPAN
    except OverflowError:
        raise InvalidInput(
            f"--to {end.date()} leaves no room for a 7-day period; give --from"
        ) from None
    # One notion of today for every command: events may be dated up to today anywhere
    # on Earth (UTC+14), so a period may end as late as the end of that day.
    latest_end = day_start(app.today() + timedelta(days=1))
    if end > latest_end:
        raise InvalidInput(
            f"--to {end.isoformat()} is in the future (today ends everywhere on Earth at "
            f"{latest_end.isoformat()})"
        )
    if start >= end:
        raise InvalidInput(f"--from {start.isoformat()} must be before --to {end.isoformat()}")
    if known_at is None:
        # "Now" must not miss a write that stamped its events before now but has not
        # committed yet: wait for the writers under way, so the report can be reproduced.
        app.store.wait_for_writers()
    cutoff = known_at or now
    codes = sorted({inputs.country(c) for c in countries})
    period = Period(start, end)
    with app.store.reading() as tx:
        if projections_answer(app, tx, cutoff):
            facts = facts_from_projections(app, tx, period, codes)
            drawn = timeline_pairs(facts) if with_timelines else []
            sources = timelines_from_projections(tx, drawn, period)
        else:
            logs = tx.pair_logs(codes, known_at=cutoff)
            facts = facts_from_logs(app.machine, logs, period, cutoff, codes)
            sources = {}
            for pair in timeline_pairs(facts) if with_timelines else []:
                known = tx.pair_events(pair, up_to=period.last_day, known_at=cutoff)
                if known:
                    sources[pair] = timeline_input(app.machine, known, period.first_day)
        waiting = tx.waiting_pairs(codes, known_at=cutoff)
    return assemble(app.rules, facts, sources, period, generated_at or now, cutoff, codes, waiting)


def write_atomically(path: Path, text: str) -> str:
    """Write via a temporary file in the same folder and rename: never a half-written file.

    Returns the sha256 of what was written.
    """
    if path.exists() and not path.is_file():
        raise OSError(0, "it exists and is not a regular file")
    data = text.encode("utf-8")
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(0o666 & ~_umask())  # mkstemp makes it 0600: readable by its owner only
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)  # so the rename itself survives a power cut
    return hashlib.sha256(data).hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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
        known_at=report.known_at,
        rules_digest=app.rules.digest,
        layout=LAYOUT,
    )
    if error and schedule is None:
        # `relations report --output` that fails writes nothing, like any failed command;
        # a schedule's failure is registered, so that `reports list` shows it.
        raise ReportNotWritten(entry)
    with app.store.writing_once() as tx:
        report_id = tx.reports.add(entry)
    registered_entry = replace(entry, id=report_id)
    if error:
        raise ReportNotWritten(registered_entry)
    return registered_entry


class ReportNotWritten(RelationsError):
    def __init__(self, entry: ReportEntry) -> None:
        super().__init__(entry.error or "report not written")
        self.entry = entry


@dataclass(frozen=True, slots=True)
class Reproduction:
    entry: ReportEntry
    text: str  # the report rebuilt
    checksum: str
    rules_digest: str  # the rules it was rebuilt under

    @property
    def matches(self) -> bool:
        return self.checksum == self.entry.checksum


def reproduce(app: App, report_id: int) -> Reproduction:
    """Rebuild a registered report from the log as known when it was generated."""
    with app.store.reading() as tx:
        entry = tx.reports.get(report_id)
    if entry is None:
        raise InvalidInput(
            f"there is no report {report_id}; `relations reports list` shows their ids"
        )
    if entry.error is not None or entry.checksum is None:
        raise Refused(f"report {report_id} was never written ({entry.error}): nothing to compare")
    known_at = entry.known_at or (entry.period_end if entry.schedule else entry.generated_at)
    report = build(
        app,
        entry.period_start,
        entry.period_end,
        entry.countries,
        known_at=known_at,
        generated_at=entry.generated_at,
        with_timelines=entry.format == "html",
    )
    text = render(report, entry.format)
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Reproduction(entry, text, checksum, app.rules.digest)


def registered(app: App, schedule: str | None = None) -> list[ReportEntry]:
    with app.store.reading() as tx:
        return tx.reports.entries(schedule)
