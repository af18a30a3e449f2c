"""Reading: a pair's status (now or on a date), its history, all pairs, events, the rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from relations.bootstrap import App
from relations.domain.dates import not_after
from relations.domain.errors import InvalidInput
from relations.domain.events import Event, Pair
from relations.domain.fold import Step, fold
from relations.domain.rules import EventType
from relations.services import inputs
from relations.store.rows import StoredStatus


@dataclass(frozen=True, slots=True)
class PairStatus:
    pair: Pair
    status: str
    since: date | None
    as_of: date
    cause: Event | None
    events: int


def status(app: App, a: str, b: str, as_of: date | None = None) -> PairStatus:
    """The pair's status on ``as_of`` (default today): a fold of its events up to then."""
    pair = inputs.pair(a, b)
    day = not_after(as_of, app.today(), what="--as-of date") if as_of else app.today()
    with app.reader.reading() as tx:
        log = tx.pair_events(pair, up_to=day)
    folded = fold(app.machine, log)
    return PairStatus(pair, folded.status, folded.since, day, folded.cause, len(log))


def history(app: App, a: str, b: str) -> list[Step[Event]]:
    """Every event of the pair in fold order, each with the status before and after it."""
    pair = inputs.pair(a, b)
    with app.reader.reading() as tx:
        log = tx.pair_events(pair)
    return fold(app.machine, log).steps


def pairs(app: App, status: str | None = None) -> list[StoredStatus]:
    """Every pair that has events, with its current status (from the projection)."""
    wanted = inputs.status(app.machine, status) if status is not None else None
    with app.store.reading() as tx:
        return tx.statuses(wanted)


def events(
    app: App,
    *,
    countries: Sequence[str] = (),
    types: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
) -> list[Event]:
    codes = [inputs.country(c) for c in countries]
    kinds = [inputs.event_type(app.machine, t) for t in types]
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}")
    with app.store.reading() as tx:
        return tx.find_events(countries=codes, types=kinds, start=start, end=end)


def event_types(app: App) -> list[EventType]:
    return list(app.machine.rules.event_types.values())


def counts(app: App) -> dict[str, int]:
    with app.store.reading() as tx:
        return tx.counts()
