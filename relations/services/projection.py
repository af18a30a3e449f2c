"""Keeping the projections (pair_status, event_effects) equal to a fold of the log."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from relations.application import App
from relations.domain.events import Event, Pair
from relations.domain.fold import fold
from relations.store.rows import StoredStatus

if TYPE_CHECKING:
    from relations.store.transaction import StoreTransaction


def rederive(app: App, tx: StoreTransaction, pair: Pair, since: date | None = None) -> StoredStatus:
    """Re-derive the pair's projections from its whole live log.

    ``since``: the earliest date whose events changed; effects before it stay as they are
    (a fold is sequential, so nothing earlier can have moved).
    """
    stored = tx.stored_status(pair)
    if stored is None or stored.rules_digest != app.rules.digest:
        since = None  # effects before ``since`` were folded under other rules: redo them all
    return project(app, tx, pair, tx.pair_events(pair), since)


def project(
    app: App, tx: StoreTransaction, pair: Pair, log: list[Event], since: date | None = None
) -> StoredStatus:
    """Store the projections of ``log``, the pair's live events in fold order."""
    folded = fold(app.machine, log)
    stored = StoredStatus(
        pair=pair,
        status=folded.status,
        since=folded.since,
        cause_event_id=folded.cause.id if folded.cause else None,
        event_count=len(log),
        version=tx.latest_version(pair),
        rules_digest=app.rules.digest,
        last_occurred_on=log[-1].occurred_on if log else None,
        stage=folded.stage,
        stage_since=folded.stage_since,
        missions=folded.missions,
    )
    tx.save_status(stored)
    tx.save_effects(pair, folded.steps, since)
    return stored
