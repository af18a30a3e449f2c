"""Property: under random rules files (other state orders, another initial state, stages
that follow the missions or not, random mission effects and conditions) and random
histories, the domain fold, the bulk fold (import, reproject) and the stored
projections (written one event at a time by `record`) all agree: status, stage, missions,
each event's effect, and the state on any date."""

from __future__ import annotations

import contextlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_checks import assert_projections_equal_fold
from rules_strategies import TYPES, rules_files, rules_from

from relations.domain.errors import Refused
from relations.domain.events import Pair
from relations.domain.fold import fold
from relations.services.importing import ImportOptions, import_file
from relations.services.queries import status
from relations.services.recording import record
from relations.services.reprojecting import reproject

START = date(2020, 1, 1)
COUNTRIES = ["PER", "MEX", "ECU"]
PAIRS = [Pair.of("PER", "MEX"), Pair.of("MEX", "ECU"), Pair.of("ECU", "PER")]
directions = st.sampled_from([(a, b) for a in COUNTRIES for b in COUNTRIES if a != b])
histories = st.lists(
    st.tuples(st.sampled_from(TYPES), directions, st.integers(0, 30)), min_size=1, max_size=25
)


def third_country(actor: str, target: str) -> str:
    return next(c for c in ("BRA", "CHE", "SWE") if c not in (actor, target))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=rules_files(), history=histories)
def test_fold_bulk_fold_and_projections_agree_under_random_rules(
    fresh_app: Any, tmp_path_factory: Any, raw: dict[str, Any], history: Any
) -> None:
    rules = rules_from(raw)
    # One at a time through `record` (the fast path and the backdated path)...
    app = fresh_app(rules=rules)
    machine = app.machine
    for kind, (actor, target), offset in history:
        via = third_country(actor, target) if rules.event_types[kind].takes_via else None
        with contextlib.suppress(Refused):
            record(
                app,
                kind,
                actor,
                [target],
                START + timedelta(days=offset),
                via=via,
                allow_duplicate=True,
            )
    with app.store.reading() as tx:
        logs = {pair: tx.pair_events(pair) for pair in PAIRS}
        for pair in PAIRS:
            assert_projections_equal_fold(tx, machine, pair)
            assert all(step.valid for step in fold(machine, logs[pair]).steps)
    for pair in PAIRS:  # the state on any date, from the projections, equals a fold
        for offset in (0, 7, 15, 31):
            day = START + timedelta(days=offset)
            answer = status(app, pair.first, pair.second, day)
            expected = fold(machine, [e for e in logs[pair] if e.occurred_on <= day])
            assert (answer.status, answer.stage, answer.since, answer.stage_since) == (
                expected.status, expected.stage, expected.since, expected.stage_since,
            )  # fmt: skip
            assert answer.missions == expected.missions
            assert answer.cause == expected.cause

    # ... then reprojected in bulk: nothing changes.
    done = reproject(app, by="test")
    assert done.changed == [] and done.invalid == []
    with app.store.reading() as tx:
        for pair in PAIRS:
            assert_projections_equal_fold(tx, machine, pair)

    # The same rows imported in bulk (leniently: refused ones are kept, marked invalid).
    other = fresh_app(rules=rules)
    path = Path(tmp_path_factory.mktemp("import")) / "history.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for kind, (actor, target), offset in history:
            row = {
                "occurred_on": str(START + timedelta(days=offset)),
                "event_type": kind,
                "actor": actor,
                "target": target,
            }
            if rules.event_types[kind].takes_via:
                row["via"] = third_country(actor, target)
            handle.write(json.dumps(row) + "\n")
    import_file(other, path, ImportOptions(lenient=True))
    with other.store.reading() as tx:
        for pair in PAIRS:
            assert_projections_equal_fold(tx, other.machine, pair)
