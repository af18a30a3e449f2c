"""Folding many pairs at once for a bulk write (an import, a reprojection): the events
held compactly in a ledger, folded with the same kernel step as ``domain.fold`` (dates
held as day ordinals, causes as event ids), and the projection rows produced in the
order the database stores them fastest.

The result equals ``domain.fold.fold`` on each pair's log (the tests check it, under
random rules files too).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

from relations.domain.events import EventDraft, Pair
from relations.domain.state import Mission, RelationState
from relations.services.ledger import Ledger
from relations.store.effect_prints import effect_print
from relations.store.state_codec import encode, iso_of_ordinal

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine
    from relations.store.bulk import BulkWriter
    from relations.store.rows import StoredStatus

OnInvalid = Callable[[Pair, int, int], None]  # pair, ledger position, node it was refused at
OnInvalidated = Callable[[Pair, int, int, int, int, int], None]
# ^ pair, event id, day ordinal, type code, node, ledger position of the new event blamed
# A pair's live log before a bulk write: (day ordinal, id, type code, actor first, via).
LogEntry = tuple[int, int, int, bool, "str | None"]


class BulkProjector:
    def __init__(
        self,
        machine: RelationMachine,
        on_invalid: OnInvalid,
        on_invalidated: OnInvalidated | None = None,
    ) -> None:
        self.machine = machine
        self.kernel = machine.kernel
        self.digest = machine.rules.digest
        self.on_invalid = on_invalid
        self.on_invalidated = on_invalidated or (lambda *_: None)
        self.type_names = self.kernel.type_names
        self.type_code = self.kernel.type_code
        self.unknown_type = self.kernel.unknown_type  # a type the rules in force do not define
        self.ledger = Ledger()
        self.versions: dict[Pair, int] = {}
        # per ledger event: the kernel nodes before and after it, valid << 1 | changed,
        # its place in its pair's fold, and the state after it when it changed it
        self.before = array("H")
        self.after = array("H")
        self.flags = array("B")
        self.places = array("i")
        self.states = StateTexts(0)

    def start_folding(self) -> None:
        """Size the per-event results once every event is in the ledger."""
        ids = self.ledger.ids
        count = len(ids)
        self.ledger.ids_ascending = all(
            a < b for a, b in zip(ids, islice(ids, 1, None), strict=False)
        )
        self.before = array("H", bytes(2 * count))
        self.after = array("H", bytes(2 * count))
        self.flags = array("B", bytes(count))
        self.places = array("i", bytes(4 * count))
        self.states = StateTexts(count)

    def positions(self, index: int) -> list[int]:
        """The ledger positions of pair number ``index``, in fold order."""
        ledger = self.ledger
        if ledger.ids_ascending:  # a stable sort by day keeps the id order within a day
            return sorted(ledger.by_pair[index], key=ledger.days.__getitem__)
        return sorted(ledger.by_pair[index], key=lambda p: (ledger.days[p], ledger.ids[p]))

    def start_from(self, old: StoredStatus | None) -> RelationState[int] | None:
        """The state to fold on from: the initial one, or the stored one (None if it
        cannot be continued: stored before stages, or unreachable under these rules)."""
        if old is None or not old.event_count:
            return self.kernel.start()
        if old.stage is None or old.missions is None:
            return None
        first, second = (
            Mission(m.level, _ordinal(m.since), m.protecting_power, m.consular)
            for m in old.missions
        )
        found: RelationState[int] | None = self.kernel.state_at(
            old.status, old.stage, (first, second), _ordinal(old.since), old.cause_event_id,
            _ordinal(old.stage_since),
        )  # fmt: skip
        return found

    def fold_appended(
        self,
        pair: Pair,
        positions: list[int],
        old: StoredStatus | None,
        start: RelationState[int],
        bulk: BulkWriter,
    ) -> tuple[Any, ...]:
        """Fold the pair's new events, all dated on or after its latest, from ``start``."""
        ledger = self.ledger
        advance = self.kernel.advance
        before_nodes, after_nodes, flags, places, states = (
            self.before, self.after, self.flags, self.places, self.states
        )  # fmt: skip
        ids, days, types, firsts, via = (
            ledger.ids, ledger.days, ledger.types, ledger.firsts, ledger.via
        )  # fmt: skip
        step, width, quiet = self.kernel.step, self.kernel.width, self.kernel.quiet
        state = start
        node = state.node
        place = old.event_count if old else 0
        for position in positions:
            place += 1
            places[position] = place
            before_nodes[position] = node
            kind = types[position]
            if quiet[kind] and step[(node * width + kind) * 2 + firsts[position]] == node:
                after_nodes[position] = node  # valid, changes nothing (advance's shortcut)
                flags[position] = 2
                continue
            after = advance(
                state, types[position], bool(firsts[position]), days[position], ids[position],
                via.get(position) if via else None,
            )  # fmt: skip
            if after is None:
                self.on_invalid(pair, position, state.node)
                after_nodes[position] = state.node
                continue
            after_nodes[position] = after.node
            if after is not state:
                flags[position] = 2 | (after.status != state.status)
                states.put(position, _text(after))
                state = after
                node = state.node
            else:
                flags[position] = 2
        count = (old.event_count if old else 0) + len(positions)
        return self.status_row(pair, state, count, days[positions[-1]], bulk)

    def fold_backdated(
        self,
        pair: Pair,
        positions: list[int],
        existing: list[LogEntry],
        rewrites: list[tuple[Any, ...]],
        bulk: BulkWriter,
    ) -> tuple[Any, ...]:
        """Refold the whole live log with the new events in their place."""
        ledger = self.ledger
        advance = self.kernel.advance
        nodes = self.kernel.nodes
        baseline = self.invalid_ids(existing)
        new = [
            (ledger.days[p], ledger.ids[p], ledger.types[p], bool(ledger.firsts[p]),
             ledger.via.get(p), p)
            for p in positions
        ]  # fmt: skip
        merged = sorted([(*entry, -1) for entry in existing] + new, key=lambda e: (e[0], e[1]))
        first_new_day = min(entry[0] for entry in new)
        state = self.kernel.start()
        blamed = positions[0]  # the new event that most recently changed the pair's state
        for place, (day, event_id, kind, actor_first, third, position) in enumerate(merged, 1):
            after = advance(state, kind, actor_first, day, event_id, third)
            valid = after is not None
            if after is None:
                after = state
                if position >= 0:
                    self.on_invalid(pair, position, state.node)
                elif event_id not in baseline:
                    self.on_invalidated(pair, event_id, day, kind, state.node, blamed)
            changed = after.status != state.status
            text = _text(after) if after is not state else None
            if position >= 0:
                if after is not state:
                    blamed = position
                    self.states.put(position, text)  # type: ignore[arg-type]
                self.before[position], self.after[position] = state.node, after.node
                self.flags[position] = valid << 1 | changed
                self.places[position] = place
            elif day >= first_new_day:
                was, now = nodes[state.node], nodes[after.node]
                rewrites.append((
                    event_id, pair.first, pair.second, bulk.day(date.fromordinal(day)),
                    was.status, now.status, valid, changed, place, was.stage, now.stage, text,
                ))  # fmt: skip
            state = after
        return self.status_row(pair, state, len(merged), merged[-1][0], bulk)

    def invalid_ids(self, log: list[LogEntry]) -> set[int]:
        state = self.kernel.start()
        advance = self.kernel.advance
        invalid = set()
        for day, event_id, kind, actor_first, third in log:
            after = advance(state, kind, actor_first, day, event_id, third)
            if after is None:
                invalid.add(event_id)
            else:
                state = after
        return invalid

    def effect_rows(self, bulk: BulkWriter) -> Iterator[tuple[Any, ...]]:
        """event_effects rows of the ledger's events, in id order (SQLite appends them)."""
        ledger = self.ledger
        firsts = [pair.first for pair in ledger.pairs]
        seconds = [pair.second for pair in ledger.pairs]
        statuses = [node.status for node in self.kernel.nodes]
        stages = [node.stage for node in self.kernel.nodes]
        valid, changed = (False, False, True, True), (False, True, False, True)  # by flags
        days: dict[int, Any] = {}
        texts = self.states
        buffer = texts.buffer
        for event_id, index, ordinal, before, after, flags, place, start, length in zip(
            ledger.ids, ledger.pair_of, ledger.days, self.before, self.after, self.flags,
            self.places, texts.starts, texts.lengths, strict=True,
        ):  # fmt: skip
            day = days.get(ordinal)
            if day is None:
                day = days[ordinal] = bulk.day(date.fromordinal(ordinal))
            yield (
                event_id, firsts[index], seconds[index], day, statuses[before], statuses[after],
                valid[flags], changed[flags], place, stages[before], stages[after],
                None if start < 0 else buffer[start : start + length].decode("utf-8"),
            )  # fmt: skip

    def differing_effect_rows(self, bulk: BulkWriter) -> list[tuple[Any, ...]]:
        """The event_effects rows that differ from the stored ones (see
        ``Ledger.keep_stored_effects``)."""
        stored = self.ledger.stored_effects
        return [
            row
            for row, was in zip(self.effect_rows(bulk), stored, strict=True)
            if hash(effect_print(row)) != was
        ]

    def status_row(
        self, pair: Pair, state: RelationState[int], count: int, last: int | None, bulk: BulkWriter
    ) -> tuple[Any, ...]:
        """A pair_status row (see store.bulk.STATUS_COLUMNS)."""
        version = self.versions[pair]
        return (
            pair.first, pair.second, state.status, bulk.day(_date(state.since)), state.cause,
            count, version, self.digest, bulk.day(_date(last)), state.stage,
            bulk.day(_date(state.stage_since)), _text(state),
        )  # fmt: skip

    def empty_status_row(self, pair: Pair, bulk: BulkWriter) -> tuple[Any, ...]:
        """The row of a pair whose every event is retracted: the initial state, and its
        latest version, which the next write continues from."""
        return self.status_row(pair, self.kernel.start(), 0, None, bulk)

    def fact(self, position: int) -> EventDraft:
        """A ledger event as the domain states it (for explaining a refusal)."""
        ledger = self.ledger
        pair = ledger.pairs[ledger.pair_of[position]]
        actor, target = (
            (pair.first, pair.second) if ledger.firsts[position] else (pair.second, pair.first)
        )
        return EventDraft(
            self.type_names[ledger.types[position]], actor, target,
            date.fromordinal(ledger.days[position]), via=ledger.via.get(position),
        )  # fmt: skip


class StateTexts:
    """The state text of each ledger event that changed its pair's state, kept in one
    buffer (a third of a million texts held as Python strings would cost ~60 MB more)."""

    def __init__(self, count: int) -> None:
        self.buffer = bytearray()
        self.starts = array("q", [-1]) * count
        self.lengths = array("H", bytes(2 * count))

    def put(self, position: int, text: str) -> None:
        data = text.encode("utf-8")
        self.starts[position] = len(self.buffer)
        self.lengths[position] = len(data)
        self.buffer += data

    def get(self, position: int) -> str | None:
        start = self.starts[position]
        if start < 0:
            return None
        return self.buffer[start : start + self.lengths[position]].decode("utf-8")


def _text(state: RelationState[int]) -> str:
    return encode(state.since, state.cause, state.stage_since, state.missions, iso_of_ordinal)


def _ordinal(day: date | None) -> int | None:
    return None if day is None else day.toordinal()


def _date(ordinal: int | None) -> date | None:
    return None if ordinal is None else date.fromordinal(ordinal)
