"""Folding many pairs at once for a bulk write (an import, a reprojection): the events
held compactly in a ledger, the rules as small integer tables, and the projection rows
produced in the order the database stores them fastest.

The result equals ``domain.fold.fold`` on each pair's log (the tests check it).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from relations.domain.errors import RelationsError
from relations.domain.events import Pair
from relations.domain.machine import RelationMachine

if TYPE_CHECKING:
    from relations.store.bulk import BulkWriter

OnInvalid = Callable[[Pair, int, int], None]  # pair, ledger position, state code
OnInvalidated = Callable[[Pair, int, int, int, int, int], None]
# ^ pair, event id, day ordinal, type code, state code, position of the new event blamed


class Ledger:
    """What the fold needs of each event, by its position in the ledger (about 20 bytes)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.days = array("i")  # date ordinals
        self.types = array("H")
        self.lines = array("i")
        self.pair_of = array("i")
        self.pairs: list[Pair] = []
        # by (first, second): a tuple hashes in C, a Pair (a dataclass) in Python
        self.pair_index: dict[tuple[str, str], int] = {}
        self.by_pair: list[array[int]] = []  # positions of each pair's new events

    def index_of(self, first: str, second: str) -> int:
        index = self.pair_index.get((first, second))
        if index is None:
            index = self.pair_index[first, second] = len(self.pairs)
            self.pairs.append(Pair(first, second))
            self.by_pair.append(array("i"))
        return index

    def add(self, event_id: int, index: int, day: int, kind: int, line: int) -> None:
        """Add an event of pair number ``index`` (see ``index_of``)."""
        self.by_pair[index].append(len(self.ids))
        self.ids.append(event_id)
        self.days.append(day)
        self.types.append(kind)
        self.lines.append(line)
        self.pair_of.append(index)


class BulkProjector:
    def __init__(
        self,
        machine: RelationMachine,
        on_invalid: OnInvalid,
        on_invalidated: OnInvalidated | None = None,
    ) -> None:
        self.machine = machine
        self.digest = machine.rules.digest
        self.on_invalid = on_invalid
        self.on_invalidated = on_invalidated or (lambda *_: None)
        rules = machine.rules
        self.type_names = list(rules.event_types)
        self.type_code = {name: i for i, name in enumerate(self.type_names)}
        self.unknown_type = len(self.type_names)  # a type the rules in force do not define
        self.states = list(rules.states)
        self.state_code = {name: i for i, name in enumerate(self.states)}
        if len(self.states) > 127:
            raise RelationsError("bulk writes handle rules with at most 127 states")
        # next_state[state][type] -> state, or -1 when the rules refuse it; the extra last
        # column is for ``unknown_type``, always refused.
        self.next_state = [
            [
                self.state_code.get(machine.table.get((s, rules.event_types[t].effect), ""), -1)
                for t in self.type_names
            ]
            + [-1]
            for s in self.states
        ]
        self.ledger = Ledger()
        self.versions: dict[Pair, int] = {}
        # per ledger event: before << 9 | after << 2 | valid << 1 | changed, and its place
        self.effects = array("H")
        self.places = array("i")

    def start_folding(self) -> None:
        """Size the per-event results once every event is in the ledger."""
        count = len(self.ledger.ids)
        self.effects = array("H", bytes(2 * count))
        self.places = array("i", bytes(4 * count))

    def positions(self, index: int) -> list[int]:
        """The ledger positions of pair number ``index``, in fold order."""
        ledger = self.ledger
        return sorted(ledger.by_pair[index], key=lambda p: (ledger.days[p], ledger.ids[p]))

    def fold_appended(
        self, pair: Pair, positions: list[int], old: Any, bulk: BulkWriter
    ) -> tuple[Any, ...]:
        ledger, effects = self.ledger, self.effects
        state = self.state_code[old.status] if old and old.event_count else 0
        since, cause = (old.since, old.cause_event_id) if old and old.event_count else (None, None)
        place = old.event_count if old else 0
        places = self.places
        for position in positions:
            place += 1
            places[position] = place
            after = self.next_state[state][ledger.types[position]]
            if after < 0:
                self.on_invalid(pair, position, state)
                effects[position] = state << 9 | state << 2
                continue
            changed = after != state
            effects[position] = state << 9 | after << 2 | 2 | changed
            if changed:
                state = after
                since, cause = date.fromordinal(ledger.days[position]), ledger.ids[position]
        count = (old.event_count if old else 0) + len(positions)
        last = date.fromordinal(ledger.days[positions[-1]])
        return self.status_row(pair, state, since, cause, count, last, bulk)

    def fold_backdated(
        self,
        pair: Pair,
        positions: list[int],
        existing: list[tuple[int, int, int]],  # (day, id, type) of the live log, in order
        rewrites: list[tuple[Any, ...]],
        bulk: BulkWriter,
    ) -> tuple[Any, ...]:
        """Refold the whole live log with the new events in their place."""
        ledger, effects = self.ledger, self.effects
        baseline = self.invalid_ids(existing)
        new = [(ledger.days[p], ledger.ids[p], ledger.types[p], p) for p in positions]
        merged = sorted([(d, i, t, -1) for d, i, t in existing] + new)
        first_new_day = new[0][0]
        state, since, cause = 0, None, None
        blamed = positions[0]  # the new event that most recently moved the pair
        for place, (day, event_id, kind, position) in enumerate(merged, start=1):
            after = self.next_state[state][kind]
            valid = after >= 0
            if not valid:
                after = state
                if position >= 0:
                    self.on_invalid(pair, position, state)
                elif event_id not in baseline:
                    self.on_invalidated(pair, event_id, day, kind, state, blamed)
            changed = after != state
            if position >= 0 and changed:
                blamed = position
            if position >= 0:
                effects[position] = state << 9 | after << 2 | valid << 1 | changed
                self.places[position] = place
            elif day >= first_new_day:
                rewrites.append((
                    event_id, pair.first, pair.second, bulk.day(date.fromordinal(day)),
                    self.states[state], self.states[after], valid, changed, place,
                ))  # fmt: skip
            if changed:
                state, since, cause = after, date.fromordinal(day), event_id
        last = date.fromordinal(merged[-1][0])
        return self.status_row(pair, state, since, cause, len(merged), last, bulk)

    def invalid_ids(self, log: list[tuple[int, int, int]]) -> set[int]:
        state, invalid = 0, set()
        for _, event_id, kind in log:
            after = self.next_state[state][kind]
            if after < 0:
                invalid.add(event_id)
            else:
                state = after
        return invalid

    def effect_rows(self, bulk: BulkWriter) -> Iterator[tuple[Any, ...]]:
        """event_effects rows of the ledger's events, in id order (SQLite appends them)."""
        ledger, effects = self.ledger, self.effects
        states = self.states
        pairs = ledger.pairs
        days: dict[int, Any] = {}
        places = self.places
        for position, code in enumerate(effects):
            pair = pairs[ledger.pair_of[position]]
            ordinal = ledger.days[position]
            day = days.get(ordinal)
            if day is None:
                day = days[ordinal] = bulk.day(date.fromordinal(ordinal))
            yield (
                ledger.ids[position], pair.first, pair.second, day, states[code >> 9],
                states[code >> 2 & 127], bool(code & 2), bool(code & 1), places[position],
            )  # fmt: skip

    def status_row(
        self,
        pair: Pair,
        state: int,
        since: date | None,
        cause: int | None,
        count: int,
        last: date | None,
        bulk: BulkWriter,
    ) -> tuple[Any, ...]:
        version = self.versions[pair]
        return (
            pair.first, pair.second, self.states[state], bulk.day(since), cause, count, version,
            self.digest, bulk.day(last),
        )  # fmt: skip
