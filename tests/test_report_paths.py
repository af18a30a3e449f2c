"""The two ways of computing a report's facts agree: replaying every pair's log, and
reading the projections (event_effects, pair_status) with index seeks."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relations.application import App
from relations.domain.errors import Refused
from relations.reports.facts import facts_from_logs, timeline_input, timeline_pairs
from relations.reports.period import Period
from relations.services import report_facts, reporting
from relations.services.corrections import retract
from relations.services.demo import load_fixtures
from relations.services.queries import events
from relations.services.recording import record

from conftest import Clock

PERIODS = [
    (datetime(2015, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
    (datetime(2022, 12, 15, tzinfo=UTC), datetime(2022, 12, 20, 12, tzinfo=UTC)),
    (datetime(2025, 11, 3, 6, tzinfo=UTC), datetime(2025, 11, 10, tzinfo=UTC)),
    (datetime(2026, 3, 1, 23, tzinfo=UTC), datetime(2026, 3, 2, 6, tzinfo=UTC)),
    (datetime(1990, 1, 1, tzinfo=UTC), datetime(1991, 1, 1, tzinfo=UTC)),
]
COUNTRY_FILTERS: list[list[str]] = [[], ["PER"], ["MEX", "SAU"]]


def both_ways(app: App, period: Period, countries: list[str]) -> tuple[Any, Any]:
    now = app.clock()
    with app.store.reading() as tx:
        assert report_facts.projections_answer(app, tx, now)
        fast = report_facts.facts_from_projections(app, tx, period, countries)
        slow = facts_from_logs(app.machine, tx.pair_logs(countries), period, now, countries)
    return fast, slow


attempts = st.lists(
    st.tuples(
        st.sampled_from(["relations_severed", "relations_restored", "asylum_granted",
                         "ambassador_returned", "statement"]),
        st.sampled_from([("PER", "MEX"), ("MEX", "ECU"), ("SAU", "IRN")]),
        st.integers(min_value=0, max_value=400),
        st.integers(min_value=0, max_value=30),
    ),
    max_size=25,
)  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(attempts=attempts, withdrawn=st.lists(st.integers(0, 10**6), max_size=4))
def test_projections_equal_a_replay(fresh_app: Any, attempts: Any, withdrawn: Any) -> None:
    clock = Clock(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    app = fresh_app()
    app.clock, app.today = clock, (lambda: clock().date())
    load_fixtures(app)
    for kind, (actor, target), days_back, hours_later in attempts:
        clock.advance(hours=hours_later)
        with contextlib.suppress(Refused):
            record(
                app,
                kind,
                actor,
                [target],
                date(2026, 3, 2) - timedelta(days=days_back),
                allow_duplicate=True,
            )
    for pick in withdrawn:  # retracted events leave the projections; a replay skips them
        clock.advance(minutes=1)
        live = [e.id for e in events(app)]
        if live:
            retract(app, live[pick % len(live)], "test", by="t", cascade=True)
    for start, end in PERIODS:
        for countries in COUNTRY_FILTERS:
            period = Period(start, end)
            fast, slow = both_ways(app, period, countries)
            assert fast == slow, (start, end, countries)
            with app.store.reading() as tx:
                pairs = timeline_pairs(fast)
                drawn = report_facts.timelines_from_projections(tx, pairs, period)
                for pair in pairs:
                    log = tx.pair_events(pair, up_to=period.last_day)
                    if log:
                        assert drawn[pair] == timeline_input(app.machine, log, period.first_day)
                    else:
                        assert pair not in drawn


def test_the_fast_path_is_not_used_when_events_were_recorded_after_known_at(
    clocked_app: App, clock: Clock
) -> None:
    load_fixtures(clocked_app)
    before = clock() - timedelta(minutes=1)
    with clocked_app.store.reading() as tx:
        assert report_facts.projections_answer(clocked_app, tx, clock())
        assert not report_facts.projections_answer(clocked_app, tx, before)
    report = reporting.build(clocked_app, datetime(2015, 1, 1, tzinfo=UTC), known_at=before)
    assert report.status_counts == {"normal": 0, "strained": 0, "severed": 0}
    assert report.recorded == []


def test_the_fast_path_is_not_used_when_a_retraction_came_after_known_at(
    clocked_app: App, clock: Clock
) -> None:
    load_fixtures(clocked_app)
    clock.advance(minutes=5)
    before = clock()
    clock.advance(minutes=5)
    severed = [e for e in events(clocked_app, types=["relations_severed"]) if e.actor == "PER"]
    retract(clocked_app, severed[0].id, "test", by="t", cascade=True)
    with clocked_app.store.reading() as tx:
        assert report_facts.projections_answer(clocked_app, tx, clock())
        assert not report_facts.projections_answer(clocked_app, tx, before)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    then = reporting.build(clocked_app, start, known_at=before)
    now = reporting.build(clocked_app, start)
    assert then.status_counts["severed"] == now.status_counts["severed"] + 1
