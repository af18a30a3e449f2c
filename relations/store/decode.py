"""The one row decoder: domain values from the rows of either runner.

SQLite hands back dates, timestamps and booleans as text and integers; psycopg as
Python values. Every read goes through these functions, whichever runner ran it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from relations.domain.events import Event, FeedExtras, Pair, Retraction, Review
from relations.store import state_codec
from relations.store.rows import StoredStatus

# The columns of an event, in the order ``event`` reads them: ``e`` is the events table,
# ``v`` its review (see EVENTS), whose confirmation may give it another type.
EVENT_COLUMNS = (
    "e.id, e.event_type, e.actor, e.target, e.occurred_on, e.summary, e.source, "
    "e.external_id, e.recorded_at, e.supersedes, e.source_rows, e.source_score, "
    "e.source_event_id, e.via, e.source_articles, e.source_sources, e.review, v.decision, "
    "v.event_type"
)
EVENT_WIDTH = 19
# What a review adds for the record (history): when, by whom, why.
REVIEW_COLUMNS = "v.reviewed_at, v.by, v.reason"


def events_from(known_at: bool) -> str:
    """The events table with each event's review as known at ``:known_at`` (if given)."""
    on = "v.event_id = e.id" + (" AND v.reviewed_at <= :known_at" if known_at else "")
    return f"events e LEFT JOIN reviews v ON {on}"


STATUS_COLUMNS = (
    "s.pair_first, s.pair_second, s.status, s.since, s.cause_event_id, s.event_count, "
    "s.version, s.rules_digest, s.last_occurred_on, s.stage, s.stage_since, s.state"
)


def day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def optional_day(value: Any) -> date | None:
    return None if value is None else day(value)


def moment(value: Any) -> datetime:
    """A stored timestamp (naive UTC) as an aware datetime."""
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found.replace(tzinfo=UTC)


def event(row: Any) -> Event:
    """An Event from the first EVENT_WIDTH values of ``row`` (see EVENT_COLUMNS)."""
    (event_id, kind, actor, target, occurred_on, summary, source, external_id, recorded_at,
     supersedes, source_rows, source_score, source_event_id, via, articles, sources, recorded,
     decision, confirmed_as) = row[:EVENT_WIDTH]  # fmt: skip
    return Event(
        id=int(event_id),
        event_type=str(confirmed_as or kind),
        actor=str(actor),
        target=str(target),
        occurred_on=day(occurred_on),
        summary=str(summary),
        source=str(source),
        external_id=None if external_id is None else str(external_id),
        recorded_at=moment(recorded_at),
        supersedes=None if supersedes is None else int(supersedes),
        feed=(
            None
            if source_rows is None
            else FeedExtras(
                int(source_rows),
                None if source_score is None else float(source_score),
                "" if source_event_id is None else str(source_event_id),
                None if articles is None else int(articles),
                None if sources is None else int(sources),
            )
        ),
        via=None if via is None else str(via),
        review="confirmed" if recorded == "confirmed" else str(decision or "pending"),
        coded_type=None if confirmed_as is None else str(kind),
    )


def review(event_id: int, row: Any) -> Review | None:
    """The review of an event, from EVENT_COLUMNS and REVIEW_COLUMNS after them."""
    decision, confirmed_as = row[EVENT_WIDTH - 2 : EVENT_WIDTH]
    if decision is None:
        return None
    at, by, reason = row[EVENT_WIDTH : EVENT_WIDTH + 3]
    as_type = None if confirmed_as is None else str(confirmed_as)
    return Review(event_id, moment(at), str(by), str(decision), as_type, str(reason))


def retraction(event_id: Any, at: Any, by: Any, reason: Any) -> Retraction:
    return Retraction(int(event_id), moment(at), str(by), str(reason))


def stored_status(row: Any) -> StoredStatus:
    """A StoredStatus from a row of STATUS_COLUMNS."""
    first, second, status, since, cause, count, version, digest, last, stage, staged, state = row[
        :12
    ]
    return StoredStatus(
        pair=Pair(str(first), str(second)),
        status=str(status),
        since=optional_day(since),
        cause_event_id=None if cause is None else int(cause),
        event_count=int(count),
        version=int(version),
        rules_digest=str(digest),
        last_occurred_on=optional_day(last),
        stage=None if stage is None else str(stage),
        stage_since=optional_day(staged),
        missions=None if state is None else state_codec.decode(str(state)).missions,
    )
