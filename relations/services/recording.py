"""Recording events: validate, append to the log, re-derive the pair's status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from relations.application import App
from relations.domain.dates import not_after
from relations.domain.errors import InvalidInput, Refused
from relations.domain.events import Event, EventDraft, Pair
from relations.domain.timeline import Timeline, append_to
from relations.services import inputs
from relations.services.audit import AuditedWrite
from relations.services.projection import rederive

if TYPE_CHECKING:
    from relations.domain.state import RelationState
    from relations.store.rows import StoredStatus
    from relations.store.transaction import StoreTransaction


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: int
    pair: Pair
    event_type: str
    status_before: str  # the pair's current status, before and after recording
    status_after: str
    created: bool  # False when the same external id and content were already recorded
    on_date: tuple[str, str] = ("", "")  # the pair's status before and after, on its date
    stage_before: str = ""  # the pair's current stage, before and after recording
    stage_after: str = ""
    on_date_stages: tuple[str, str] = ("", "")  # its stage before and after, on its date


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
    via: str | None = None,
    allow_duplicate: bool = False,
) -> list[Recorded]:
    """Record one event per target, all in one transaction or none. ``via``: the third
    country of a protecting_power_appointed (required there, refused elsewhere). An
    event without an external id that says exactly what a recorded one says is refused
    as a duplicate, unless ``allow_duplicate`` (two such events do happen: two notes
    on one day)."""
    who = inputs.author(by)
    kind = inputs.event_type(app.rules, event_type)
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
    via_codes = [inputs.via(app.rules, kind, actor_code, code, via) for code in target_codes]
    not_after(occurred_on, app.today(), what="event date")
    drafts = [
        EventDraft(kind, actor_code, code, occurred_on, summary, source, external_id, via=third)
        for code, third in zip(target_codes, via_codes, strict=True)
    ]
    names = ", ".join(target_codes)
    description = f"record {kind} {actor_code} -> {names} on {occurred_on}"

    def work(tx: StoreTransaction) -> list[Recorded]:
        for pair in sorted({draft.pair for draft in drafts}):  # one lock order: no deadlock
            tx.lock_pair(pair)
        if not allow_duplicate:
            for draft in drafts:
                _refuse_duplicate(tx, draft)
        write = AuditedWrite(app, tx, who, "record", description)
        return [_record_one(app, tx, draft, write) for draft in drafts]

    return app.store.write(work)


def _refuse_duplicate(tx: StoreTransaction, draft: EventDraft) -> None:
    if draft.external_id is not None:
        return  # an external id is its own check: the same id is the same event
    same = tx.same_event(draft)
    if same is not None:
        raise Refused(
            f"event {same.id} already says this ({same.event_type} {same.actor} -> "
            f"{same.target} on {same.occurred_on}, same summary and source); record it "
            "again with --allow-duplicate if it happened twice"
        )


def _record_one(app: App, tx: StoreTransaction, draft: EventDraft, write: AuditedWrite) -> Recorded:
    pair = draft.pair
    stored = tx.stored_status(pair)
    if draft.external_id is not None:
        existing = tx.by_external_ids([draft.external_id]).get(draft.external_id)
        if existing is not None:
            return _repeat(existing, draft, _status_now(app, tx, stored, pair))
    if stored is not None and _is_latest(app, stored, draft):
        state = _stored_state(app, stored)
        if state is not None:
            return _append_latest(app, tx, draft, write, stored, state)
    timeline = Timeline(app.machine, pair, tx.pair_events(pair))
    before = timeline.state
    on_before, on_after = timeline.add(draft)
    version = tx.latest_version(pair) + 1
    event_id = tx.append(draft, version, write.at, write.id)
    after = rederive(app, tx, pair, since=draft.occurred_on)
    return Recorded(
        event_id, pair, draft.event_type, before.status, after.status, True,
        (on_before.status, on_after.status), before.stage, after.stage or "",
        (on_before.stage, on_after.stage),
    )  # fmt: skip


def _status_now(
    app: App, tx: StoreTransaction, stored: StoredStatus | None, pair: Pair
) -> tuple[str, str]:
    if stored is not None and stored.rules_digest == app.rules.digest and stored.stage:
        return stored.status, stored.stage
    state = Timeline(app.machine, pair, tx.pair_events(pair)).state
    return state.status, state.stage


def _stored_state(app: App, stored: StoredStatus) -> RelationState[date] | None:
    """The stored state in the kernel's terms (its cause an event id), if it can be."""
    if stored.stage is None or stored.missions is None:
        return None
    return app.machine.kernel.state_at(
        stored.status, stored.stage, stored.missions, stored.since, stored.cause_event_id,
        stored.stage_since,
    )  # fmt: skip


def _is_latest(app: App, stored: StoredStatus, draft: EventDraft) -> bool:
    """Does the event come after every live event of a pair whose projection is current?
    (The common case: then its status alone decides, and the log need not be read.)"""
    return (
        stored.rules_digest == app.rules.digest
        and stored.last_occurred_on is not None
        and draft.occurred_on >= stored.last_occurred_on
    )


def _append_latest(
    app: App,
    tx: StoreTransaction,
    draft: EventDraft,
    write: AuditedWrite,
    stored: StoredStatus,
    state: RelationState[date],
) -> Recorded:
    """Append an event dated on or after the pair's latest, and extend its projections
    by one step: what a re-derivation would write, without reading the pair's log."""
    pair = draft.pair
    before, after = append_to(app.machine, pair, state, draft)
    version = tx.latest_version(pair) + 1
    event_id = tx.append(draft, version, write.at, write.id)
    if after.cause is draft:
        after = replace(after, cause=event_id)
    tx.add_effect(pair, stored.event_count + 1, event_id, draft.occurred_on, before, after)
    tx.save_status(
        replace(
            stored,
            status=after.status,
            since=after.since,
            cause_event_id=after.cause,
            event_count=stored.event_count + 1,
            version=version,
            last_occurred_on=draft.occurred_on,
            stage=after.stage,
            stage_since=after.stage_since,
            missions=after.missions,
        )
    )
    return Recorded(
        event_id, pair, draft.event_type, before.status, after.status, True,
        (before.status, after.status), before.stage, after.stage, (before.stage, after.stage),
    )  # fmt: skip


def _repeat(existing: Event, draft: EventDraft, now: tuple[str, str]) -> Recorded:
    if existing.fact() != draft.fact():
        fields = ("event_type", "actor", "target", "occurred_on", "summary", "source", "via")
        pairs = zip(fields, existing.fact(), draft.fact(), strict=True)
        differing = [name for name, old, new in pairs if old != new]
        raise Refused(
            f"external id {draft.external_id!r} is already recorded as event {existing.id} "
            f"with a different {', '.join(differing)}; use a new external id for a new event"
        )
    status, stage = now
    return Recorded(
        existing.id, draft.pair, draft.event_type, status, status, created=False,
        stage_before=stage, stage_after=stage,
    )  # fmt: skip
