"""Rebuilding every pair's projections from the log under the rules in force.

Run after changing the rules: statuses may change, and events the old rules allowed may
now be invalid. Invalid events are kept and shown as such (``effect: invalid``); nothing
in the log changes. A bulk write: every live event is read once, in id order, into a
compact ledger, folded pair by pair, and the projections are written back in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from relations.application import App
from relations.domain.events import Pair
from relations.services import inputs
from relations.services.bulk_projection import BulkProjector

REWRITTEN = ("event_effects", "pair_status")  # the tables with references it rewrites
# Past one row in REWRITE_SHARE differing (and at least REWRITE_FLOOR), every row is
# written anew, indexes rebuilt once: cheaper than replacing them one by one.
REWRITE_SHARE, REWRITE_FLOOR = 10, 10_000
DETAILS_LIMIT = 1_000  # ids and pairs kept in the audit row; the counts are always exact


@dataclass
class Reprojected:
    rules_digest: str
    pairs: int = 0
    events: int = 0
    # pairs whose status or stage changed: pair, (status, stage) before and after; the
    # stage before is None for a pair stored before stages existed
    changed: list[tuple[Pair, tuple[str, str | None], tuple[str, str]]] = field(
        default_factory=list
    )
    invalid: list[int] = field(default_factory=list)  # events that became invalid
    valid_again: list[int] = field(default_factory=list)  # events invalid before, valid now
    rewritten: int = 0  # event_effects rows written (those that differed, or all)


def reproject(app: App, *, by: str | None = None) -> Reprojected:
    who = inputs.author(by)
    invalid_now: list[int] = []
    projector = BulkProjector(
        app.machine,
        lambda pair, position, state: invalid_now.append(projector.ledger.ids[position]),
    )
    result = Reprojected(projector.digest)
    with app.store.writing_once(alone=True, bulk=REWRITTEN) as tx:
        bulk = tx.bulk()
        initial = projector.kernel.start()
        unknown = (initial.status, None)
        before = tx.stages()
        was_invalid = tx.invalid_event_ids()
        pairs_stored, under_other_rules, effects_stored = tx.projected_under(projector.digest)
        # Under the rules they were built with, the projections are checked row by row
        # and only the rows that differ are written (none, unless something was wrong);
        # under other rules, they are written anew.
        checking = pairs_stored > 0 and under_other_rules == 0
        _read_ledger(projector, bulk, checking)
        latest = bulk.latest_versions()
        projector.versions.update((Pair(*key), version) for key, version in latest.items())
        ledger = projector.ledger
        if checking and effects_stored != ledger.matched:
            checking = False  # rows of events that no longer count: write them all anew
        if not checking:
            bulk.drop_indexes(tables=("event_effects",))  # before emptying it: far faster
        tx.clear_projections(effects=not checking)
        projector.start_folding()
        statuses = []
        for index, pair in enumerate(ledger.pairs):
            row = projector.fold_appended(pair, projector.positions(index), None, initial, bulk)
            statuses.append(row)
            _note_change(result, pair, before.get(pair, unknown), (row[2], row[9]))
        # A pair whose every event is retracted keeps a row, as `retract` leaves it: no
        # events, the initial state, and its latest version, which the next write
        # (record or import) continues from.
        live = set(ledger.pairs)
        for pair in sorted({Pair(*key) for key in latest} - live):
            statuses.append(projector.empty_status_row(pair, bulk))
            _note_change(result, pair, before.get(pair, unknown), (initial.status, initial.stage))
        result.changed.sort()
        if checking:
            differing = projector.differing_effect_rows(bulk)
            result.rewritten = len(differing)
            if len(differing) > max(REWRITE_FLOOR, len(ledger.ids) // REWRITE_SHARE):
                bulk.drop_indexes(tables=("event_effects",))
                tx.clear_projections()
                checking = False
            else:
                bulk.replace_effects(differing)
        if not checking:
            bulk.insert_effects(projector.effect_rows(bulk))
            result.rewritten = len(ledger.ids)
        bulk.upsert_statuses(statuses)
        bulk.rebuild_indexes()
        result.pairs, result.events = len(ledger.pairs), len(ledger.ids)
        now_invalid = set(invalid_now)
        result.invalid = sorted(now_invalid - was_invalid)
        result.valid_again = sorted(was_invalid - now_invalid)
        tx.audit.add(app.clock(), who, "reproject", _description(result), _details(result))
    return result


def _note_change(
    result: Reprojected, pair: Pair, before: tuple[str, str | None], after: tuple[str, str]
) -> None:
    """A change of status, or of stage for a pair that had one stored."""
    if before[0] != after[0] or (before[1] is not None and before[1] != after[1]):
        result.changed.append((pair, before, after))


def _read_ledger(projector: BulkProjector, bulk: Any, with_effects: bool) -> None:
    ledger = projector.ledger
    for rows in bulk.live_events(with_effects=with_effects):
        if with_effects:
            ledger.keep_stored_effects([row[7] for row in rows])
            rows = [row[:7] for row in rows]
        ledger.add_rows(rows, projector.type_code, projector.unknown_type)


def _description(result: Reprojected) -> str:
    return (
        f"reproject under rules {result.rules_digest}: {len(result.changed)} pair(s) changed "
        f"status or stage, {len(result.invalid)} event(s) became invalid"
    )


def _details(result: Reprojected) -> dict[str, Any]:
    return {
        "rules_digest": result.rules_digest,
        "pairs": result.pairs,
        "events": result.events,
        "changed": len(result.changed),
        "changed_pairs": [
            [str(p), old[0], new[0], old[1], new[1]]
            for p, old, new in result.changed[:DETAILS_LIMIT]
        ],
        "invalid": len(result.invalid),
        "invalid_ids": result.invalid[:DETAILS_LIMIT],
        "valid_again": len(result.valid_again),
        "valid_again_ids": result.valid_again[:DETAILS_LIMIT],
        "effects_rewritten": result.rewritten,
    }
