"""The events of a bulk fold, held compactly: what the fold needs of each event, by its
position in the ledger, in arrays (a million events as Python objects would cost
several hundred MB)."""

from __future__ import annotations

from array import array

from relations.domain.events import Pair


class Ledger:
    """What the fold needs of each event, by its position in the ledger (about 20 bytes;
    the third country of the rare events that name one is kept aside)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.days = array("i")  # date ordinals
        self.types = array("H")
        self.firsts = array("B")  # 1 when the actor is the pair's first country
        self.lines = array("i")
        self.pair_of = array("i")
        self.via: dict[int, str] = {}
        self.ids_ascending = False  # set by BulkProjector.start_folding
        # what each event's stored event_effects row holds (a hash of it), when a
        # rebuild checks the stored rows instead of writing them all; and how many
        # events had one
        self.stored_effects = array("q")
        self.matched = 0
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

    def add_many(self, items: list[tuple[int, int, int, int, int, bool, str | None]]) -> None:
        """Add a batch of events, each (event id, pair number from ``index_of``, day
        ordinal, type code, line, actor is the pair's first country, third country)."""
        by_pair, ids, days, types, firsts, lines, pair_of, vias = (
            self.by_pair, self.ids, self.days, self.types, self.firsts, self.lines,
            self.pair_of, self.via,
        )  # fmt: skip
        position = len(ids)
        for event_id, index, day, kind, line, actor_first, via in items:
            by_pair[index].append(position)
            ids.append(event_id)
            days.append(day)
            types.append(kind)
            firsts.append(actor_first)
            lines.append(line)
            pair_of.append(index)
            if via is not None:
                vias[position] = via
            position += 1

    def keep_stored_effects(self, prints: list[str | None]) -> None:
        """Keep (the hash of) the print of each event's stored event_effects row (see
        store.bulk.live_events) to compare the rebuilt one with."""
        self.stored_effects.extend([hash(text) for text in prints])
        self.matched += len(prints) - prints.count(None)

    def add_rows(
        self,
        rows: list[tuple[int, str, str, int, str, bool, str | None]],
        type_code: dict[str, int],
        unknown: int,
    ) -> None:
        """Add events read from the log: (id, pair first, pair second, day ordinal, type,
        actor is the pair's first country, third country), resolving each pair's number."""
        pair_index, by_pair, pairs = self.pair_index, self.by_pair, self.pairs
        index_of, code_of = pair_index.get, type_code.get
        ids, days, types, firsts, lines, pair_of, vias = (
            self.ids, self.days, self.types, self.firsts, self.lines, self.pair_of, self.via
        )  # fmt: skip
        position = len(ids)
        for event_id, first, second, day, kind, actor_first, via in rows:
            index = index_of((first, second))
            if index is None:
                index = pair_index[first, second] = len(pairs)
                pairs.append(Pair(first, second))
                by_pair.append(array("i"))
            by_pair[index].append(position)
            ids.append(event_id)
            days.append(day)
            types.append(code_of(kind, unknown))
            firsts.append(actor_first)
            lines.append(0)
            pair_of.append(index)
            if via is not None:
                vias[position] = via
            position += 1
