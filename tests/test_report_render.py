"""Rendering: every format from the same report; HTML self-contained and escaped."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from relations.domain.events import Event, Pair
from relations.domain.machine import default_machine
from relations.reports.model import Period, Report, build_report
from relations.reports.render import CSV_COLUMNS, JSON_SCHEMA, render

END = datetime(2025, 12, 1, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script> | pipes | \"quotes\" & 'apostrophes'; DROP TABLE events;--"


def report(summary: str = "Peru breaks relations", start: datetime | None = None) -> Report:
    recorded = END - timedelta(days=2)
    log = [
        Event(1, "ambassador_recalled", "PER", "MEX", date(2022, 12, 15), "recall", "s1", None,
              recorded - timedelta(days=900)),
        Event(2, "relations_severed", "PER", "MEX", date(2025, 11, 3), summary,
              "https://example.org/a?b=1&c=<2>", "ext-2", recorded),
    ]  # fmt: skip
    period = Period(start or END - timedelta(days=30), END)
    return build_report(default_machine(), [(Pair("MEX", "PER"), log)], period, END)


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "csv"])
def test_rendering_is_deterministic(fmt: str) -> None:
    assert render(report(), fmt) == render(report(), fmt)


def test_json_follows_the_documented_schema() -> None:
    data = json.loads(render(report(), "json"))
    assert data["schema"] == JSON_SCHEMA
    assert set(data) == {
        "schema", "period", "generated_at", "known_at", "countries", "empty", "status_counts",
        "changes", "standing", "recorded", "pending",
    }  # fmt: skip
    assert data["period"] == {"from": "2025-11-01T00:00:00Z", "to": "2025-12-01T00:00:00Z"}
    assert data["status_counts"] == {"normal": 0, "strained": 0, "severed": 1}
    [change] = data["changes"]
    assert {k: change[k] for k in ("pair", "from", "to", "on")} == {
        "pair": ["MEX", "PER"], "from": "strained", "to": "severed", "on": "2025-11-03",
    }  # fmt: skip
    assert change["cause"]["id"] == 2 and change["cause"]["external_id"] == "ext-2"
    [standing] = data["standing"]
    assert (standing["status"], standing["since"], standing["days"]) == (
        "severed", "2025-11-03", 27,
    )  # fmt: skip
    assert [e["id"] for e in data["recorded"]] == [2]
    assert data["empty"] is False


def test_csv_is_the_status_change_table() -> None:
    rows = list(csv.reader(io.StringIO(render(report(HOSTILE), "csv"))))
    assert rows[0] == CSV_COLUMNS
    assert rows[1][:6] == ["MEX-PER", "strained", "severed", "2025-11-03", "2", "relations_severed"]
    assert rows[1][8] == HOSTILE, "text is kept verbatim, quoted by the csv module"


def test_html_is_self_contained_escaped_and_has_the_timeline() -> None:
    html = render(report(HOSTILE), "html")
    assert "<script" not in html.replace("&lt;script", "")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    # nothing is fetched: no external scripts, stylesheets, images or fonts
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert not re.search(r"(src|href)\s*=", html)
    assert "url(" not in html and "@import" not in html
    assert '<svg id="timeline"' in html
    assert html.count('class="band ') == 2  # strained, then severed
    assert 'class="band severed"' in html
    assert html.count('class="marker"') == 2


def test_markdown_escapes_table_breaking_text() -> None:
    text = render(report("a | b\nc <b>"), "markdown")
    assert "a \\| b c &lt;b&gt;" in text
    assert "| 2025-11-03 | MEX-PER | strained → severed |" in text


def test_an_empty_period_says_so_plainly() -> None:
    quiet = report(start=END - timedelta(hours=1))
    assert quiet.empty
    for fmt in ("markdown", "html"):
        out = render(quiet, fmt)
        assert "Nothing happened in this period" in out
        assert "No status changed in this period" in out
    assert "| date | pair |" not in render(quiet, "markdown"), "no empty tables"
    assert json.loads(render(quiet, "json"))["empty"] is True


def test_a_dense_timeline_row_is_thinned_to_what_can_be_seen() -> None:
    from relations.reports.model import PairTimeline, Segment
    from relations.reports.timeline import DENSE, chart

    day = date(2000, 1, 1)
    flips = [
        Segment("strained" if n % 2 else "normal", day + timedelta(days=n),
                day + timedelta(days=n + 1))
        for n in range(9000)
    ]  # fmt: skip
    middle = day + timedelta(days=4000)
    sparse = [
        Segment("normal", day, middle),
        Segment("severed", middle, day + timedelta(days=9000)),
    ]
    rows = [
        PairTimeline(Pair("AAA", "BBB"), flips, []),
        PairTimeline(Pair("CCC", "DDD"), sparse, []),
    ]
    drawn = chart(rows, ("normal", "strained", "severed"))
    assert drawn is not None
    dense_row, sparse_row = drawn.rows
    assert len(flips) > DENSE and len(dense_row.bands) < DENSE
    assert dense_row.bands[-1].start == flips[-1].start, "the status at the end is always drawn"
    assert len(sparse_row.bands) == 2
