"""Appending to the event log (insert-only) and serialising writers per pair."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from relations.domain.events import EventDraft, Pair
from relations.store.runners import stored_moment
from relations.store.schema import events


class EventLogWrites:
    connection: Connection
    dialect: str

    def lock_pair(self, pair: Pair) -> None:
        """Serialise writers per pair. SQLite already serialises all writers."""
        if self.dialect == "postgresql":
            key = int.from_bytes(hashlib.sha1(str(pair).encode()).digest()[:8], "big", signed=True)
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def append(
        self,
        draft: EventDraft,
        version: int,
        recorded_at: datetime,
        write_id: int,
        supersedes: int | None = None,
    ) -> int:
        row = {**event_row(draft, version, recorded_at, write_id), "supersedes": supersedes}
        result = self.connection.execute(events.insert().values(**row).returning(events.c.id))
        return int(result.scalar_one())


def event_row(
    draft: EventDraft, version: int, recorded_at: datetime, write_id: int
) -> dict[str, Any]:
    pair = draft.pair
    feed = draft.feed
    return {
        "write_id": write_id,
        "pair_first": pair.first,
        "pair_second": pair.second,
        "version": version,
        "event_type": draft.event_type,
        "actor": draft.actor,
        "target": draft.target,
        "occurred_on": draft.occurred_on,
        "summary": draft.summary,
        "source": draft.source,
        "external_id": draft.external_id,
        "source_rows": feed.source_rows if feed else None,
        "source_score": feed.source_score if feed else None,
        "source_event_id": feed.source_event_id if feed else None,
        "source_articles": feed.articles if feed else None,
        "source_sources": feed.sources if feed else None,
        "via": draft.via,
        "review": draft.review,
        "recorded_at": stored_moment(recorded_at),
    }
