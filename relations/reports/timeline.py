"""Geometry of the HTML report's status timelines: bands and markers in SVG units.

Pure arithmetic; the SVG itself is written by the report.html.j2 template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from relations.reports.model import PairTimeline

WIDTH = 760  # drawing width of the time axis, in SVG units
LABEL = 90  # room for the pair label on the left
ROW = 30
BAND = 16

DENSE = 200  # a row with this many bands or more is thinned to what can be seen

COLOURS = {"normal": "#2e7d32", "strained": "#f9a825", "severed": "#c62828"}
FALLBACK_COLOUR = "#607d8b"


@dataclass(frozen=True, slots=True)
class Band:
    x: float
    width: float
    colour: str
    status: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    label: str  # tooltip: date, type, summary (escaped by the template)
    changed: bool


@dataclass(frozen=True, slots=True)
class Row:
    label: str
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
    legend: list[tuple[str, str]]


def chart(timelines: list[PairTimeline], states: tuple[str, ...]) -> Chart | None:
    if not timelines:
        return None
    first = min(t.segments[0].start for t in timelines)
    last = max(t.segments[-1].end for t in timelines)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(LABEL + (day - first).days / span * WIDTH, 1)

    rows = []
    for number, timeline in enumerate(timelines):
        final = len(timeline.segments) - 1
        dense = final >= DENSE
        bands = [
            Band(x(s.start), max(x(s.end) - x(s.start), 1.0), colour(s.status), s.status,
                 s.start, s.end)
            for index, s in enumerate(timeline.segments)
            # In a row with more bands than can be seen, skip those narrower than half a
            # unit (the last band, the status at the period's end, is always drawn).
            if not dense or index == final or x(s.end) - x(s.start) >= 0.5
        ]  # fmt: skip
        markers = [
            Marker(x(e.occurred_on), f"{e.occurred_on} {e.event_type}: {e.summary}", changed)
            for e, changed in timeline.events
        ]
        rows.append(Row(str(timeline.pair), 20 + number * ROW, bands, markers))
    ticks = [Tick(x(date(year, 1, 1)), str(year)) for year in range(first.year + 1, last.year + 1)]
    if len(ticks) > 12:
        step = -(-len(ticks) // 12)
        ticks = ticks[::step]
    height = 20 + len(rows) * ROW + 20
    legend = [(state, colour(state)) for state in states]
    return Chart(LABEL + WIDTH + 10, height, rows, ticks, legend)


def colour(status: str) -> str:
    return COLOURS.get(status, FALLBACK_COLOUR)
