"""Report content: counts, changes in the period, standing pairs, recorded events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from relations.domain.events import Event, Pair
from relations.domain.machine import default_machine
from relations.reports.assemble import build_report
from relations.reports.model import Place, Report
from relations.reports.period import Period

T0 = datetime(2025, 11, 1, tzinfo=UTC)


def ev(i: int, kind: str, day: str, actor: str = "PER", target: str = "MEX",
       recorded: datetime = T0 - timedelta(days=365)) -> Event:  # fmt: skip
    return Event(i, kind, actor, target, date.fromisoformat(day), f"summary {i}", f"src {i}",
                 None, recorded)  # fmt: skip


PERU_MEXICO = [
    ev(1, "ambassador_recalled", "2022-12-15"),
    ev(2, "diplomat_expelled", "2022-12-20"),
    ev(3, "relations_severed", "2025-11-03", recorded=T0 + timedelta(days=3)),
    ev(4, "asylum_granted", "2025-11-04", actor="MEX", target="PER",
       recorded=T0 + timedelta(days=4)),
]  # fmt: skip
COLOMBIA_VENEZUELA = [
    ev(5, "relations_severed", "2019-02-23", "VEN", "COL"),
    ev(6, "relations_restored", "2022-08-28", "VEN", "COL"),
]
LOGS = [(Pair("COL", "VEN"), COLOMBIA_VENEZUELA), (Pair("MEX", "PER"), PERU_MEXICO)]


def build(start: datetime, end: datetime, countries: tuple[str, ...] = ()) -> Report:
    """A report generated long after the period: everything in LOGS is known."""
    generated = datetime(2026, 6, 1, tzinfo=UTC)
    return build_report(default_machine(), LOGS, Period(start, end), generated, countries)


def places(report: Report) -> list[tuple[str, str, str, int]]:
    return [(str(c.pair), c.before.stage, c.after.stage, c.cause.id) for c in report.changes]


def test_changes_standing_occurred_and_recorded_in_a_period() -> None:
    report = build(T0, T0 + timedelta(days=30))
    assert report.status_counts == {"normal": 1, "strained": 0, "severed": 1}
    [change] = report.changes
    assert (str(change.pair), change.before, change.after, change.on, change.cause.id) == (
        "MEX-PER", Place("strained", "ambassador_withdrawn"), Place("severed", "broken"),
        date(2025, 11, 3), 3,
    )  # fmt: skip
    assert change.direction == "deteriorated"
    [standing] = report.standing
    assert (standing.status, standing.since, standing.days) == ("severed", date(2025, 11, 3), 27)
    assert [e.id for e in report.recorded] == [3, 4]
    assert [e.id for e in report.facts.occurred] == [3, 4]
    assert report.facts.late == []
    assert not report.empty
    assert [str(t.pair) for t in report.timelines] == ["MEX-PER"]


def test_trends_compare_the_start_and_the_end_of_the_period() -> None:
    report = build(T0, T0 + timedelta(days=30))
    [worse] = report.facts.deteriorated
    assert (str(worse.pair), worse.before, worse.after, [e.id for e in worse.causes]) == (
        "MEX-PER", Place("strained", "ambassador_withdrawn"), Place("severed", "broken"), [3],
    )  # fmt: skip
    assert report.facts.improved == []
    assert report.facts.unchanged == 1, "COL-VEN has events but did not move"
    restored = build(datetime(2022, 8, 1, tzinfo=UTC), datetime(2022, 9, 1, tzinfo=UTC))
    [better] = restored.facts.improved
    assert (str(better.pair), better.before.stage, better.after.stage) == (
        "COL-VEN", "broken", "normal",
    )  # fmt: skip


def test_a_pair_that_moves_and_comes_back_changed_but_did_not_trend() -> None:
    logs = [(Pair("ARG", "VEN"), [
        ev(1, "ambassador_recalled", "2025-11-05", "ARG", "VEN"),
        ev(2, "ambassador_returned", "2025-11-20", "ARG", "VEN"),
    ])]  # fmt: skip
    period = Period(T0, T0 + timedelta(days=30))
    report = build_report(default_machine(), logs, period, datetime(2026, 6, 1, tzinfo=UTC))
    assert [(c.before.stage, c.after.stage, c.direction) for c in report.changes] == [
        ("normal", "ambassador_withdrawn", "deteriorated"),
        ("ambassador_withdrawn", "normal", "improved"),
    ]
    assert report.facts.deteriorated == report.facts.improved == []
    assert report.facts.unchanged == 1


def test_a_stage_change_within_a_status_is_a_change() -> None:
    logs = [(Pair("FRA", "NER"), [
        ev(1, "diplomat_expelled", "2023-08-25", "NER", "FRA"),
        ev(2, "embassy_closed", "2024-01-02", "FRA", "NER"),
    ])]  # fmt: skip
    period = Period(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    report = build_report(default_machine(), logs, period, datetime(2026, 6, 1, tzinfo=UTC))
    [change] = report.changes
    assert (change.before, change.after, change.direction) == (
        Place("strained", "ambassador_withdrawn"), Place("strained", "embassy_closed"),
        "deteriorated",
    )  # fmt: skip
    assert not change.status_changed
    [worse] = report.facts.deteriorated
    assert worse.after.stage == "embassy_closed"


def test_an_event_entered_late_is_late_news_not_something_that_occurred() -> None:
    entered = T0 + timedelta(days=10)
    logs = [(Pair("MEX", "PER"), [*PERU_MEXICO[:2],
             ev(7, "statement", "2023-05-01", recorded=entered)])]  # fmt: skip
    report = build_report(default_machine(), logs, Period(T0, T0 + timedelta(days=30)),
                          datetime(2026, 6, 1, tzinfo=UTC))  # fmt: skip
    assert [e.id for e in report.facts.late] == [7]
    assert report.facts.occurred == []
    assert [e.id for e in report.recorded] == [7]
    assert not report.empty


def test_status_at_the_end_of_a_past_period() -> None:
    report = build(datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))
    assert report.status_counts == {"normal": 1, "strained": 1, "severed": 0}
    assert report.changes == []
    assert [(str(s.pair), s.status, s.since) for s in report.standing] == [
        ("MEX-PER", "strained", date(2022, 12, 15)),
    ]
    assert report.empty


def test_a_date_belongs_to_the_period_holding_its_midnight() -> None:
    day = datetime(2025, 11, 3, tzinfo=UTC)
    before = build(day - timedelta(days=1), day)
    starting = build(day, day + timedelta(hours=1))
    assert before.changes == []
    assert [c.cause.id for c in starting.changes] == [3]
    late_start = build(day + timedelta(hours=8), day + timedelta(days=1))
    assert late_start.changes == []


def test_country_filter_keeps_only_pairs_involving_them() -> None:
    report = build(datetime(2019, 1, 1, tzinfo=UTC), T0, ("COL",))
    assert report.status_counts == {"normal": 1, "strained": 0, "severed": 0}
    assert [c.cause.id for c in report.changes] == [5, 6]
    assert report.countries == ("COL",)


def test_pairs_without_events_by_the_end_are_not_counted() -> None:
    report = build(datetime(2010, 1, 1, tzinfo=UTC), datetime(2011, 1, 1, tzinfo=UTC))
    assert report.status_counts == {"normal": 0, "strained": 0, "severed": 0}
    assert report.timelines == []


def test_a_change_recorded_after_its_date_is_reported_when_it_became_known() -> None:
    day = datetime(2026, 3, 2, tzinfo=UTC)
    late = ev(9, "relations_restored", "2026-03-02", recorded=day + timedelta(hours=10))
    logs = [(Pair("MEX", "PER"), [*PERU_MEXICO, late])]
    machine = default_machine()
    morning = Period(day - timedelta(hours=18), day + timedelta(hours=6))
    evening = Period(day + timedelta(hours=6), day + timedelta(hours=30))
    first = build_report(machine, logs, morning, morning.end, known_at=morning.end)
    second = build_report(machine, logs, evening, evening.end, known_at=evening.end)
    assert first.changes == [] and first.status_counts["severed"] == 1
    assert [(c.cause.id, c.on, c.after.status) for c in second.changes] == [
        (9, date(2026, 3, 2), "normal")
    ]
    assert second.status_counts["normal"] == 1


def test_events_recorded_after_known_at_do_not_count() -> None:
    end = T0 + timedelta(days=2, hours=12)  # the break took effect, but is recorded later
    machine = default_machine()
    then = build_report(machine, LOGS, Period(T0, end), end, known_at=end)
    assert then.changes == [] and then.status_counts["strained"] == 1
    assert then.recorded == []
    now = build_report(machine, LOGS, Period(T0, end), T0 + timedelta(days=30))
    assert [c.cause.id for c in now.changes] == [3], "known now, so it counts"
    assert now.known_at == T0 + timedelta(days=30)
