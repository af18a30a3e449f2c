"""Rendering a Report: Markdown and HTML through Jinja2 templates, JSON and CSV through
the standard library. Every format is a pure function of the Report, so a report
rebuilt from the same data is byte-for-byte the same (its checksum can be compared).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any

from relations.domain.countries import name_of
from relations.domain.events import Event, Pair
from relations.reports import formats, present
from relations.reports.colours import stage_colour
from relations.reports.matrix import matrix
from relations.reports.model import Place, Report, Trend
from relations.reports.timeline import chart
from relations.reports.world_map import world_map

# The layout of what render writes: a report registered under another layout cannot be
# reproduced byte for byte (report --reproduce says so). 2: names, trends, stage
# changes, what happened and what came to light, map and matrix.
LAYOUT = 2
FORMATS = formats.EXTENSIONS
# /2: `changes` lists stage changes too (a /1 reader assumed from != to); the rest of
# /2 only adds fields to /1 (see docs/reports.md, "Report JSON schema").
JSON_SCHEMA = "relations.report/2"
CSV_COLUMNS = [
    "pair", "from", "to", "on", "event_id", "event_type", "actor", "target", "summary", "source",
]  # fmt: skip
# Markdown and HTML list at most this many rows per table (JSON and CSV list them all).
ROW_LIMIT = 500


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        # Compact: the C encoder is ten times faster than indent=2 on big reports.
        return json.dumps(as_json(report), ensure_ascii=False, separators=(",", ":")) + "\n"
    if fmt == "csv":
        return as_csv(report)
    html = fmt == "html"
    never = report.rules.unestablished
    template = _environment().get_template(f"report.{FORMATS[fmt]}.j2")
    occurred, late = present.grouped(report.facts.occurred), present.grouped(report.facts.late)
    return str(
        template.render(
            report=report,
            opening=opening(report, len(occurred), len(late)),
            occurred=occurred,
            late=late,
            standing=[s for s in report.standing if s.place.stage not in never],
            never=[s.pair for s in report.standing if s.place.stage in never],
            limit=ROW_LIMIT,
            chart=chart(report.timelines, report.rules, report.period) if html else None,
            map=world_map(report) if html else None,
            matrix=matrix(report) if html else None,
            place=partial(present.place, report.rules),
            colour=partial(stage_colour, report.rules),
        )
    )


def opening(report: Report, occurred: int | None = None, late: int | None = None) -> str:
    """The first sentence; ``occurred`` and ``late`` count the events as shown (grouped),
    computed here unless the caller has them."""
    facts = report.facts
    return present.opening(
        occurred=len(present.grouped(facts.occurred)) if occurred is None else occurred,
        late=len(present.grouped(facts.late)) if late is None else late,
        worse=len(facts.deteriorated),
        better=len(facts.improved),
        when=present.period(report.period),
        empty=report.empty,
    )


def never_line(report: Report, pairs: list[Pair]) -> str:
    """The pairs that never had relations, in one sentence (the world baseline alone
    holds hundreds: a table row each would bury the crises)."""
    if len(report.countries) == 1:
        [country] = report.countries
        partners = sorted(name_of(pair.other(country)) for pair in pairs)
        partners_list = present.listing(partners)
        return f"{name_of(country)} has never had diplomatic relations with {partners_list}."
    names = ", ".join(present.pair(pair) for pair in pairs)
    return f"{present.plural(len(pairs), 'pair')} never had diplomatic relations: {names}."


def as_json(report: Report) -> dict[str, Any]:
    """The documented, stable JSON schema (see docs/reports.md, "Report JSON schema")."""
    from relations import views

    facts = report.facts
    return {
        "schema": JSON_SCHEMA,
        "period": {"from": timestamp(report.period.start), "to": timestamp(report.period.end)},
        "generated_at": timestamp(report.generated_at),
        "known_at": timestamp(report.known_at),
        "countries": list(report.countries),
        "names": names(report),
        "empty": report.empty,
        "summary": opening(report),
        "status_counts": facts.status_counts,
        "stage_counts": facts.stage_counts,
        "trends": {
            "deteriorated": [_trend(t) for t in facts.deteriorated],
            "improved": [_trend(t) for t in facts.improved],
            "unchanged": facts.unchanged,
        },
        "changes": [
            {
                "pair": c.pair.as_list(),
                "from": c.before.status,
                "to": c.after.status,
                "from_stage": c.before.stage,
                "to_stage": c.after.stage,
                "direction": c.direction,
                "on": c.on.isoformat(),
                "cause": views.event(c.cause),
            }
            for c in facts.changes
        ],
        "standing": [
            {
                "pair": s.pair.as_list(),
                "status": s.status,
                "stage": s.place.stage,
                "since": s.since.isoformat(),
                "stage_since": s.stage_since.isoformat() if s.stage_since else None,
                "days": s.days,
                "cause": views.event(s.cause),
            }
            for s in facts.standing
        ],
        "occurred": [views.event(e) for e in facts.occurred],
        "late": [views.event(e) for e in facts.late],
        "recorded": [views.event(e) for e in facts.recorded],
        "pending": [
            {"pair": pair.as_list(), "count": count, "latest": latest.isoformat()}
            for pair, count, latest in report.pending
        ],
    }


def _place(place: Place) -> dict[str, str]:
    return {"status": place.status, "stage": place.stage}


def _trend(trend: Trend) -> dict[str, Any]:
    from relations import views

    return {
        "pair": trend.pair.as_list(),
        "from": _place(trend.before),
        "to": _place(trend.after),
        "causes": [views.event(e) for e in trend.causes],
    }


def names(report: Report) -> dict[str, str]:
    """Code to short name, for every country the report mentions."""
    facts = report.facts
    found: set[str] = set(report.countries)
    for pair in (
        *(c.pair for c in facts.changes),
        *(s.pair for s in facts.standing),
        *(p for p, _, _ in report.pending),
    ):
        found.update((pair.first, pair.second))
    events: list[Event] = [*facts.occurred, *facts.late, *facts.recorded]
    for event in events:
        found.update((event.actor, event.target))
        if event.via:
            found.add(event.via)
    return {code: name_of(code) for code in sorted(found)}


def as_csv(report: Report) -> str:
    """The status-change table (changes of stage within a status are not in it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in report.changes:
        if not c.status_changed:
            continue
        e = c.cause
        writer.writerow(
            [str(c.pair), c.before.status, c.after.status, c.on.isoformat(), e.id,
             e.event_type, e.actor, e.target, e.summary, e.source]
        )  # fmt: skip
    return buffer.getvalue()


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("relations.reports", "templates"),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    add_wording(environment)
    return environment


def add_wording(environment: Any) -> None:
    """The filters and functions templates use to say things to people (present.py);
    the web pages' templates use them too."""
    environment.filters.update(
        md=present.markdown,
        day=present.day,
        moment=present.moment,
        pair=present.pair,
        codes=present.codes,
        country=present.country,
        kind=present.kind,
        links=present.links,
        duration=present.duration,
        host=present.source_label,
        targets=present.targets,
        what=present.what,
    )
    environment.globals.update(plural=present.plural, period=present.period, never_line=never_line)
