"""A report's period, and which events are news in it.

A report covers the period [start, end) as the log knew it at ``known_at``: events
recorded after that do not count. ``relations report`` uses the time it runs (what is
known now about any period); a scheduled report uses its period's end, so that what it
says depends only on what was known when the period closed.

An event takes effect at the midnight (UTC) that begins its date. A change is in the
period if it took effect in the period, or if it took effect earlier but was recorded in
the period (late news). With ``known_at`` = the period's end, every change falls in
exactly one of a schedule's consecutive reports: never twice, never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from relations.domain.events import Event


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs time-zone-aware datetimes")

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def before_end(self, day: date) -> bool:
        return day_start(day) < self.end

    @property
    def first_day(self) -> date:
        """The first date whose events take effect in this period."""
        start = self.start.astimezone(UTC)
        return start.date() if start.time() == time.min else start.date() + timedelta(days=1)

    @property
    def last_day(self) -> date:
        """The last date whose events count in this period."""
        end = self.end.astimezone(UTC)
        return end.date() if end.time() != time.min else date.fromordinal(end.toordinal() - 1)

    def occurred_in(self, day: date) -> bool:
        """Did an event of this date take effect in the period?"""
        return self.first_day <= day <= self.last_day


def is_news(period: Period, event: Event) -> bool:
    """The event took effect in the period, or earlier but was recorded in it."""
    effective = day_start(event.occurred_on)
    return period.holds(effective) or (effective < period.start and period.holds(event.recorded_at))


def is_late(period: Period, event: Event) -> bool:
    """Recorded in the period about an earlier date (late news)."""
    return event.occurred_on < period.first_day and period.holds(event.recorded_at)
