"""How a report says things to people: country names, dates, pairs, places, events and
their sources. Pure functions, used by the Markdown and HTML templates; JSON keeps codes
and ISO 8601 and adds the names (``names``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote, urlsplit

from relations.domain.countries import name_of
from relations.domain.events import Event, Pair
from relations.domain.explain import stage_label
from relations.domain.rules import Rules
from relations.reports.model import Place
from relations.reports.period import Period


def day(value: date) -> str:
    """3 Nov 2025"""
    return f"{value.day} {value:%b} {value.year}"


def moment(value: datetime) -> str:
    """4 Dec 2026 14:50 UTC (to the minute: a reader needs no seconds)."""
    utc = value.astimezone(UTC)
    return f"{day(utc.date())} {utc:%H:%M} UTC"


def span(first: date, last: date) -> str:
    """1–30 Nov 2025, 28 Oct – 3 Nov 2025, 28 Dec 2025 – 3 Jan 2026, or 3 Nov 2025."""
    if first == last:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {day(last)}"
    return f"{day(first)} – {day(last)}"


def period(value: Period) -> str:
    """The days whose events count in the period; a period shorter than a day that
    holds no midnight is given by its times."""
    if value.first_day > value.last_day:
        return f"{moment(value.start)} – {moment(value.end)}"
    return span(value.first_day, value.last_day)


def country(code: str) -> str:
    return name_of(code)


def pair(value: Pair) -> str:
    """Mexico – Peru"""
    return f"{name_of(value.first)} – {name_of(value.second)}"


def codes(value: Pair) -> str:
    """MEX–PER"""
    return f"{value.first}–{value.second}"


def place(rules: Rules, value: Place) -> str:
    """strained (embassy closed), severed: no diplomatic relations (never established)"""
    return stage_label(rules, value.status, value.stage)


def kind(event_type: str) -> str:
    """relations severed"""
    return event_type.replace("_", " ")


def safe_url(source: str) -> str | None:
    """The source as a link target if it is an http(s) URL with a host, else None: any
    other scheme (``javascript:``, ``data:``, a bare word) is shown as text, never linked."""
    text = source.strip()
    if not text or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # Percent-encode what could end a Markdown link or an attribute early; the rest of a
    # valid URL is kept as given.
    return quote(text, safe="/:?#[]@!$&'*+,;=%-._~")


def links(source: str) -> list[str] | None:
    """The source's URLs if it is one or more http(s) URLs separated by spaces (each to
    be linked), else None (it is shown as text)."""
    found = [safe_url(part) for part in source.split()]
    if not found or None in found:
        return None
    return [url for url in found if url]


def duration(days: int) -> str:
    """27 days, 5 months, 3 years"""
    if days < 60:
        return plural(days, "day")
    if days < 730:
        return plural(round(days / 30.44), "month")
    return plural(int(days / 365.25), "year")


def source_label(url: str) -> str:
    """What a link to ``url`` says: its host, without www."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")


def markdown(text: object) -> str:
    """Text safe in a Markdown line or table cell, readable in a terminal: one line, and
    every character Markdown would act on escaped with a backslash (never an HTML
    entity, which a terminal or a plain-text mail would show as is)."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), flat)


@dataclass(frozen=True, slots=True)
class Shown:
    """An event as a report shows it: one recorded for several targets in one command
    is shown once, with its targets (and their event ids) together."""

    event: Event
    targets: tuple[str, ...]
    ids: tuple[int, ...]


def grouped(events: Iterable[Event]) -> list[Shown]:
    """Events that differ only by target (recorded together: same moment, type, actor,
    date, summary and source) as one, in the order of their first."""
    groups: dict[tuple[object, ...], list[Event]] = {}
    for event in events:
        key = (event.recorded_at, event.event_type, event.actor, event.occurred_on,
               event.summary, event.source)  # fmt: skip
        groups.setdefault(key, []).append(event)
    return [
        Shown(members[0], tuple(e.target for e in members), tuple(e.id for e in members))
        for members in groups.values()
    ]


def targets(shown: Shown) -> str:
    """Chile, Ecuador and Peru"""
    return listing([name_of(code) for code in shown.targets])


def listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def what(event: Event) -> str:
    """3 Nov 2025, Peru: relations severed (the actor always named; no summary here)."""
    return f"{day(event.occurred_on)}, {name_of(event.actor)}: {kind(event.event_type)}"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def opening(occurred: int, late: int, worse: int, better: int, when: str, empty: bool) -> str:
    """The report's first sentence: what moved, then what happened and came to light
    (events counted as people count them: one decision against several countries is
    one)."""
    if empty:
        return f"Nothing occurred in {when}, and nothing about an earlier date was entered."
    if worse and better:
        moved = f"{plural(worse, 'relation')} deteriorated and {better} improved"
    elif worse:
        moved = f"{plural(worse, 'relation')} deteriorated and none improved"
    elif better:
        moved = f"{plural(better, 'relation')} improved and none deteriorated"
    else:
        moved = "no relation deteriorated or improved"
    happened = f"{plural(occurred, 'event')} occurred" if occurred else "no event occurred"
    if late:
        happened += f", and {plural(late, 'event')} about earlier dates came to light"
    return f"In {when}, {moved}; {happened}."
