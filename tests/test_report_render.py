"""Rendering: every format from the same report; HTML self-contained and escaped,
Markdown escaped without HTML entities, sources linked only when they are http(s)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from relations.domain.events import Event, Pair
from relations.domain.machine import default_machine
from relations.reports import present
from relations.reports.assemble import build_report
from relations.reports.model import PairTimeline, Place, Report, Segment
from relations.reports.period import Period
from relations.reports.render import CSV_COLUMNS, JSON_SCHEMA, render
from relations.reports.timeline import DENSE, chart

END = datetime(2025, 12, 1, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script> | pipes | \"quotes\" & 'apostrophes'; DROP TABLE events;--"
RULES = default_machine().rules


def report(
    summary: str = "Peru breaks relations",
    start: datetime | None = None,
    source: str = "https://example.org/a?b=1&c=<2>",
) -> Report:
    recorded = END - timedelta(days=2)
    log = [
        Event(1, "ambassador_recalled", "PER", "MEX", date(2022, 12, 15), "recall", "s1", None,
              recorded - timedelta(days=900)),
        Event(2, "relations_severed", "PER", "MEX", date(2025, 11, 3), summary, source, "ext-2",
              recorded),
    ]  # fmt: skip
    period = Period(start or END - timedelta(days=30), END)
    return build_report(default_machine(), [(Pair("MEX", "PER"), log)], period, END)


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "csv"])
def test_rendering_is_deterministic(fmt: str) -> None:
    assert render(report(), fmt) == render(report(), fmt)


def test_json_follows_the_documented_schema() -> None:
    data = json.loads(render(report(), "json"))
    assert data["schema"] == JSON_SCHEMA == "relations.report/2"
    assert set(data) == {
        "schema", "period", "generated_at", "known_at", "countries", "names", "empty",
        "summary", "status_counts", "stage_counts", "trends", "changes", "standing",
        "occurred", "late", "recorded", "pending",
    }  # fmt: skip
    assert data["period"] == {"from": "2025-11-01T00:00:00Z", "to": "2025-12-01T00:00:00Z"}
    assert data["names"] == {"MEX": "Mexico", "PER": "Peru"}
    assert data["status_counts"] == {"normal": 0, "strained": 0, "severed": 1}
    assert data["stage_counts"]["broken"] == 1
    [change] = data["changes"]
    assert {k: v for k, v in change.items() if k != "cause"} == {
        "pair": ["MEX", "PER"], "from": "strained", "to": "severed",
        "from_stage": "ambassador_withdrawn", "to_stage": "broken",
        "direction": "deteriorated", "on": "2025-11-03",
    }  # fmt: skip
    assert change["cause"]["id"] == 2 and change["cause"]["external_id"] == "ext-2"
    [worse] = data["trends"]["deteriorated"]
    assert worse["from"] == {"status": "strained", "stage": "ambassador_withdrawn"}
    assert worse["to"] == {"status": "severed", "stage": "broken"}
    assert [e["id"] for e in worse["causes"]] == [2]
    assert data["trends"]["improved"] == [] and data["trends"]["unchanged"] == 0
    [standing] = data["standing"]
    assert (standing["status"], standing["stage"], standing["since"], standing["days"]) == (
        "severed", "broken", "2025-11-03", 27,
    )  # fmt: skip
    assert [e["id"] for e in data["occurred"]] == [2]
    assert data["late"] == []
    assert [e["id"] for e in data["recorded"]] == [2]
    assert data["empty"] is False
    assert data["summary"] == (
        "In 1–30 Nov 2025, 1 relation deteriorated and none improved; 1 event occurred."
    )


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
    assert not re.search(r"\bsrc\s*=", html)
    assert set(re.findall(r'href="([^"]*)"', html)) == {"https://example.org/a?b=1&amp;c=%3C2%3E"}
    assert "url(" not in html and "@import" not in html
    assert '<svg id="timeline"' in html
    assert html.count('class="band ') == 2  # ambassador withdrawn, then broken
    assert 'class="band severed broken"' in html
    assert html.count('class="marker"') == 1, "the 2022 recall is before the lead-in"


def test_markdown_escapes_with_backslashes_never_entities() -> None:
    text = render(report("a | b\nc <b> *bold* [x](javascript:alert(1)) &amp;"), "markdown")
    assert r"a \| b c \<b\> \*bold\* \[x\](javascript:alert(1)) \&amp;" in text
    assert "&lt;" not in text and "&gt;" not in text and "&#" not in text
    assert "| 3 Nov 2025 | Mexico – Peru (MEX–PER) |" in text
    assert "[example.org](https://example.org/a?b=1&c=%3C2%3E)" in text


@pytest.mark.parametrize(
    "source",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x",
     "vbscript:x", "file:///etc/passwd", "//evil.example/x", "https://", "Ministry note 3/2025"],
)  # fmt: skip
def test_only_http_and_https_sources_become_links(source: str) -> None:
    html = render(report(source=source), "html")
    assert "href=" not in html
    markdown = render(report(source=source), "markdown")
    assert "](" not in markdown


def test_several_urls_in_a_source_are_each_linked() -> None:
    source = "https://a.example/1 http://www.b.example/2"
    html = render(report(source=source), "html")
    links = re.findall(r'href="([^"]*)"', html)
    assert links[:2] == ["https://a.example/1", "http://www.b.example/2"]
    assert set(links) == set(links[:2])
    assert "[b.example](http://www.b.example/2)" in render(report(source=source), "markdown")


def test_a_missing_summary_leaves_no_dangling_punctuation() -> None:
    for fmt in ("markdown", "html"):
        out = render(report(summary=""), fmt)
        assert "3 Nov 2025, Peru: relations severed |" in out or (
            "3 Nov 2025, Peru: relations severed</td>" in out
        )
        assert "relations severed:" not in out
        assert not re.search(r"[:;,] \|", out) and ": </td>" not in out


def test_an_empty_period_says_so_plainly() -> None:
    quiet = report(start=END - timedelta(hours=1))
    assert quiet.empty
    for fmt in ("markdown", "html"):
        out = render(quiet, fmt)
        assert "Nothing occurred in 30 Nov 2025 23:00 UTC – 1 Dec 2025 00:00 UTC" in out
        assert "nothing about an earlier date was entered" in out
        assert "No status or stage changed in this period" in out
    assert "| date | pair |" not in render(quiet, "markdown"), "no empty tables"
    assert json.loads(render(quiet, "json"))["empty"] is True


def test_dates_and_periods_read_as_people_write_them() -> None:
    assert present.day(date(2025, 11, 3)) == "3 Nov 2025"
    assert present.span(date(2025, 11, 1), date(2025, 11, 30)) == "1–30 Nov 2025"
    assert present.span(date(2025, 10, 28), date(2025, 11, 3)) == "28 Oct – 3 Nov 2025"
    assert present.span(date(2025, 12, 28), date(2026, 1, 3)) == "28 Dec 2025 – 3 Jan 2026"
    assert present.span(date(2025, 11, 3), date(2025, 11, 3)) == "3 Nov 2025"
    text = render(report(), "markdown")
    assert text.startswith("# Relations report: 1–30 Nov 2025\n")
    assert "T00:00:00" not in text and "Z " not in text


def test_events_recorded_together_for_several_targets_are_shown_once() -> None:
    at = END - timedelta(days=3)
    events = [
        Event(10 + n, "diplomat_expelled", "VEN", target, date(2025, 11, 20), "Same decision",
              "https://example.org/v", None, at)
        for n, target in enumerate(["ARG", "CHL", "PER"])
    ]  # fmt: skip
    alone = Event(20, "diplomat_expelled", "VEN", "URY", date(2025, 11, 20), "Other", "", None, at)
    logs = [(e.pair, [e]) for e in [*events, alone]]
    built = build_report(default_machine(), logs, Period(END - timedelta(days=30), END), END)
    shown = present.grouped(built.facts.occurred)
    assert [(s.targets, s.ids) for s in shown] == [(("ARG", "CHL", "PER"), (10, 11, 12)),
                                                     (("URY",), (20,))]  # fmt: skip
    markdown = render(built, "markdown")
    assert (
        "| Venezuela | diplomat expelled | Argentina, Chile and Peru | Same decision |" in markdown
    )
    happened = [
        line for line in markdown.splitlines() if line.startswith("| 20 Nov 2025 | Venezuela |")
    ]
    assert len(happened) == 2, "the decision against three countries once, Uruguay's apart"


def test_a_dense_timeline_row_is_thinned_to_what_can_be_seen() -> None:
    day = date(2000, 1, 1)
    calm, tense = Place("normal", "normal"), Place("strained", "friction")
    flips = [
        Segment(tense if n % 2 else calm, day + timedelta(days=n), day + timedelta(days=n + 1))
        for n in range(9000)
    ]
    middle = day + timedelta(days=4000)
    sparse = [
        Segment(calm, day, middle),
        Segment(Place("severed", "broken"), middle, day + timedelta(days=9000)),
    ]
    rows = [
        PairTimeline(Pair("AAA", "BBB"), flips, []),
        PairTimeline(Pair("CCC", "DDD"), sparse, []),
    ]
    period = Period(datetime(2000, 1, 1, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC))
    drawn = chart(rows, RULES, period)
    assert drawn is not None
    dense_row, sparse_row = drawn.rows
    assert len(flips) > DENSE and len(dense_row.bands) < DENSE
    assert dense_row.bands[-1].stage == "friction", "where it stands at the end always shows"
    assert len(sparse_row.bands) == 2


def test_the_timeline_axis_covers_the_period_after_a_short_lead_in() -> None:
    drawn = chart(report().timelines, RULES, report().period)
    assert drawn is not None
    (lead_from, lead_to), (period_from, period_to) = drawn.lead, drawn.period
    assert lead_to == period_from and lead_from < lead_to < period_to
    # 30 days of period, 7 days of lead-in (a fifth, at least a week)
    assert round((lead_to - lead_from) / (period_to - lead_from), 2) == round(7 / 37, 2)
    [row] = drawn.rows
    assert [band.stage for band in row.bands] == ["ambassador_withdrawn", "broken"]
    assert row.bands[0].x == lead_from, "the band from 2022 starts at the lead-in"
    assert [tick.label for tick in drawn.ticks][:2] == ["1 Nov", "8 Nov"]
    assert drawn.period_label == "1–30 Nov 2025"


def test_the_docs_document_every_json_field() -> None:
    from pathlib import Path

    page = Path(__file__).parent.parent / "docs" / "reports.md"
    if not page.exists():
        pytest.skip("the docs are not shipped with an installed package")
    section = page.read_text(encoding="utf-8")
    section = section[section.index("### Report JSON schema") :]
    opening = section.index("```json\n") + 8
    block = section[opening : section.index("\n```", opening)]
    example = json.loads(block.replace("EVENT, ...", "{}").replace("EVENT", "{}"))
    data = json.loads(render(report(), "json"))
    assert set(example) == set(data)
    for key in ("changes", "standing"):
        assert set(example[key][0]) == set(data[key][0])
    assert set(example["trends"]) == set(data["trends"])
    assert set(example["trends"]["deteriorated"][0]) == set(data["trends"]["deteriorated"][0])
    documented = set(re.findall(r"^\| `([a-z_]+)[`.]", section, re.MULTILINE))
    assert set(data) - {"schema"} <= documented
