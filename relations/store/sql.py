"""The SQL store: the event log and the status projection, on SQLite or PostgreSQL."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, and_, delete, exists, func, or_, select, text
from sqlalchemy.exc import DBAPIError

from relations.domain.errors import RelationsError
from relations.domain.events import Entry, Event, EventDraft, FeedExtras, Pair, Retraction
from relations.domain.fold import Step
from relations.store.engine import WRITE
from relations.store.report_registry import ReportRegistry
from relations.store.rows import ProjectedStatus, StoredStatus, naive_utc
from relations.store.schema import event_effects, events, pair_status, retractions

if TYPE_CHECKING:
    from relations.store.audit import AuditTrail
    from relations.store.projection_queries import ProjectionQueries

T = TypeVar("T")
BATCH = 5_000
# The advisory lock every PostgreSQL write transaction holds in shared mode.
WRITERS = int.from_bytes(hashlib.sha1(b"relations writers").digest()[:8], "big", signed=True)


# Contention a write may meet and should simply try again: SQLite's lock still held
# after the busy timeout; PostgreSQL's serialization failure and deadlock (SQLSTATE).
RETRY_BUDGET = 60.0  # seconds, over all attempts of one write (past SQLite's 30 s busy wait)
_RETRYABLE_STATES = ("40001", "40P01")


class Busy(RelationsError):
    """The database stayed busy with other writes for the whole retry budget."""

    exit_code = 1


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, work: Callable[[StoreTransaction], T], *, alone: bool = False) -> T:
        """Run ``work`` in one write transaction; if the database is busy with other
        writers (a lock held too long, a deadlock, a serialization failure), roll back
        and run it again, with growing pauses, for up to RETRY_BUDGET seconds; then
        raise Busy, a clear error that says to try again. ``work`` must have no effect
        outside the transaction."""
        deadline = time.monotonic() + RETRY_BUDGET
        pause = 0.02
        while True:
            try:
                with self.writing(alone=alone) as tx:
                    return work(tx)
            except DBAPIError as exc:
                if not contention(exc):
                    raise
                if time.monotonic() + pause > deadline:
                    raise Busy(
                        "the database stayed busy with other writes for "
                        f"{RETRY_BUDGET:.0f} s; nothing was written, try again"
                    ) from None
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def writing_once(self, *, alone: bool = False) -> Iterator[StoreTransaction]:
        """``writing`` for work that cannot simply be run again (an import streams its
        file): contention is reported as Busy, a clear error, instead of retried."""
        try:
            with self.writing(alone=alone) as tx:
                yield tx
        except DBAPIError as exc:
            if not contention(exc):
                raise
            raise Busy(
                "the database is busy with other writes; nothing was written, try again"
            ) from None

    @contextmanager
    def writing(self, *, alone: bool = False) -> Iterator[StoreTransaction]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits on success.

        On PostgreSQL it first takes the writers' lock in shared mode, before anything
        reads the clock for ``recorded_at``: see ``wait_for_writers``. ``alone`` takes it
        exclusively instead, for a write over every pair (SQLite has one writer anyway).
        """
        connection = self.engine.connect().execution_options(**{WRITE: True})
        with connection, connection.begin():
            if connection.dialect.name == "postgresql":
                lock = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
                connection.execute(text(f"SELECT {lock}(:k)"), {"k": WRITERS})
            yield StoreTransaction(connection)

    def wait_for_writers(self) -> None:
        """Return once every write transaction that was under way has committed or
        rolled back. Events are stamped ``recorded_at`` inside their transaction, before
        it commits; after this, every event stamped before now is visible, so a report
        "as known at T" (T in the past) cannot miss one that commits late.
        SQLite: take the one write lock and let it go. PostgreSQL: take the writers'
        lock exclusively, which waits for every shared holder, and let it go.
        """
        connection = self.engine.connect().execution_options(**{WRITE: True})
        with connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITERS})

    @contextmanager
    def reading(self) -> Iterator[StoreTransaction]:
        """A read-only transaction: one consistent snapshot."""
        with self.engine.connect() as connection, connection.begin():
            yield StoreTransaction(connection)


class StoreTransaction:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name

    # -- writing ----------------------------------------------------------------

    def lock_pair(self, pair: Pair) -> None:
        """Serialise writers per pair. SQLite already serialises all writers."""
        if self.dialect == "postgresql":
            key = int.from_bytes(hashlib.sha1(str(pair).encode()).digest()[:8], "big", signed=True)
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def latest_version(self, pair: Pair) -> int:
        query = select(func.coalesce(func.max(events.c.version), 0)).where(_is_pair(pair))
        return int(self.connection.execute(query).scalar_one())

    def append(
        self,
        draft: EventDraft,
        version: int,
        recorded_at: datetime,
        write_id: int,
        supersedes: int | None = None,
    ) -> int:
        row = {**_row(draft, version, recorded_at, write_id), "supersedes": supersedes}
        result = self.connection.execute(events.insert().values(**row).returning(events.c.id))
        return int(result.scalar_one())

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

    def clear_projections(self) -> None:
        """Empty pair_status and event_effects, to rebuild them from the log."""
        self.connection.execute(delete(event_effects))
        self.connection.execute(delete(pair_status))

    def invalid_event_ids(self) -> set[int]:
        """Events the projection holds as invalid under the rules it was built with."""
        query = select(event_effects.c.event_id).where(event_effects.c.valid.is_(False))
        return {row[0] for row in self.connection.execute(query)}

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
            _effect_row(pair, n, s.event.id, s.event.occurred_on, s.before, s.after, s.valid)
            for n, s in numbered
        ]
        for start in range(0, len(rows), BATCH):
            self.connection.execute(event_effects.insert(), rows[start : start + BATCH])

    def add_effect(
        self, pair: Pair, position: int, event_id: int, occurred_on: date, before: str, after: str
    ) -> None:
        """Add the effect of the pair's new latest (valid) event, at ``position`` in its
        fold: what ``save_effects`` would add for it, without rewriting the others."""
        row = _effect_row(pair, position, event_id, occurred_on, before, after, True)
        self.connection.execute(event_effects.insert().values(**row))

    # -- reading ----------------------------------------------------------------

    @property
    def reports(self) -> ReportRegistry:
        return ReportRegistry(self.connection)

    @property
    def projections(self) -> ProjectionQueries:
        from relations.store.projection_queries import ProjectionQueries

        return ProjectionQueries(self.connection)

    @property
    def audit(self) -> AuditTrail:
        from relations.store.audit import AuditTrail

        return AuditTrail(self.connection)

    def pair_logs(
        self, countries: Sequence[str] = (), known_at: datetime | None = None
    ) -> Iterator[tuple[Pair, list[Event]]]:
        """Every pair's live events in fold order, one pair at a time, streamed."""
        query = select(events).where(known(known_at))
        if countries:
            query = query.where(
                or_(events.c.pair_first.in_(countries), events.c.pair_second.in_(countries))
            )
        query = query.order_by(
            events.c.pair_first, events.c.pair_second, events.c.occurred_on, events.c.id
        )
        # A statement option: Connection.execution_options() would change the whole
        # connection (SQLAlchemy 2), and every later statement, even an INSERT, would
        # then go through a PostgreSQL server-side cursor.
        rows = self.connection.execute(query.execution_options(yield_per=20_000))
        for (first, second), group in groupby(rows, key=lambda r: (r.pair_first, r.pair_second)):
            yield Pair(first, second), [row_to_event(row) for row in group]

    def pair_events(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Event]:
        """The pair's live events (as known at ``known_at``, default now) in fold order:
        (occurred_on, recording sequence)."""
        query = select(events).where(_is_pair(pair), known(known_at))
        if up_to is not None:
            query = query.where(events.c.occurred_on <= up_to)
        query = query.order_by(events.c.occurred_on, events.c.id)
        return [row_to_event(row) for row in self.connection.execute(query)]

    def status_at(self, pair: Pair, day: date, digest: str) -> ProjectedStatus | None:
        """As SqliteReader.status_at: three index seeks, or None under other rules."""
        stored = self.stored_status(pair)
        if stored is None:
            return ProjectedStatus(None, None, None, 0)
        if stored.rules_digest != digest:
            return None
        mine = and_(
            event_effects.c.pair_first == pair.first,
            event_effects.c.pair_second == pair.second,
            event_effects.c.occurred_on <= day,
        )
        latest_first = (event_effects.c.occurred_on.desc(), event_effects.c.event_id.desc())
        latest = self.connection.execute(
            select(event_effects.c.status_after, event_effects.c.position)
            .where(mine)
            .order_by(*latest_first)
            .limit(1)
        ).first()
        if latest is None:
            return ProjectedStatus(None, None, None, 0)
        cause_id = (
            select(event_effects.c.event_id)
            .where(mine, event_effects.c.changed.is_(True))
            .order_by(*latest_first)
            .limit(1)
            .scalar_subquery()
        )
        row = self.connection.execute(select(events).where(events.c.id == cause_id)).first()
        cause = row_to_event(row) if row else None
        return ProjectedStatus(
            latest.status_after, cause.occurred_on if cause else None, cause, latest.position
        )

    def pair_record(
        self, pair: Pair, up_to: date | None = None, known_at: datetime | None = None
    ) -> list[Entry]:
        """Every event of the pair, retracted ones included, as known at ``known_at``."""
        query = (
            select(events)
            .where(_is_pair(pair), known(known_at, include_retracted=True))
            .order_by(events.c.occurred_on, events.c.id)
        )
        if up_to is not None:
            query = query.where(events.c.occurred_on <= up_to)
        found = [row_to_event(row) for row in self.connection.execute(query)]
        ids = [e.id for e in found]
        withdrawn = self.retractions(ids, known_at)
        replaced = self.corrections_of(ids, known_at)
        return [Entry(e, withdrawn.get(e.id), replaced.get(e.id)) for e in found]

    def event(self, event_id: int) -> Entry | None:
        row = self.connection.execute(select(events).where(events.c.id == event_id)).first()
        if row is None:
            return None
        event = row_to_event(row)
        return Entry(
            event,
            self.retractions([event_id]).get(event_id),
            self.corrections_of([event_id]).get(event_id),
        )

    def retractions(
        self, event_ids: Sequence[int], known_at: datetime | None = None
    ) -> dict[int, Retraction]:
        found: dict[int, Retraction] = {}
        for start in range(0, len(event_ids), 500):
            query = select(retractions).where(
                retractions.c.event_id.in_(event_ids[start : start + 500])
            )
            if known_at is not None:
                query = query.where(retractions.c.retracted_at <= naive_utc(known_at))
            for row in self.connection.execute(query):
                at = row.retracted_at.replace(tzinfo=UTC)
                found[row.event_id] = Retraction(row.event_id, at, row.by, row.reason)
        return found

    def corrections_of(
        self, event_ids: Sequence[int], known_at: datetime | None = None
    ) -> dict[int, int]:
        """{corrected event id: id of the event that supersedes it}."""
        found: dict[int, int] = {}
        for start in range(0, len(event_ids), 500):
            query = select(events.c.supersedes, events.c.id).where(
                events.c.supersedes.in_(event_ids[start : start + 500])
            )
            if known_at is not None:
                query = query.where(events.c.recorded_at <= naive_utc(known_at))
            found.update((row[0], row[1]) for row in self.connection.execute(query))
        return found

    def by_external_ids(self, external_ids: Sequence[str]) -> dict[str, Event]:
        found: dict[str, Event] = {}
        for start in range(0, len(external_ids), 500):
            chunk = external_ids[start : start + 500]
            query = select(events).where(events.c.external_id.in_(chunk))
            for row in self.connection.execute(query):
                found[row.external_id] = row_to_event(row)
        return found

    def find_events(
        self,
        *,
        countries: Sequence[str] = (),
        types: Sequence[str] = (),
        start: date | None = None,
        end: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Event]:
        """Live events (as known at ``known_at``), in fold order."""
        query = select(events).where(known(known_at))
        dates: Any = events.c.occurred_on
        if known_at is None and (start or end):
            # event_effects holds exactly the live events, with an index on their dates
            # (events has none: one index less to maintain on every append).
            query = select(events).join(event_effects, event_effects.c.event_id == events.c.id)
            dates = event_effects.c.occurred_on
        if countries:
            query = query.where(or_(events.c.actor.in_(countries), events.c.target.in_(countries)))
        if types:
            query = query.where(events.c.event_type.in_(types))
        if start is not None:
            query = query.where(dates >= start)
        if end is not None:
            query = query.where(dates <= end)
        query = query.order_by(dates, events.c.id)
        return [row_to_event(row) for row in self.connection.execute(query)]

    def statuses(self, status: str | None = None) -> list[StoredStatus]:
        query = select(pair_status).order_by(pair_status.c.pair_first, pair_status.c.pair_second)
        if status is not None:
            query = query.where(pair_status.c.status == status)
        return [_stored(row) for row in self.connection.execute(query)]

    def stored_status(self, pair: Pair) -> StoredStatus | None:
        query = select(pair_status).where(
            and_(pair_status.c.pair_first == pair.first, pair_status.c.pair_second == pair.second)
        )
        row = self.connection.execute(query).first()
        return _stored(row) if row else None

    def counts(self) -> dict[str, int]:
        total = self.connection.execute(select(func.count()).select_from(events)).scalar_one()
        by_status: dict[str, int] = dict(
            self.connection.execute(
                select(pair_status.c.status, func.count()).group_by(pair_status.c.status)
            ).all()
        )
        withdrawn = self.connection.execute(select(func.count()).select_from(retractions))
        return {
            "events": int(total),
            "retracted": int(withdrawn.scalar_one()),
            **{k: int(v) for k, v in by_status.items()},
        }


def contention(exc: DBAPIError) -> bool:
    """Is this the database saying "busy, try again" (not a real error)?"""
    state = getattr(exc.orig, "sqlstate", None)
    if state in _RETRYABLE_STATES:
        return True
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def _is_pair(pair: Pair) -> Any:
    return and_(events.c.pair_first == pair.first, events.c.pair_second == pair.second)


def _row(draft: EventDraft, version: int, recorded_at: datetime, write_id: int) -> dict[str, Any]:
    pair = draft.pair
    return {
        "write_id": write_id,
        "pair_first": pair.first,
        "pair_second": pair.second,
        "version": version,
        "event_type": draft.event_type,
        "actor": draft.actor,
        "target": draft.target,
        "occurred_on": draft.occurred_on,
        "summary": draft.summary,
        "source": draft.source,
        "external_id": draft.external_id,
        "source_rows": draft.feed.source_rows if draft.feed else None,
        "source_score": draft.feed.source_score if draft.feed else None,
        "source_event_id": draft.feed.source_event_id if draft.feed else None,
        "recorded_at": recorded_at.astimezone(UTC).replace(tzinfo=None),  # stored as naive UTC
    }


def row_to_event(row: Any) -> Event:
    """An Event from a row of the events table (or of a query selecting all its columns)."""
    return Event(
        id=row.id,
        event_type=row.event_type,
        actor=row.actor,
        target=row.target,
        occurred_on=row.occurred_on,
        summary=row.summary,
        source=row.source,
        external_id=row.external_id,
        recorded_at=row.recorded_at.replace(tzinfo=UTC),
        supersedes=row.supersedes,
        feed=(
            FeedExtras(row.source_rows, row.source_score, row.source_event_id)
            if row.source_rows is not None
            else None
        ),
    )


def known(known_at: datetime | None, *, include_retracted: bool = False) -> Any:
    """The events the database held at ``known_at`` (None: now), without those it had
    retracted by then unless ``include_retracted``."""
    conditions = []
    if known_at is not None:
        conditions.append(events.c.recorded_at <= naive_utc(known_at))
    if not include_retracted:
        retracted = retractions.c.event_id == events.c.id
        if known_at is not None:
            retracted = and_(retracted, retractions.c.retracted_at <= naive_utc(known_at))
        conditions.append(~exists().where(retracted))
    return and_(True, *conditions)


def _stored(row: Any) -> StoredStatus:
    return StoredStatus(
        pair=Pair(row.pair_first, row.pair_second),
        status=row.status,
        since=row.since,
        cause_event_id=row.cause_event_id,
        event_count=row.event_count,
        version=row.version,
        rules_digest=row.rules_digest,
        last_occurred_on=row.last_occurred_on,
    )


def _effect_row(
    pair: Pair,
    position: int,
    event_id: int,
    occurred_on: date,
    before: str,
    after: str,
    valid: bool,
) -> dict[str, Any]:
    return {
        "position": position,
        "event_id": event_id,
        "pair_first": pair.first,
        "pair_second": pair.second,
        "occurred_on": occurred_on,
        "status_before": before,
        "status_after": after,
        "valid": valid,
        "changed": after != before,
    }
