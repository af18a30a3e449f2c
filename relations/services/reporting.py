"""Building reports from the log, writing them atomically, registering them."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from relations.bootstrap import App
from relations.domain.errors import InvalidInput, RelationsError
from relations.domain.events import Pair
from relations.reports.model import (
    MARKER_LIMIT,
    Facts,
    Period,
    Report,
    Standing,
    StatusChange,
    TimelineInput,
    assemble,
    facts_from_logs,
    ordered,
    timeline_input,
    timeline_pairs,
)
from relations.reports.render import render
from relations.services import inputs
from relations.store.report_registry import ReportEntry

if TYPE_CHECKING:
    from relations.store.sql import StoreTransaction

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
    try:
        start = start or end - DEFAULT_SPAN
    except OverflowError:
        raise InvalidInput(
            f"--to {end.date()} leaves no room for a 7-day period; give --from"
        ) from None
    if end > now:
        raise InvalidInput(f"--to {end.isoformat()} is in the future (now is {now.isoformat()})")
    if start >= end:
        raise InvalidInput(f"--from {start.isoformat()} must be before --to {end.isoformat()}")
    cutoff = known_at or now
    codes = sorted({inputs.country(c) for c in countries})
    period = Period(start, end)
    with app.store.reading() as tx:
        if projections_answer(app, tx, cutoff):
            facts = facts_from_projections(app, tx, period, codes)
            sources = timelines_from_projections(tx, timeline_pairs(facts), period)
        else:
            facts = facts_from_logs(app.machine, tx.pair_logs(codes), period, cutoff, codes)
            sources = {}
            for pair in timeline_pairs(facts):
                log = tx.pair_events(pair, up_to=period.last_day)
                known = [e for e in log if e.recorded_at <= cutoff]
                if known:
                    sources[pair] = timeline_input(app.machine, known, period.first_day)
    return assemble(app.machine, facts, sources, period, now, cutoff, codes)


def projections_answer(app: App, tx: StoreTransaction, known_at: datetime) -> bool:
    """The projections equal a replay as known at ``known_at``: nothing was recorded
    after it, and every pair was projected under the rules in force."""
    queries = tx.projections
    latest = queries.latest_recorded_at()
    if latest is not None and latest > known_at:
        return False
    return queries.rules_digests() <= {app.machine.rules.digest}


def timelines_from_projections(
    tx: StoreTransaction, pairs: Sequence[Pair], period: Period
) -> dict[Pair, TimelineInput]:
    sources = {}
    for pair in pairs:
        first_day, changes, markers = tx.projections.timeline_rows(
            pair, period.last_day, period.first_day, MARKER_LIMIT
        )
        if first_day is not None:
            sources[pair] = TimelineInput(first_day, changes, markers)
    return sources


def facts_from_projections(
    app: App, tx: StoreTransaction, period: Period, countries: Sequence[str]
) -> Facts:
    """The report's facts from event_effects and pair_status, by index seeks."""
    queries = tx.projections
    last_day = period.last_day
    first_day = period.first_day
    statuses = queries.statuses_at(last_day, countries)
    counts = Counter(status for _, status, _ in statuses)
    standing = [
        Standing(pair, status, cause.occurred_on, (last_day - cause.occurred_on).days, cause)
        for pair, status, cause in statuses
        if status != app.machine.initial and cause is not None
    ]
    changes = [
        StatusChange(e.pair, before, after, e.occurred_on, e)
        for e, before, after in queries.changes(first_day, last_day, period.start, period.end,
                                                countries)
    ]  # fmt: skip
    recorded = queries.recorded(period.start, period.end, countries)
    return ordered(app.machine, Facts(dict(counts), changes, standing, recorded))


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
    )
    with app.store.writing() as tx:
        report_id = tx.reports.add(entry)
    registered_entry = replace(entry, id=report_id)
    if error:
        raise ReportNotWritten(registered_entry)
    return registered_entry


class ReportNotWritten(RelationsError):
    def __init__(self, entry: ReportEntry) -> None:
        super().__init__(entry.error or "report not written")
        self.entry = entry


def registered(app: App, schedule: str | None = None) -> list[ReportEntry]:
    with app.store.reading() as tx:
        return tx.reports.entries(schedule)
