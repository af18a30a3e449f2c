"""Writing the projections of the log: each pair's stored status (pair_status) and what
each event did to its pair (event_effects). Always equal to a fold of the log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete

from relations.domain.events import Event, Pair
from relations.domain.fold import Step
from relations.domain.state import RelationState
from relations.store import state_codec
from relations.store.rows import StoredStatus
from relations.store.schema import event_effects, pair_status

BATCH = 5_000


class ProjectionWrites:
    connection: Connection
    dialect: str

    def save_status(self, stored: StoredStatus) -> None:
        values = {
            "pair_first": stored.pair.first,
            "pair_second": stored.pair.second,
            "status": stored.status,
            "since": stored.since,
            "cause_event_id": stored.cause_event_id,
            "event_count": stored.event_count,
            "version": stored.version,
            "rules_digest": stored.rules_digest,
            "last_occurred_on": stored.last_occurred_on,
            "stage": stored.stage,
            "stage_since": stored.stage_since,
            "state": (
                None
                if stored.missions is None
                else state_codec.encode(
                    stored.since, stored.cause_event_id, stored.stage_since, stored.missions
                )
            ),
        }
        # Import only the dialect in use: the PostgreSQL one pulls in asyncio (~30 ms).
        statement: Any
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as postgresql_insert

            statement = postgresql_insert(pair_status).values(**values)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(pair_status).values(**values)
        keys = ("pair_first", "pair_second")
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={k: v for k, v in values.items() if k not in keys},
        )
        self.connection.execute(statement)

    def clear_projections(self, *, effects: bool = True) -> None:
        """Empty pair_status and (unless told not to) event_effects, to rebuild them
        from the log."""
        if effects:
            self.connection.execute(delete(event_effects))
        self.connection.execute(delete(pair_status))

    def save_effects(self, pair: Pair, steps: Sequence[Step[Event]], since: date | None) -> None:
        """Replace the pair's event_effects rows dated ``since`` or later (all if None)."""
        stale = delete(event_effects).where(
            event_effects.c.pair_first == pair.first, event_effects.c.pair_second == pair.second
        )
        numbered = list(enumerate(steps, start=1))
        if since is not None:
            stale = stale.where(event_effects.c.occurred_on >= since)
            numbered = [(n, s) for n, s in numbered if s.event.occurred_on >= since]
        self.connection.execute(stale)
        rows = [
            effect_row(pair, n, step.event.id, step.event.occurred_on, step.state_before,
                       step.state_after, step.valid)
            for n, step in numbered
        ]  # fmt: skip
        for start in range(0, len(rows), BATCH):
            self.connection.execute(event_effects.insert(), rows[start : start + BATCH])

    def add_effect(
        self,
        pair: Pair,
        position: int,
        event_id: int,
        occurred_on: date,
        before: RelationState[date],
        after: RelationState[date],
    ) -> None:
        """Add the effect of the pair's new latest (valid) event, at ``position`` in its
        fold: what ``save_effects`` would add for it, without rewriting the others."""
        row = effect_row(pair, position, event_id, occurred_on, before, after, True)
        self.connection.execute(event_effects.insert().values(**row))


def effect_row(
    pair: Pair,
    position: int,
    event_id: int,
    occurred_on: date,
    before: RelationState[date],
    after: RelationState[date],
    valid: bool,
) -> dict[str, Any]:
    return {
        "position": position,
        "event_id": event_id,
        "pair_first": pair.first,
        "pair_second": pair.second,
        "occurred_on": occurred_on,
        "status_before": before.status,
        "status_after": after.status,
        "stage_before": before.stage,
        "stage_after": after.stage,
        "valid": valid,
        "changed": after.status != before.status,
        "state": None if after is before else state_text(after),
    }


def state_text(state: RelationState[date]) -> str:
    """The state as stored; its cause is an event (or already an event id)."""
    cause = state.cause
    cause_id = cause if cause is None or isinstance(cause, int) else cause.id
    return state_codec.encode(state.since, cause_id, state.stage_since, state.missions)
