"""Bad input and refused events: a clear message on stderr, the right exit code, and
nothing written (``run.refused`` compares every table before and after).

Exit 2: the input itself is wrong (unknown names, bad dates, missing arguments...).
Exit 1: well-formed input that the rules refuse (an event not allowed from the pair's
status at its date, a reused external id).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from relations.application import today_anywhere

CSV_HEADER = "occurred_on,event_type,actor,target,summary,source,external_id"

ALLOWED_FROM_NORMAL = [
    "asylum_granted", "ambassador_recalled", "diplomat_expelled", "relations_downgraded",
    "embassy_closed", "sanctions_imposed", "safe_conduct_denied", "relations_severed",
    "statement", "protest_note", "envoy_summoned", "break_threatened",
    "legislature_declaration", "agreement_signed", "visit",
]  # fmt: skip
ALLOWED_FROM_SEVERED = [
    *[t for t in ALLOWED_FROM_NORMAL if t != "relations_severed"],
    "relations_restored",
]


def one_line(result: Any) -> str:
    """The whole error, on one line of stderr."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def error_line(result: Any, *fragments: str) -> str:
    """The one line of stderr that says what was wrong, holding every fragment."""
    lines = [line for line in result.stderr.splitlines() if "rror" in line]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, result.stderr)
    return lines[0]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def jsonl(**values: str) -> str:
    return json.dumps(values, ensure_ascii=False)


def has_id(message: str, event_id: int) -> bool:
    """``event_id`` appears as a number of its own (not inside a date or another number)."""
    return re.search(rf"(?<![\d-]){event_id}(?![\d-])", message) is not None


@pytest.fixture
def peru_mexico(run: Any, fixtures_dir: Path) -> Any:
    """The real Peru-Mexico history: severed since 2025-11-03."""
    run.ok("import", str(fixtures_dir / "peru-mexico.jsonl"))
    return run


# --- exit 2: unknown names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("relations_severd", "relations_severed"),
        ("relation_restored", "relations_restored"),
        ("asylum_grant", "asylum_granted"),
        ("ambasador_recalled", "ambassador_recalled"),
        ("diplomat_expeled", "diplomat_expelled"),
        ("sanction_imposed", "sanctions_imposed"),
    ],
)
def test_unknown_event_type_shows_the_closest(run: Any, typed: str, closest: str) -> None:
    result = run.refused(2, "record", typed, "PER", "MEX", "--on", "2025-11-03")
    line = one_line(result)
    assert typed in line
    assert closest in line


def test_unknown_event_type_in_events_filter(run: Any) -> None:
    result = run.refused(2, "events", "--type", "relations_severd")
    assert "relations_severed" in one_line(result)


def test_unknown_event_type_without_any_close_match(run: Any) -> None:
    result = run.refused(2, "record", "zzzzqqqq", "PER", "MEX", "--on", "2025-11-03")
    assert "zzzzqqqq" in one_line(result)


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("Peruu", "PER"),
        ("Mexco", "MEX"),
        ("Frnace", "FRA"),
        ("Colombiaa", "COL"),
        ("Venezula", "VEN"),
    ],
)
def test_unknown_country_suggests_the_closest(run: Any, typed: str, closest: str) -> None:
    for args in (
        ("record", "statement", typed, "CHL", "--on", "2025-11-03"),
        ("record", "statement", "CHL", typed, "--on", "2025-11-03"),
        ("status", typed, "CHL"),
        ("history", "CHL", typed),
        ("events", "--country", typed),
    ):
        line = one_line(run.refused(2, *args))
        assert typed in line, args
        assert closest in line, args


def test_unknown_country_without_any_close_match(run: Any) -> None:
    result = run.refused(2, "record", "statement", "Atlantis", "PER", "--on", "2025-11-03")
    assert "Atlantis" in one_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ("record", "statement", "PER", "Peru", "--on", "2025-11-03"),
        ("record", "statement", "PE", "per", "--on", "2025-11-03"),
        ("record", "statement", "México", "MX", "--on", "2025-11-03"),
        ("record", "statement", "PER", "MEX", "pe", "--on", "2025-11-03"),
        ("status", "PER", "Perú"),
        ("history", "mx", "Mexico"),
    ],
)
def test_same_country_on_both_sides(run: Any, args: tuple[str, ...]) -> None:
    one_line(run.refused(2, *args))


# --- exit 2: dates ------------------------------------------------------------------------

BAD_DATES = [
    "2025-13-01", "03/11/2025", "2025-02-30", "2025-11-3", "20251103", "yesterday",
    "2025-11-03T10:00", "２０２５-１１-０３",
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD_DATES)
@pytest.mark.parametrize(
    "command",
    [
        ("record", "statement", "PER", "MEX", "--on"),
        ("status", "PER", "MEX", "--as-of"),
        ("events", "--from"),
        ("events", "--to"),
    ],
    ids=["record", "status", "events-from", "events-to"],
)
def test_malformed_date(run: Any, fixtures_dir: Path, command: tuple[str, ...], bad: str) -> None:
    run.ok("import", str(fixtures_dir / "peru-mexico.jsonl"))
    result = run.refused(2, *command, bad)
    error_line(result, bad)


def test_event_dated_after_today(run: Any) -> None:
    tomorrow = (today_anywhere() + timedelta(days=1)).isoformat()
    result = run.refused(2, "record", "statement", "PER", "MEX", "--on", tomorrow)
    assert tomorrow in one_line(result)


def test_status_as_of_a_date_after_today(run: Any) -> None:
    tomorrow = (today_anywhere() + timedelta(days=1)).isoformat()
    result = run.refused(2, "status", "PER", "MEX", "--as-of", tomorrow)
    assert tomorrow in one_line(result)


# --- exit 2: missing arguments and bad options ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("record",),
        ("record", "statement"),
        ("record", "statement", "PER"),
        ("record", "statement", "PER", "MEX"),
        ("record", "statement", "PER", "MEX", "--on"),
        ("status",),
        ("status", "PER"),
        ("history", "PER"),
        ("import",),
        ("events", "--country"),
    ],
)
def test_missing_arguments(run: Any, args: tuple[str, ...]) -> None:
    error_line(run.refused(2, *args))


@pytest.mark.parametrize("bad", ["frozen", "broken", "SEVERED!", "hostile", ""])
def test_bad_status_filter(run: Any, fixtures_dir: Path, bad: str) -> None:
    run.ok("import", str(fixtures_dir / "peru-mexico.jsonl"))
    line = one_line(run.refused(2, "pairs", "--status", bad))
    assert "severed" in line


def test_import_of_a_missing_file(run: Any, tmp_path: Path) -> None:
    error_line(run.refused(2, "import", str(tmp_path / "nope.csv")))


def test_import_bad_format_option(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", [CSV_HEADER])
    error_line(run.refused(2, "import", str(path), "--format", "xml"))


# --- exit 1: refused by the rules ---------------------------------------------------------


def test_restored_while_normal_is_refused(run: Any) -> None:
    result = run.refused(1, "record", "relations_restored", "Peru", "Mexico", "--on", "2024-01-01")
    line = one_line(result)
    assert "MEX" in line and "PER" in line
    assert "normal" in line
    assert "relations_restored" in line
    for allowed in ALLOWED_FROM_NORMAL:
        assert allowed in line, allowed
    for not_allowed in ("ambassador_returned", "relations_normalized"):
        assert not_allowed not in line


def test_severed_while_severed_is_refused(peru_mexico: Any) -> None:
    result = peru_mexico.refused(1, "record", "relations_severed", "MX", "PE", "--on", "2025-12-01")
    line = one_line(result)
    assert "MEX" in line and "PER" in line
    assert "severed" in line
    for allowed in ALLOWED_FROM_SEVERED:
        assert allowed in line, allowed
    for not_allowed in ("ambassador_returned", "relations_normalized"):
        assert not_allowed not in line


def test_normalize_while_severed_is_refused(peru_mexico: Any) -> None:
    result = peru_mexico.refused(
        1, "record", "ambassador_returned", "PER", "MEX", "--on", "2025-12-01"
    )
    line = one_line(result)
    assert "severed" in line
    assert "relations_restored" in line


def test_validity_is_judged_at_the_event_date(peru_mexico: Any) -> None:
    """Backdated to when the pair was strained: a restore is refused, named as strained."""
    result = peru_mexico.refused(
        1, "record", "relations_restored", "PER", "MEX", "--on", "2024-01-01"
    )
    line = one_line(result)
    assert "strained" in line
    assert "ambassador_returned" in line and "relations_normalized" in line
    assert "MEX" in line and "PER" in line


def test_backdated_event_that_would_invalidate_a_later_one(run: Any) -> None:
    for other in ("ARG", "BOL", "COL", "CHL", "ECU"):
        run.ok("record", "statement", "PER", other, "--on", "2024-02-02")
    [later] = run.json("record", "relations_severed", "PER", "MEX", "--on", "2025-11-03")
    run.ok("record", "asylum_granted", "MEX", "PER", "--on", "2025-11-04")
    result = run.refused(1, "record", "relations_severed", "MEX", "PER", "--on", "2024-06-01")
    line = one_line(result)
    tail = line.split("2024-06-01", 1)[-1]
    assert "relations_severed" in tail
    assert "2025-11-03" in tail
    assert has_id(tail, later["id"]), (later["id"], line)
    status = run.json("status", "PER", "MEX")
    assert (status["status"], status["since"], status["events"]) == ("severed", "2025-11-03", 2)


def test_backdated_restore_that_would_invalidate_a_later_restore(peru_mexico: Any) -> None:
    """Restored on 2026-03-01; a restore backdated to 2026-02-20 is valid on its own date
    but would leave the 2026-03-01 restore happening while normal."""
    [restore] = peru_mexico.json("record", "relations_restored", "PER", "MEX", "--on", "2026-03-01")
    result = peru_mexico.refused(
        1, "record", "relations_restored", "MEX", "PER", "--on", "2026-02-20"
    )
    line = one_line(result)
    tail = line.split("2026-02-20", 1)[-1]
    assert "relations_restored" in tail and "2026-03-01" in tail
    assert has_id(tail, restore["id"]), line
    status = peru_mexico.json("status", "PER", "MEX")
    assert (status["status"], status["since"]) == ("normal", "2026-03-01")


def test_external_id_reused_for_different_content(run: Any) -> None:
    run.ok("record", "ambassador_recalled", "PER", "MEX", "--on", "2022-12-15",
           "--summary", "recall", "--external-id", "per-mex-1")  # fmt: skip
    for changed in (
        ("record", "ambassador_recalled", "PER", "MEX", "--on", "2022-12-16",
         "--summary", "recall", "--external-id", "per-mex-1"),
        ("record", "ambassador_recalled", "PER", "MEX", "--on", "2022-12-15",
         "--summary", "another summary", "--external-id", "per-mex-1"),
        ("record", "diplomat_expelled", "PER", "MEX", "--on", "2022-12-15",
         "--summary", "recall", "--external-id", "per-mex-1"),
        ("record", "ambassador_recalled", "PER", "CHL", "--on", "2022-12-15",
         "--summary", "recall", "--external-id", "per-mex-1"),
    ):  # fmt: skip
        assert "per-mex-1" in one_line(run.refused(1, *changed))


# --- several targets: all or nothing -----------------------------------------------------


def test_several_targets_one_refused_writes_nothing(run: Any, fixtures_dir: Path) -> None:
    run.ok("import", str(fixtures_dir / "ecuador-mexico.jsonl"))
    # MEX-ECU is severed: the severing of MEX-PER and MEX-CHL must not be written either.
    result = run.refused(
        1, "record", "relations_severed", "Mexico", "Peru", "Ecuador", "Chile", "--on", "2025-11-03"
    )
    line = one_line(result)
    assert "ECU" in line
    assert run.json("history", "MEX", "PER") == []
    assert run.json("history", "MEX", "CHL") == []


@pytest.mark.parametrize("bad_target", ["Atlantis", "MEX"])
def test_several_targets_one_malformed_writes_nothing(run: Any, bad_target: str) -> None:
    one_line(run.refused(2, "record", "statement", "MEX", "PER", bad_target, "CHL",
                         "--on", "2025-11-03"))  # fmt: skip
    assert run.json("events") == []


# --- import ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "occurred_on,event_type,actor,summary,source,external_id",
        "date,event_type,actor,target",
        "occurred_on,event_type,actor,target,country",
        "occurred_on,event_type,actor,target,actor",
        "2025-11-03,relations_severed,PER,MEX,,,",
    ],
)
def test_import_bad_header(run: Any, tmp_path: Path, header: str) -> None:
    path = write(tmp_path / "events.csv", [header, "2025-11-03,relations_severed,PER,MEX,,,"])
    result = run.refused(2, "import", str(path))
    assert "header" in result.stderr


def test_import_empty_csv(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    run.refused(2, "import", str(path))


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("2025-13-01,statement,PER,MEX,,,", "2025-13-01"),
        ("03/11/2025,statement,PER,MEX,,,", "03/11/2025"),
        ("2025-11-03,relations_severd,PER,MEX,,,", "relations_severed"),
        ("2025-11-03,statement,Peruu,MEX,,,", "PER"),
        ("2025-11-03,statement,PER,Peru,,,", "PER"),
        ("2025-11-03,statement,,MEX,,,", "actor"),
        (",statement,PER,MEX,,,", "occurred_on"),
        ("2025-11-03,statement,PER,MEX", "field"),
        (f"{today_anywhere() + timedelta(days=1)},statement,PER,MEX,,,", "today"),
    ],
)
def test_import_malformed_csv_row(run: Any, tmp_path: Path, row: str, fragment: str) -> None:
    path = write(tmp_path / "events.csv", [
        CSV_HEADER,
        "2022-12-15,ambassador_recalled,PER,MEX,,,",
        row,
        "2025-11-03,relations_severed,PER,MEX,,,",
    ])  # fmt: skip
    result = run.refused(2, "import", str(path))
    [bad] = [line for line in result.stderr.splitlines() if "line 3" in line]
    assert fragment in bad
    assert "line 2" not in result.stderr and "line 4" not in result.stderr


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ('{"occurred_on": "2025-11-03", "event_type": "statement", "actor": "PER"', "JSON"),
        ('["2025-11-03", "statement", "PER", "MEX"]', "object"),
        (
            jsonl(
                occurred_on="2025-11-03",
                event_type="statement",
                actor="PER",
                target="MEX",
                country="CHL",
            ),
            "country",
        ),
        (
            '{"occurred_on": 20251103, "event_type": "statement", "actor": "PER", "target": "MEX"}',
            "occurred_on",
        ),
        (jsonl(occurred_on="2025-11-03", event_type="statement", actor="PER"), "target"),
        (
            jsonl(occurred_on="2025-02-30", event_type="statement", actor="PER", target="MEX"),
            "2025-02-30",
        ),
        (
            jsonl(occurred_on="2025-11-03", event_type="asylum_grant", actor="MEX", target="PER"),
            "asylum_granted",
        ),
    ],
)
def test_import_malformed_jsonl_row(run: Any, tmp_path: Path, row: str, fragment: str) -> None:
    path = write(tmp_path / "events.jsonl", [
        jsonl(occurred_on="2022-12-15", event_type="ambassador_recalled", actor="PER",
              target="MEX"),
        row,
        jsonl(occurred_on="2025-11-03", event_type="relations_severed", actor="PER",
              target="MEX"),
    ])  # fmt: skip
    result = run.refused(2, "import", str(path))
    [bad] = [line for line in result.stderr.splitlines() if "line 2" in line]
    assert fragment in bad
    assert "line 1" not in result.stderr and "line 3" not in result.stderr


def test_import_mixing_good_and_bad_rows_lists_every_bad_row(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.csv", [
        CSV_HEADER,                                          # line 1
        "2022-12-15,ambassador_recalled,PER,MEX,,,",         # line 2: fine
        "2022-12-20,asylum_grantd,MEX,PER,,,",               # line 3: unknown type
        "2023-02-24,relations_downgraded,PER,MEX,,,",        # line 4: fine
        "2023-13-25,legislature_declaration,PER,MEX,,,",     # line 5: bad date
        "2024-01-01,relations_restored,PER,MEX,,,",          # line 6: refused (strained)
        "2025-11-03,relations_severed,PER,Mexxico,,,",       # line 7: unknown country
        "2025-11-04,asylum_granted,MEX,PER,,,",              # line 8: fine
    ])  # fmt: skip
    result = run.refused(2, "import", str(path))
    reported = sorted(int(n) for n in re.findall(r"\bline (\d+)\b", result.stderr))
    assert reported == [3, 5, 6, 7]
    lines = result.stderr.splitlines()
    assert any("line 3" in x and "asylum_granted" in x for x in lines)
    assert any("line 5" in x and "2023-13-25" in x for x in lines)
    assert any("line 6" in x and "strained" in x for x in lines)
    assert any("line 7" in x and "Mexxico" in x for x in lines)
    assert run.json("events") == []


def test_import_jsonl_line_numbers_count_blank_lines(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text(
        "\n".join([
            jsonl(occurred_on="2022-12-15", event_type="ambassador_recalled", actor="PER",
                  target="MEX"),
            "",
            jsonl(occurred_on="2022-12-20", event_type="asylum_granted", actor="MEX",
                  target="Perú"),
            "",
            jsonl(occurred_on="2022-12-21", event_type="visitt", actor="MEX", target="PER"),
        ]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    result = run.refused(2, "import", str(path))
    assert re.findall(r"\bline (\d+)\b", result.stderr) == ["5"]
    assert "visit" in result.stderr


def test_import_only_rule_refusals_exits_1(peru_mexico: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "refused.csv", [
        CSV_HEADER,
        "2024-01-01,relations_restored,CHL,ARG,,,",                  # line 2: normal
        "2024-02-01,statement,CHL,ARG,,,",                           # line 3: fine
        "2025-12-01,relations_severed,PER,MEX,,,",                   # line 4: already severed
        "2025-12-02,statement,PER,MEX,,,fixture:per-mex:2025-11-03:relations_severed",  # line 5
        "2025-12-03,visit,CHL,ARG,,,",                               # line 6: fine
    ])  # fmt: skip
    result = peru_mexico.refused(1, "import", str(path))
    reported = sorted(int(n) for n in re.findall(r"\bline (\d+)\b", result.stderr))
    assert reported == [2, 4, 5]
    lines = result.stderr.splitlines()
    assert any("line 2" in x and "normal" in x for x in lines)
    assert any("line 4" in x and "severed" in x for x in lines)
    assert any("line 5" in x and "fixture:per-mex:2025-11-03:relations_severed" in x for x in lines)
    assert peru_mexico.json("history", "CHL", "ARG") == []


def test_import_same_external_id_twice_in_one_file_with_different_content(
    run: Any, tmp_path: Path
) -> None:
    path = write(tmp_path / "dupes.csv", [
        CSV_HEADER,
        "2022-12-15,ambassador_recalled,PER,MEX,recall,,dup-1",
        "2022-12-20,diplomat_expelled,PER,MEX,expel,,dup-1",
    ])  # fmt: skip
    result = run.refused(1, "import", str(path))
    assert re.findall(r"\bline (\d+)\b", result.stderr) == ["3"]
    assert "dup-1" in result.stderr


def test_import_refusal_and_malformed_row_exits_2(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "both.jsonl", [
        jsonl(occurred_on="2024-01-01", event_type="relations_restored", actor="PER",
              target="MEX"),
        jsonl(occurred_on="2024-01-02", event_type="statement", actor="PER", target="Narnia"),
    ])  # fmt: skip
    result = run.refused(2, "import", str(path))
    assert sorted(int(n) for n in re.findall(r"\bline (\d+)\b", result.stderr)) == [1, 2]


def test_import_row_that_would_invalidate_a_recorded_event(
    peru_mexico: Any, tmp_path: Path
) -> None:
    severed = next(e for e in peru_mexico.json("events") if e["event_type"] == "relations_severed")
    path = write(tmp_path / "backdated.csv", [
        CSV_HEADER,
        "2024-06-01,ambassador_returned,PER,MEX,,,",
        "2024-07-01,relations_severed,MEX,PER,,,",
    ])  # fmt: skip
    result = peru_mexico.refused(1, "import", str(path))
    [bad] = [line for line in result.stderr.splitlines() if "line 3" in line]
    assert "2025-11-03" in bad
    assert has_id(bad.split("2024-07-01", 1)[-1], severed["id"]), bad
    assert "line 2" not in result.stderr


def test_reimport_after_a_refused_import_still_writes_nothing(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", [
        CSV_HEADER,
        "2022-12-15,ambassador_recalled,PER,MEX,,,x-1",
        "2022-12-16,relations_restored,PER,MEX,,,x-2",
    ])  # fmt: skip
    first = run.refused(1, "import", str(path))
    second = run.refused(1, "import", str(path))
    assert "line 3" in first.stderr and "line 3" in second.stderr
    assert run.json("events") == []


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from relations.cli import cli

    garbage = tmp_path / "notes.db"
    garbage.write_text("these are my notes, not a database\n", encoding="utf-8")
    for args in (
        ["info"],
        ["status", "PER", "MEX"],
        ["record", "visit", "PER", "MEX", "--on", "2024-01-01"],
    ):
        result = CliRunner().invoke(cli, ["--db", str(garbage), *args])
        assert result.exit_code == 1, result.output
        assert "file is not a database" in result.stderr
        assert "Traceback" not in result.output
    assert garbage.read_text(encoding="utf-8") == "these are my notes, not a database\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--summary", "nul \x00 inside"], "NUL"),
        (["--summary", "lone \udc80 surrogate"], "not valid text"),
        (["--source", "x" * 10_001], "at most 10000"),
        (["--external-id", "e" * 501], "at most 500"),
    ],
)
def test_text_that_cannot_be_stored_alike_everywhere_is_refused(
    run: Any, args: list[str], message: str
) -> None:
    result = run.refused(2, "record", "statement", "PER", "MEX", "--on", "2024-01-01", *args)
    assert message in result.stderr


def test_a_csv_saved_by_excel_with_a_byte_order_mark_imports(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        CSV_HEADER + "\n2024-01-02,statement,PER,MEX,hello,src,\n", encoding="utf-8-sig"
    )
    run.ok("import", str(path))
    assert [e["summary"] for e in run.json("events")] == ["hello"]
