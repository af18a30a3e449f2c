"""Reading: a pair's status (now or on a date), its history, all pairs, events, the rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from relations.application import App
from relations.domain.dates import not_after
from relations.domain.errors import InvalidInput
from relations.domain.events import Entry, Event, Pair
from relations.domain.fold import Step, fold
from relations.domain.rules import EventType, Rules
from relations.domain.state import Mission
from relations.services import inputs
from relations.store.rows import ProjectedStatus, StoredStatus


@dataclass(frozen=True, slots=True)
class PairStatus:
    pair: Pair
    status: str
    since: date | None
    as_of: date
    cause: Event | None
    events: int
    known_at: datetime | None = None
    stage: str = ""
    stage_since: date | None = None
    missions: tuple[Mission[date], Mission[date]] = ()  # type: ignore[assignment]
    pending: int = 0  # the pair's events waiting for review (dated up to as_of)
    pending_latest: date | None = None


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One event of a pair's record: what it did, or that it was retracted."""

    entry: Entry
    step: Step[Event] | None  # None for a retracted event: it no longer counts

    @property
    def event(self) -> Event:
        return self.entry.event

    @property
    def effect(self) -> str:
        if self.entry.retraction is not None:
            return "retracted"
        if self.event.review != "confirmed":
            return self.event.review  # pending, dismissed
        if self.step is None:
            return "retracted"
        if not self.step.valid:
            return "invalid"
        return "changed" if self.step.changed else "unchanged"


@dataclass(frozen=True, slots=True)
class PairState:
    pair: Pair
    status: str
    since: date | None
    cause_id: int | None
    events: int
    stage: str = ""
    stage_since: date | None = None
    pending: int = 0  # events waiting for review (`pairs --pending` only)
    pending_latest: date | None = None


def status(
    app: App, a: str, b: str, as_of: date | None = None, known_at: datetime | None = None
) -> PairStatus:
    """The pair's status on ``as_of``, as the database knew it at ``known_at`` (default
    now): a fold of its live events up to then. Without ``as_of``: every event (dated up
    to today anywhere on Earth) counts, and the date shown is today in UTC, or the date
    of the pair's latest event if that is later (dated in a time zone ahead of UTC)."""
    pair = inputs.pair(a, b)
    day = _as_of(app, as_of)
    known_at = inputs.known_at(known_at, app.clock())

    def shown(latest: date | None) -> date:
        if as_of is not None:
            return day
        return max(app.clock().date(), latest or day.min)

    with app.reader.reading() as tx:
        pending = tx.waiting(pair, day, known_at)
        if known_at is None:  # the projections answer with index seeks, if current
            found = tx.status_at(pair, day, app.rules.digest)
            if found is not None and (found.status is None or found.stage is not None):
                projected = _projected(app, pair, shown(found.latest_day), found)
                return replace(projected, pending=pending[0], pending_latest=pending[1])
        log = tx.pair_events(pair, up_to=day, known_at=known_at)
    folded = fold(app.machine, log)
    when = shown(log[-1].occurred_on if log else None)
    return PairStatus(
        pair, folded.status, folded.since, when, folded.cause, len(log), known_at,
        folded.stage, folded.stage_since, folded.missions, *pending,
    )  # fmt: skip


def _projected(app: App, pair: Pair, day: date, found: ProjectedStatus) -> PairStatus:
    """A status as the projections hold it; the initial state where they hold none."""
    rules = app.rules
    initial: Mission[date] = Mission(rules.initial_level, None)
    status = found.status or rules.initial
    stage = found.stage or _initial_stage(rules)
    return PairStatus(
        pair, status, found.since, day, found.cause, found.events, None, stage,
        found.stage_since, found.missions or (initial, initial),
    )  # fmt: skip


def _initial_stage(rules: Rules) -> str:
    """The stage of a pair with no events (without building the machine)."""
    status = rules.initial
    derived = rules.derived.get(status)
    if derived is None:
        return rules.stages_of(status)[0]
    return derived.by_level.get(rules.initial_level, derived.otherwise)


def history(
    app: App, a: str, b: str, as_of: date | None = None, known_at: datetime | None = None
) -> list[HistoryItem]:
    """Every event of the pair in fold order, with the status before and after it;
    retracted events are listed too, marked, without an effect."""
    pair = inputs.pair(a, b)
    day = _as_of(app, as_of) if as_of else None
    known_at = inputs.known_at(known_at, app.clock())
    with app.reader.reading() as tx:
        record = tx.pair_record(pair, up_to=day, known_at=known_at)
    steps = iter(fold(app.machine, [e.event for e in record if e.live]).steps)
    return [HistoryItem(entry, next(steps) if entry.live else None) for entry in record]


def pairs(
    app: App,
    status: str | None = None,
    as_of: date | None = None,
    known_at: datetime | None = None,
    stage: str | None = None,
) -> list[PairState]:
    """Every pair that has events, with its status and stage on ``as_of`` as known at
    ``known_at`` (default: now, from the projection; a pair projected under other rules
    is refolded); only those with ``status`` and ``stage`` if given."""
    wanted = inputs.status(app.rules, status) if status is not None else None
    wanted_stage = inputs.stage(app.rules, stage) if stage is not None else None
    day = _as_of(app, as_of) if as_of else None
    known_at = inputs.known_at(known_at, app.clock())
    digest = app.rules.digest
    found: list[PairState] = []
    with app.store.reading() as tx:
        if day is None and known_at is None:
            stored = [s for s in tx.statuses() if s.event_count]  # not all-retracted pairs
            current = [_state(s) for s in stored if s.rules_digest == digest and s.stage]
            stale = [s.pair for s in stored if s.rules_digest != digest or not s.stage]
            found = current + [_replayed(app, pair, tx.pair_events(pair)) for pair in stale]
        else:
            for pair, log in tx.pair_logs(known_at=known_at):
                if day is not None:
                    log = [e for e in log if e.occurred_on <= day]
                if log:
                    found.append(_replayed(app, pair, log))
    found.sort(key=lambda s: s.pair)
    return [
        s
        for s in found
        if (wanted is None or s.status == wanted)
        and (wanted_stage is None or s.stage == wanted_stage)
    ]


def waiting_pairs(app: App, countries: Sequence[str] = ()) -> list[PairState]:
    """The pairs with events waiting for review, each with its status now (`normal`
    with no confirmed event), how many wait, and the latest one's date."""
    codes = [inputs.country(c) for c in countries]
    initial = _initial_stage(app.rules)
    with app.store.reading() as tx:
        waiting = tx.waiting_pairs(codes)
        stored = {s.pair: s for s in tx.statuses()}
    found = []
    for pair, count, latest in waiting:
        state = stored.get(pair)
        if state is not None and state.rules_digest == app.rules.digest and state.stage:
            base = _state(state)
        elif state is not None:
            with app.store.reading() as tx:
                base = _replayed(app, pair, tx.pair_events(pair))
        else:
            base = PairState(pair, app.rules.initial, None, None, 0, initial)
        found.append(replace(base, pending=count, pending_latest=latest))
    return found


def events(
    app: App,
    *,
    countries: Sequence[str] = (),
    types: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    known_at: datetime | None = None,
) -> list[Event]:
    """Live events (as known at ``known_at``) matching every filter given."""
    codes = [inputs.country(c) for c in countries]
    kinds = [inputs.event_type(app.rules, t) for t in types]
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}")
    known_at = inputs.known_at(known_at, app.clock())
    with app.store.reading() as tx:
        return tx.find_events(countries=codes, types=kinds, start=start, end=end, known_at=known_at)


def _as_of(app: App, as_of: date | None) -> date:
    return not_after(as_of, app.today(), what="--as-of date") if as_of else app.today()


def _state(stored: StoredStatus) -> PairState:
    return PairState(
        stored.pair, stored.status, stored.since, stored.cause_event_id, stored.event_count,
        stored.stage or "", stored.stage_since,
    )  # fmt: skip


def _replayed(app: App, pair: Pair, log: list[Event]) -> PairState:
    folded = fold(app.machine, log)
    cause = folded.cause.id if folded.cause else None
    return PairState(
        pair, folded.status, folded.since, cause, len(log), folded.stage, folded.stage_since
    )


def event_types(app: App) -> list[EventType]:
    return list(app.rules.event_types.values())


def counts(app: App) -> dict[str, int]:
    """Events, retractions, and pairs by status under the rules in force."""
    with app.store.reading() as tx:
        found = {k: v for k, v in tx.counts().items() if k in ("events", "retracted")}
    by_status = Counter(state.status for state in pairs(app))
    return {**found, **{status: by_status[status] for status in app.rules.states}}
