"""Correcting the record from the command line: retract, correct, --known-at, log,
rules check, reproject and report --reproduce, with their errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from projection_checks import expected_effects
from test_cli_commands import load

from relations.domain.fold import fold
from relations.domain.machine import RelationMachine
from relations.domain.rules import default_rules_path, load_rules

# fixtures/peru-mexico.jsonl, by id: 1 recalled (normal->strained), 2 asylum, 3 expelled,
# 4 downgraded, 5 legislature, 6 asylum, 7 severed (strained->severed), 8 expelled,
# 9 legislature, 10 safe conduct denied, 11 protecting power (needs the break).
# colombia-venezuela.jsonl: 1 severed, 2 expelled, 3 consular relations severed,
# 4 restored, 5 visit.


def moment() -> str:
    return datetime.now(UTC).isoformat()


def by_id(history: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in history}


# --- retract -------------------------------------------------------------------------


def test_retract_keeps_the_event_but_stops_it_counting(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    before = moment()
    out = run.ok(
        "retract", "7", "--reason", "the break was denied", "--by", "ana", "--cascade"
    ).stdout
    assert "retracted event 7" in out and "severed -> strained" in out
    assert "and 1 later event" in out or "11" in out
    assert run.json("status", "PE", "MX")["status"] == "strained"
    history = by_id(run.json("history", "PE", "MX"))
    assert len(history) == 11, "the retracted events are still in the record"
    retracted = history[7]
    assert retracted["effect"] == "retracted"
    assert retracted["status_before"] is None and retracted["status_after"] is None
    assert retracted["retracted"]["by"] == "ana"
    assert retracted["retracted"]["reason"] == "the break was denied"
    assert retracted["retracted"]["at"] > before
    assert 7 not in [e["id"] for e in run.json("events")], "events lists what counts"
    assert run.json("info")["events"] == 11

    # As known before the retraction, the break counts, and history shows it live.
    then = run.json("status", "PE", "MX", "--known-at", before)
    assert (then["status"], then["since"], then["cause"]["id"]) == ("severed", "2025-11-03", 7)
    assert then["known_at"] is not None
    live = by_id(run.json("history", "PE", "MX", "--known-at", before))[7]
    assert (live["effect"], live["retracted"]) == ("changed", None)
    assert 7 in [e["id"] for e in run.json("events", "--known-at", before)]
    assert run.json("pairs", "--known-at", before)[0]["status"] == "severed"


def test_retract_refuses_bad_requests_and_writes_nothing(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    assert "there is no event 99" in run.refused(2, "retract", "99", "--reason", "x").stderr
    assert "--reason" in run.refused(2, "retract", "6").stderr
    assert "must say why" in run.refused(2, "retract", "6", "--reason", "  ").stderr
    assert "--by" in run.refused(2, "retract", "6", "--reason", "x", "--by", " ").stderr
    run.ok("retract", "6", "--reason", "denied", "--by", "ana")
    again = run.refused(1, "retract", "6", "--reason", "again").stderr
    assert "it was retracted at" in again and "by ana" in again and "(denied)" in again
    assert len(again.strip().splitlines()) == 1


def test_retract_refuses_to_break_a_later_event_unless_cascade(
    run: Any, fixtures_dir: Path
) -> None:
    load(run, fixtures_dir, "colombia-venezuela.jsonl")
    refused = run.refused(1, "retract", "1", "--reason", "wrong").stderr
    assert "relations_restored on 2022-08-11 (event 4)" in refused
    assert "--cascade" in refused
    done = run.json("retract", "1", "--reason", "wrong", "--cascade")
    assert [e["id"] for e in done["retracted"]] == [1, 4]
    # without the break, the expulsion strains the pair: nothing restores it
    assert (done["status_before"], done["status_after"]) == ("normal", "strained")
    history = by_id(run.json("history", "CO", "VE"))
    assert history[4]["retracted"]["reason"] == "wrong (cascade: depended on event 1)"
    assert history[5]["effect"] == "unchanged", "the visit does not depend on the break"
    assert [w["retracted"] for w in run.json("log") if w["action"] == "retract"] == [[1, 4]]


# --- correct -------------------------------------------------------------------------


def test_correct_supersedes_the_event_atomically(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    done = run.json(
        "correct", "3", "--on", "2022-12-21", "--reason", "announced a day later", "--by", "bo"
    )
    assert (done["retracted"], done["recorded"]) == (3, 12)
    history = by_id(run.json("history", "PE", "MX"))
    assert history[3]["effect"] == "retracted"
    assert history[3]["superseded_by"] == 12
    assert history[3]["retracted"]["reason"] == "corrected: announced a day later"
    assert history[12]["supersedes"] == 3
    assert history[12]["occurred_on"] == "2022-12-21"
    assert history[12]["event_type"] == "diplomat_expelled"
    assert history[12]["summary"] == history[3]["summary"], "fields not given are copied"
    assert history[12]["external_id"] is None, "the original keeps the external id"
    assert run.json("status", "PE", "MX")["status"] == "severed"
    # Re-importing the feed adds nothing: the original's external id is still known.
    assert "0 events recorded" in run.ok("import", str(fixtures_dir / "peru-mexico.jsonl")).stdout


def test_correct_can_move_an_event_to_another_pair(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    done = run.json("correct", "10", "--target", "Ecuador", "--reason", "it was Ecuador")
    assert {tuple(p["pair"]): p["status_after"] for p in done["pairs"]} == {
        ("ECU", "PER"): "strained",
        ("MEX", "PER"): "severed",
    }
    assert run.json("status", "PE", "EC")["cause"]["supersedes"] == 10


def test_correct_refuses_bad_requests_and_writes_nothing(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    nothing = run.refused(2, "correct", "3", "--on", "2022-12-20", "--reason", "x").stderr
    assert "changes nothing" in nothing
    assert "needs at least one of" in run.refused(2, "correct", "3", "--reason", "x").stderr
    assert (
        "no event 42"
        in run.refused(2, "correct", "42", "--on", "2022-12-21", "--reason", "x").stderr
    )
    assert (
        "after today"
        in run.refused(2, "correct", "3", "--on", "2999-01-01", "--reason", "x").stderr
    )
    assert (
        "unknown event type"
        in run.refused(2, "correct", "3", "--type", "hug", "--reason", "x").stderr
    )
    assert (
        "two different"
        in run.refused(2, "correct", "3", "--target", "Peru", "--reason", "x").stderr
    )
    invalid = run.refused(1, "correct", "7", "--type", "relations_restored", "--reason", "x").stderr
    assert "not allowed" in invalid and "strained" in invalid
    # A restoration is not allowed from normal, the status before the first event.
    later = run.refused(1, "correct", "1", "--type", "relations_restored", "--reason", "x").stderr
    assert "not allowed" in later
    run.ok("retract", "9", "--reason", "dup")
    assert (
        "it was retracted"
        in run.refused(1, "correct", "9", "--on", "2025-11-05", "--reason", "x").stderr
    )


# --- known-at --------------------------------------------------------------------------


def test_known_at_before_anything_is_normal_and_in_the_future_is_refused(
    run: Any, fixtures_dir: Path
) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    early = run.json("status", "PE", "MX", "--known-at", "2000-01-01")
    assert (early["status"], early["events"], early["cause"]) == ("normal", 0, None)
    assert run.json("history", "PE", "MX", "--known-at", "2000-01-01") == []
    assert run.json("pairs", "--known-at", "2000-01-01") == []
    for command in (["status", "PE", "MX"], ["history", "PE", "MX"], ["pairs"], ["events"],
                    ["report"]):  # fmt: skip
        assert "in the future" in run.refused(2, *command, "--known-at", "2999-01-01").stderr
        assert "is not valid" in run.refused(2, *command, "--known-at", "yesterday").stderr


def test_as_of_and_known_at_together(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    before = moment()
    run.ok("retract", "1", "--reason", "never happened", "--cascade")
    # On 2023-01-01, as known before the retraction: strained since the recall.
    then = run.json("status", "PE", "MX", "--as-of", "2023-01-01", "--known-at", before)
    assert (then["status"], then["since"], then["events"]) == ("strained", "2022-12-15", 3)
    # ...and as known now: the asylum grant of 2022-12-20 strains it on its own.
    now = run.json("status", "PE", "MX", "--as-of", "2023-01-01")
    assert (now["status"], now["since"], now["events"]) == ("strained", "2022-12-20", 2)
    old = run.json("pairs", "--as-of", "2023-01-01", "--known-at", before)
    assert [(p["status"], p["events"]) for p in old] == [("strained", 3)]
    history = run.json("history", "PE", "MX", "--as-of", "2023-01-01", "--known-at", before)
    assert [item["id"] for item in history] == [1, 2, 3]


# --- log -------------------------------------------------------------------------------


def test_log_lists_every_write_in_order_with_who_and_when(run: Any, fixtures_dir: Path) -> None:
    run.ok("import", str(fixtures_dir / "peru-mexico.jsonl"), "--by", "importer")
    run.ok("record", "visit", "Peru", "Chile", "--on", "2024-05-01", "--by", "cy")
    middle = moment()
    run.ok("retract", "12", "--reason", "no such visit", "--by", "cy")
    run.ok("correct", "3", "--on", "2022-12-21", "--reason", "date", "--by", "dee")
    run.ok("reproject", "--by", "ops")
    log = run.json("log")
    assert [(w["action"], w["by"]) for w in log] == [
        ("import", "importer"), ("record", "cy"), ("retract", "cy"), ("correct", "dee"),
        ("reproject", "ops"),
    ]  # fmt: skip
    assert [w["events"] for w in log] == [11, 1, 0, 1, 0]
    assert log[0]["event_ids"] == [1, 11]
    assert log[2]["retracted"] == [12] and log[3]["retracted"] == [3]
    assert log[4]["details"]["pairs"] == 1, "PER-CHL has no live event left"
    assert [w["at"] for w in log] == sorted(w["at"] for w in log)
    assert [w["action"] for w in run.json("log", "--since", middle)] == [
        "retract", "correct", "reproject",
    ]  # fmt: skip
    text = run.ok("log").stdout
    assert "importer" in text and "events 1-11" in text and "retracted 12" in text
    # A repeated record changes nothing and leaves no trace.
    run.ok("import", str(fixtures_dir / "peru-mexico.jsonl"))
    assert len(run.json("log")) == 5


# --- rules -----------------------------------------------------------------------------


def rules_file(tmp_path: Path, name: str, edit: Any) -> Path:
    text = default_rules_path().read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(edit(text), encoding="utf-8")
    return path


def without_type(text: str, name: str) -> str:
    start = text.index(f"[event_types.{name}]")
    end = text.index("[", start + 1)
    return text[:start] + text[end:]


def test_rules_check_explains_what_is_wrong(run: Any, tmp_path: Path) -> None:
    same = rules_file(tmp_path, "same.toml", lambda t: t)
    assert "same meaning as the rules in force" in run.ok("rules", "check", str(same)).stdout
    changed = rules_file(tmp_path, "c.toml", lambda t: without_type(t, "relations_restored"))
    out = run.ok("rules", "check", str(changed)).stdout
    assert "event type relations_restored removed" in out and "reproject" in out
    bad = {
        "unknown state": lambda t: t.replace('restore      = { "severed.broken" = "normal" }',
                                             'restore      = { "severed.broken" = "friendly" }'),
        "defined twice": lambda t: t + '\n[event_types.visit]\neffect = "none"\n',
        "known effects": lambda t: t.replace('effect = "sever"', 'effect = "annihilate"'),
        "not valid TOML": lambda t: t + "\n[[[",
        "initial state": lambda t: t.replace('initial = "normal"', 'initial = "cordial"'),
    }  # fmt: skip
    for expected, edit in bad.items():
        path = rules_file(tmp_path, "bad.toml", edit)
        message = run.refused(2, "rules", "check", str(path)).stderr
        assert expected in message, message
        assert len(message.strip().splitlines()) == 1
    assert "cannot read" in run.refused(2, "rules", "check", str(tmp_path / "none.toml")).stderr


def test_reproject_under_changed_rules(
    run: Any, fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(run, fixtures_dir, "colombia-venezuela.jsonl", "peru-mexico.jsonl")
    strict = rules_file(tmp_path, "strict.toml", lambda t: without_type(t, "relations_restored"))
    new = ["--rules", str(strict)]
    # Before reprojecting, a status stored under the old rules is never served as current.
    assert run.json(*new, "pairs", "--status", "severed")[0]["pair"] == ["COL", "VEN"]
    assert run.json(*new, "status", "CO", "VE")["status"] == "severed"
    done = run.json(*new, "reproject")
    assert done["changed"] == [{
        "pair": ["COL", "VEN"], "before": "normal", "after": "severed",
        "stage_before": "normal", "stage_after": "broken",
    }]  # fmt: skip
    assert done["invalid"] == [4] and done["valid_again"] == []
    assert (done["pairs"], done["events"]) == (2, 16)
    history = by_id(run.json(*new, "history", "CO", "VE"))
    assert history[4]["effect"] == "invalid", "kept and shown, never dropped"
    # The same through the environment; and back under the packaged rules, the pair is
    # refolded under them, not served from the projection of the strict rules.
    monkeypatch.setenv("RELATIONS_RULES", str(strict))
    assert run.json("status", "CO", "VE")["status"] == "severed"
    monkeypatch.delenv("RELATIONS_RULES")
    assert [p["status"] for p in run.json("pairs") if p["pair"] == ["COL", "VEN"]] == ["normal"]
    back = run.json("reproject")
    assert back["valid_again"] == [4]
    # What reproject found equals a fresh fold under each rule set.
    machine = RelationMachine(load_rules(strict))
    steps = fold(machine, [_Fact(i) for i in history.values()])
    assert [s.valid for s in steps.steps] == [True, True, True, False, True]


class _Fact:
    def __init__(self, item: dict[str, Any]) -> None:
        from datetime import date

        self.event_type = item["event_type"]
        self.occurred_on = date.fromisoformat(item["occurred_on"])
        self.actor, self.target, self.via = item["actor"], item["target"], item["via"]


def test_bad_rules_option_is_a_clear_error(run: Any, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.toml")
    assert (
        "cannot read rules file" in run.refused(2, "--rules", missing, "status", "PE", "MX").stderr
    )


# --- report --reproduce ----------------------------------------------------------------


def test_a_registered_report_is_reproduced_exactly(
    run: Any, fixtures_dir: Path, tmp_path: Path
) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl", "colombia-venezuela.jsonl")
    target = tmp_path / "week.json"
    run.ok("report", "--format", "json", "--from", "2025-11-01", "--output", str(target))
    registered = json.loads(target.read_text())
    # Later corrections do not change what the report said then.
    run.ok("retract", "7", "--reason", "denied", "--cascade")
    run.ok("record", "visit", "Peru", "Chile", "--on", "2025-11-05")
    out = run.ok("report", "--reproduce", "1").stdout
    assert "reproduced exactly" in out
    # A report as known now differs, and says so through --known-at's absence.
    now = json.loads(run.ok("report", "--format", "json", "--from", "2025-11-01").stdout)
    assert now["status_counts"] != registered["status_counts"]

    # Under other rules the reproduction differs: exit 1, why, and the lines that differ.
    strict = rules_file(tmp_path, "s.toml", lambda t: without_type(t, "relations_restored"))
    differs = run.refused(1, "--rules", str(strict), "report", "--reproduce", "1").stderr
    assert "does not match its reproduction" in differs
    assert "the rules changed" in differs
    assert "+++ reproduction" in differs
    target.write_text("tampered")
    assert (
        "no line diff"
        in run.refused(1, "--rules", str(strict), "report", "--reproduce", "1").stderr
    )


def test_report_reproduce_errors(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    assert "no report 5" in run.refused(2, "report", "--reproduce", "5").stderr
    assert (
        "no other report option"
        in run.refused(2, "report", "--reproduce", "1", "--format", "json").stderr
    )


# --- found by a review that tried to break it ------------------------------------------


def test_a_write_under_new_rules_refolds_the_whole_pair(
    run: Any, fixtures_dir: Path, tmp_path: Path
) -> None:
    """event_effects before the written date were folded under the old rules: a write
    under new rules must redo them, or a report would show old-rules causes."""
    from relations.bootstrap import bootstrap
    from relations.domain.events import Pair

    load(run, fixtures_dir, "ecuador-mexico.jsonl")
    sever = rules_file(
        tmp_path, "s.toml", lambda t: t.replace('[event_types.statement]\neffect = "none"',
                                                '[event_types.statement]\neffect = "sever"')
    )  # fmt: skip
    run.ok("--rules", str(sever), "retract", "11", "--reason", "x")
    machine = RelationMachine(load_rules(sever))
    app = bootstrap(run.url, machine=machine)
    try:
        pair = Pair("ECU", "MEX")
        with app.store.reading() as tx:
            assert tx.pair_effects(pair) == expected_effects(machine, tx.pair_events(pair))
    finally:
        app.close()


def test_out_of_range_ids_and_moments_are_clear_errors(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    for command in (["retract"], ["correct", "--reason", "x", "--on", "2024-01-01"]):
        huge = run.refused(2, *command[:1], "99999999999999999999", *command[1:], "--reason", "x")
        assert "range" in huge.stderr
    assert "range" in run.refused(2, "report", "--reproduce", "2147483648").stderr
    near_year_one = "0001-01-01T00:00+01:00"
    assert (
        "out of range" in run.refused(2, "status", "PE", "MX", "--known-at", near_year_one).stderr
    )
    assert "out of range" in run.refused(2, "log", "--since", near_year_one).stderr
    early = run.json("status", "PE", "MX", "--known-at", "0999-06-01")
    assert (early["status"], early["events"]) == ("normal", 0), "years before 1000 sort first"


def test_rules_that_the_database_cannot_store_are_refused(run: Any, tmp_path: Path) -> None:
    cases = {
        "has no transitions": lambda t: t.replace(
            'none         = { normal = "normal", strained = "strained", severed = "severed" }',
            "none         = {}",
        ),
        "over 32 characters": lambda t: t.replace('"broken"', '"' + "b" * 40 + '"'),
        "lower_snake_case": lambda t: t.replace(
            'states = ["normal", "strained", "severed"]', 'states = ["normal", "strained", "Weird"]'
        ),
    }
    for expected, edit in cases.items():
        path = rules_file(tmp_path, "bad.toml", edit)
        assert expected in run.refused(2, "rules", "check", str(path)).stderr


def test_moving_an_event_to_another_pair_does_not_suggest_cascade(
    run: Any, fixtures_dir: Path
) -> None:
    load(run, fixtures_dir, "colombia-venezuela.jsonl")
    message = run.refused(1, "correct", "1", "--target", "Chile", "--reason", "x").stderr
    assert "moving event 1" in message and "--cascade" not in message


def test_info_counts_pairs_under_the_rules_in_force(
    run: Any, fixtures_dir: Path, tmp_path: Path
) -> None:
    load(run, fixtures_dir, "colombia-venezuela.jsonl")
    strict = rules_file(tmp_path, "strict.toml", lambda t: without_type(t, "relations_restored"))
    run.ok("--rules", str(strict), "reproject")
    assert run.json("--rules", str(strict), "info")["pairs"]["severed"] == 1
    assert run.json("info")["pairs"] == {"normal": 1, "strained": 0, "severed": 0}


def test_reproject_under_the_same_rules_checks_every_row_and_repairs_what_differs(
    run: Any, fixtures_dir: Path
) -> None:
    """Under the rules the projections were built with, reproject compares every stored
    event_effects row with the rebuilt one and writes only those that differ; a row of
    an event that no longer counts makes it write them all anew. Either way the
    projections end equal to a fresh fold."""
    from projection_checks import assert_projections_equal_fold
    from sqlalchemy import create_engine, text

    from relations.bootstrap import bootstrap
    from relations.domain.events import Pair

    load(run, fixtures_dir, "peru-mexico.jsonl", "colombia-venezuela.jsonl")

    def rewritten() -> int:
        return int(run.json("log")[-1]["details"]["effects_rewritten"])

    def check_all() -> None:
        app = bootstrap(run.url)
        with app.store.reading() as tx:
            for pair in (Pair.of("PER", "MEX"), Pair.of("COL", "VEN")):
                assert_projections_equal_fold(tx, app.machine, pair)
        app.close()

    events = run.json("reproject")["events"]
    assert rewritten() == 0, "nothing differed: nothing written"
    engine = create_engine(run.url)
    with engine.begin() as connection:  # damage two rows behind the tool's back
        connection.execute(text("UPDATE event_effects SET state = NULL, position = 99 "
                                "WHERE event_id = (SELECT min(event_id) FROM event_effects "
                                "WHERE state IS NOT NULL)"))  # fmt: skip
        last = "(SELECT max(event_id) FROM event_effects)"
        connection.execute(text("UPDATE event_effects SET stage_after = 'friction' "
                                f"WHERE event_id = {last}"))  # fmt: skip
    assert run.json("reproject")["changed"] == []
    assert rewritten() == 2, "exactly the damaged rows"
    check_all()
    # A stored row for an event that does not count (here: a retracted one's row put
    # back by hand) cannot be matched to a rebuilt row: every row is written anew.
    retracted = run.json("history", "PE", "MX")[-1]["id"]
    run.ok("retract", str(retracted), "--reason", "test", "--cascade")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO event_effects (event_id, pair_first, pair_second, "
                                "occurred_on, status_before, status_after, valid, changed) "
                                "SELECT id, pair_first, pair_second, occurred_on, 'normal', "
                                "'normal', true, false FROM events WHERE id = :id"),
                           {"id": retracted})  # fmt: skip
    engine.dispose()
    run.json("reproject")
    assert rewritten() == events - 1
    check_all()
