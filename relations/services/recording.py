"""Recording events: validate, append to the log, re-derive the pair's status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from relations.bootstrap import App
from relations.domain.dates import not_after
from relations.domain.errors import InvalidInput, Refused
from relations.domain.events import Event, EventDraft, Pair
from relations.domain.timeline import Timeline, append_to
from relations.services import inputs
from relations.services.audit import AuditedWrite
from relations.services.projection import rederive

if TYPE_CHECKING:
    from relations.store.rows import StoredStatus
    from relations.store.sql import StoreTransaction


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: int
    pair: Pair
    event_type: str
    status_before: str  # the pair's current status, before and after recording
    status_after: str
    created: bool  # False when the same external id and content were already recorded
    on_date: tuple[str, str] = ("", "")  # the pair's status before and after, on its date


def record(
    app: App,
    event_type: str,
    actor: str,
    targets: Sequence[str],
    occurred_on: date,
    *,
    summary: str = "",
    source: str = "",
    external_id: str | None = None,
    by: str | None = None,
) -> list[Recorded]:
    """Record one event per target, all in one transaction or none."""
    who = inputs.author(by)
    kind = inputs.event_type(app.machine, event_type)
    actor_code = inputs.country(actor)
    target_codes = inputs.distinct([inputs.country(t) for t in targets], "target")
    if not target_codes:
        raise InvalidInput("give at least one target country")
    if actor_code in target_codes:
        raise InvalidInput(
            f"a relation needs two different countries: {actor_code} is both actor and target"
        )
    if external_id is not None and len(target_codes) > 1:
        raise InvalidInput("--external-id identifies one event: give a single target with it")
    if external_id is not None and not external_id.strip():
        raise InvalidInput("--external-id must not be empty")
    not_after(occurred_on, app.today(), what="event date")
    drafts = [
        EventDraft(kind, actor_code, code, occurred_on, summary, source, external_id)
        for code in target_codes
    ]
    names = ", ".join(target_codes)
    description = f"record {kind} {actor_code} -> {names} on {occurred_on}"

    def work(tx: StoreTransaction) -> list[Recorded]:
        for pair in sorted({draft.pair for draft in drafts}):  # one lock order: no deadlock
            tx.lock_pair(pair)
        write = AuditedWrite(app, tx, who, "record", description)
        return [_record_one(app, tx, draft, write) for draft in drafts]

    return app.store.write(work)


def _record_one(app: App, tx: StoreTransaction, draft: EventDraft, write: AuditedWrite) -> Recorded:
    pair = draft.pair
    stored = tx.stored_status(pair)
    if draft.external_id is not None:
        existing = tx.by_external_ids([draft.external_id]).get(draft.external_id)
        if existing is not None:
            return _repeat(existing, draft, _status_now(app, tx, stored, pair))
    if stored is not None and _is_latest(app, stored, draft):
        return _append_latest(app, tx, draft, write, stored)
    timeline = Timeline(app.machine, pair, tx.pair_events(pair))
    before = timeline.status
    on_date = timeline.add(draft)
    version = tx.latest_version(pair) + 1
    event_id = tx.append(draft, version, write.at, write.id)
    after = rederive(app, tx, pair, since=draft.occurred_on)
    return Recorded(event_id, pair, draft.event_type, before, after.status, True, on_date)


def _status_now(app: App, tx: StoreTransaction, stored: StoredStatus | None, pair: Pair) -> str:
    if stored is not None and stored.rules_digest == app.machine.rules.digest:
        return stored.status
    return Timeline(app.machine, pair, tx.pair_events(pair)).status


def _is_latest(app: App, stored: StoredStatus, draft: EventDraft) -> bool:
    """Does the event come after every live event of a pair whose projection is current?
    (The common case: then its status alone decides, and the log need not be read.)"""
    return (
        stored.rules_digest == app.machine.rules.digest
        and stored.last_occurred_on is not None
        and draft.occurred_on >= stored.last_occurred_on
    )


def _append_latest(
    app: App, tx: StoreTransaction, draft: EventDraft, write: AuditedWrite, stored: StoredStatus
) -> Recorded:
    """Append an event dated on or after the pair's latest, and extend its projections
    by one step: what a re-derivation would write, without reading the pair's log."""
    pair = draft.pair
    before, after = append_to(app.machine, pair, stored.status, draft)
    version = tx.latest_version(pair) + 1
    event_id = tx.append(draft, version, write.at, write.id)
    tx.add_effect(pair, stored.event_count + 1, event_id, draft.occurred_on, before, after)
    changed = after != before
    tx.save_status(
        replace(
            stored,
            status=after,
            since=draft.occurred_on if changed else stored.since,
            cause_event_id=event_id if changed else stored.cause_event_id,
            event_count=stored.event_count + 1,
            version=version,
            last_occurred_on=draft.occurred_on,
        )
    )
    return Recorded(event_id, pair, draft.event_type, before, after, True, (before, after))


def _repeat(existing: Event, draft: EventDraft, status: str) -> Recorded:
    if existing.fact() != draft.fact():
        fields = ("event_type", "actor", "target", "occurred_on", "summary", "source")
        pairs = zip(fields, existing.fact(), draft.fact(), strict=True)
        differing = [name for name, old, new in pairs if old != new]
        raise Refused(
            f"external id {draft.external_id!r} is already recorded as event {existing.id} "
            f"with a different {', '.join(differing)}; use a new external id for a new event"
        )
    return Recorded(existing.id, draft.pair, draft.event_type, status, status, created=False)
