"""Rebuilding every pair's projections from the log under the rules in force.

Run after changing the rules: statuses may change, and events the old rules allowed may
now be invalid. Invalid events are kept and shown as such (``effect: invalid``); nothing
in the log changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from relations.bootstrap import App
from relations.domain.events import Pair
from relations.services import inputs
from relations.services.projection import project

DETAILS_LIMIT = 1_000  # ids and pairs kept in the audit row; the counts are always exact


@dataclass
class Reprojected:
    rules_digest: str
    pairs: int = 0
    events: int = 0
    changed: list[tuple[Pair, str, str]] = field(default_factory=list)  # pair, before, after
    invalid: list[int] = field(default_factory=list)  # events that became invalid
    valid_again: list[int] = field(default_factory=list)  # events invalid before, valid now


def reproject(app: App, *, by: str | None = None) -> Reprojected:
    who = inputs.author(by)
    digest = app.machine.rules.digest
    result = Reprojected(digest)
    with app.store.writing(alone=True) as tx:
        before = {s.pair: s.status for s in tx.statuses()}
        was_invalid = tx.invalid_event_ids()
        tx.clear_projections()
        now_invalid: set[int] = set()
        seen: set[Pair] = set()
        for pair, log in tx.pair_logs():
            stored = project(app, tx, pair, log)
            seen.add(pair)
            result.pairs += 1
            result.events += len(log)
            old = before.get(pair, app.machine.initial)
            if stored.status != old:
                result.changed.append((pair, old, stored.status))
        for pair in sorted(set(before) - seen):  # every event retracted: initial, no events
            project(app, tx, pair, [])
            if before[pair] != app.machine.initial:
                result.changed.append((pair, before[pair], app.machine.initial))
        now_invalid = tx.invalid_event_ids()
        result.invalid = sorted(now_invalid - was_invalid)
        result.valid_again = sorted(was_invalid - now_invalid)
        details = {
            "rules_digest": digest,
            "pairs": result.pairs,
            "events": result.events,
            "changed": len(result.changed),
            "changed_pairs": [[str(p), old, new] for p, old, new in result.changed[:DETAILS_LIMIT]],
            "invalid": len(result.invalid),
            "invalid_ids": result.invalid[:DETAILS_LIMIT],
            "valid_again": len(result.valid_again),
            "valid_again_ids": result.valid_again[:DETAILS_LIMIT],
        }
        description = (
            f"reproject under rules {digest}: {len(result.changed)} pair(s) changed status, "
            f"{len(result.invalid)} event(s) became invalid"
        )
        tx.audit.add(app.clock(), who, "reproject", description, details)
    return result
