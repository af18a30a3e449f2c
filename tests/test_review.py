"""Feeds as evidence, not verdicts: feed events wait for review before they move a
status; confirm and dismiss, with --known-at, the audit log and re-imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_cli_commands import CSV_HEADER, write
from test_cli_import_feeds import GDELT1, GDELT2, ICEWS

from conftest import Cli

SAMPLES = [(GDELT1, 5), (GDELT2, 3), (ICEWS, 13)]


def queue(run: Cli, *args: str) -> list[dict[str, Any]]:
    return [e for group in run.json("review", "--limit", "1000", *args) for e in group["events"]]


@pytest.mark.parametrize(("sample", "events"), SAMPLES)
def test_a_default_feed_import_changes_no_status_and_waits_for_review(
    run: Cli, sample: Path, events: int
) -> None:
    result = run.json("import", str(sample))
    assert (result["created"], result["pending"], result["pairs"]) == (events, events, 0)
    assert run.json("pairs") == [], "no pair has a confirmed event: none changed status"
    waiting = queue(run)
    assert sorted(e["id"] for e in waiting) == list(range(1, events + 1)), "exactly those"
    for event in waiting:
        assert event["review"] == "pending"
        assert event["feed"]["source_rows"] >= 1 and event["feed"]["source_score"] is not None
        if sample is not GDELT1:  # 1.0 backfile rows have no URL
            assert event["source"], "the first URL (GDELT) or the publisher (ICEWS)"
    rows = [e["feed"]["source_rows"] for e in waiting]
    assert rows == sorted(rows, reverse=True), "most evidence first"
    for pair in {tuple(e["pair"]) for e in run.json("review", "--limit", "1000")}:
        found = run.json("status", *pair)
        assert (found["status"], found["events"]) == ("normal", 0)
        assert found["pending"]["count"] >= 1
    again = run.json("import", str(sample))
    assert (again["created"], again["already_recorded"]) == (0, events)


def test_gdelt_evidence_is_summed_over_the_collapsed_rows(run: Cli) -> None:
    run.ok("import", str(GDELT2))
    [group] = [g for g in run.json("review") if g["pair"] == ["AZE", "USA"]]
    first = group["events"][0]
    # 3 source rows collapsed (lines 89, 90 and 255 of the 2.0 sample), NumArticles and
    # NumSources summed over them (checked with awk against the file).
    assert first["feed"]["source_rows"] == 3
    lines = GDELT2.read_text(encoding="utf-8").splitlines()
    ids = {str(e["feed"]["source_event_id"]) for e in group["events"]}
    rows = [line.split("\t") for line in lines if line.split("\t")[5][:3] in ("AZE", "USA")
            and line.split("\t")[26] == "057"]  # fmt: skip
    assert ids <= {r[0] for r in rows}
    by_direction = {}
    for r in rows:
        key = (r[7], r[17])
        articles, sources = by_direction.get(key, (0, 0))
        by_direction[key] = (articles + int(r[33]), sources + int(r[32]))
    for event in group["events"]:
        key = (event["actor"], event["target"])
        assert (event["feed"]["articles"], event["feed"]["sources"]) == by_direction[key]


def test_confirm_makes_it_count_as_another_type_and_re_imports_keep_it(run: Cli) -> None:
    run.ok("import", str(ICEWS))
    [bfa] = list(queue(run, "--country", "Burkina Faso"))
    assert (bfa["event_type"], bfa["target"], bfa["occurred_on"]) == (
        "relations_reduced", "TWN", "2018-06-01",
    )  # fmt: skip
    before = run.json("log")[-1]["at"]
    [done] = run.json(
        "confirm", str(bfa["id"]), "--type", "relations_severed", "--reason",
        "Burkina Faso switched recognition to Beijing", "--by", "ana",
    )  # fmt: skip
    assert (done["decision"], done["event_type"], done["coded_type"]) == (
        "confirmed", "relations_severed", "relations_reduced",
    )  # fmt: skip
    status = run.json("status", "Burkina Faso", "Taiwan")
    assert (status["status"], status["stage"], status["since"]) == (
        "severed", "broken", "2018-06-01",
    )  # fmt: skip
    assert status["cause"]["coded_type"] == "relations_reduced"
    assert run.json("status", "BF", "TW", "--as-of", "2018-05-31")["status"] == "normal"
    # As the database knew it before the confirmation: pending, normal.
    then = run.json("status", "BF", "TW", "--known-at", before)
    assert (then["status"], then["pending"]["count"]) == ("normal", 1)
    [item] = run.json("history", "BF", "TW")
    assert item["reviewed"]["by"] == "ana" and item["reviewed"]["as_type"] == "relations_severed"
    assert run.json("history", "BF", "TW", "--known-at", before)[0]["effect"] == "pending"
    # Re-importing the feed adds nothing and does not bring the old type back.
    assert run.json("import", str(ICEWS))["created"] == 0
    assert run.json("status", "BF", "TW")["status"] == "severed"
    assert [w["action"] for w in run.json("log")] == ["import", "confirm"]
    assert run.json("log")[1]["reviewed"] == [bfa["id"]]


def test_dismiss_keeps_it_in_history_and_out_of_every_status(run: Cli) -> None:
    run.ok("import", str(GDELT2))
    [kaz] = queue(run, "--country", "Kazakhstan")
    run.ok("dismiss", str(kaz["id"]), "--reason", "an article on nuclear power", "--by", "bo")
    assert run.json("status", "China", "Kazakhstan")["status"] == "normal"
    [item] = run.json("history", "CHN", "KAZ")
    assert item["effect"] == "dismissed" and item["reviewed"]["reason"].startswith("an article")
    assert "dismissed, does not count" in run.ok("history", "CHN", "KAZ").stdout
    assert queue(run, "--country", "Kazakhstan") == []
    assert run.json("import", str(GDELT2))["created"] == 0
    assert queue(run, "--country", "Kazakhstan") == [], "re-importing does not bring it back"


def test_confirm_refuses_what_would_break_a_later_event_and_writes_nothing(
    run: Cli, tmp_path: Path
) -> None:
    run.ok("record", "relations_severed", "BFA", "TWN", "--on", "2018-07-01")
    run.ok("import", str(ICEWS))
    [bfa] = queue(run, "--country", "Burkina Faso")
    refused = run.refused(
        1, "confirm", str(bfa["id"]), "--type", "relations_severed", "--reason", "x"
    )  # fmt: skip
    assert "relations_severed on 2018-07-01 (event 1)" in refused.stderr


def test_bad_requests_are_one_line_and_write_nothing(run: Cli) -> None:
    run.ok("import", str(GDELT2))
    [kaz] = queue(run, "--country", "Kazakhstan")
    run.ok("record", "statement", "PER", "MEX", "--on", "2024-01-01")
    recorded = run.json("events")[0]["id"]
    for code, args in (
        (2, ("confirm", "999")),
        (2, ("dismiss", "999", "--reason", "x")),
        (2, ("dismiss", str(kaz["id"]))),  # --reason is required
        (2, ("confirm", str(kaz["id"]), str(kaz["id"]))),
        (2, ("confirm", str(kaz["id"]), "--type", "hug")),
        (1, ("confirm", str(recorded))),  # recorded by hand: confirmed already
        (1, ("dismiss", str(recorded), "--reason", "x")),
    ):
        result = run.refused(code, *args)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    run.ok("dismiss", str(kaz["id"]), "--reason", "noise")
    again = run.refused(1, "confirm", str(kaz["id"])).stderr
    assert "it was dismissed" in again
    assert (
        "awaits review"
        in run.refused(1, "retract", str(queue(run)[0]["id"]), "--reason", "x").stderr
    )


def test_import_options_for_review(run: Cli, tmp_path: Path) -> None:
    everything = run.json("import", str(ICEWS), "--auto-confirm", "2")
    # ICEWS events backed by 2 source rows or more count at once; the others wait.
    assert everything["pending"] < everything["created"]
    counted = {e["id"] for e in run.json("events")}
    assert counted and all(e["id"] not in counted for e in queue(run))
    thin = run.json("import", str(GDELT2), "--min-rows", "2")
    assert thin["skipped"]["few_rows"] == 1 and thin["created"] == 2
    assert "--min-rows" in run.refused(2, "import", str(ICEWS), "--min-mentions", "2").stderr
    path = write(tmp_path / "ours.csv", [CSV_HEADER, "2024-01-01,statement,PER,MEX,,,"])
    assert "GDELT and ICEWS" in run.refused(2, "import", str(path), "--confirm").stderr
    assert "contradict" in run.refused(2, "import", str(GDELT1), "--confirm", "--pending").stderr
    mine = run.json("import", str(path), "--pending")
    assert mine["pending"] == 1 and run.json("status", "PER", "MEX")["events"] == 0


def test_import_confirm_gives_the_counts_and_statuses_of_before_review(run: Cli) -> None:
    for sample, events in SAMPLES:
        result = run.json("import", str(sample), "--confirm")
        assert (result["created"], result["pending"]) == (events, 0)
    assert len(run.json("events")) == 21
    assert queue(run) == []
    assert run.json("status", "BFA", "TWN", "--as-of", "2018-06-02")["status"] == "strained"


def test_pairs_pending_and_the_report_show_what_waits(run: Cli) -> None:
    run.ok("import", str(GDELT2))
    waiting = run.json("pairs", "--pending")
    assert [(p["pair"], p["pending"]) for p in waiting] == [
        (["AZE", "USA"], 2), (["CHN", "KAZ"], 1),
    ]  # fmt: skip
    assert "2 feed signal(s) awaiting review" in run.ok("status", "AZE", "USA").stdout
    report = json.loads(run.ok("report", "--format", "json", "--from", "2025-01-01").stdout)
    assert [(p["pair"], p["count"]) for p in report["pending"]] == [
        (["AZE", "USA"], 2), (["CHN", "KAZ"], 1),
    ]  # fmt: skip
    markdown = run.ok("report", "--from", "2025-01-01").stdout
    assert "## Signals awaiting review" in markdown
    assert "| Azerbaijan – United States (AZE–USA) | 2 | 7 Aug 2025 |" in markdown


def test_reproject_counts_what_the_reviews_and_retractions_say(run: Cli) -> None:
    """The bulk rebuild reads the log with reviews and retractions joined in by the
    database: confirmed as another type, dismissed, pending and retracted events count
    exactly as the per-pair reads say."""
    run.ok("import", str(ICEWS))
    run.ok("import", str(GDELT2))
    [bfa] = queue(run, "--country", "Burkina Faso")
    run.ok("confirm", str(bfa["id"]), "--type", "relations_severed", "--reason", "switch")
    [kaz] = queue(run, "--country", "Kazakhstan")
    run.ok("dismiss", str(kaz["id"]), "--reason", "an article")
    first, *_ = queue(run)
    run.ok("confirm", str(first["id"]), "--reason", "checked")
    run.ok("retract", str(first["id"]), "--reason", "wrong after all")
    before = {tuple(p["pair"]): p for p in run.json("pairs")}
    done = run.json("reproject")
    assert (done["changed"], done["invalid"], done["valid_again"]) == ([], [], [])
    assert {tuple(p["pair"]): p for p in run.json("pairs")} == before
    status = run.json("status", "Burkina Faso", "Taiwan")
    assert (status["status"], status["stage"]) == ("severed", "broken")
    assert run.json("status", "China", "Kazakhstan")["status"] == "normal"
