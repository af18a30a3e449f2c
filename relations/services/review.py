"""Feeds as evidence, not verdicts: the signals waiting for review, and an analyst's
decisions on them.

A feed event is recorded `pending`: it is shown (history, review, reports) but changes
no status, stage or mission. Confirming it makes it count from then on, as its own
type or as another (a "relations_reduced" row that really was a break), re-deriving
its pair as for a backdated record; dismissing it keeps it in the log and in history,
never counting. Each decision is appended to `reviews` and the audit log, in one
transaction; `--known-at` before it sees the event pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from relations.application import App
from relations.domain.corrections import check_confirmation
from relations.domain.errors import InvalidInput, Refused
from relations.domain.events import Event, Pair
from relations.services import inputs
from relations.services.audit import AuditedWrite
from relations.services.projection import rederive

if TYPE_CHECKING:
    from relations.store.transaction import StoreTransaction

DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Decided:
    event: Event  # as it was, pending
    decision: str  # confirmed, dismissed
    as_type: str | None  # confirmed as this type (None: its own)
    status_before: str  # the pair's current status before and after
    status_after: str


def queue(
    app: App,
    *,
    countries: Sequence[str] = (),
    types: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
) -> list[Event]:
    """The events waiting for review, most evidence first."""
    codes = [inputs.country(c) for c in countries]
    kinds = [inputs.event_type(app.rules, t) for t in types]
    if limit < 1:
        raise InvalidInput("--limit must be 1 or more")
    with app.reader.reading() as tx:
        return tx.pending_events(countries=codes, types=kinds, limit=limit)


def confirm(
    app: App,
    event_ids: Sequence[int],
    *,
    event_type: str | None = None,
    reason: str = "",
    by: str | None = None,
) -> list[Decided]:
    """Confirm pending events (as ``event_type`` if given), all or none: refused if one
    would make a later event of its pair invalid, naming it."""
    who = inputs.author(by)
    why = inputs.note("--reason", reason)
    as_type = inputs.event_type(app.rules, event_type) if event_type is not None else None
    if as_type is not None and app.rules.event_types[as_type].takes_via:
        raise InvalidInput(
            f"a feed event cannot be confirmed as {as_type}: it names no third country"
        )
    ids = _distinct(event_ids)

    def work(tx: StoreTransaction) -> list[Decided]:
        waiting = _waiting(tx, ids, "confirm")
        pairs = sorted({e.pair for e in waiting})
        for pair in pairs:  # one lock order: no deadlock
            tx.lock_pair(pair)
        waiting = _waiting(tx, ids, "confirm")  # again, under the lock
        before = {pair: _status(app, tx, pair) for pair in pairs}
        for pair in pairs:  # refused if not allowed, or if a later event would break
            mine = [_as(e, as_type) for e in waiting if e.pair == pair]
            check_confirmation(app.machine, tx.pair_events(pair), mine)
        what = f"confirm event(s) {_list(ids)}" + (f" as {as_type}" if as_type else "")
        write = AuditedWrite(app, tx, who, "confirm", what + (f": {why}" if why else ""))
        for event in waiting:
            tx.add_review(event.id, write.id, write.at, who, "confirmed", why, as_type)
        after = {
            pair: rederive(app, tx, pair, since=min(e.occurred_on for e in waiting
                                                    if e.pair == pair)).status
            for pair in pairs
        }  # fmt: skip
        return [Decided(e, "confirmed", as_type, before[e.pair], after[e.pair]) for e in waiting]

    return app.store.write(work)


def dismiss(
    app: App, event_ids: Sequence[int], *, reason: str, by: str | None = None
) -> list[Decided]:
    """Dismiss pending events: they stay in the log and in history, and never count."""
    who = inputs.author(by)
    why = inputs.reason(reason)
    ids = _distinct(event_ids)

    def work(tx: StoreTransaction) -> list[Decided]:
        waiting = _waiting(tx, ids, "dismiss")
        write = AuditedWrite(app, tx, who, "dismiss", f"dismiss event(s) {_list(ids)}: {why}")
        for event in waiting:
            tx.add_review(event.id, write.id, write.at, who, "dismissed", why)
        return [Decided(e, "dismissed", None, *(2 * (_status(app, tx, e.pair),))) for e in waiting]

    return app.store.write(work)


def _waiting(tx: StoreTransaction, ids: list[int], verb: str) -> list[Event]:
    """The events, each waiting for review: an unknown id is malformed (exit 2); an
    event that is not waiting (confirmed, dismissed, retracted) is refused (exit 1)."""
    found = []
    for event_id in ids:
        entry = tx.event(event_id)
        if entry is None:
            raise InvalidInput(
                f"there is no event {event_id}; `relations review` lists the events waiting"
            )
        event = entry.event
        if entry.retraction is not None:
            raise Refused(f"cannot {verb} event {event_id}: it was retracted")
        if event.review != "pending":
            done = entry.review
            how = (
                f"it was {event.review} at {done.at:%Y-%m-%d %H:%M:%S} UTC by {done.by}"
                if done
                else "it was recorded confirmed, not from a feed awaiting review"
            )
            raise Refused(f"cannot {verb} event {event_id}: {how}; nothing was written")
        found.append(event)
    return found


def _distinct(event_ids: Sequence[int]) -> list[int]:
    if not event_ids:
        raise InvalidInput("give at least one event id (`relations review` lists them)")
    ids = list(dict.fromkeys(inputs.event_id(i) for i in event_ids))
    if len(ids) != len(event_ids):
        raise InvalidInput("an event id is given twice")
    return ids


def _as(event: Event, as_type: str | None) -> Event:
    from dataclasses import replace

    return replace(event, event_type=as_type or event.event_type, review="confirmed")


def _status(app: App, tx: StoreTransaction, pair: Pair) -> str:
    stored = tx.stored_status(pair)
    return stored.status if stored else app.rules.initial


def _list(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f" (+{len(ids) - 10})" if len(ids) > 10 else "")
