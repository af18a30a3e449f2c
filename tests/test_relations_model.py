"""The relations model through the CLI: stages, the missions in both directions,
protecting powers, consular relations, "never had relations" and establishment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Cli


def mission(status: dict[str, Any], sender: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in status["missions"] if m["sender"] == sender)
    return found


def test_algeria_and_mali_one_sided_return_then_normal(run: Cli, fixtures_dir: Path) -> None:
    # The real mutual recall of April 2025; the returns are made up for the test.
    run.ok("import", str(fixtures_dir / "algeria-mali.jsonl"))
    recalled = run.json("status", "DZA", "MLI")
    assert (recalled["status"], recalled["stage"]) == ("strained", "ambassador_withdrawn")
    assert recalled["since"] == recalled["stage_since"] == "2025-04-06"
    assert [m["level"] for m in recalled["missions"]] == ["withdrawn", "withdrawn"]

    run.ok("record", "ambassador_returned", "Algeria", "Mali", "--on", "2025-06-01")
    half = run.json("status", "DZA", "MLI")
    assert (half["status"], half["stage"]) == ("strained", "ambassador_withdrawn")
    assert mission(half, "DZA") == {
        "sender": "DZA", "host": "MLI", "level": "ambassador", "since": "2025-06-01",
        "protecting_power": None, "consular": True,
    }  # fmt: skip
    assert mission(half, "MLI")["level"] == "withdrawn"

    run.ok("record", "ambassador_returned", "Mali", "Algeria", "--on", "2025-07-01")
    back = run.json("status", "DZA", "MLI")
    assert (back["status"], back["stage"], back["since"]) == ("normal", "normal", "2025-07-01")
    # --as-of applies to all of it
    before = run.json("status", "DZA", "MLI", "--as-of", "2025-06-15")
    assert (before["status"], before["stage"]) == ("strained", "ambassador_withdrawn")
    assert [m["level"] for m in before["missions"]] == ["ambassador", "withdrawn"]


def test_no_relations_then_established_reads_right_on_both_sides(run: Cli) -> None:
    run.ok("record", "no_relations", "CHN", "HND", "--on", "1949-10-01")
    run.ok("record", "relations_established", "HND", "CHN", "--on", "2023-03-26")
    never = run.json("status", "CHN", "HND", "--as-of", "2023-03-25")
    assert (never["status"], never["stage"], never["since"]) == (
        "severed", "never_established", "1949-10-01",
    )  # fmt: skip
    assert [m["level"] for m in never["missions"]] == ["none", "none"]
    assert [m["consular"] for m in never["missions"]] == [False, False]
    on_the_day = run.json("status", "CHN", "HND", "--as-of", "2023-03-26")
    assert (on_the_day["status"], on_the_day["stage"]) == ("normal", "normal")
    assert [m["level"] for m in on_the_day["missions"]] == ["ambassador", "ambassador"]
    text = run.ok("status", "CHN", "HND", "--as-of", "2000-01-01").stdout
    assert "severed: no diplomatic relations (never established) since 1949-10-01" in text


def test_refusals_name_the_status_stage_and_mission_level(run: Cli) -> None:
    run.ok("record", "statement", "ISR", "SAU", "--on", "2020-01-01")
    refused = run.refused(1, "record", "no_relations", "ISR", "SAU", "--on", "2020-02-01")
    assert "the pair was normal" in refused.stderr
    assert "headed by an ambassador" in refused.stderr
    assert "no_relations must be the pair's earliest event" in refused.stderr

    refused = run.refused(1, "record", "relations_established", "ISR", "SAU", "--on", "2020-02-01")
    assert "allowed only from severed (never_established)" in refused.stderr

    run.ok("record", "ambassador_recalled", "DZA", "MLI", "--on", "2025-04-06")
    refused = run.refused(1, "record", "ambassador_returned", "MLI", "DZA", "--on", "2025-04-08")
    assert "strained (ambassador withdrawn)" in refused.stderr
    assert "MLI's mission in DZA was already headed by an ambassador" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_no_relations_backdated_before_every_event_is_accepted(run: Cli) -> None:
    run.ok("record", "statement", "ISR", "SAU", "--on", "2020-01-01")
    run.ok("record", "no_relations", "ISR", "SAU", "--on", "1948-05-14")
    found = run.json("status", "ISR", "SAU")
    assert (found["status"], found["stage"]) == ("severed", "never_established")


def test_via_is_required_for_a_protecting_power_and_refused_elsewhere(run: Cli) -> None:
    run.ok("record", "embassy_closed", "ARG", "VEN", "--on", "2024-08-01")
    run.refused(2, "record", "protecting_power_appointed", "ARG", "VEN", "--on", "2024-08-01")
    run.refused(2, "record", "statement", "ARG", "VEN", "--via", "BRA", "--on", "2024-08-01")
    run.refused(
        2, "record", "protecting_power_appointed", "ARG", "VEN", "--via", "VEN", "--on",
        "2024-08-01",
    )  # fmt: skip
    run.refused(
        2, "record", "protecting_power_appointed", "ARG", "VEN", "--via", "Narnia", "--on",
        "2024-08-01",
    )  # fmt: skip
    run.ok(
        "record", "protecting_power_appointed", "ARG", "VEN", "--via", "Brazil", "--on",
        "2024-08-01",
    )  # fmt: skip
    found = run.json("status", "VEN", "ARG")
    assert mission(found, "ARG")["protecting_power"] == "BRA"
    [event] = [e for e in run.json("history", "ARG", "VEN") if e["via"]]
    assert event["via"] == "BRA"
    assert "(via BRA)" in run.ok("history", "ARG", "VEN").stdout


def test_a_protecting_power_needs_the_actors_mission_closed(run: Cli) -> None:
    run.ok("record", "asylum_granted", "ARG", "VEN", "--on", "2024-03-20")
    refused = run.refused(
        1, "record", "protecting_power_appointed", "ARG", "VEN", "--via", "BRA", "--on",
        "2024-03-21",
    )  # fmt: skip
    assert "ARG's mission in VEN was headed by an ambassador" in refused.stderr


def test_stage_moves_while_since_stays(run: Cli) -> None:
    """Niger-France 2023 read as an analyst would: strained since the expulsion, the
    embassy closed since December (dates made up for the test)."""
    run.ok("record", "diplomat_expelled", "NER", "FRA", "--on", "2023-08-25")
    run.ok("record", "embassy_closed", "FRA", "NER", "--on", "2023-12-20")
    found = run.json("status", "FRA", "NER")
    assert (found["status"], found["since"]) == ("strained", "2023-08-25")
    assert (found["stage"], found["stage_since"]) == ("embassy_closed", "2023-12-20")
    assert [m["level"] for m in found["missions"]] == ["closed", "ambassador"]  # FRA in NER
    history = run.json("history", "FRA", "NER")
    assert [(e["stage_before"], e["stage_after"]) for e in history] == [
        ("normal", "ambassador_withdrawn"),
        ("ambassador_withdrawn", "embassy_closed"),
    ]
    line = run.ok("status", "FRA", "NER").stdout.splitlines()[0]
    assert "strained (embassy closed) since 2023-08-25, stage since 2023-12-20" in line


def test_escalation_never_makes_a_mission_less_serious(run: Cli) -> None:
    run.ok("record", "embassy_closed", "FRA", "NER", "--on", "2023-12-20")
    run.ok("record", "ambassador_recalled", "FRA", "NER", "--on", "2023-12-21")
    run.ok("record", "relations_downgraded", "FRA", "NER", "--on", "2023-12-22")
    found = run.json("status", "FRA", "NER")
    assert [m["level"] for m in found["missions"]] == ["closed", "charge"]
    assert found["stage"] == "embassy_closed"


def test_consular_relations_continue_after_a_break_unless_severed(run: Cli) -> None:
    run.ok("record", "relations_severed", "PER", "MEX", "--on", "2025-11-03")
    found = run.json("status", "PER", "MEX")
    assert [m["consular"] for m in found["missions"]] == [True, True]
    assert "consular relations continue" in run.ok("status", "PER", "MEX").stdout
    run.ok("record", "consular_relations_severed", "PER", "MEX", "--on", "2025-11-04")
    found = run.json("status", "PER", "MEX")
    assert [m["consular"] for m in found["missions"]] == [False, False]
    run.ok("record", "relations_restored", "PER", "MEX", "--on", "2025-11-05")
    found = run.json("status", "PER", "MEX")
    assert [(m["level"], m["consular"]) for m in found["missions"]] == [
        ("ambassador", True), ("ambassador", True),
    ]  # fmt: skip


def test_the_human_status_shows_each_mission(run: Cli, fixtures_dir: Path) -> None:
    run.ok("import", str(fixtures_dir / "argentina-venezuela.jsonl"))
    lines = run.ok("status", "Venezuela", "Argentina").stdout.splitlines()
    assert lines[0].startswith("ARG-VEN (Argentina - Venezuela): strained (embassy closed) since")
    assert lines[1].startswith("  Argentina in Venezuela: closed since 2024-07-29")
    assert "interests represented by Brazil" in lines[1]
    assert lines[2].startswith("  Venezuela in Argentina: closed since 2024-07-29")


def test_known_at_applies_to_stage_and_missions(run: Cli) -> None:
    run.ok("record", "ambassador_recalled", "DZA", "MLI", "--on", "2025-04-06")
    [entry] = run.json("log")
    run.ok("record", "embassy_closed", "DZA", "MLI", "--on", "2025-05-01")
    then = run.json("status", "DZA", "MLI", "--known-at", entry["at"])
    assert then["stage"] == "ambassador_withdrawn"
    assert [m["level"] for m in then["missions"]] == ["withdrawn", "ambassador"]
    now = run.json("status", "DZA", "MLI")
    assert now["stage"] == "embassy_closed"


def test_pairs_by_stage_and_its_json(run: Cli, fixtures_dir: Path) -> None:
    for name in ("argentina-venezuela.jsonl", "peru-mexico.jsonl", "algeria-mali.jsonl"):
        run.ok("import", str(fixtures_dir / name))
    closed = run.json("pairs", "--stage", "embassy_closed")
    assert [p["pair"] for p in closed] == [["ARG", "VEN"]]
    assert closed[0]["stage_since"] == "2024-07-29"
    broken = run.json("pairs", "--status", "severed", "--stage", "broken")
    assert [p["pair"] for p in broken] == [["MEX", "PER"]]
    assert run.json("pairs", "--status", "normal", "--stage", "broken") == []
    refused = run.refused(2, "pairs", "--stage", "embasy_closed")
    assert "did you mean embassy_closed" in refused.stderr
    table = run.ok("pairs").stdout
    assert "stage since" in table and "ambassador_withdrawn" in table


def test_event_types_json_shows_mission_effects(run: Cli) -> None:
    types = {t["type"]: t for t in run.json("event-types")}
    assert types["ambassador_recalled"]["missions"]["actor"] == "withdrawn"
    assert types["diplomat_expelled"]["missions"]["target"] == "withdrawn"
    assert types["relations_downgraded"]["missions"] == {
        "actor": "charge", "target": "charge", "consular": None, "protecting_power": None,
    }  # fmt: skip
    assert types["embassy_ordered_closed"]["missions"]["target"] == "closed"
    assert types["protecting_power_appointed"]["via"] is True
    assert types["no_relations"]["requires"] == ["first_event"]
    assert types["armed_clash"]["cameo"] == "190"
    assert types["ceasefire"]["effect"] == "none"


def test_record_json_gives_stages(run: Cli) -> None:
    [result] = run.json("record", "ambassador_recalled", "DZA", "MLI", "--on", "2025-04-06")
    assert (result["stage_before"], result["stage_after"]) == ("normal", "ambassador_withdrawn")
    text = run.ok("record", "embassy_closed", "DZA", "MLI", "--on", "2025-04-07").stdout
    assert "strained (ambassador withdrawn) -> strained (embassy closed)" in text


def test_diagram_draws_the_nested_machine(run: Cli) -> None:
    text = run.ok("diagram").stdout
    assert "state strained {" in text and "state severed {" in text
    assert "normal --> severed.never_established: declare_none" in text
    assert "severed.never_established --> normal: establish" in text
    assert "strained.embassy_closed --> normal: normalize" in text
    assert json.dumps(text)  # plain text
