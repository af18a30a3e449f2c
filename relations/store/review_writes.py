"""Appending reviews of pending feed events (insert-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from relations.store.runners import stored_moment
from relations.store.schema import reviews


class ReviewWrites:
    connection: Connection

    def add_review(
        self,
        event_id: int,
        write_id: int,
        at: datetime,
        by: str,
        decision: str,
        reason: str,
        event_type: str | None = None,
    ) -> None:
        self.connection.execute(
            reviews.insert().values(
                event_id=event_id, write_id=write_id, reviewed_at=stored_moment(at), by=by,
                decision=decision, event_type=event_type, reason=reason,
            )
        )  # fmt: skip
