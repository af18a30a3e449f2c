"""Correcting the record without destroying it: retractions and corrections.

Nothing is updated or deleted: a retraction is a row of its own, and a correction is a
retraction plus a new event that names the one it supersedes, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from relations.application import App
from relations.domain.corrections import check_removal, check_replacement, plan_retraction
from relations.domain.dates import not_after
from relations.domain.errors import InvalidInput, Refused
from relations.domain.events import Entry, Event, EventDraft, Pair
from relations.domain.rules import Rules
from relations.services import inputs
from relations.services.audit import AuditedWrite
from relations.services.projection import rederive

if TYPE_CHECKING:
    from relations.store.transaction import StoreTransaction


@dataclass(frozen=True, slots=True)
class Retracted:
    event: Event
    cascaded: list[Event]  # later events retracted with it (--cascade), in fold order
    status_before: str  # the pair's current status before and after
    status_after: str


@dataclass(frozen=True, slots=True)
class Corrected:
    old: Event
    new_id: int
    new: EventDraft
    statuses: dict[Pair, tuple[str, str]]  # each pair touched: current status before, after


def retract(
    app: App, event_id: int, reason: str, *, by: str | None = None, cascade: bool = False
) -> Retracted:
    why = inputs.reason(reason)
    who = inputs.author(by)

    def work(tx: StoreTransaction) -> tuple[Event, list[Event], str, str]:
        pair = _live_event(tx, event_id, "retract").pair
        tx.lock_pair(pair)
        event = _live_event(tx, event_id, "retract")  # again: another writer may have won
        live = tx.pair_events(pair)
        before = tx.stored_status(pair)
        withdrawn = plan_retraction(app.machine, live, event, cascade=cascade)
        cascaded = withdrawn[1:]
        extra = f" and {len(cascaded)} later event(s)" if cascaded else ""
        write = AuditedWrite(app, tx, who, "retract", f"retract event {event_id}{extra}: {why}")
        reasons = [why] + [f"{why} (cascade: depended on event {event_id})" for _ in cascaded]
        tx.audit.retract([e.id for e in withdrawn], write.id, write.at, who, reasons)
        after = rederive(app, tx, pair, since=event.occurred_on)
        status_before = before.status if before else app.rules.initial
        return event, cascaded, status_before, after.status

    return Retracted(*app.store.write(work))


def correct(
    app: App,
    event_id: int,
    reason: str,
    *,
    by: str | None = None,
    occurred_on: date | None = None,
    event_type: str | None = None,
    actor: str | None = None,
    target: str | None = None,
    summary: str | None = None,
    source: str | None = None,
    via: str | None = None,
) -> Corrected:
    why = inputs.reason(reason)
    who = inputs.author(by)
    changes: dict[str, object] = {}
    if occurred_on is not None:
        changes["occurred_on"] = not_after(occurred_on, app.today(), what="event date")
    if event_type is not None:
        changes["event_type"] = inputs.event_type(app.rules, event_type)
    if actor is not None:
        changes["actor"] = inputs.country(actor)
    if target is not None:
        changes["target"] = inputs.country(target)
    if summary is not None:
        changes["summary"] = summary
    if source is not None:
        changes["source"] = source
    if via is not None:
        changes["via"] = inputs.country(via)
    if not changes:
        raise InvalidInput(
            "a correction needs at least one of --on, --type, --actor, --target, --summary, "
            "--source, --via"
        )

    def work(tx: StoreTransaction) -> Corrected:
        old = _live_event(tx, event_id, "correct")
        draft = _corrected(app.rules, old, changes)
        if draft.fact() == old.fact():
            raise InvalidInput(
                f"the correction changes nothing: event {event_id} already says that "
                "(give a field with a different value)"
            )
        pairs = sorted({old.pair, draft.pair})
        for pair in pairs:
            tx.lock_pair(pair)
        _live_event(tx, event_id, "correct")  # again, under the lock: another may have won
        before = {pair: _status(app, tx, pair) for pair in pairs}
        if draft.pair == old.pair:
            check_replacement(app.machine, tx.pair_events(old.pair), old, draft)
        else:
            check_removal(app.machine, tx.pair_events(old.pair), old, verb="moving")
            check_replacement(app.machine, tx.pair_events(draft.pair), None, draft)
        description = f"correct event {event_id}: {why}"
        write = AuditedWrite(app, tx, who, "correct", description)
        tx.audit.retract([old.id], write.id, write.at, who, [f"corrected: {why}"])
        version = tx.latest_version(draft.pair) + 1
        new_id = tx.append(draft, version, write.at, write.id, supersedes=old.id)
        after = {
            pair: rederive(app, tx, pair, since=min(old.occurred_on, draft.occurred_on)).status
            for pair in pairs
        }
        statuses = {pair: (before[pair], after[pair]) for pair in pairs}
        return Corrected(old, new_id, draft, statuses)

    return app.store.write(work)


def _live_event(tx: StoreTransaction, event_id: int, verb: str) -> Event:
    entry: Entry | None = tx.event(inputs.event_id(event_id))
    if entry is None:
        raise InvalidInput(f"there is no event {event_id}; `relations events` lists their ids")
    if entry.retraction is not None:
        done = entry.retraction
        corrected = f", corrected by event {entry.superseded_by}" if entry.superseded_by else ""
        raise Refused(
            f"cannot {verb} event {event_id}: it was retracted at {done.at:%Y-%m-%d %H:%M:%S} "
            f"UTC by {done.by}{corrected} ({done.reason})"
        )
    if entry.event.review != "confirmed":
        what = "awaits review" if entry.event.review == "pending" else "was dismissed"
        raise Refused(
            f"cannot {verb} event {event_id}: it {what} and does not count; "
            "`relations confirm` or `relations dismiss` decide a feed signal"
        )
    return entry.event


def _corrected(rules: Rules, old: Event, changes: dict[str, object]) -> EventDraft:
    """The old event with the changes applied. A correction carries no external id: the
    original keeps it, so re-importing the same feed finds it and adds nothing."""
    draft = EventDraft(
        old.event_type, old.actor, old.target, old.occurred_on, old.summary, old.source,
        via=old.via,
    )  # fmt: skip
    draft = replace(draft, **changes)  # type: ignore[arg-type]
    Pair.of(draft.actor, draft.target)  # refuses an actor equal to the target
    takes_via = rules.event_types[draft.event_type].takes_via
    if not takes_via and "via" not in changes:
        draft = replace(draft, via=None)  # the third country went with the old type
    third = inputs.via(rules, draft.event_type, draft.actor, draft.target, draft.via)
    return replace(draft, via=third)


def _status(app: App, tx: StoreTransaction, pair: Pair) -> str:
    stored = tx.stored_status(pair)
    return stored.status if stored else app.rules.initial
