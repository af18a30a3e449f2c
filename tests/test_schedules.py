"""Scheduled reports with a hand-moved clock: consecutive periods never overlap and never
leave a gap, across restarts, downtime and failed writes."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from relations.application import App
from relations.bootstrap import bootstrap
from relations.domain.errors import InvalidInput, Refused
from relations.reports.render import render
from relations.scheduling import jobs
from relations.scheduling.daemon import catch_up, run_once
from relations.scheduling.jobstore import JOB_FUNCTION, job_store, scheduler_for_edits
from relations.services import reporting, schedules
from relations.services.demo import load_fixtures
from relations.services.recording import record

from conftest import Clock


def periods(app: App, name: str) -> list[tuple[object, object]]:
    return [(e.period_start, e.period_end) for e in reporting.registered(app, name) if e.written]


def assert_contiguous(app: App, name: str) -> None:
    spans = periods(app, name)
    for (_, end), (start, _) in pairwise(spans):
        assert start == end, f"gap or overlap between reports: {spans}"


def test_daily_reports_cover_each_day_once(clocked_app: App, clock: Clock, tmp_path: Path) -> None:
    created = clock()
    schedules.add(clocked_app, "daily", every="1d", output_dir=tmp_path)
    [schedule] = [v.schedule for v in schedules.listing(clocked_app)]
    assert schedules.produce_due(clocked_app, schedule, clock.advance(hours=23)) is None
    first = schedules.produce_due(clocked_app, schedule, clock.advance(hours=2))
    assert first is not None
    assert (first.period_start, first.period_end) == (created, created + timedelta(days=1))
    assert schedules.produce_due(clocked_app, schedule, clock.advance(minutes=5)) is None
    second = schedules.produce_due(clocked_app, schedule, clock.advance(days=1))
    assert second is not None
    assert second.period_start == first.period_end
    assert Path(second.path).read_text(encoding="utf-8").startswith("# Relations report")
    assert_contiguous(clocked_app, "daily")


def test_downtime_is_covered_by_one_report_on_restart(
    db_url: str, clock: Clock, tmp_path: Path
) -> None:
    first_run = bootstrap(db_url, clock=clock, today=lambda: clock().date())
    created = clock()
    schedules.add(first_run, "daily", every="1d", output_dir=tmp_path)
    clock.advance(days=1, minutes=1)
    assert catch_up(first_run) == (1, 0)
    first_run.close()  # the daemon stops...
    clock.advance(days=4, hours=5)  # ...and stays down for four fire times
    restarted = bootstrap(db_url, clock=clock, today=lambda: clock().date())
    assert catch_up(restarted) == (1, 0), "the missed runs are coalesced into one report"
    assert periods(restarted, "daily") == [
        (created, created + timedelta(days=1)),
        (created + timedelta(days=1), created + timedelta(days=5)),
    ]
    assert catch_up(restarted) == (0, 0)
    restarted.close()


def test_an_unwritable_folder_is_an_error_and_the_period_is_not_lost(
    clocked_app: App, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    created = clock()
    schedules.add(clocked_app, "daily", every="1d", output_dir=folder)
    assert folder.is_dir(), "the folder is created when the schedule is added"
    folder.rmdir()  # ...and then disappears (an unmounted disk, a clean-up script)
    [schedule] = [v.schedule for v in schedules.listing(clocked_app)]
    attempt = schedules.produce_due(clocked_app, schedule, clock.advance(days=1, hours=1))
    assert attempt is not None and not attempt.written
    [failed] = reporting.registered(clocked_app, "daily")
    assert failed == attempt
    assert not failed.written and "No such file or directory" in (failed.error or "")
    assert failed.checksum is None
    folder.mkdir()
    retried = schedules.produce_due(clocked_app, schedule, clock.advance(days=1))
    assert retried is not None
    assert (retried.period_start, retried.period_end) == (created, created + timedelta(days=2))
    assert not list(folder.glob(".*.tmp")), "no temporary file is left behind"


def test_each_report_is_built_from_the_data_of_its_period(
    clocked_app: App, clock: Clock, tmp_path: Path
) -> None:
    load_fixtures(clocked_app)
    clock.advance(minutes=1)  # the fixtures were recorded before the schedule began
    schedules.add(clocked_app, "daily", every="1d", fmt="json", output_dir=tmp_path)
    [schedule] = [v.schedule for v in schedules.listing(clocked_app)]
    clock.advance(hours=12)
    record(clocked_app, "relations_restored", "PER", ["MEX"], clock().date())
    entry = schedules.produce_due(clocked_app, schedule, clock.advance(hours=13))
    assert entry is not None
    data = json.loads(Path(entry.path).read_text(encoding="utf-8"))
    assert [(c["pair"], c["to"]) for c in data["changes"]] == [(["MEX", "PER"], "normal")]
    assert [e["event_type"] for e in data["recorded"]] == ["relations_restored"]
    report = reporting.build(clocked_app, entry.period_start, entry.period_end)
    assert data["status_counts"] == report.status_counts
    assert render(report, "json") != "", "the same period can be rebuilt on demand"


def test_adding_validates_everything_and_stores_nothing_on_error(
    clocked_app: App, tmp_path: Path
) -> None:
    bad: list[dict[str, object]] = [
        {"every": "1d", "fmt": "pdf"},
        {"every": "0s"},
        {"cron": "* * *"},
        {"cron": "0 8 * * 1", "timezone": "Nowhere/City"},
        {"every": "1d", "countries": ["Atlantis"]},
    ]
    for options in bad:
        with pytest.raises(InvalidInput):
            schedules.add(clocked_app, "x", output_dir=tmp_path, **options)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="bad schedule name"):
        schedules.add(clocked_app, "../etc", every="1d", output_dir=tmp_path)
    assert schedules.listing(clocked_app) == []
    schedules.add(clocked_app, "x", every="1d", output_dir=tmp_path)
    with pytest.raises(InvalidInput, match="already exists"):
        schedules.add(clocked_app, "x", every="2d", output_dir=tmp_path)
    [view] = schedules.listing(clocked_app)
    assert view.schedule.expression == "1d"
    schedules.remove(clocked_app, "x")
    with pytest.raises(InvalidInput, match="no schedule named"):
        schedules.remove(clocked_app, "x")


def test_every_stored_job_resolves_to_the_job_function(clocked_app: App, tmp_path: Path) -> None:
    schedules.add(clocked_app, "a", every="1d", output_dir=tmp_path)
    schedules.add(clocked_app, "b", cron="0 8 * * 1", output_dir=tmp_path, countries=["PE"])
    with scheduler_for_edits(clocked_app) as scheduler:
        stored = scheduler.get_jobs()
    assert {job.id for job in stored} == {"a", "b"}
    for job in stored:
        assert job.func_ref == JOB_FUNCTION
        assert job.func is jobs.run_schedule
        assert job.misfire_grace_time is None and job.coalesce is True
    assert job_store(clocked_app).jobs_t.name == "apscheduler_jobs", "the migrated table"


def test_once_refuses_while_another_daemon_leads(clocked_app: App) -> None:
    from relations.scheduling.leader import Leadership

    other = Leadership(bootstrap(clocked_app.url))
    assert other.try_acquire()
    try:
        with pytest.raises(Refused, match="another `relations serve` is running"):
            run_once(clocked_app)
    finally:
        other.release()
    assert run_once(clocked_app) == (0, 0)


def test_a_schedule_re_added_under_an_old_name_starts_afresh(
    clocked_app: App, clock: Clock, tmp_path: Path
) -> None:
    schedules.add(clocked_app, "daily", every="1d", output_dir=tmp_path)
    [old] = [v.schedule for v in schedules.listing(clocked_app)]
    assert schedules.produce_due(clocked_app, old, clock.advance(days=1, hours=1)) is not None
    schedules.remove(clocked_app, "daily")
    clock.advance(days=3)
    again = clock()
    schedules.add(clocked_app, "daily", every="1d", output_dir=tmp_path)
    [new] = [v.schedule for v in schedules.listing(clocked_app)]
    entry = schedules.produce_due(clocked_app, new, clock.advance(days=1, hours=1))
    assert entry is not None
    assert (entry.period_start, entry.period_end) == (again, again + timedelta(days=1))


def test_catch_up_removes_only_its_schedules_leftover_temporary_files(
    clocked_app: App, clock: Clock, tmp_path: Path
) -> None:
    schedules.add(clocked_app, "daily", every="1d", output_dir=tmp_path)
    leftover = tmp_path / ".daily_20260301T060000Z_20260302T060000Z.md.k3j2.tmp"
    other_schedule = tmp_path / ".weekly_20260301T060000Z_20260302T060000Z.md.x9.tmp"
    notes = tmp_path / "notes.txt"
    for path in (leftover, other_schedule, notes):
        path.write_text("partial", encoding="utf-8")
    clock.advance(days=1, minutes=1)
    assert catch_up(clocked_app) == (1, 0)
    assert not leftover.exists()
    assert other_schedule.exists() and notes.exists()


def test_catch_up_removes_a_finished_report_a_killed_daemon_did_not_register(
    clocked_app: App, clock: Clock, tmp_path: Path
) -> None:
    """Killed between renaming a report into place and registering it: the next run
    removes that file (its period is written again) and keeps everything else."""
    schedules.add(clocked_app, "daily", every="1d", output_dir=tmp_path)
    orphan = tmp_path / "daily_20260302T060000Z_20260303T055900Z.md"
    other_schedule = tmp_path / "weekly_20260301T060000Z_20260302T060000Z.md"
    not_ours = tmp_path / "daily_notes.md"
    for path in (orphan, other_schedule, not_ours):
        path.write_text("a complete report", encoding="utf-8")
    clock.advance(days=1, minutes=1)
    assert catch_up(clocked_app) == (1, 0)
    [entry] = reporting.registered(clocked_app, "daily")
    assert not orphan.exists()
    assert Path(entry.path).exists()
    assert other_schedule.exists() and not_ours.exists()


def test_editing_schedules_never_runs_a_job(
    clocked_app: App,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Schedules are read and edited (by `schedule add|remove` and by a daemon's catch-up)
    through a scheduler that must never run a job: APScheduler's shutdown() leaves the
    paused state before it stops the executors, so a paused BackgroundScheduler woken by
    an edit runs a due job, or logs "Error submitting job", while it shuts down
    (apscheduler#285). Seen in a `serve` log as that error after its catch-up."""
    schedules.add(clocked_app, "due", every="1d", output_dir=tmp_path)
    runs: list[dict[str, object]] = []
    monkeypatch.setattr(jobs, "run_schedule", lambda **options: runs.append(options))
    overdue = datetime.now(UTC) - timedelta(hours=1)
    for _ in range(30):
        with scheduler_for_edits(clocked_app) as scheduler:
            for job in scheduler.get_jobs():
                job.modify(next_run_time=overdue)  # due at once: what catch-up's edit wakes
    assert runs == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")
            and r.levelno >= logging.WARNING] == []  # fmt: skip
