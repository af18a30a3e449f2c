"""Property: for any sequence of records, backdated records, imports, retractions,
corrections and reprojections,

- every derived status equals a fresh fold of the live events (and the projections equal
  a rebuild);
- for every earlier moment K, the answers re-asked with ``known_at=K`` equal the answers
  the database gave at K (captured during the run);
- nothing in the event log or the retractions is ever updated in place or deleted;
- a refusal is right: the change it refused would have broken the rules.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_checks import assert_projections_equal_fold
from sqlalchemy import select
from test_rebuild_property import _via, event_types

from relations.application import App
from relations.domain.errors import Refused
from relations.domain.events import EventDraft, Pair
from relations.domain.fold import fold
from relations.domain.machine import default_machine
from relations.services.corrections import correct, retract
from relations.services.importing import ImportRefused, import_file
from relations.services.queries import history, pairs, status
from relations.services.recording import record
from relations.services.reprojecting import reproject
from relations.store.schema import events, retractions

COUNTRIES = ["PER", "MEX", "ECU"]
PAIRS = [Pair.of(a, b) for a, b in combinations(COUNTRIES, 2)]
START = date(2020, 1, 1)
OFFSETS = (0, 15, 30)
MACHINE = default_machine()

directions = st.one_of(
    st.sampled_from([("PER", "MEX"), ("MEX", "PER")]),
    st.sampled_from([(a, b) for a in COUNTRIES for b in COUNTRIES if a != b]),
)
days = st.integers(min_value=0, max_value=40)
storable = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
operations = st.lists(
    st.one_of(
        st.tuples(st.just("record"), event_types, directions, days),
        st.tuples(st.just("import"), event_types, directions, days),
        st.tuples(st.just("reproject")),
        st.tuples(st.just("retract"), st.integers(0, 10**6), st.booleans()),
        st.tuples(
            st.just("correct"),
            st.integers(0, 10**6),
            st.one_of(
                st.tuples(st.just("occurred_on"), days),
                st.tuples(st.just("event_type"), event_types),
                st.tuples(st.just("target"), st.sampled_from(COUNTRIES)),
                # Text the store accepts (NUL and lone surrogates are refused as
                # malformed; tests/test_hostile_input.py covers that).
                st.tuples(st.just("summary"), st.text(storable, max_size=5)),
            ),
        ),
    ),
    min_size=4,
    max_size=20,
)


class Model:
    """What the live record should be: (day, id, type, actor, target) per event id."""

    def __init__(self) -> None:
        self.live: dict[int, tuple[date, int, str, str, str]] = {}

    def pair_log(self, pair: Pair, up_to: date | None = None) -> list[EventDraft]:
        rows = sorted(
            e for e in self.live.values()
            if Pair.of(e[3], e[4]) == pair and (up_to is None or e[0] <= up_to)
        )  # fmt: skip
        return [
            EventDraft(kind, actor, target, day, via=_via(kind, actor, target))
            for day, _, kind, actor, target in rows
        ]

    def valid(self, pair: Pair) -> bool:
        return all(step.valid for step in fold(MACHINE, self.pair_log(pair)).steps)


def answers(app: App, known_at: datetime | None = None) -> dict[str, Any]:
    """Everything we ask of the database, in comparable form."""
    found: dict[str, Any] = {}
    for pair in PAIRS:
        for offset in OFFSETS:
            as_of = START + timedelta(days=offset)
            s = status(app, pair.first, pair.second, as_of, known_at=known_at)
            cause = s.cause.id if s.cause else None
            found[f"status {pair} {as_of}"] = (s.status, s.since, cause, s.events, s.stage,
                                               s.stage_since, s.missions)  # fmt: skip
        found[f"history {pair}"] = [
            (item.event.id, item.effect, item.step.before if item.step else None,
             item.step.after if item.step else None,
             item.step.state_after if item.step else None,
             item.entry.retraction.reason if item.entry.retraction else None,
             item.entry.superseded_by, item.event.supersedes)
            for item in history(app, pair.first, pair.second, known_at=known_at)
        ]  # fmt: skip
    found["pairs"] = [
        (str(p.pair), p.status, p.since, p.cause_id, p.events, p.stage, p.stage_since)
        for p in pairs(app, known_at=known_at)
    ]
    return found


def log_rows(app: App) -> set[tuple[Any, ...]]:
    with app.store.reading() as tx:
        rows = {("event", *row) for row in tx.connection.execute(select(events))}
        rows |= {("retraction", *row) for row in tx.connection.execute(select(retractions))}
    return rows


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=operations)
def test_history_known_at_and_rebuild(fresh_app: Any, operations: Any) -> None:
    now = [datetime(2026, 3, 2, 6, 0, tzinfo=UTC)]
    app = fresh_app(clock=lambda: now[0], today=lambda: now[0].date())
    model = Model()
    captured: list[tuple[datetime, dict[str, Any]]] = [(now[0], answers(app))]
    seen_rows: set[tuple[Any, ...]] = set()
    for operation in operations:
        now[0] += timedelta(seconds=7)
        apply(app, model, operation)
        rows = log_rows(app)
        assert seen_rows <= rows, "a row of the log or of the retractions was changed or lost"
        seen_rows = rows
        captured.append((now[0], answers(app)))
        now[0] += timedelta(seconds=3)

    for moment, then in captured:
        assert answers(app, known_at=moment) == then, f"known_at={moment} differs"
    before_anything = captured[0][0] - timedelta(seconds=1)
    assert all(
        s[0] == "normal" and s[3] == 0
        for key, s in answers(app, known_at=before_anything).items()
        if key.startswith("status")
    )
    check_against_model(app, model)


def apply(app: App, model: Model, operation: Any) -> None:
    kind = operation[0]
    if kind == "reproject":
        # Under the same rules nothing changes, pairs whose every event was retracted
        # included (a later record or import must still find their versions).
        assert reproject(app).changed == []
        return
    if kind in ("record", "import"):
        _, event_type, (actor, target), offset = operation
        day = START + timedelta(days=offset)
        pair = Pair.of(actor, target)
        try:
            event_id = (_record if kind == "record" else _import)(
                app, event_type, actor, target, day
            )
        except (Refused, ImportRefused):
            model.live[-1] = (day, 10**9, event_type, actor, target)
            try:
                assert not model.valid(pair), f"{event_type} on {day} refused but valid"
            finally:
                del model.live[-1]
            return
        model.live[event_id] = (day, event_id, event_type, actor, target)
        assert model.valid(pair), f"{event_type} on {day} for {pair} accepted but invalid"
    elif kind == "retract":
        _, pick, cascade = operation
        if not model.live:
            return
        event_id = sorted(model.live)[pick % len(model.live)]
        day, _, _, actor, target = model.live[event_id]
        pair = Pair.of(actor, target)
        removed = model.live.pop(event_id)
        try:
            done = retract(app, event_id, "test", by="tester", cascade=cascade)
        except Refused:
            assert not cascade, "--cascade never refuses"
            assert not model.valid(pair), "refused a retraction that breaks nothing"
            model.live[event_id] = removed
            return
        for later in done.cascaded:
            assert cascade
            assert (later.occurred_on, later.id) > (day, event_id), "only later events cascade"
            model.live.pop(later.id)
        assert model.valid(pair)
    else:
        _, pick, (field, value) = operation
        if not model.live:
            return
        event_id = sorted(model.live)[pick % len(model.live)]
        day, _, event_type, actor, target = model.live[event_id]
        changes: dict[str, Any] = {field: value}
        if field == "occurred_on":
            changes[field] = START + timedelta(days=value)
        new = {"occurred_on": day, "event_type": event_type, "target": target, **changes}
        if new["target"] == actor:
            return  # refused as malformed (exit 2): not what this test is about
        if field == "event_type" and _via(value, actor, new["target"]):
            changes["via"] = _via(value, actor, new["target"])
        old = model.live.pop(event_id)
        trial = (new["occurred_on"], 10**9, new["event_type"], actor, new["target"])
        model.live[-1] = trial
        touched = {Pair.of(actor, target), Pair.of(actor, new["target"])}
        breaks = not all(model.valid(p) for p in touched)
        del model.live[-1]
        try:
            done = correct(app, event_id, "test", by="tester", **changes)
        except Refused:
            assert breaks, f"refused a correction that breaks nothing: {changes}"
            model.live[event_id] = old
            return
        except Exception as exc:  # a correction that changes nothing is malformed
            assert "changes nothing" in str(exc)
            model.live[event_id] = old
            return
        assert not breaks, f"accepted a correction that breaks the rules: {changes}"
        model.live[done.new_id] = (*trial[:1], done.new_id, *trial[2:])


def _record(app: App, event_type: str, actor: str, target: str, day: date) -> int:
    [result] = record(
        app,
        event_type,
        actor,
        [target],
        day,
        via=_via(event_type, actor, target),
        allow_duplicate=True,
    )
    return result.event_id


def _import(app: App, event_type: str, actor: str, target: str, day: date) -> int:
    """Import a one-event file: the bulk path, beside record's."""
    row = {"occurred_on": day.isoformat(), "event_type": event_type, "actor": actor,
           "target": target}  # fmt: skip
    via = _via(event_type, actor, target)
    if via:
        row["via"] = via
    path = Path(tempfile.mkdtemp(prefix="history-property-")) / "one.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert import_file(app, path).created == 1
    with app.store.reading() as tx:
        return max(e.id for p in PAIRS for e in tx.pair_events(p))


def check_against_model(app: App, model: Model) -> None:
    with app.store.reading() as tx:
        for pair in PAIRS:
            log = tx.pair_events(pair)
            assert [e.id for e in log] == [
                i for d, i, *_ in sorted(e for e in model.live.values()
                                         if Pair.of(e[3], e[4]) == pair)
            ]  # fmt: skip
            assert_projections_equal_fold(tx, MACHINE, pair)
            for offset in OFFSETS:
                as_of = START + timedelta(days=offset)
                expected = fold(MACHINE, model.pair_log(pair, as_of))
                answer = status(app, pair.first, pair.second, as_of)
                assert (answer.status, answer.since) == (expected.status, expected.since)
