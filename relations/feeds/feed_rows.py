"""What the GDELT and ICEWS readers produce, and how repeated rows collapse into events.

A reader turns every line of a feed file into exactly one of three things:

* a ``FeedRow``: a row between two state actors of two different countries whose
  CAMEO code the crosswalk maps to an event type;
* a ``Reject``: a malformed line (wrong column count, bad date, bad CAMEO code,
  unknown or former country...), with its line number and a one-line reason;
* a ``Skipped``: a well-formed row that is simply not about diplomatic relations
  between two states. Skips are counted, not listed: a GDELT day has ~100,000 rows and
  nearly all of them are skipped, so a ``Skipped`` carries only its reason and the
  readers hand out one shared instance per reason (no allocation per row).

Feeds repeat one real-world event in many rows (one per article or sentence), so
``collapse`` folds rows with the same (feed, date, actor, target, event type) into one
``CollapsedEvent`` whose ``external_id`` is deterministic: importing the same file twice,
or two files that overlap, yields the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class SkipReason(StrEnum):
    """Why a well-formed row is not an event, in the order the readers test them."""

    NOT_CROSSWALKED = "not_crosswalked"
    NO_COUNTRY = "no_country"
    SAME_COUNTRY = "same_country"
    NOT_STATE_ACTOR = "not_state_actor"
    FEW_MENTIONS = "few_mentions"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    SkipReason.NOT_CROSSWALKED: "CAMEO code not in the crosswalk",
    SkipReason.NO_COUNTRY: "a side has no country (blank, NA, or a region such as EUR)",
    SkipReason.SAME_COUNTRY: "both sides are the same country",
    SkipReason.NOT_STATE_ACTOR: "a side is not a state actor",
    SkipReason.FEW_MENTIONS: "fewer GDELT NumMentions than --min-mentions",
}


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One relevant source row. ``actor`` did something to ``target`` (GDELT Actor1 to
    Actor2, ICEWS Source to Target), both ISO alpha-3.

    ``goldstein`` is the source's own value (GDELT GoldsteinScale, ICEWS Intensity):
    the two feeds disagree for a few codes, so it is kept rather than recomputed.
    ``source_url`` is GDELT's SOURCEURL (empty in 1.0 backfile rows, which have none)
    or, for ICEWS, which publishes no URL, the Publisher's name (e.g. "Reuters News").
    ``source_event_id`` is GDELT's GLOBALEVENTID or ICEWS's Event ID; an ICEWS Event ID
    is unique only together with the event date.
    """

    feed: str
    line: int
    occurred_on: date
    actor: str
    target: str
    event_type: str
    cameo_code: str
    source_event_id: str
    goldstein: float | None
    mentions: int | None
    source_url: str
    articles: int | None = None  # GDELT NumArticles (None for ICEWS)
    sources: int | None = None  # GDELT NumSources

    @property
    def external_id(self) -> str:
        return external_id(self.feed, self.occurred_on, self.actor, self.target, self.event_type)


@dataclass(frozen=True, slots=True)
class Reject:
    """A malformed line: ``reason`` is one line saying what is wrong and what is accepted."""

    line: int
    reason: str
    kind: str = "malformed"  # what the import summary counts it under, e.g. "bad date"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A well-formed row that is not an event (see ``SkipReason``)."""

    reason: SkipReason


SKIPPED = {reason: Skipped(reason) for reason in SkipReason}

ReadResult = FeedRow | Reject | Skipped


def external_id(feed: str, occurred_on: date, actor: str, target: str, event_type: str) -> str:
    """The id of the collapsed event, e.g. ``gdelt:20251103:PER:MEX:relations_reduced``.

    Directional (actor first), so PER->MEX and MEX->PER on one day stay two events.
    """
    return f"{feed}:{occurred_on:%Y%m%d}:{actor}:{target}:{event_type}"


@dataclass(frozen=True, slots=True)
class CollapsedEvent:
    """Every source row about one (feed, date, actor, target, event type).

    The CAMEO code, event id, Goldstein value and URL are those of the first row (the
    URL of the first row that has one); ``source_rows`` counts the rows, and
    ``mentions``, ``articles`` and ``sources`` sum GDELT's NumMentions, NumArticles and
    NumSources over them (None for ICEWS).
    """

    feed: str
    occurred_on: date
    actor: str
    target: str
    event_type: str
    cameo_code: str
    source_rows: int
    source_url: str
    source_event_id: str
    goldstein: float | None
    mentions: int | None
    first_line: int
    articles: int | None = None
    sources: int | None = None

    @property
    def external_id(self) -> str:
        return external_id(self.feed, self.occurred_on, self.actor, self.target, self.event_type)

    @property
    def summary(self) -> str:
        """A one-line summary suitable for the event log."""
        rows = "1 source row" if self.source_rows == 1 else f"{self.source_rows} source rows"
        return (
            f"{self.feed.upper()} CAMEO {self.cameo_code} {self.actor}->{self.target}: "
            f"{rows}, first event id {self.source_event_id}"
        )


@dataclass(slots=True)
class _Group:
    first: FeedRow
    rows: int = 1
    url: str = ""
    mentions: int | None = None
    articles: int | None = None
    sources: int | None = None


def collapse(rows: Iterable[FeedRow]) -> list[CollapsedEvent]:
    """One event per (feed, date, actor, target, event type), in first-seen order.

    Memory grows with the number of distinct events, not of rows; a caller that must
    stay bounded on huge files can group in SQL on ``FeedRow.external_id`` instead.
    """
    groups: dict[tuple[str, date, str, str, str], _Group] = {}
    for row in rows:
        key = (row.feed, row.occurred_on, row.actor, row.target, row.event_type)
        group = groups.get(key)
        if group is None:
            groups[key] = _Group(row, 1, row.source_url, row.mentions, row.articles, row.sources)
            continue
        group.rows += 1
        if not group.url:
            group.url = row.source_url
        group.mentions = _plus(group.mentions, row.mentions)
        group.articles = _plus(group.articles, row.articles)
        group.sources = _plus(group.sources, row.sources)
    return [
        CollapsedEvent(
            feed=g.first.feed,
            occurred_on=g.first.occurred_on,
            actor=g.first.actor,
            target=g.first.target,
            event_type=g.first.event_type,
            cameo_code=g.first.cameo_code,
            source_rows=g.rows,
            source_url=g.url,
            source_event_id=g.first.source_event_id,
            goldstein=g.first.goldstein,
            mentions=g.mentions,
            first_line=g.first.line,
            articles=g.articles,
            sources=g.sources,
        )
        for g in groups.values()
    ]


def _plus(total: int | None, more: int | None) -> int | None:
    return total if more is None else (total or 0) + more
