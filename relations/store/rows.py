"""Plain values the store reads and writes, importable without SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from relations.domain.events import EventDraft, Pair


@dataclass(frozen=True, slots=True)
class StoredStatus:
    pair: Pair
    status: str
    since: date | None
    cause_event_id: int | None
    event_count: int
    version: int
    rules_digest: str


@dataclass(frozen=True, slots=True)
class Appended:
    draft: EventDraft
    version: int
