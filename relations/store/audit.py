"""The audit trail: who changed the record, when, and how (the `writes` table), and
the retractions each write made."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from relations.store.rows import Write, naive_utc
from relations.store.schema import events, retractions, reviews, writes


class AuditTrail:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        at: datetime,
        by: str,
        action: str,
        description: str,
        details: dict[str, Any] | None = None,
    ) -> int:
        values = {
            "at": naive_utc(at),
            "by": by,
            "action": action,
            "description": description,
            "details": json.dumps(details, sort_keys=True) if details is not None else None,
        }
        result = self.connection.execute(writes.insert().values(**values).returning(writes.c.id))
        return int(result.scalar_one())

    def retract(self, event_ids: Sequence[int], write_id: int, at: datetime, by: str,
                reasons: Sequence[str]) -> None:  # fmt: skip
        rows = [
            {"event_id": event_id, "write_id": write_id, "retracted_at": naive_utc(at), "by": by,
             "reason": reason}
            for event_id, reason in zip(event_ids, reasons, strict=True)
        ]  # fmt: skip
        self.connection.execute(retractions.insert(), rows)

    def entries(self, since: datetime | None = None) -> list[Write]:
        """Every write in the order they were made (from ``since`` on, if given)."""
        query = select(writes).order_by(writes.c.id)
        if since is not None:
            query = query.where(writes.c.at >= naive_utc(since))
        rows = list(self.connection.execute(query))
        if not rows:
            return []
        first = rows[0].id
        appended = {
            row.write_id: (row.low, row.high, row.n)
            for row in self.connection.execute(
                select(
                    events.c.write_id,
                    func.min(events.c.id).label("low"),
                    func.max(events.c.id).label("high"),
                    func.count().label("n"),
                )
                .where(events.c.write_id >= first)
                .group_by(events.c.write_id)
            )
        }
        decided: dict[int, list[int]] = {}
        for row in self.connection.execute(
            select(reviews.c.write_id, reviews.c.event_id)
            .where(reviews.c.write_id >= first)
            .order_by(reviews.c.id)
        ):
            decided.setdefault(row.write_id, []).append(row.event_id)
        withdrawn: dict[int, list[int]] = {}
        for row in self.connection.execute(
            select(retractions.c.write_id, retractions.c.event_id)
            .where(retractions.c.write_id >= first)
            .order_by(retractions.c.id)
        ):
            withdrawn.setdefault(row.write_id, []).append(row.event_id)
        found = []
        for row in rows:
            low, high, count = appended.get(row.id, (None, None, 0))
            found.append(
                Write(
                    id=row.id,
                    at=row.at.replace(tzinfo=UTC),
                    by=row.by,
                    action=row.action,
                    description=row.description,
                    details=json.loads(row.details) if row.details else None,
                    event_ids=[low, high] if count else [],
                    events=count,
                    retracted=withdrawn.get(row.id, []),
                    reviewed=decided.get(row.id, []),
                )
            )
        return found
