"""The registry of report files: what was written, for which period, and what failed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from relations.store.rows import naive_utc
from relations.store.schema import reports


@dataclass(frozen=True, slots=True)
class ReportEntry:
    id: int
    schedule: str | None
    period_start: datetime
    period_end: datetime
    format: str
    countries: list[str]
    path: str
    generated_at: datetime
    checksum: str | None
    error: str | None
    known_at: datetime | None = None  # what it was built from: the log as known then,
    rules_digest: str | None = None  # under these rules
    layout: int = 1  # rendered with this layout (relations.reports.render.LAYOUT)

    @property
    def written(self) -> bool:
        return self.error is None


class ReportRegistry:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, entry: ReportEntry) -> int:
        values = {
            "schedule": entry.schedule,
            "period_start": naive_utc(entry.period_start),
            "period_end": naive_utc(entry.period_end),
            "format": entry.format,
            "countries": json.dumps(entry.countries),
            "path": entry.path,
            "generated_at": naive_utc(entry.generated_at),
            "checksum": entry.checksum,
            "error": entry.error,
            "known_at": naive_utc(entry.known_at) if entry.known_at else None,
            "rules_digest": entry.rules_digest,
            "layout": entry.layout,
        }
        result = self.connection.execute(reports.insert().values(**values).returning(reports.c.id))
        return int(result.scalar_one())

    def last_written_end(self, schedule: str, since: datetime) -> datetime | None:
        """Where the schedule's next period starts: the end of its last written report
        (of this schedule, created at ``since``, not of an older one of the same name)."""
        query = select(func.max(reports.c.period_end)).where(
            reports.c.schedule == schedule,
            reports.c.error.is_(None),
            reports.c.period_start >= naive_utc(since),
        )
        end = self.connection.execute(query).scalar()
        return end.replace(tzinfo=UTC) if end else None

    def get(self, report_id: int) -> ReportEntry | None:
        row = self.connection.execute(select(reports).where(reports.c.id == report_id)).first()
        return _entry(row) if row else None

    def entries(self, schedule: str | None = None) -> list[ReportEntry]:
        query = select(reports).order_by(reports.c.id)
        if schedule is not None:
            query = query.where(reports.c.schedule == schedule)
        return [_entry(row) for row in self.connection.execute(query)]


def _entry(row: Any) -> ReportEntry:
    return ReportEntry(
        id=row.id,
        schedule=row.schedule,
        period_start=row.period_start.replace(tzinfo=UTC),
        period_end=row.period_end.replace(tzinfo=UTC),
        format=row.format,
        countries=json.loads(row.countries),
        path=row.path,
        generated_at=row.generated_at.replace(tzinfo=UTC),
        checksum=row.checksum,
        error=row.error,
        known_at=row.known_at.replace(tzinfo=UTC) if row.known_at else None,
        rules_digest=row.rules_digest,
        layout=row.layout or 1,
    )
