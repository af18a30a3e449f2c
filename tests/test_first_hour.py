"""The papercuts a new user hit in their first hour, each fixed: a mistyped --db, --db
after the command, one-line errors, one exit code per kind of mistake, duplicates, the
names people type, one notion of today, shell completion, the serve lock file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from relations.application import today_anywhere
from relations.cli import cli
from relations.scheduling.leader import LockFile

READ_ONLY = [
    ["status", "PER", "MEX"], ["history", "PER", "MEX"], ["pairs"], ["events"], ["log"],
    ["report"], ["review"], ["reports", "list"], ["schedule", "list"], ["info"],
    ["retract", "1", "--reason", "x"], ["correct", "1", "--reason", "x", "--on", "2020-01-01"],
    ["confirm", "1"], ["dismiss", "1", "--reason", "x"], ["reproject"],
    ["schedule", "remove", "weekly"], ["serve", "--once"],
]  # fmt: skip


def relations(*args: str, env: dict[str, str] | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_mistyped_db_is_refused_and_nothing_is_created(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "typo" / "dir" / "x.db"
    result = relations("--db", str(typo), *command)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"Error: there is no database at {typo}: `relations record`, `import` or `demo` "
        "create one; --db or RELATIONS_DB choose another"
    )
    assert not (tmp_path / "typo").exists(), "no folder, no file"


def test_a_write_still_creates_the_database_and_its_folder(tmp_path: Path) -> None:
    new = tmp_path / "new" / "team.db"
    result = relations("--db", str(new), "record", "relations_severed", "PER", "MEX",
                       "--on", "2025-11-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert new.exists()
    assert relations("--db", str(new), "status", "PER", "MEX").exit_code == 0


def test_db_and_rules_are_accepted_after_the_command(tmp_path: Path) -> None:
    db = str(tmp_path / "after.db")
    record = ["record", "relations_severed", "PER", "MEX", "--on", "2025-11-03"]
    assert relations(*record, "--db", db).exit_code == 0
    data = json.loads(relations("status", "Peru", "Mexico", "--db", db, "--json").stdout)
    assert data["status"] == "severed"
    nested = relations("schedule", "add", "weekly", "--every", "1w", "--output-dir",
                       str(tmp_path), "--db", db)  # fmt: skip
    assert nested.exit_code == 0, nested.output
    assert "weekly" in relations("--db", db, "schedule", "list").stdout
    rules = tmp_path / "missing-rules.toml"
    refused = relations("event-types", "--rules", str(rules))
    assert refused.exit_code == 2 and str(rules) in refused.stderr


def test_every_command_shows_db_and_rules_in_its_help() -> None:
    def walk(group: click.Group, path: list[str]) -> list[list[str]]:
        found = []
        for name, command in group.commands.items():
            found.append([*path, name])
            if isinstance(command, click.Group):
                found += walk(command, [*path, name])
        return found

    for path in walk(cli, []):
        shown = relations(*path, "--help").stdout
        assert "--db URL" in shown and "--rules FILE" in shown, path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "PER", "MEX", "--as-of", "2025-02-30"], "not a valid date"),
        (["record", "relations_severed", "PER", "MEX"], "Missing option '--on'"),
        (["status", "PER"], "Missing argument 'COUNTRY_B'"),
        (["report", "--from", "yesterday"], "not valid"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = tmp_path / "r.db"
    relations("--db", str(db), "record", "statement", "PER", "MEX", "--on", "2020-01-01")
    result = relations("--db", str(db), *args)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert message in line and line.endswith("--help`)"), line
    assert "Usage:" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["retract", "999", "--reason", "x"],
        ["confirm", "999"],
        ["dismiss", "999", "--reason", "x"],
        ["schedule", "remove", "nosuch"],
        ["report", "--reproduce", "999"],
        ["status", "Narnia", "Peru"],
        ["record", "relations_severd", "PER", "MEX", "--on", "2020-01-01"],
    ],
)
def test_an_unknown_id_or_name_is_exit_2_whatever_the_command(
    tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "r.db"
    relations("--db", str(db), "record", "statement", "PER", "MEX", "--on", "2020-01-01")
    before = db.read_bytes()
    result = relations("--db", str(db), *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before or args[0] != "record"


def test_the_same_event_recorded_twice_is_refused_unless_allowed(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    event = ["record", "protest_note", "PER", "MEX", "--on", "2025-11-04",
             "--summary", "Note verbale", "--source", "https://example.org/n"]  # fmt: skip
    assert relations("--db", db, *event).exit_code == 0
    again = relations("--db", db, *event)
    assert again.exit_code == 1
    assert "event 1 already says this" in again.stderr and "--allow-duplicate" in again.stderr
    assert len(json.loads(relations("--db", db, "events", "--json").stdout)) == 1
    assert relations("--db", db, *event, "--allow-duplicate").exit_code == 0
    other = relations("--db", db, *event[:-1], "https://example.org/other")
    assert other.exit_code == 0, "another source: another event"
    assert len(json.loads(relations("--db", db, "events", "--json").stdout)) == 3


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("UAE", "ARE"), ("Emirates", "ARE"), ("DR Congo", "COD"), ("DRC", "COD"),
        ("Congo-Brazzaville", "COG"), ("Ivory Coast", "CIV"), ("Cape Verde", "CPV"),
        ("Swaziland", "SWZ"), ("Burma", "MMR"), ("Czech Republic", "CZE"), ("Vatican", "VAT"),
        ("Russia", "RUS"), ("Türkiye", "TUR"), ("Turkey", "TUR"), ("South Korea", "KOR"),
    ],
)  # fmt: skip
def test_the_names_people_type(tmp_path: Path, typed: str, code: str) -> None:
    db = tmp_path / "n.db"
    relations("--db", str(db), "record", "statement", "PER", "MEX", "--on", "2020-01-01")
    data = json.loads(relations("--db", str(db), "status", typed, "Peru", "--json").stdout)
    assert code in data["pair"]


def test_output_uses_the_short_names_people_say(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    relations("--db", db, "record", "ambassador_recalled", "RUS", "COD", "--on", "2020-01-01")
    line = relations("--db", db, "status", "RU", "CD").stdout.splitlines()[0]
    assert "(DR Congo - Russia)" in line, line


def test_a_two_letter_code_easily_taken_for_another_country_gets_a_note(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    relations("--db", db, "record", "statement", "PER", "MEX", "--on", "2020-01-01")
    result = relations("--db", db, "status", "NI", "PE")
    assert result.exit_code == 0
    assert result.stderr.strip() == "note: NI is Nicaragua (NIC), not Niger (NER), Nigeria (NGA)"
    assert relations("--db", db, "status", "PE", "MX").stderr == "", "no note when none applies"
    assert relations("--db", db, "status", "Niger", "PE").stderr == "", "names get none"


def test_one_today_for_every_command(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    utc_today = datetime.now(UTC).date()
    latest = today_anywhere()
    relations("--db", db, "record", "statement", "PER", "MEX", "--on", "2020-01-01")
    shown = json.loads(relations("--db", db, "status", "PER", "MEX", "--json").stdout)
    assert shown["as_of"] in (utc_today.isoformat(), (utc_today + timedelta(days=1)).isoformat())
    if latest > utc_today:  # after 10:00 UTC a date is already tomorrow somewhere
        assert shown["as_of"] == utc_today.isoformat(), "the UTC date, no later event yet"
        on = latest.isoformat()
        assert (
            relations("--db", db, "record", "protest_note", "PER", "MEX", "--on", on).exit_code == 0
        )
        shown = json.loads(relations("--db", db, "status", "PER", "MEX", "--json").stdout)
        assert shown["as_of"] == on, "the later-dated event's date"
        end = f"{latest.isoformat()}T12:00"
        report = relations("--db", db, "report", "--to", end, "--format", "json")
        assert report.exit_code == 0, report.output
    too_late = (latest + timedelta(days=1)).isoformat()
    assert relations("--db", db, "record", "visit", "PER", "MEX", "--on", too_late).exit_code == 2
    after = relations("--db", db, "report", "--to", f"{too_late}T00:01")
    assert after.exit_code == 2 and "today ends everywhere on Earth" in after.stderr


def test_reports_list_shows_when_and_the_checksum(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    relations("--db", db, "record", "statement", "PER", "MEX", "--on", "2020-01-01")
    assert relations("--db", db, "report", "--output", str(tmp_path / "r.md")).exit_code == 0
    [entry] = json.loads(relations("--db", db, "reports", "list", "--json").stdout)
    table = relations("--db", db, "reports", "list").stdout
    assert "generated" in table.splitlines()[0] and "sha256" in table.splitlines()[0]
    assert entry["checksum"][:12] in table and entry["generated_at"] in table


def complete(args: list[str], incomplete: str) -> list[str]:
    found = ShellComplete(cli, {}, "relations", "_RELATIONS_COMPLETE")
    return [item.value for item in found.get_completions(args, incomplete)]


def test_shell_completion_knows_commands_types_countries_and_schedules(tmp_path: Path) -> None:
    assert complete([], "sta") == ["status"]
    assert "--as-of" in complete(["status", "PER"], "--")
    assert complete(["record"], "relations_s") == ["relations_severed"]
    assert "relations_established" in complete(["record"], "relations_e")
    assert complete(["record", "relations_severed"], "PE") == ["PER"]
    assert complete(["record", "relations_severed", "PER"], "mexi") == ["Mexico"]
    assert "PER" in complete(["events", "--country"], "P")
    db = str(tmp_path / "comp.db")
    relations("--db", db, "schedule", "add", "weekly", "--every", "1w", "--output-dir",
              str(tmp_path))  # fmt: skip
    assert complete(["--db", db, "schedule", "remove"], "") == ["weekly"]
    assert complete(["schedule", "remove", "--db", db], "w") == ["weekly"]
    assert complete(["--db", str(tmp_path / "none.db"), "schedule", "remove"], "") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_scripts_are_printed(shell: str) -> None:
    env = {**os.environ, "_RELATIONS_COMPLETE": f"{shell}_source"}
    done = subprocess.run([sys.executable, "-m", "relations"], env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert "_RELATIONS_COMPLETE" in done.stdout


def test_a_clean_stop_of_serve_leaves_no_lock_file(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    relations("--db", str(db), "record", "statement", "PER", "MEX", "--on", "2020-01-01")
    assert relations("--db", str(db), "serve", "--once").exit_code == 0
    assert not (tmp_path / "s.db.serve.lock").exists()


def test_the_lock_file_is_exclusive_and_removed_by_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "x.serve.lock"
    first, second = LockFile(path), LockFile(path)
    assert first.acquire() and path.exists()
    assert not second.acquire(), "held by the first"
    first.release()
    assert not path.exists()
    assert second.acquire() and second.held
    second.release()
    assert not path.exists()
