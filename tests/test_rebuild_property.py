"""Property: whatever order events arrive in (backdated ones included), every stored
status equals a fresh rebuild from the log, every answer equals a pure fold of the
accepted events, and an event is accepted exactly when the rules allow it."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_checks import assert_projections_equal_fold

from relations.domain.errors import Refused
from relations.domain.events import EventDraft, Pair
from relations.domain.fold import fold
from relations.domain.machine import default_machine
from relations.services.queries import history, status
from relations.services.recording import record

COUNTRIES = ["PER", "MEX", "ECU"]
PAIRS = [Pair.of(a, b) for a, b in combinations(COUNTRIES, 2)]
START = date(2020, 1, 1)
# Pick an effect uniformly, then one of its types: with 18 types sampled flat, the
# rare restore/normalize/sever events (the interesting ones) would seldom appear.
RULES = default_machine().rules
BY_EFFECT = {
    effect: sorted(n for n, t in RULES.event_types.items() if t.effect == effect)
    for effect in RULES.effects
}
event_types = st.sampled_from(sorted(BY_EFFECT)).flatmap(lambda e: st.sampled_from(BY_EFFECT[e]))
# Most attempts concern one pair, so that its history gets long and backdating bites.
directions = st.one_of(
    st.sampled_from([("PER", "MEX"), ("MEX", "PER")]),
    st.sampled_from([(a, b) for a in COUNTRIES for b in COUNTRIES if a != b]),
)

attempts = st.lists(
    st.tuples(event_types, directions, st.integers(min_value=0, max_value=40)),
    min_size=3,
    max_size=30,
)


Accepted = tuple[date, int, str, str, str]  # day, id, type, actor, target


def expected_acceptance(
    accepted: list[Accepted], day: date, kind: str, actor: str, target: str
) -> bool:
    """The model: the new event goes after every accepted one on or before its date."""
    candidate = sorted([*accepted, (day, 10**9, kind, actor, target)])
    facts = [EventDraft(k, a, t, d, via=_via(k, a, t)) for d, _, k, a, t in candidate]
    return all(step.valid for step in fold(default_machine(), facts).steps)


def _via(kind: str, actor: str, target: str) -> str | None:
    if not RULES.event_types[kind].takes_via:
        return None
    return next(c for c in ("BRA", "CHE") if c not in (actor, target))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(attempts=attempts)
def test_status_always_equals_a_fresh_rebuild(fresh_app: Any, attempts: Any) -> None:
    app = fresh_app()
    model: dict[Pair, list[Accepted]] = {p: [] for p in PAIRS}
    for kind, (actor, target), offset in attempts:
        day = START + timedelta(days=offset)
        pair = Pair.of(actor, target)
        should_accept = expected_acceptance(model[pair], day, kind, actor, target)
        try:
            [result] = record(
                app, kind, actor, [target], day, via=_via(kind, actor, target), allow_duplicate=True
            )
        except Refused:
            assert not should_accept, f"{kind} on {day} for {pair} was refused but is valid"
            continue
        assert should_accept, f"{kind} on {day} for {pair} was accepted but is invalid"
        model[pair].append((day, result.event_id, kind, actor, target))

    machine = app.machine
    with app.store.reading() as tx:
        for pair in PAIRS:
            log = tx.pair_events(pair)
            rebuilt = fold(machine, log)
            stored = tx.stored_status(pair)
            if not log:
                assert stored is None
                continue
            assert stored is not None
            assert all(step.valid for step in rebuilt.steps), "the log never holds invalid events"
            assert_projections_equal_fold(tx, machine, pair)
            assert [e.id for e in log] == [m[1] for m in sorted(model[pair])]

    for pair in PAIRS:
        steps = history(app, pair.first, pair.second)
        assert [s.event.id for s in steps] == [m[1] for m in sorted(model[pair])]
        for offset in (0, 10, 20, 30, 40):
            as_of = START + timedelta(days=offset)
            upto = [
                EventDraft(k, a, t, d, via=_via(k, a, t))
                for d, _, k, a, t in sorted(model[pair])
                if d <= as_of
            ]
            expected = fold(machine, upto)
            answer = status(app, pair.first, pair.second, as_of)
            assert (answer.status, answer.since, answer.events) == (
                expected.status,
                expected.since,
                len(upto),
            )
            assert (answer.stage, answer.stage_since, answer.missions) == (
                expected.stage, expected.stage_since, expected.missions,
            )  # fmt: skip
