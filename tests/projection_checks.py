"""What the stored projections must hold for a pair: exactly a fresh fold of its log.

Shared by the property tests (record, import, reproject, retract, correct) so that every
one of them checks status, stage, missions and each event's effect the same way.
"""

from __future__ import annotations

from typing import Any

from relations.domain.events import Pair
from relations.domain.fold import fold
from relations.domain.machine import RelationMachine
from relations.store.projections import state_text


def expected_effects(machine: RelationMachine, log: list[Any]) -> list[tuple[Any, ...]]:
    """The event_effects rows a fold of ``log`` gives, as ``tx.pair_effects`` reads them."""
    rows = []
    for place, step in enumerate(fold(machine, log).steps, start=1):
        changed_state = step.state_after is not step.state_before
        rows.append(
            (
                step.event.id,
                step.before,
                step.after,
                step.valid,
                step.changed,
                place,
                step.state_before.stage,
                step.state_after.stage,
                state_text(step.state_after) if changed_state else None,
            )
        )
    return rows


def assert_projections_equal_fold(tx: Any, machine: RelationMachine, pair: Pair) -> None:
    """pair_status and event_effects of ``pair`` equal a fresh fold of its live log."""
    log = tx.pair_events(pair)
    rebuilt = fold(machine, log)
    assert tx.pair_effects(pair) == expected_effects(machine, log), f"event_effects of {pair}"
    stored = tx.stored_status(pair)
    if stored is None:
        assert not log, f"{pair} has events but no stored status"
        return
    cause = rebuilt.cause.id if rebuilt.cause else None
    assert (
        stored.status, stored.since, stored.cause_event_id, stored.event_count, stored.stage,
        stored.stage_since, stored.missions,
    ) == (
        rebuilt.status, rebuilt.since, cause, len(log), rebuilt.stage, rebuilt.stage_since,
        rebuilt.missions,
    ), f"pair_status of {pair}"  # fmt: skip
    assert stored.rules_digest == machine.rules.digest
    assert stored.version == tx.latest_version(pair)
    if log:
        assert stored.last_occurred_on == log[-1].occurred_on
