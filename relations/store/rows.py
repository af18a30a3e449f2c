"""Plain values the store reads and writes, importable without SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from relations.domain.events import Event, Pair
from relations.domain.state import Mission


@dataclass(frozen=True, slots=True)
class StoredStatus:
    pair: Pair
    status: str
    since: date | None
    cause_event_id: int | None
    event_count: int
    version: int
    rules_digest: str
    last_occurred_on: date | None = None  # the date of its latest live event
    stage: str | None = None  # None: stored before stages (under older rules)
    stage_since: date | None = None
    missions: tuple[Mission[date], Mission[date]] | None = None


@dataclass(frozen=True, slots=True)
class ProjectedStatus:
    """A pair's state on a date as the projections hold it (status None: the pair
    had no event by then, so it is in the initial state)."""

    status: str | None
    since: date | None
    cause: Event | None
    events: int
    stage: str | None = None
    stage_since: date | None = None
    missions: tuple[Mission[date], Mission[date]] | None = None  # None: the initial ones
    latest_day: date | None = None  # the date of the pair's latest event by then


def naive_utc(moment: datetime) -> datetime:
    """How every timestamp is stored: naive, in UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Write:
    id: int
    at: datetime
    by: str
    action: str  # record, import, retract, correct, reproject
    description: str
    details: dict[str, Any] | None = None
    event_ids: list[int] = field(default_factory=list)  # first and last id appended, if any
    events: int = 0  # how many it appended
    retracted: list[int] = field(default_factory=list)  # the events it retracted
    reviewed: list[int] = field(default_factory=list)  # the events it confirmed or dismissed
