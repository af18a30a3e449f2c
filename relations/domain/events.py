"""Events are facts; a pair is the unordered pair of countries they concern."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from relations.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True, order=True)
class Pair:
    """Two different countries (alpha-3) in canonical, sorted order."""

    first: str
    second: str

    @classmethod
    def of(cls, a: str, b: str) -> Pair:
        if a == b:
            raise InvalidInput(f"a relation needs two different countries, got {a} twice")
        return cls(*sorted((a, b)))

    def as_list(self) -> list[str]:
        return [self.first, self.second]

    def __contains__(self, country: object) -> bool:
        return country in (self.first, self.second)

    def other(self, country: str) -> str:
        """The pair's other country than ``country`` (one of the two)."""
        return self.second if country == self.first else self.first

    def __str__(self) -> str:
        return f"{self.first}-{self.second}"


MAX_TEXT = 10_000  # summary and source
MAX_EXTERNAL_ID = 500
MAX_AUTHOR = 200  # who made a write (--by)


def check_text(what: str, value: str, limit: int = MAX_TEXT) -> str:
    """Text is stored verbatim, but must be storable the same way in SQLite and
    PostgreSQL: valid Unicode (no lone surrogates), no NUL character, bounded length."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{what} is not valid text (undecodable bytes or lone surrogates)"
        ) from None
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL character, which cannot be stored")
    if len(value) > limit:
        raise InvalidInput(f"{what} is {len(value)} characters long; at most {limit} are accepted")
    return value


REVIEW_STATES = ("confirmed", "pending", "dismissed")


@dataclass(frozen=True, slots=True)
class FeedExtras:
    """Kept from the source when an event comes from a feed: how many source rows
    collapsed into it, the source's own score (GDELT Goldstein, ICEWS intensity), the
    first row's event id, and GDELT's NumArticles and NumSources summed over the rows."""

    source_rows: int
    source_score: float | None
    source_event_id: str
    articles: int | None = None
    sources: int | None = None


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event as the user states it, before the log gives it an id."""

    event_type: str
    actor: str
    target: str
    occurred_on: date
    summary: str = ""
    source: str = ""
    external_id: str | None = None
    feed: FeedExtras | None = None  # what an event feed adds (GDELT, ICEWS)
    via: str | None = None  # a third country: the protecting power it appoints
    review: str = "confirmed"  # "pending": a signal that counts once an analyst confirms it

    def __post_init__(self) -> None:
        check_text("summary", self.summary)
        check_text("source", self.source)
        if self.external_id is not None:
            check_text("external id", self.external_id, MAX_EXTERNAL_ID)

    @property
    def pair(self) -> Pair:
        return Pair.of(self.actor, self.target)

    def fact(self) -> tuple[str, str, str, date, str, str, str | None]:
        """What must match for a repeated external id to be the same event."""
        return (
            self.event_type,
            self.actor,
            self.target,
            self.occurred_on,
            self.summary,
            self.source,
            self.via,
        )


@dataclass(frozen=True, slots=True)
class Event:
    """A recorded event: the draft plus what the log adds."""

    id: int
    event_type: str
    actor: str
    target: str
    occurred_on: date
    summary: str
    source: str
    external_id: str | None
    recorded_at: datetime
    supersedes: int | None = None  # the event this one corrects
    feed: FeedExtras | None = None
    via: str | None = None
    # Its review state as known at the read: confirmed (it counts), pending or dismissed.
    review: str = "confirmed"
    # The type it was recorded with, when it was confirmed as another (event_type).
    coded_type: str | None = None

    @property
    def pair(self) -> Pair:
        return Pair.of(self.actor, self.target)

    def fact(self) -> tuple[str, str, str, date, str, str, str | None]:
        return (
            self.event_type,
            self.actor,
            self.target,
            self.occurred_on,
            self.summary,
            self.source,
            self.via,
        )


@dataclass(frozen=True, slots=True)
class Retraction:
    """An event withdrawn from the record: it stays in the log, but stops counting for
    status from ``at`` on."""

    event_id: int
    at: datetime
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class Review:
    """An analyst's decision on a pending event: confirmed (as ``event_type`` if given)
    or dismissed, by whom, when and why."""

    event_id: int
    at: datetime
    by: str
    decision: str  # confirmed, dismissed
    event_type: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Entry:
    """An event as the record shows it: live or retracted, corrected or not, and its
    review (a decision on a feed signal), if any."""

    event: Event
    retraction: Retraction | None = None
    superseded_by: int | None = None  # the correction that replaced it
    review: Review | None = None

    @property
    def live(self) -> bool:
        """Does it count (not retracted, and confirmed)?"""
        return self.retraction is None and self.event.review == "confirmed"
