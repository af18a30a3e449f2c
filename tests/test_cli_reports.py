"""The report, schedule, serve --once and reports commands through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli


@pytest.fixture
def loaded(run: Cli, fixtures_dir: Path) -> Cli:
    for path in sorted(fixtures_dir.glob("*.jsonl")):
        run.ok("import", str(path))
    return run


def test_report_to_stdout_in_each_format(loaded: Cli) -> None:
    period = ["--from", "2025-01-01", "--to", "2026-01-01"]
    markdown = loaded.ok("report", *period).stdout
    assert markdown.startswith("# Relations report: 1 Jan – 31 Dec 2025\n")
    assert (
        "| 3 Nov 2025 | Mexico – Peru (MEX–PER) | strained (downgraded) → severed (broken) |"
        in markdown
    )
    data = json.loads(loaded.ok("report", *period, "--format", "json").stdout)
    assert data["status_counts"] == {"normal": 2, "strained": 3, "severed": 2}
    assert [c["on"] for c in data["changes"]] == ["2025-04-06", "2025-04-06", "2025-11-03"]
    csv_text = loaded.ok("report", *period, "--format", "csv").stdout
    assert csv_text.splitlines()[1].startswith("DZA-MLI,normal,strained,2025-04-06,")
    assert csv_text.splitlines()[3].startswith("MEX-PER,strained,severed,2025-11-03,")
    html = loaded.ok("report", *period, "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and '<svg id="timeline"' in html


def test_report_for_a_desk_officers_countries(loaded: Cli) -> None:
    data = json.loads(
        loaded.ok("report", "--from", "2015-01-01", "--country", "Iran", "--country", "CO",
                  "--format", "json").stdout
    )  # fmt: skip
    assert data["countries"] == ["COL", "IRN"]
    assert {tuple(c["pair"]) for c in data["changes"]} == {("COL", "VEN"), ("IRN", "SAU")}
    assert data["status_counts"] == {"normal": 2, "strained": 0, "severed": 0}


def test_report_to_a_file_is_registered(loaded: Cli, tmp_path: Path) -> None:
    target = tmp_path / "week.html"
    result = loaded.ok("report", "--format", "html", "--output", str(target))
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "wrote report 1" in result.stderr
    [entry] = loaded.json("reports", "list")
    assert entry["schedule"] is None and entry["status"] == "written"
    assert entry["path"] == str(target) and entry["format"] == "html"
    assert len(entry["checksum"]) == 64


def test_default_period_is_the_last_seven_days(loaded: Cli) -> None:
    data = json.loads(loaded.ok("report", "--format", "json").stdout)
    from datetime import datetime

    start = datetime.fromisoformat(data["period"]["from"])
    end = datetime.fromisoformat(data["period"]["to"])
    assert (end - start).days == 7
    assert len(data["recorded"]) == 50, "the fixtures were recorded just now"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "not valid"),
        (["--from", "2025-02-30"], "not valid"),
        (["--from", "2025-02-01", "--to", "2025-01-01"], "must be before"),
        (["--to", "2999-01-01"], "in the future"),
        (["--country", "Narnia"], "unknown country"),
        (["--format", "pdf"], "pdf"),
    ],
)
def test_report_bad_input(run: Cli, args: list[str], message: str) -> None:
    result = run.refused(2, "report", *args)
    assert message in result.stderr


def test_report_to_an_unwritable_place_fails_clearly(run: Cli, tmp_path: Path) -> None:
    result = run("report", "--output", str(tmp_path / "no" / "such" / "dir" / "r.md"))
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "Traceback" not in result.output


def test_schedule_add_list_remove(run: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    added = run.ok(
        "schedule", "add", "weekly", "--cron", "0 8 * * 1", "--format", "html",
        "--output-dir", str(out), "--country", "PE", "--timezone", "America/Lima",
    )  # fmt: skip
    assert "added schedule weekly" in added.stdout
    run.ok("schedule", "add", "daily", "--every", "1d", "--output-dir", str(out))
    listed = run.json("schedule", "list")
    assert [s["name"] for s in listed] == ["daily", "weekly"]
    weekly = listed[1]
    assert (weekly["trigger"], weekly["expression"], weekly["timezone"]) == (
        "cron", "0 8 * * 1", "America/Lima",
    )  # fmt: skip
    assert weekly["countries"] == ["PER"] and weekly["format"] == "html"
    assert weekly["next_run"].endswith("T13:00:00Z"), "08:00 in Lima on a Monday"
    assert "weekly" in run.ok("schedule", "list").stdout
    run.ok("schedule", "remove", "weekly")
    assert [s["name"] for s in run.json("schedule", "list")] == ["daily"]
    run.refused(2, "schedule", "remove", "weekly")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--every", "1y"], "30s, 15m, 6h, 1d, 1w"),
        (["x", "--every", "-5m"], "positive number"),
        (["x", "--cron", "0 8 * *"], "5 fields"),
        (["x", "--cron", "0 25 * * *"], "25"),
        (["x", "--cron", "0 8 * * 1", "--timezone", "Lima"], "unknown time zone"),
        (["x"], "exactly one of"),
        (["x", "--every", "1d", "--cron", "0 8 * * 1"], "exactly one of"),
        (["x", "--every", "1d", "--country", "Gondor"], "unknown country"),
        (["x", "--every", "1d", "--format", "docx"], "docx"),
        (["bad/name", "--every", "1d"], "bad schedule name"),
    ],
)
def test_schedule_add_bad_input_stores_nothing(run: Cli, args: list[str], message: str) -> None:
    result = run.refused(2, "schedule", "add", *args)
    assert message in result.stderr
    assert run.json("schedule", "list") == []


def test_duplicate_schedule_name_is_refused(run: Cli, tmp_path: Path) -> None:
    run.ok("schedule", "add", "daily", "--every", "1d", "--output-dir", str(tmp_path))
    result = run.refused(2, "schedule", "add", "daily", "--every", "6h")
    assert "already exists" in result.stderr
    [only] = run.json("schedule", "list")
    assert only["expression"] == "1d"


def test_serve_once_with_nothing_due(run: Cli, tmp_path: Path) -> None:
    run.ok("schedule", "add", "daily", "--every", "1d", "--output-dir", str(tmp_path))
    result = run.ok("serve", "--once")
    assert "wrote 0 report(s)" in result.stderr
    assert run.json("reports", "list") == []
    assert "no reports yet" in run.ok("reports", "list").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "0001-01-02"], "no room for a 7-day period"),
        (["--output", ""], "needs a file name"),
    ],
)
def test_report_edge_inputs(run: Cli, args: list[str], message: str) -> None:
    assert message in run.refused(2, "report", *args).stderr


def test_report_output_onto_something_that_is_not_a_file_is_refused(
    run: Cli, tmp_path: Path
) -> None:
    assert "not a regular file" in run.refused(2, "report", "--output", "/dev/null").stderr
    assert "is a directory" in run.refused(2, "report", "--output", str(tmp_path)).stderr


def test_report_files_are_readable_by_others_as_the_umask_allows(run: Cli, tmp_path: Path) -> None:
    import os

    previous = os.umask(0o022)
    try:
        run.ok("report", "--output", str(tmp_path / "r.md"))
    finally:
        os.umask(previous)
    assert (tmp_path / "r.md").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--every", "99999999999w"], "at most 520w"),
        (["x", "--cron", "0 0 31 2 *"], "never fires"),
        (["x", "--every", "1d", "--timezone", ""], "unknown time zone"),
        (["x", "--every", "1d", "--timezone", "localtime"], "unknown time zone"),
    ],
)
def test_schedule_add_edge_inputs(run: Cli, args: list[str], message: str) -> None:
    assert message in run.refused(2, "schedule", "add", *args).stderr


def test_serve_once_fails_when_a_report_cannot_be_written(run: Cli, tmp_path: Path) -> None:
    from datetime import timedelta

    from relations.application import utc_now
    from relations.bootstrap import bootstrap
    from relations.services import schedules

    past = utc_now() - timedelta(days=2)
    app = bootstrap(run.url, clock=lambda: past)
    schedules.add(app, "daily", every="1d", output_dir=tmp_path / "gone")
    app.close()
    (tmp_path / "gone").rmdir()
    result = run("serve", "--once")
    assert result.exit_code == 1
    assert "1 report(s) could not be written" in result.stderr
    [failed] = run.json("reports", "list")
    assert failed["status"] == "failed" and "No such file" in failed["error"]
