"""The commands doing what they are for: record, status, history, pairs, events,
event-types, import, diagram, demo and info, checked through their output and JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from relations.cli import cli

EVENT_KEYS = {
    "id",
    "event_type",
    "actor",
    "target",
    "occurred_on",
    "summary",
    "source",
    "external_id",
    "recorded_at",
    "supersedes",
    "via",
    "review",
    "coded_type",
    "feed",
}
RECORD_KEYS = {
    "id", "pair", "event_type", "status_before", "status_after", "stage_before", "stage_after",
    "created",
}  # fmt: skip

# fixtures/peru-mexico.jsonl, in order: (date, type, actor, status before, status after)
PERU_MEXICO = [
    ("2022-12-15", "ambassador_recalled", "PER", "normal", "strained"),
    ("2022-12-20", "asylum_granted", "MEX", "strained", "strained"),
    ("2022-12-20", "diplomat_expelled", "PER", "strained", "strained"),
    ("2023-02-24", "relations_downgraded", "PER", "strained", "strained"),
    ("2023-05-25", "legislature_declaration", "PER", "strained", "strained"),
    ("2025-11-03", "asylum_granted", "MEX", "strained", "strained"),
    ("2025-11-03", "relations_severed", "PER", "strained", "severed"),
    ("2025-11-03", "diplomat_expelled", "PER", "severed", "severed"),
    ("2025-11-06", "legislature_declaration", "PER", "severed", "severed"),
    ("2025-11-07", "safe_conduct_denied", "PER", "severed", "severed"),
    ("2026-01-25", "protecting_power_appointed", "MEX", "severed", "severed"),
]

ALL_TYPES = {
    "asylum_granted": ("escalate", "075"),
    "ambassador_recalled": ("escalate", "161"),
    "diplomat_expelled": ("escalate", "161"),
    "relations_downgraded": ("escalate", "161"),
    "embassy_closed": ("escalate", "161"),
    "sanctions_imposed": ("escalate", "163"),
    "safe_conduct_denied": ("escalate", None),
    "relations_reduced": ("escalate", "160"),
    "relations_severed": ("sever", "161"),
    "relations_restored": ("restore", "050"),
    "ambassador_returned": ("normalize", None),
    "relations_normalized": ("normalize", None),
    "statement": ("none", "111"),
    "protest_note": ("none", "114"),
    "envoy_summoned": ("none", "110"),
    "break_threatened": ("none", "1313"),
    "legislature_declaration": ("none", None),
    "agreement_signed": ("none", "057"),
    "visit": ("none", "042"),
    "embassy_ordered_closed": ("escalate", "161"),
    "consular_relations_severed": ("escalate", "161"),
    "armed_clash": ("escalate", "190"),
    "treaty_suspended": ("escalate", None),
    "relations_established": ("establish", "054"),
    "no_relations": ("declare_none", None),
    "protecting_power_appointed": ("represent", None),
    "ceasefire": ("none", "0871"),
}


def load(run: Any, fixtures_dir: Path, *names: str) -> None:
    for name in names:
        run.ok("import", str(fixtures_dir / name))


def snapshot(run: Any) -> tuple[Any, Any]:
    """Everything a user can see of the database: all events and all pair statuses."""
    return run.json("events"), run.json("pairs")


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- record -------------------------------------------------------------------------


def test_record_one_event_prints_the_pair_and_its_change(run: Any) -> None:
    recorded = run.json("record", "ambassador_recalled", "Peru", "Mexico", "--on", "2022-12-15")
    [event] = run.json("events")
    assert recorded == [
        {
            "id": event["id"],
            "pair": ["MEX", "PER"],
            "event_type": "ambassador_recalled",
            "status_before": "normal",
            "status_after": "strained",
            "stage_before": "normal",
            "stage_after": "ambassador_withdrawn",
            "created": True,
        }
    ]
    assert isinstance(event["id"], int)


def test_record_stores_every_field_as_given(run: Any) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    run.ok(
        "record",
        "relations_severed",
        "per",
        "MX",
        "--on",
        "2025-11-03",
        "--summary",
        "Peru breaks relations over asylum for Betssy Chávez",
        "--source",
        "https://example.org/peru-mexico",
        "--external-id",
        "per-mex-1",
    )
    [event] = run.json("events")
    assert set(event) == EVENT_KEYS
    recorded_at = datetime.fromisoformat(event.pop("recorded_at"))
    assert started <= recorded_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert event == {
        "id": event["id"],
        "event_type": "relations_severed",
        "actor": "PER",
        "target": "MEX",
        "occurred_on": "2025-11-03",
        "summary": "Peru breaks relations over asylum for Betssy Chávez",
        "source": "https://example.org/peru-mexico",
        "external_id": "per-mex-1",
        "supersedes": None,
        "via": None,
        "review": "confirmed",
        "coded_type": None,
        "feed": None,
    }


def test_record_without_optional_fields(run: Any) -> None:
    run.ok("record", "statement", "MEX", "PER", "--on", "2023-01-10")
    [event] = run.json("events")
    assert event["summary"] is None, "a value not given is null, like external_id"
    assert event["source"] is None
    assert event["external_id"] is None


def test_record_several_targets_makes_one_event_per_target(run: Any) -> None:
    recorded = run.json(
        "record", "ambassador_recalled", "Peru", "Mexico", "AR", "Bolivia", "COL", "--on",
        "2022-12-15",
    )  # fmt: skip
    assert [(r["pair"], r["status_before"], r["status_after"]) for r in recorded] == [
        (["MEX", "PER"], "normal", "strained"),
        (["ARG", "PER"], "normal", "strained"),
        (["BOL", "PER"], "normal", "strained"),
        (["COL", "PER"], "normal", "strained"),
    ]
    assert all(r["created"] is True and r["event_type"] == "ambassador_recalled" for r in recorded)
    assert len({r["id"] for r in recorded}) == 4
    events = run.json("events")
    assert sorted((e["actor"], e["target"]) for e in events) == [
        ("PER", "ARG"),
        ("PER", "BOL"),
        ("PER", "COL"),
        ("PER", "MEX"),
    ]
    assert sorted(e["id"] for e in events) == sorted(r["id"] for r in recorded)
    for other in ("ARG", "BOL", "COL", "MEX"):
        assert run.json("status", "PER", other)["status"] == "strained"


@pytest.mark.parametrize(
    ("a", "b", "actor", "target"),
    [
        ("PE", "MX", "PER", "MEX"),
        ("per", "mex", "PER", "MEX"),
        ("Peru", "México", "PER", "MEX"),
        ("PERU", "mexico", "PER", "MEX"),
        ("Perú", "MÉXICO", "PER", "MEX"),
        ("USA", "Russia", "USA", "RUS"),
        ("United States", "UK", "USA", "GBR"),
        ("Türkiye", "Iran", "TUR", "IRN"),
        ("Turkey", "Kosovo", "TUR", "XKX"),
        ("XK", "RS", "XKX", "SRB"),
        ("Venezuela", "Colombia", "VEN", "COL"),
        ("Saudi Arabia", "iran", "SAU", "IRN"),
    ],
)
def test_countries_are_accepted_in_any_form_and_stored_as_alpha_3(
    run: Any, a: str, b: str, actor: str, target: str
) -> None:
    [recorded] = run.json("record", "statement", a, b, "--on", "2024-03-01")
    assert recorded["pair"] == sorted([actor, target])
    [event] = run.json("events")
    assert (event["actor"], event["target"]) == (actor, target)
    assert run.json("status", b, a)["pair"] == sorted([actor, target])


def test_event_type_names_are_case_and_separator_insensitive(run: Any) -> None:
    [recorded] = run.json("record", "Ambassador-Recalled", "PER", "MEX", "--on", "2022-12-15")
    assert recorded["event_type"] == "ambassador_recalled"
    assert run.json("events")[0]["event_type"] == "ambassador_recalled"


def test_record_follows_the_rules_through_a_whole_cycle(run: Any) -> None:
    steps = [
        ("ambassador_recalled", "2022-12-15", "normal", "strained"),
        ("asylum_granted", "2022-12-20", "strained", "strained"),
        ("relations_severed", "2023-01-05", "strained", "severed"),
        ("sanctions_imposed", "2023-02-01", "severed", "severed"),
        ("relations_restored", "2023-06-01", "severed", "normal"),
        ("relations_severed", "2023-09-01", "normal", "severed"),
        ("relations_restored", "2024-01-15", "severed", "normal"),
        ("protest_note", "2024-02-01", "normal", "normal"),
        ("diplomat_expelled", "2024-03-01", "normal", "strained"),
        ("relations_normalized", "2024-05-01", "strained", "normal"),
        ("embassy_closed", "2024-06-01", "normal", "strained"),
        ("ambassador_returned", "2024-07-01", "strained", "normal"),
    ]
    for kind, day, before, after in steps:
        [recorded] = run.json("record", kind, "PER", "MEX", "--on", day)
        assert (recorded["status_before"], recorded["status_after"]) == (before, after), kind
    status = run.json("status", "PER", "MEX")
    assert (status["status"], status["since"]) == ("normal", "2024-07-01")
    assert status["events"] == len(steps)


def test_same_external_id_and_content_again_is_a_no_op(run: Any) -> None:
    args = ("record", "ambassador_recalled", "PER", "MEX", "--on", "2022-12-15",
            "--summary", "recall", "--external-id", "x-1")  # fmt: skip
    [first] = run.json(*args)
    before = snapshot(run)
    [again] = run.json(*args)
    assert again["created"] is False
    assert again["id"] == first["id"]
    assert again["pair"] == ["MEX", "PER"]
    assert again["status_before"] == again["status_after"] == "strained"
    assert snapshot(run) == before
    text = run.ok(*args)
    assert "already" in text.output.lower()
    assert snapshot(run) == before


def test_repeating_a_recorded_sever_by_external_id_is_still_a_no_op(run: Any) -> None:
    """As a new event it would be refused (already severed); as a repeat it is fine."""
    args = ("record", "relations_severed", "PER", "MEX", "--on", "2025-11-03",
            "--external-id", "sever-1", "--json")  # fmt: skip
    [first] = run.json(*args[:-1])
    before = snapshot(run)
    result = run.ok(*args)
    [again] = json.loads(result.stdout)
    assert (again["id"], again["created"]) == (first["id"], False)
    assert again["status_before"] == again["status_after"] == "severed"
    assert snapshot(run) == before


def test_identical_import_rows_in_one_file_are_recorded_once(run: Any, tmp_path: Path) -> None:
    row = "2022-12-15,ambassador_recalled,PER,MEX,recall,,dup-1"
    path = write(tmp_path / "dupes.csv", [CSV_HEADER, row, row])
    run.ok("import", str(path))
    [event] = run.json("events")
    assert event["external_id"] == "dup-1"
    assert run.json("status", "PER", "MEX")["events"] == 1


# --- backdated events -----------------------------------------------------------------


def test_backdated_event_moves_since_back(run: Any) -> None:
    run.ok("record", "asylum_granted", "MEX", "PER", "--on", "2023-05-01")
    assert run.json("status", "PER", "MEX")["since"] == "2023-05-01"
    [recorded] = run.json("record", "ambassador_recalled", "PER", "MEX", "--on", "2022-12-15")
    assert recorded["created"] is True
    status = run.json("status", "PER", "MEX")
    assert (status["status"], status["since"]) == ("strained", "2022-12-15")
    assert status["cause"]["id"] == recorded["id"]
    assert status["cause"]["event_type"] == "ambassador_recalled"
    assert status["events"] == 2
    history = run.json("history", "PER", "MEX")
    assert [(h["event_type"], h["status_before"], h["status_after"]) for h in history] == [
        ("ambassador_recalled", "normal", "strained"),
        ("asylum_granted", "strained", "strained"),
    ]
    [pair] = run.json("pairs")
    assert (pair["status"], pair["since"]) == ("strained", "2022-12-15")


def test_backdated_event_can_change_the_current_status(run: Any) -> None:
    run.ok("record", "ambassador_recalled", "PER", "MEX", "--on", "2022-12-15")
    run.ok("record", "legislature_declaration", "PER", "MEX", "--on", "2023-05-25")
    run.ok("record", "ambassador_returned", "PER", "MEX", "--on", "2023-03-01")
    status = run.json("status", "Mexico", "Peru")
    assert (status["status"], status["since"]) == ("normal", "2023-03-01")
    assert status["cause"]["event_type"] == "ambassador_returned"
    assert run.json("status", "PER", "MEX", "--as-of", "2023-02-28")["status"] == "strained"
    [pair] = run.json("pairs", "--status", "normal")
    assert (pair["pair"], pair["since"]) == (["MEX", "PER"], "2023-03-01")
    assert run.json("pairs", "--status", "strained") == []
    history = run.json("history", "PER", "MEX")
    assert [(h["occurred_on"], h["status_before"], h["status_after"]) for h in history] == [
        ("2022-12-15", "normal", "strained"),
        ("2023-03-01", "strained", "normal"),
        ("2023-05-25", "normal", "normal"),
    ]


# --- status -----------------------------------------------------------------------------


def test_status_of_a_pair_without_events_is_normal(run: Any) -> None:
    initial = {"level": "ambassador", "since": None, "protecting_power": None, "consular": True}
    assert run.json("status", "Peru", "Chile") == {
        "pair": ["CHL", "PER"],
        "status": "normal",
        "since": None,
        "stage": "normal",
        "stage_since": None,
        "missions": [
            {"sender": "CHL", "host": "PER", **initial},
            {"sender": "PER", "host": "CHL", **initial},
        ],
        "as_of": datetime.now(UTC).date().isoformat(),  # the UTC date: no later event
        "known_at": None,
        "cause": None,
        "events": 0,
        "pending": {"count": 0, "latest": None},
    }


def test_status_now_of_peru_and_mexico(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    severed = next(e for e in run.json("events") if e["event_type"] == "relations_severed")
    status = run.json("status", "Peru", "Mexico")
    closed = {"level": "closed", "since": "2025-11-03", "consular": True}
    assert status == {
        "pair": ["MEX", "PER"],
        "status": "severed",
        "since": "2025-11-03",
        "stage": "broken",
        "stage_since": "2025-11-03",
        "missions": [
            {"sender": "MEX", "host": "PER", **closed, "protecting_power": "BRA"},
            {"sender": "PER", "host": "MEX", **closed, "protecting_power": None},
        ],
        "as_of": datetime.now(UTC).date().isoformat(),  # the UTC date: no later event
        "known_at": None,
        "cause": severed,
        "events": 11,
        "pending": {"count": 0, "latest": None},
    }
    assert set(status["cause"]) == EVENT_KEYS
    assert status["cause"]["external_id"] == "fixture:per-mex:2025-11-03:relations_severed"
    assert run.json("status", "MX", "PE") == status


@pytest.mark.parametrize(
    ("as_of", "status", "since", "cause", "events"),
    [
        ("2022-12-14", "normal", None, None, 0),
        ("2022-12-15", "strained", "2022-12-15", "ambassador_recalled", 1),
        ("2022-12-20", "strained", "2022-12-15", "ambassador_recalled", 3),
        ("2024-01-01", "strained", "2022-12-15", "ambassador_recalled", 5),
        ("2025-11-02", "strained", "2022-12-15", "ambassador_recalled", 5),
        ("2025-11-03", "severed", "2025-11-03", "relations_severed", 8),
        ("2025-11-05", "severed", "2025-11-03", "relations_severed", 8),
    ],
)
def test_status_as_of_a_date(
    run: Any,
    fixtures_dir: Path,
    as_of: str,
    status: str,
    since: str | None,
    cause: str | None,
    events: int,
) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    found = run.json("status", "PER", "MEX", "--as-of", as_of)
    assert found["pair"] == ["MEX", "PER"]
    assert found["as_of"] == as_of
    assert (found["status"], found["since"], found["events"]) == (status, since, events)
    assert (found["cause"] and found["cause"]["event_type"]) == cause
    if cause:
        assert found["cause"]["occurred_on"] == since


def test_status_since_of_a_restored_pair(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "colombia-venezuela.jsonl")
    status = run.json("status", "Colombia", "Venezuela")
    assert (status["status"], status["since"], status["events"]) == ("normal", "2022-08-11", 5)
    assert status["cause"]["event_type"] == "relations_restored"
    old = run.json("status", "COL", "VEN", "--as-of", "2020-01-01")
    assert (old["status"], old["since"], old["events"]) == ("severed", "2019-02-23", 3)


def test_status_text_output(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    out = run.ok("status", "Peru", "Mexico").output
    assert "severed (broken) since 2025-11-03" in out
    assert "relations_severed" in out
    out = run.ok("status", "Peru", "Mexico", "--as-of", "2024-01-01").output
    assert "strained (downgraded) since 2022-12-15, stage since 2023-02-24" in out


# --- history ---------------------------------------------------------------------------


def test_history_lists_every_event_with_its_change(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    history = run.json("history", "Mexico", "Peru")
    assert [
        (h["occurred_on"], h["event_type"], h["actor"], h["status_before"], h["status_after"])
        for h in history
    ] == PERU_MEXICO
    for h in history:
        assert EVENT_KEYS | {"status_before", "status_after"} <= set(h)
        assert {h["actor"], h["target"]} == {"MEX", "PER"}
    events = {e["id"]: e for e in run.json("events")}
    for h in history:
        assert {k: h[k] for k in EVENT_KEYS} == events[h["id"]]


def test_history_of_a_pair_without_events_is_empty(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    assert run.json("history", "Peru", "Chile") == []
    assert run.ok("history", "Peru", "Chile").output.strip()


def test_history_text_output(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    out = run.ok("history", "PE", "MX").output
    for day, kind, *_ in PERU_MEXICO:
        assert day in out and kind in out
    assert out.index("2022-12-15") < out.index("2025-11-03") < out.index("2026-01-25")


# --- pairs -------------------------------------------------------------------------------


def test_pairs_lists_every_pair_with_events(run: Any, fixtures_dir: Path) -> None:
    assert run.json("pairs") == []
    load(run, fixtures_dir, "peru-mexico.jsonl", "ecuador-mexico.jsonl",
         "colombia-venezuela.jsonl", "iran-saudi-arabia.jsonl")  # fmt: skip
    pairs = run.json("pairs")
    for p in pairs:
        assert {"pair", "status", "since"} <= set(p)
    assert sorted((p["pair"], p["status"], p["since"]) for p in pairs) == [
        (["COL", "VEN"], "normal", "2022-08-11"),
        (["ECU", "MEX"], "severed", "2024-04-05"),
        (["IRN", "SAU"], "normal", "2023-03-10"),
        (["MEX", "PER"], "severed", "2025-11-03"),
    ]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("severed", [["ECU", "MEX"], ["MEX", "PER"]]),
        ("normal", [["COL", "VEN"], ["IRN", "SAU"]]),
        ("strained", [["ARG", "PER"]]),
    ],
)
def test_pairs_filtered_by_status(
    run: Any, fixtures_dir: Path, wanted: str, expected: list[list[str]]
) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl", "ecuador-mexico.jsonl",
         "colombia-venezuela.jsonl", "iran-saudi-arabia.jsonl")  # fmt: skip
    run.ok("record", "ambassador_recalled", "PER", "ARG", "--on", "2022-12-15")
    found = run.json("pairs", "--status", wanted)
    assert sorted(p["pair"] for p in found) == expected
    assert {p["status"] for p in found} == {wanted}


def test_pair_with_only_neutral_events_has_no_since(run: Any) -> None:
    run.ok("record", "visit", "PER", "CHL", "--on", "2024-02-02")
    [pair] = run.json("pairs")
    assert (pair["pair"], pair["status"], pair["since"]) == (["CHL", "PER"], "normal", None)
    status = run.json("status", "PER", "CHL")
    assert (status["since"], status["cause"], status["events"]) == (None, None, 1)


# --- events ------------------------------------------------------------------------------


def _events(run: Any, *args: str) -> list[tuple[str, str, str, str]]:
    found = run.json("events", *args)
    for e in found:
        assert set(e) == EVENT_KEYS
    return sorted((e["occurred_on"], e["event_type"], e["actor"], e["target"]) for e in found)


def test_events_lists_all_events(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl", "ecuador-mexico.jsonl")
    assert len(_events(run)) == 11 + 11


def test_events_filters(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl", "ecuador-mexico.jsonl",
         "colombia-venezuela.jsonl")  # fmt: skip
    assert _events(run, "--country", "Peru", "--type", "asylum_granted") == [
        ("2022-12-20", "asylum_granted", "MEX", "PER"),
        ("2025-11-03", "asylum_granted", "MEX", "PER"),
    ]
    assert _events(run, "--country", "ec") == [
        ("2024-04-04", "diplomat_expelled", "ECU", "MEX"),
        ("2024-04-05", "asylum_granted", "MEX", "ECU"),
        ("2024-04-05", "relations_severed", "MEX", "ECU"),
        ("2024-04-05", "safe_conduct_denied", "ECU", "MEX"),
        ("2024-04-05", "statement", "ECU", "MEX"),
        ("2024-04-06", "embassy_closed", "MEX", "ECU"),
        ("2024-05-11", "consular_relations_severed", "ECU", "MEX"),
        ("2024-05-13", "protecting_power_appointed", "ECU", "MEX"),
        ("2024-06-15", "protecting_power_appointed", "MEX", "ECU"),
        ("2024-06-24", "protecting_power_appointed", "ECU", "MEX"),
        ("2025-04-16", "statement", "MEX", "ECU"),
    ]
    assert _events(run, "--type", "relations_severed") == [
        ("2019-02-23", "relations_severed", "VEN", "COL"),
        ("2024-04-05", "relations_severed", "MEX", "ECU"),
        ("2025-11-03", "relations_severed", "PER", "MEX"),
    ]
    assert _events(run, "--from", "2025-11-04", "--to", "2025-11-06") == [
        ("2025-11-06", "legislature_declaration", "PER", "MEX"),
    ]
    assert _events(run, "--country", "México", "--from", "2025-01-01") == [
        ("2025-04-16", "statement", "MEX", "ECU"),
        ("2025-11-03", "asylum_granted", "MEX", "PER"),
        ("2025-11-03", "diplomat_expelled", "PER", "MEX"),
        ("2025-11-03", "relations_severed", "PER", "MEX"),
        ("2025-11-06", "legislature_declaration", "PER", "MEX"),
        ("2025-11-07", "safe_conduct_denied", "PER", "MEX"),
        ("2026-01-25", "protecting_power_appointed", "MEX", "PER"),
    ]
    assert _events(run, "--to", "2019-12-31") == [
        ("2019-02-23", "consular_relations_severed", "VEN", "COL"),
        ("2019-02-23", "diplomat_expelled", "VEN", "COL"),
        ("2019-02-23", "relations_severed", "VEN", "COL"),
    ]
    assert _events(run, "--country", "Chile") == []


def test_events_are_listed_in_date_order(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl", "colombia-venezuela.jsonl")
    days = [e["occurred_on"] for e in run.json("events")]
    assert days == sorted(days)


# --- event-types ---------------------------------------------------------------------------


def test_event_types_lists_all_27(run: Any) -> None:
    types = run.json("event-types")
    assert len(types) == 27
    for t in types:
        assert {"type", "effect", "description", "cameo"} <= set(t)
        assert t["description"].strip()
    assert {t["type"]: (t["effect"], t["cameo"]) for t in types} == ALL_TYPES


def test_event_types_text_lists_every_type(run: Any) -> None:
    out = run.ok("event-types").output
    for name in ALL_TYPES:
        assert name in out


# --- import ----------------------------------------------------------------------------------

CSV_HEADER = "occurred_on,event_type,actor,target,summary,source,external_id"


def test_import_csv(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", [
        CSV_HEADER,
        "2022-12-15,ambassador_recalled,Peru,Mexico,Recall,https://example.org/1,csv-1",
        '2023-05-25,legislature_declaration,PE,MX,"Congress, 65-40",,csv-2',
        "2025-11-03,relations_severed,PER,MEX,,,",
    ])  # fmt: skip
    run.ok("import", str(path))
    events = run.json("events")
    assert [(e["occurred_on"], e["event_type"], e["actor"], e["target"]) for e in events] == [
        ("2022-12-15", "ambassador_recalled", "PER", "MEX"),
        ("2023-05-25", "legislature_declaration", "PER", "MEX"),
        ("2025-11-03", "relations_severed", "PER", "MEX"),
    ]
    assert [(e["summary"], e["source"], e["external_id"]) for e in events] == [
        ("Recall", "https://example.org/1", "csv-1"),
        ("Congress, 65-40", None, "csv-2"),
        (None, None, None),
    ]
    status = run.json("status", "PER", "MEX")
    assert (status["status"], status["since"], status["events"]) == ("severed", "2025-11-03", 3)


def test_import_jsonl_fixture_matches_the_file(run: Any, fixtures_dir: Path) -> None:
    path = fixtures_dir / "peru-mexico.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    run.ok("import", str(path))
    events = run.json("events")
    assert len(events) == len(rows) == 11
    for event, row in zip(events, rows, strict=True):
        assert {k: event[k] for k in row} == row


def test_import_with_explicit_format(run: Any, tmp_path: Path) -> None:
    jsonl = write(tmp_path / "events.txt", [
        json.dumps({"occurred_on": "2024-04-04", "event_type": "diplomat_expelled",
                    "actor": "Ecuador", "target": "Mexico"}),
    ])  # fmt: skip
    csv = write(tmp_path / "more.data", [CSV_HEADER, "2024-04-05,relations_severed,MEX,ECU,,,"])
    run.ok("import", str(jsonl), "--format", "jsonl")
    run.ok("import", str(csv), "--format", "csv")
    status = run.json("status", "ECU", "MEX")
    assert (status["status"], status["since"], status["events"]) == ("severed", "2024-04-05", 2)


def test_import_applies_rows_in_file_order(run: Any, tmp_path: Path) -> None:
    """Same-day rows: recalled then returned is valid (and ends normal); history keeps
    the file's order."""
    path = write(tmp_path / "same-day.csv", [
        CSV_HEADER,
        "2024-03-01,ambassador_recalled,PER,MEX,,,",
        "2024-03-01,ambassador_returned,PER,MEX,,,",
        "2024-03-01,embassy_closed,MEX,PER,,,",
    ])  # fmt: skip
    run.ok("import", str(path))
    history = run.json("history", "PER", "MEX")
    assert [(h["event_type"], h["status_before"], h["status_after"]) for h in history] == [
        ("ambassador_recalled", "normal", "strained"),
        ("ambassador_returned", "strained", "normal"),
        ("embassy_closed", "normal", "strained"),
    ]
    status = run.json("status", "PER", "MEX")
    assert (status["status"], status["since"]) == ("strained", "2024-03-01")
    assert status["cause"]["event_type"] == "embassy_closed"


def test_import_checks_rows_against_earlier_rows_of_the_same_file(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "twice.csv", [
        CSV_HEADER,
        "2024-03-01,relations_severed,PER,MEX,,,",
        "2024-04-01,relations_severed,MEX,PER,,,",
    ])  # fmt: skip
    result = run.refused(1, "import", str(path))
    assert "line 3" in result.stderr
    assert "line 2" not in result.stderr
    assert run.json("events") == []


def test_reimporting_the_same_file_is_a_no_op(run: Any, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    before = snapshot(run)
    load(run, fixtures_dir, "peru-mexico.jsonl")
    assert snapshot(run) == before
    assert len(before[0]) == 11


def test_import_skips_rows_already_recorded_one_by_one(run: Any, fixtures_dir: Path) -> None:
    rows = [json.loads(line) for line in (fixtures_dir / "peru-mexico.jsonl").open()]
    [severance] = [r for r in rows if r["event_type"] == "relations_severed"]
    run.ok(
        "record", "relations_severed", "PER", "MEX", "--on", "2025-11-03",
        "--summary", severance["summary"], "--source", severance["source"],
        "--external-id", severance["external_id"],
    )  # fmt: skip
    load(run, fixtures_dir, "peru-mexico.jsonl")
    events = run.json("events")
    assert len(events) == 11
    assert [e["event_type"] for e in events].count("relations_severed") == 1
    status = run.json("status", "PER", "MEX")
    assert (status["status"], status["since"], status["events"]) == ("severed", "2025-11-03", 11)


# --- diagram, demo, info --------------------------------------------------------------------


def test_diagram_is_mermaid_with_every_transition(run: Any) -> None:
    out = run.ok("diagram").output
    assert "stateDiagram-v2" in out
    arrows = set(re.findall(r"^\s*(\w+)[.\w]*\s*-->\s*(\w+)", out, flags=re.MULTILINE))
    assert {
        ("normal", "strained"),
        ("normal", "severed"),
        ("strained", "severed"),
        ("strained", "normal"),
        ("severed", "normal"),
    } <= arrows
    assert ("severed", "strained") not in arrows


def test_demo_shows_peru_and_mexico_and_is_repeatable(run: Any, fixtures_dir: Path) -> None:
    first = run.ok("demo")
    out = first.output
    assert "severed (broken) since 2025-11-03" in out
    assert "strained (downgraded) since 2022-12-15" in out
    for day, kind, *_ in PERU_MEXICO:
        assert day in out and kind in out
    fixture_rows = sum(
        1
        for path in fixtures_dir.glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    after_first = snapshot(run)
    from relations.services.world import read_baseline

    world = read_baseline().rows
    loaded = run.json("world", "load")
    assert loaded["created"] == 0 and loaded["already_recorded"] + loaded["already_known"] == (
        len(world)
    ), "the demo loaded the whole world baseline"
    assert fixture_rows < len(after_first[0]) <= fixture_rows + len(world)
    assert "From the world baseline: Israel - Saudi Arabia" in out
    assert "severed: no diplomatic relations (never established) since 1948-05-14" in out
    status = run.json("status", "Peru", "Mexico")
    assert (status["status"], status["since"]) == ("severed", "2025-11-03")
    old = run.json("status", "Peru", "Mexico", "--as-of", "2024-01-01")
    assert (old["status"], old["since"]) == ("strained", "2022-12-15")

    second = run.ok("demo")
    assert snapshot(run) == after_first
    assert run.json("status", "Peru", "Mexico") == status
    assert re.search(r"\b0 new events\b", second.output)
    marker = "Peru - Mexico"
    assert second.output[second.output.index(marker) :] == out[out.index(marker) :]


def test_info_shows_database_and_counts(run: Any, db_url: str, fixtures_dir: Path) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl", "colombia-venezuela.jsonl")
    info = run.json("info")
    assert info["events"] == 16
    assert info["pairs"] == {"normal": 1, "strained": 0, "severed": 1}
    text = run.ok("info").output
    assert re.search(r"events:\s+16\b", text)
    if db_url.startswith("sqlite"):
        assert db_url.removeprefix("sqlite:///") in info["database"]
        return
    # PostgreSQL: the same database reached with a password (trust auth ignores it).
    url = make_url(db_url).set(password="s3cr3t-pw").render_as_string(hide_password=False)
    for args in (["info"], ["info", "--json"]):
        result = CliRunner().invoke(cli, ["--db", url, *args])
        assert result.exit_code == 0, (result.output, result.exception)
        assert "s3cr3t-pw" not in result.output
        assert "***" in result.output


def test_unreachable_database_error_masks_the_password() -> None:
    url = "postgresql://someone:s3cr3t-pw@127.0.0.1:1/nowhere"
    result = CliRunner().invoke(cli, ["--db", url, "info"])
    assert result.exit_code == 1
    assert "s3cr3t-pw" not in result.output
    assert "***" in result.stderr
    assert "Traceback" not in result.output


def test_a_backdated_record_says_what_it_did_on_its_own_date(run: Any) -> None:
    run.ok("record", "ambassador_recalled", "PER", "MEX", "--on", "2023-01-01")
    run.ok("record", "relations_severed", "PER", "MEX", "--on", "2025-11-03")
    out = run.ok("record", "ambassador_returned", "PER", "MEX", "--on", "2023-06-01").stdout
    assert (
        "MEX-PER severed (broken) -> severed (broken) (on 2023-06-01 itself: strained "
        "(ambassador withdrawn) -> normal)"
    ) in out
    plain = run.ok("record", "visit", "PER", "MEX", "--on", "2025-12-01").stdout
    assert "itself" not in plain
