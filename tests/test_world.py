"""The world baseline: a sourced file that parses, holds valid histories, loads in one
command (idempotent, all or nothing, never duplicating or contradicting what is already
recorded), and answers well-known pairs right."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from relations.domain.events import EventDraft, Pair
from relations.domain.fold import fold
from relations.domain.machine import default_machine
from relations.services.world import FOCUS, baseline_path, read_baseline, states_path

from conftest import Cli

AS_OF = "2025-12-01"


def rows() -> list[dict[str, Any]]:
    return read_baseline().rows


def test_the_file_states_its_date_and_every_row_its_source_and_id() -> None:
    baseline = read_baseline()
    assert baseline.as_of == date(2025, 12, 1)
    lines = baseline_path().read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["as_of"] == AS_OF, "the first line states the date"
    ids = [row["external_id"] for row in baseline.rows]
    assert len(ids) == len(set(ids)) > 500
    for row in baseline.rows:
        assert set(row) <= {
            "occurred_on", "event_type", "actor", "target", "via", "summary", "source",
            "external_id",
        }  # fmt: skip
        assert row["external_id"].startswith("world:")
        urls = row["source"].split()
        assert urls and all(u.startswith(("http://", "https://")) for u in urls), row
        assert row["summary"].strip()
        assert date.fromisoformat(row["occurred_on"]) <= baseline.as_of


def test_every_pair_history_is_valid_under_the_rules() -> None:
    logs: dict[Pair, list[EventDraft]] = defaultdict(list)
    for row in rows():
        draft = EventDraft(
            row["event_type"], row["actor"], row["target"],
            date.fromisoformat(row["occurred_on"]), via=row.get("via"),
        )  # fmt: skip
        logs[draft.pair].append(draft)
    for pair, log in logs.items():
        log.sort(key=lambda d: d.occurred_on)
        assert all(step.valid for step in fold(default_machine(), log).steps), pair


def test_never_had_relations_is_dated_when_the_younger_state_came_into_being() -> None:
    with states_path().open(encoding="utf-8") as handle:
        founded = {row["code"]: row for row in csv.DictReader(handle)}
    for row in founded.values():
        assert row["source"].startswith(("http://", "https://")), row
    for row in rows():
        if row["event_type"] != "no_relations":
            continue
        younger = max(founded[row["actor"]]["came_into_being"],
                      founded[row["target"]]["came_into_being"])  # fmt: skip
        assert row["occurred_on"] == younger, row["external_id"]


def test_it_covers_the_six_countries_and_the_breaks() -> None:
    pairs_by_country: dict[str, int] = defaultdict(int)
    for row in rows():
        for code in {row["actor"], row["target"]} & set(FOCUS):
            pairs_by_country[code] += 1
    assert set(pairs_by_country) == set(FOCUS)
    severed = {Pair.of(r["actor"], r["target"]) for r in rows() if r["event_type"] ==
               "relations_severed"}  # fmt: skip
    assert len([p for p in severed if not set(p.as_list()) & set(FOCUS)]) > 30


# Well-known pairs on the baseline date, through the CLI: (a, b, status, stage, since).
KNOWN = [
    ("Israel", "Saudi Arabia", "severed", "never_established", "1948-05-14"),
    ("Israel", "Iran", "severed", "broken", "1979-02-18"),
    ("Israel", "Indonesia", "severed", "never_established", "1948-05-14"),
    ("Israel", "United Arab Emirates", "normal", "normal", "2020-08-13"),
    ("Israel", "Bahrain", "normal", "normal", "2020-09-11"),
    ("Israel", "Colombia", "severed", "broken", "2024-05-01"),
    ("Israel", "Bolivia", "severed", "broken", "2023-10-31"),
    ("Taiwan", "United States", "severed", "broken", "1978-12-15"),
    ("Taiwan", "Honduras", "severed", "broken", "2023-03-25"),
    ("Taiwan", "Nauru", "severed", "broken", "2024-01-15"),
    ("Taiwan", "Paraguay", "normal", "normal", None),
    ("Taiwan", "Japan", "severed", "broken", "1972-09-29"),
    ("Kosovo", "Serbia", "severed", "never_established", "2008-02-17"),
    ("Kosovo", "Spain", "severed", "never_established", "2008-02-17"),
    ("Kosovo", "Russia", "severed", "never_established", "2008-02-17"),
    ("Armenia", "Turkey", "severed", "never_established", "1991-09-23"),
    ("Armenia", "Azerbaijan", "severed", "never_established", "1991-09-23"),
    ("Armenia", "Pakistan", "normal", "normal", "2025-08-31"),
    ("North Korea", "South Korea", "severed", "never_established", "1948-09-09"),
    ("North Korea", "United States", "severed", "never_established", "1948-09-09"),
    ("North Korea", "Malaysia", "severed", "broken", "2021-03-19"),
    ("Bhutan", "China", "severed", "never_established", "1949-10-01"),
    ("Bhutan", "United States", "severed", "never_established", "1907-12-17"),
    ("Bhutan", "Israel", "normal", "normal", "2020-12-12"),
    ("United States", "Iran", "severed", "broken", "1980-04-07"),
    ("Georgia", "Russia", "severed", "broken", "2008-08-29"),
    ("Ukraine", "Russia", "severed", "broken", "2022-02-24"),
    ("Canada", "Iran", "severed", "broken", "2012-09-07"),
    ("Algeria", "Morocco", "severed", "broken", "2021-08-24"),
    ("Peru", "Mexico", "severed", "broken", "2025-11-03"),
    ("Ecuador", "Mexico", "severed", "broken", "2024-04-05"),
    ("China", "Honduras", "normal", "normal", "2023-03-26"),
    ("Iran", "Saudi Arabia", "normal", "normal", "2023-03-10"),
    # rows added on 2026-12-04
    ("Taiwan", "Kazakhstan", "severed", "never_established", "1991-12-16"),
    ("Taiwan", "Estonia", "severed", "broken", "1991-09-11"),
    ("Bhutan", "Cambodia", "severed", "never_established", "1953-11-09"),
    ("Bhutan", "Central African Republic", "severed", "never_established", "1960-08-13"),
    ("Kosovo", "Saint Vincent and the Grenadines", "severed", "never_established", "2008-02-17"),
    ("Georgia", "Venezuela", "severed", "never_established", "1991-04-09"),
    ("Argentina", "Venezuela", "strained", "embassy_closed", "2024-07-29"),
]


@pytest.fixture
def loaded(run: Cli) -> Cli:
    run.ok("world", "load")
    return run


@pytest.mark.parametrize(("a", "b", "status", "stage", "since"), KNOWN)
def test_well_known_pairs_on_the_baseline_date(
    loaded: Cli, a: str, b: str, status: str, stage: str, since: str | None
) -> None:
    found = loaded.json("status", a, b, "--as-of", AS_OF)
    assert (found["status"], found["stage"], found["since"]) == (status, stage, since)


def test_as_of_is_right_before_and_after_an_establishment(loaded: Cli) -> None:
    before = loaded.json("status", "China", "Honduras", "--as-of", "2023-03-25")
    assert (before["status"], before["stage"]) == ("severed", "never_established")
    before = loaded.json("status", "Israel", "ARE", "--as-of", "2020-08-12")
    assert before["stage"] == "never_established"
    assert loaded.json("status", "US", "Iran", "--as-of", "1980-04-06")["status"] == "normal"


def test_protecting_powers_are_shown(loaded: Cli) -> None:
    found = loaded.json("status", "United States", "Iran")
    powers = {m["sender"]: m["protecting_power"] for m in found["missions"]}
    assert powers["USA"] == "CHE"


def test_loading_twice_adds_nothing(loaded: Cli) -> None:
    again = loaded.json("world", "load")
    assert again["created"] == 0
    assert again["already_recorded"] == again["rows"] > 500


def test_an_event_recorded_by_hand_is_not_duplicated(run: Cli) -> None:
    run.ok("record", "relations_severed", "USA", "IRN", "--on", "1980-04-07")
    loaded = run.json("world", "load")
    assert loaded["already_known"] == 1
    severances = run.json("events", "--country", "IRN", "--country", "USA",
                          "--type", "relations_severed")  # fmt: skip
    assert len([e for e in severances if {e["actor"], e["target"]} == {"USA", "IRN"}]) == 1


def test_a_contradicting_hand_recorded_event_is_named_and_nothing_is_written(run: Cli) -> None:
    [made] = run.json("record", "relations_severed", "ISR", "SAU", "--on", "2020-01-01")
    refused = run.refused(1, "world", "load")
    assert f"(event {made['id']})" in refused.stderr
    assert "nothing was imported" in refused.stderr


def test_world_says_what_it_holds(run: Cli) -> None:
    summary = run.json("world")
    assert summary["as_of"] == AS_OF
    assert summary["pairs"] > 400 and summary["events"] > 500
    assert summary["by_stage"]["never_established"] > 150
    assert set(summary["without_relations_by_country"]) == set(FOCUS)
    text = run.ok("world").stdout
    assert "the state of diplomatic relations on 2025-12-01" in text
    assert "no diplomatic relations (never established)" in text
    assert run.json("pairs") == [], "`relations world` reads the file, it writes nothing"
