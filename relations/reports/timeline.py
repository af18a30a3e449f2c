"""Geometry of the HTML report's timelines: one row per pair, bands coloured by stage,
a marker per event, over an axis that covers the period after a short lead-in (marked as
before the period). Pure arithmetic; the SVG itself is written by report.html.j2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from relations.domain.events import Event
from relations.domain.rules import Rules
from relations.reports import present
from relations.reports.colours import legend, stage_colour
from relations.reports.model import PairTimeline
from relations.reports.period import Period

WIDTH = 700  # drawing width of the time axis, in SVG units
LABEL = 200  # room for the pair's names on the left
TOP = 26  # room for the "before the period" / period captions
ROW = 26
BAND_HEIGHT = 16
LABEL_CHARS = 32  # longer pair names are cut (the full names are in the tooltip)

# The lead-in before the period: a fifth of the period, at least a week.
LEAD_SHARE = 0.2
MIN_LEAD_DAYS = 7

DENSE = 200  # a row with this many bands or more is thinned to what can be seen
MAX_TICKS = 12


@dataclass(frozen=True, slots=True)
class Band:
    x: float
    width: float
    colour: str
    stage: str
    status: str
    label: str  # tooltip: the stage and its dates


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    label: str  # tooltip: date, actor, type, summary (escaped by the template)
    changed: bool


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    title: str
    y: float
    bands: list[Band]
    markers: list[Marker]


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    rows: list[Row]
    ticks: list[Tick]
    legend: list[tuple[str, str]]  # (label, colour)
    lead: tuple[float, float]  # x from, x to: before the period
    period: tuple[float, float]  # x from, x to: the period, shaded
    period_label: str


@dataclass(frozen=True, slots=True)
class Axis:
    start: date  # the first day drawn (the lead-in's)
    first: date  # the period's first day
    end: date  # the day after the period's last

    @classmethod
    def of(cls, period: Period) -> Axis:
        first, last = period.first_day, period.last_day
        if first > last:  # a period shorter than a day, holding no midnight
            first = last = period.start.date()
        days = (last - first).days + 1
        lead = max(math.ceil(days * LEAD_SHARE), MIN_LEAD_DAYS)
        return cls(first - timedelta(days=lead), first, last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def x(self, day: date) -> float:
        share = min(max((day - self.start).days / self.days, 0.0), 1.0)
        return round(LABEL + share * WIDTH, 1)


def chart(timelines: list[PairTimeline], rules: Rules, period: Period) -> Chart | None:
    if not timelines:
        return None
    axis = Axis.of(period)
    by_name = sorted(timelines, key=lambda t: present.pair(t.pair))
    rows = [_row(timeline, rules, axis, TOP + number * ROW) for number, timeline in
            enumerate(by_name)]  # fmt: skip
    stages = {band.stage for row in rows for band in row.bands}
    height = TOP + len(rows) * ROW + 24
    return Chart(
        width=LABEL + WIDTH + 24,  # room for the last tick's label
        height=height,
        rows=rows,
        ticks=ticks(axis),
        legend=legend(rules, stages),
        lead=(axis.x(axis.start), axis.x(axis.first)),
        period=(axis.x(axis.first), axis.x(axis.end)),
        period_label=present.period(period),
    )


def _row(timeline: PairTimeline, rules: Rules, axis: Axis, y: float) -> Row:
    segments = timeline.segments
    final = len(segments) - 1
    dense = final >= DENSE
    bands = []
    for index, segment in enumerate(segments):
        end = axis.end if index == final else segment.end
        if end <= axis.start:
            continue
        start = max(segment.start, axis.start)
        left, right = axis.x(start), axis.x(end)
        # In a row with more bands than can be seen, skip those narrower than half a
        # unit (the last band, where the pair stands at the period's end, always shows).
        if dense and index != final and right - left < 0.5:
            continue
        last_day = end - timedelta(days=1)
        label = f"{present.place(rules, segment.place)}: {present.span(segment.start, last_day)}"
        bands.append(
            Band(left, max(right - left, 1.0), stage_colour(rules, segment.place.stage),
                 segment.place.stage, segment.place.status, label)
        )  # fmt: skip
    markers = [
        Marker(axis.x(event.occurred_on), _marker_label(event), changed)
        for event, changed in timeline.events
        if event.occurred_on >= axis.start
    ]
    names = present.pair(timeline.pair)
    label = names if len(names) <= LABEL_CHARS else names[: LABEL_CHARS - 1] + "…"
    return Row(label, f"{names} ({present.codes(timeline.pair)})", y, bands, markers)


def _marker_label(event: Event) -> str:
    text = present.what(event)
    return f"{text}: {event.summary}" if event.summary.strip() else text


def ticks(axis: Axis) -> list[Tick]:
    """Year, month or week ticks, whichever suits the axis, at most MAX_TICKS."""
    days = axis.days
    if days > 4 * 366:
        found = [date(year, 1, 1) for year in range(axis.start.year + 1, axis.end.year + 1)]
        labelled = [(d, str(d.year)) for d in found]
    elif days > 75:
        found = []
        month = date(axis.start.year, axis.start.month, 1)
        while month < axis.end:
            if month > axis.start:
                found.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        labelled = [(d, f"{d:%b %Y}" if d.month == 1 or i == 0 else f"{d:%b}")
                    for i, d in enumerate(found)]  # fmt: skip
    else:
        found = [axis.start + timedelta(days=7 * n) for n in range(1, days // 7 + 1)]
        labelled = [(d, f"{d.day} {d:%b}") for d in found if d < axis.end]
    if len(labelled) > MAX_TICKS:
        step = -(-len(labelled) // MAX_TICKS)
        labelled = labelled[::step]
    return [Tick(axis.x(d), label) for d, label in labelled]
