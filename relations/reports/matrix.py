"""The HTML report's status matrix: countries in rows and columns, each cell coloured by
the stage of their pair at the period's end.

Drawn for a report about several countries (they and their partners out of the initial
place) or about all of them (the countries with pairs out of the initial place); at most
MATRIX_LIMIT countries, those with the most such pairs first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from relations.domain.countries import name_of
from relations.domain.events import Pair
from relations.reports import present
from relations.reports.colours import legend, stage_colour
from relations.reports.model import Report, initial_place

MATRIX_LIMIT = 40


@dataclass(frozen=True, slots=True)
class Cell:
    fill: str | None  # None on the diagonal
    stage: str | None
    label: str


@dataclass(frozen=True, slots=True)
class Matrix:
    countries: list[tuple[str, str]]  # (code, name), in rows' and columns' order
    rows: list[list[Cell]]
    legend: list[tuple[str, str]]  # (label, colour)
    left_out: int  # countries with such pairs beyond MATRIX_LIMIT


def matrix(report: Report, limit: int = MATRIX_LIMIT) -> Matrix | None:
    """The matrix of a report about several or all countries (None for one country, or
    when every pair is in the initial place)."""
    if len(report.countries) == 1:
        return None
    rules = report.rules
    initial = initial_place(rules)
    moved = {pair: place for pair, place in report.facts.ends.items() if place != initial}
    if not moved:
        return None
    weight = Counter(code for pair in moved for code in (pair.first, pair.second))
    ranked = sorted(weight, key=lambda code: (-weight[code], name_of(code)))
    chosen = list(report.countries)
    chosen += [code for code in ranked if code not in chosen]
    left_out = max(len(chosen) - limit, 0)
    chosen = sorted(chosen[:limit], key=name_of)
    rows = []
    stages: set[str] = set()
    for row in chosen:
        cells = []
        for column in chosen:
            if row == column:
                cells.append(Cell(None, None, name_of(row)))
                continue
            place = moved.get(Pair.of(row, column), initial)
            stages.add(place.stage)
            label = f"{name_of(row)} – {name_of(column)}: {present.place(rules, place)}"
            cells.append(Cell(stage_colour(rules, place.stage), place.stage, label))
        rows.append(cells)
    keys = legend(rules, stages)
    return Matrix([(code, name_of(code)) for code in chosen], rows, keys, left_out)
