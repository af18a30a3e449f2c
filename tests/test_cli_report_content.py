"""What a report says, through the CLI on the real fixtures: trends, stage changes, what
happened and what came to light late, names, dates, grouped events, links."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli

YEAR_2025 = ["--from", "2025-01-01", "--to", "2026-01-01"]
PERU_2023 = ["--from", "2022-12-01", "--to", "2024-01-01", "--country", "PER"]


@pytest.fixture
def loaded(run: Cli, fixtures_dir: Path) -> Cli:
    for path in sorted(fixtures_dir.glob("*.jsonl")):
        run.ok("import", str(path))
    return run


def report_json(run: Cli, *args: str) -> Any:
    return json.loads(run.ok("report", *args, "--format", "json").stdout)


def test_the_opening_lists_what_deteriorated_with_its_stages_and_causes(loaded: Cli) -> None:
    data = report_json(loaded, *YEAR_2025)
    assert data["summary"] == (
        "In 1 Jan – 31 Dec 2025, 3 relations deteriorated and none improved; 10 events occurred."
    )
    worse = {tuple(t["pair"]): t for t in data["trends"]["deteriorated"]}
    assert list(worse) == [("MEX", "PER"), ("DZA", "MLI"), ("DZA", "NER")], "most serious first"
    peru = worse[("MEX", "PER")]
    assert (peru["from"], peru["to"]) == (
        {"status": "strained", "stage": "downgraded"}, {"status": "severed", "stage": "broken"},
    )  # fmt: skip
    assert [(e["event_type"], e["actor"]) for e in peru["causes"]] == [("relations_severed", "PER")]
    assert data["trends"]["improved"] == []
    assert data["trends"]["unchanged"] == 4
    markdown = loaded.ok("report", *YEAR_2025).stdout
    assert (
        "## Deteriorated\n\n- **Mexico – Peru**: strained (downgraded) → severed (broken), "
        "because 3 Nov 2025, Peru: relations severed\n" in markdown
    )
    assert "## Improved\n\nNo relation improved.\n" in markdown


def test_a_year_of_restorations_improves(loaded: Cli) -> None:
    data = report_json(loaded, "--from", "2023-01-01", "--to", "2024-01-01")
    better = [(t["pair"], t["from"]["stage"], t["to"]["stage"]) for t in data["trends"]["improved"]]
    assert better == [(["IRN", "SAU"], "broken", "normal")]
    html = loaded.ok("report", "--from", "2023-01-01", "--to", "2024-01-01", "--format",
                     "html").stdout  # fmt: skip
    improved = html[html.index('<section id="improved">') : html.index("</section>", html.index(
        '<section id="improved">'))]  # fmt: skip
    assert "<strong>Iran – Saudi Arabia</strong>" in improved
    assert "10 Mar 2023, Saudi Arabia: relations restored" in improved


def test_stage_changes_are_changes_but_not_status_changes_in_csv(loaded: Cli) -> None:
    data = report_json(loaded, *PERU_2023)
    assert [
        (c["on"], c["from"], c["to"], c["from_stage"], c["to_stage"], c["direction"])
        for c in data["changes"]
    ] == [
        ("2022-12-15", "normal", "strained", "normal", "ambassador_withdrawn", "deteriorated"),
        ("2023-02-24", "strained", "strained", "ambassador_withdrawn", "downgraded",
         "deteriorated"),
    ]  # fmt: skip
    csv_rows = loaded.ok("report", *PERU_2023, "--format", "csv").stdout.splitlines()
    assert len(csv_rows) == 2 and csv_rows[1].startswith("MEX-PER,normal,strained,2022-12-15,")
    markdown = loaded.ok("report", *PERU_2023).stdout
    assert (
        "| 24 Feb 2023 | Mexico – Peru (MEX–PER) | strained (ambassador withdrawn) → strained "
        "(downgraded) | deteriorated | 24 Feb 2023, Peru: relations downgraded: President"
    ) in markdown


def test_what_occurred_and_what_was_entered_late_are_apart(loaded: Cli) -> None:
    # The fixtures were entered just now about past dates: late news for this week.
    week = report_json(loaded)
    assert week["occurred"] == [] and len(week["late"]) == 50 == len(week["recorded"])
    assert not week["empty"]
    assert "50 events about earlier dates came to light" in week["summary"]
    markdown = loaded.ok("report").stdout
    assert "## What happened in the period\n\nNothing occurred in this period." in markdown
    assert "## Entered in the period about earlier dates\n\n| date | entered |" in markdown
    # The same events, for the year they happened in: what occurred, nothing late.
    year = report_json(loaded, *YEAR_2025)
    assert len(year["occurred"]) == 10 and year["late"] == [] and year["recorded"] == []


def test_an_empty_report_says_nothing_occurred_and_nothing_was_entered(loaded: Cli) -> None:
    args = ["--from", "2000-01-01", "--to", "2000-02-01"]
    data = report_json(loaded, *args)
    assert data["empty"] is True
    assert data["summary"] == (
        "Nothing occurred in 1–31 Jan 2000, and nothing about an earlier date was entered."
    )
    markdown = loaded.ok("report", *args).stdout
    assert "Nothing occurred in 1–31 Jan 2000, and nothing about an earlier date" in markdown
    assert "## Deteriorated" not in markdown


def test_names_beside_codes_and_dates_as_people_write_them(loaded: Cli) -> None:
    data = report_json(loaded, *YEAR_2025)
    assert data["names"]["MEX"] == "Mexico" and data["names"]["DZA"] == "Algeria"
    assert data["period"] == {"from": "2025-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
    markdown = loaded.ok("report", *YEAR_2025).stdout
    assert markdown.startswith("# Relations report: 1 Jan – 31 Dec 2025\n")
    assert "| 6 Apr 2025 | Algeria – Mali (DZA–MLI) |" in markdown
    assert not re.search(r"\d{4}-\d\d-\d\dT", markdown), "no ISO timestamps for people"
    loaded.ok("world", "load")
    russia = report_json(loaded, "--from", "2025-01-01", "--to", "2026-01-01", "--country", "TW")
    assert russia["names"]["RUS"] == "Russia", "the short name, not Russian Federation"


def test_an_event_recorded_for_several_targets_is_shown_once(run: Cli) -> None:
    run.ok("record", "diplomat_expelled", "Venezuela", "Argentina", "Chile", "Peru", "--on",
           "2024-07-29", "--summary", "Venezuela orders the diplomats of seven states out",
           "--source", "https://example.org/ven")  # fmt: skip
    run.ok("record", "diplomat_expelled", "Venezuela", "Uruguay", "--on", "2024-07-29")
    period = ["--from", "2024-07-01", "--to", "2024-08-01"]
    markdown = run.ok("report", *period).stdout
    rows = [line for line in markdown.splitlines() if line.startswith("| 29 Jul 2024 | Venezuela")]
    assert rows == [
        "| 29 Jul 2024 | Venezuela | diplomat expelled | Argentina, Chile and Peru | Venezuela "
        "orders the diplomats of seven states out | [example.org](https://example.org/ven) |",
        "| 29 Jul 2024 | Venezuela | diplomat expelled | Uruguay |  |  |",
    ]
    html = run.ok("report", *period, "--format", "html").stdout
    occurred = html[html.index('<table id="occurred">') :]
    assert occurred.count("<tr><td>29 Jul 2024</td>") == 2
    assert len(report_json(run, *period)["occurred"]) == 4, "JSON keeps one entry per event"


def test_a_missing_summary_leaves_no_dangling_punctuation(run: Cli) -> None:
    run.ok("record", "relations_severed", "PER", "MEX", "--on", "2025-11-03")
    markdown = run.ok("report", "--from", "2025-11-01", "--to", "2025-12-01").stdout
    assert "because 3 Nov 2025, Peru: relations severed\n" in markdown
    assert "| 3 Nov 2025, Peru: relations severed |  |" in markdown
    assert not re.search(r"[:;,]\s*(\||$)", markdown, re.MULTILINE)


@pytest.mark.parametrize(
    ("source", "linked"),
    [
        ("https://example.org/a", True),
        ("http://example.org/a", True),
        ("javascript:alert(document.cookie)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("Ministry of Foreign Affairs, note 12/2025", False),
    ],
)
def test_sources_are_links_only_when_they_are_http(run: Cli, source: str, linked: bool) -> None:
    run.ok("record", "ambassador_recalled", "PER", "MEX", "--on", "2025-11-03", "--summary",
           "<script>alert('s')</script>", "--source", source)  # fmt: skip
    period = ["--from", "2025-11-01", "--to", "2025-12-01"]
    html = run.ok("report", *period, "--format", "html").stdout
    links = re.findall(r'href="([^"]*)"', html)
    assert (links == [source] * len(links) and bool(links)) if linked else links == []
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt;" in html
    markdown = run.ok("report", *period).stdout
    assert (f"]({source})" in markdown) == linked
    assert "](javascript" not in markdown.lower() and "](data" not in markdown.lower()
    assert "\\<script\\>" in markdown and "&lt;" not in markdown
    data = report_json(run, *period)
    assert data["changes"][0]["cause"]["source"] == source, "JSON keeps it verbatim"
