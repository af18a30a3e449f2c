"""Property: a bulk import, on top of whatever the log already holds (backdated rows
included, in any order), is accepted exactly when every pair's resulting history is
allowed by the rules (or always, with --lenient), writes nothing when refused, and
leaves projections equal to a fresh fold of the log."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_checks import assert_projections_equal_fold
from test_rebuild_property import _via, event_types

from relations.domain.errors import RelationsError
from relations.domain.events import EventDraft, Pair
from relations.domain.fold import fold
from relations.domain.machine import default_machine
from relations.services.importing import ImportOptions, import_file
from relations.services.recording import record

START = date(2020, 1, 1)
PAIRS = [("PER", "MEX"), ("MEX", "ECU"), ("ECU", "PER")]
MACHINE = default_machine()

rows = st.lists(
    st.tuples(event_types, st.sampled_from(PAIRS), st.booleans(), st.integers(0, 60)),
    max_size=30,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=rows, imported=rows, lenient=st.booleans())
def test_import_is_all_or_nothing_and_equals_a_rebuild(
    fresh_app: Any, tmp_path_factory: Any, before: Any, imported: Any, lenient: bool
) -> None:
    app = fresh_app()
    for kind, (a, b), flip, offset in before:  # whatever the rules let through, one by one
        actor, target = (b, a) if flip else (a, b)
        with contextlib.suppress(RelationsError):
            record(app, kind, actor, [target], START + timedelta(days=offset),
                   via=_via(kind, actor, target), allow_duplicate=True)  # fmt: skip
    with app.store.reading() as tx:
        existing = {Pair.of(*p): tx.pair_events(Pair.of(*p)) for p in PAIRS}
        snapshot = {pair: list(log) for pair, log in existing.items()}
    path = Path(tmp_path_factory.mktemp("import")) / "rows.csv"
    lines = ["occurred_on,event_type,actor,target,summary,source,external_id,via"]
    drafts: dict[Pair, list[EventDraft]] = {pair: [] for pair in existing}
    for kind, (a, b), flip, offset in imported:
        actor, target = (b, a) if flip else (a, b)
        day = START + timedelta(days=offset)
        via = _via(kind, actor, target)
        lines.append(f"{day},{kind},{actor},{target},,,,{via or ''}")
        drafts[Pair.of(actor, target)].append(EventDraft(kind, actor, target, day, via=via))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # The model: each pair's final history in fold order (new rows after old on a date).
    def history(pair: Pair) -> list[Any]:
        old = [(e.occurred_on, 0, i, e) for i, e in enumerate(existing[pair])]
        new = [(d.occurred_on, 1, i, d) for i, d in enumerate(drafts[pair])]
        return [item[3] for item in sorted(old + new, key=lambda t: t[:3])]

    allowed = all(all(s.valid for s in fold(MACHINE, history(p)).steps) for p in existing)
    try:
        result = import_file(app, path, ImportOptions(lenient=lenient))
    except RelationsError:
        assert not lenient and not allowed, "refused an import the rules allow"
        with app.store.reading() as tx:
            assert {p: tx.pair_events(p) for p in existing} == snapshot, "a refusal wrote"
        return
    assert lenient or allowed, "accepted an import the rules refuse"
    assert result.created == len(imported)
    with app.store.reading() as tx:
        for pair in existing:
            log = tx.pair_events(pair)
            assert [(e.event_type, e.occurred_on) for e in log] == [
                (e.event_type, e.occurred_on) for e in history(pair)
            ]
            assert_projections_equal_fold(tx, MACHINE, pair)
