"""Rendering a Report: Markdown and HTML through Jinja2 templates, JSON and CSV through
the standard library. Every format is a pure function of the Report, so a report
rebuilt from the same data is byte-for-byte the same (its checksum can be compared).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from relations.reports.model import Report
from relations.reports.timeline import chart, colour

FORMATS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}
JSON_SCHEMA = "relations.report/1"
CSV_COLUMNS = [
    "pair", "from", "to", "on", "event_id", "event_type", "actor", "target", "summary", "source",
]  # fmt: skip


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        # Compact: the C encoder is ten times faster than indent=2 on big reports.
        return json.dumps(as_json(report), ensure_ascii=False, separators=(",", ":")) + "\n"
    if fmt == "csv":
        return as_csv(report)
    template = _environment().get_template(f"report.{FORMATS[fmt]}.j2")
    return str(template.render(report=report, chart=chart(report.timelines, report.states)))


def as_json(report: Report) -> dict[str, Any]:
    """The documented, stable JSON schema (see README, "Report JSON schema")."""
    from relations import views

    return {
        "schema": JSON_SCHEMA,
        "period": {"from": timestamp(report.period.start), "to": timestamp(report.period.end)},
        "generated_at": timestamp(report.generated_at),
        "known_at": timestamp(report.known_at),
        "countries": list(report.countries),
        "empty": report.empty,
        "status_counts": report.status_counts,
        "changes": [
            {
                "pair": c.pair.as_list(),
                "from": c.before,
                "to": c.after,
                "on": c.on.isoformat(),
                "cause": views.event(c.cause),
            }
            for c in report.changes
        ],
        "standing": [
            {
                "pair": s.pair.as_list(),
                "status": s.status,
                "since": s.since.isoformat(),
                "days": s.days,
                "cause": views.event(s.cause),
            }
            for s in report.standing
        ],
        "recorded": [views.event(e) for e in report.recorded],
        "pending": [
            {"pair": pair.as_list(), "count": count, "latest": latest.isoformat()}
            for pair, count, latest in report.pending
        ],
    }


def as_csv(report: Report) -> str:
    """The status-change table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in report.changes:
        e = c.cause
        writer.writerow(
            [str(c.pair), c.before, c.after, c.on.isoformat(), e.id, e.event_type, e.actor,
             e.target, e.summary, e.source]
        )  # fmt: skip
    return buffer.getvalue()


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


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
    environment.filters["md"] = markdown_cell
    environment.filters["timestamp"] = timestamp
    environment.filters["colour"] = colour
    return environment


def markdown_cell(text: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes and HTML escaped."""
    flat = " ".join(str(text).split())
    for raw, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;")):
        flat = flat.replace(raw, escaped)
    return flat
