"""Importing a file of events: streamed, checked against the rules, written in bulk.

Formats: our CSV and JSON Lines, GDELT and ICEWS; plain, gzipped or zipped.

1. Rows stream in and are checked one by one (``sources.py`` turns each format into
   candidate events, rejects and skips). A malformed row aborts the import, unless
   ``--rejects FILE`` quarantines it there.
2. Candidates are appended to the log in batches through the driver's bulk path, each
   with its id and its pair's next version; a compact ledger keeps what the fold needs
   (about 20 bytes an event), so memory does not grow with the rows' text.
3. Each pair touched is folded once, over its live log with the new events in their
   place: a pair whose new events all come after its latest event folds on from its
   stored status; a pair with backdated events is refolded from its log. An event the
   rules refuse aborts the import (nothing is written), or, with ``--lenient``, is kept
   and marked invalid. The projections are written in bulk.

Everything happens in one transaction that excludes other writers: all or nothing.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from relations.application import App
from relations.domain.errors import InvalidInput, RelationsError
from relations.domain.events import Pair
from relations.domain.explain import refusal, stage_label
from relations.feeds import formats
from relations.services import inputs
from relations.services.audit import AuditedWrite
from relations.services.bulk_projection import BulkProjector, LogEntry
from relations.services.sources import (
    EXTERNAL_ID,
    FEED,
    LINE,
    VIA,
    Candidate,
    Source,
    fact,
    open_source,
)

if TYPE_CHECKING:
    from relations.feeds.feed_rows import Reject
    from relations.store.bulk import BulkWriter
    from relations.store.rows import StoredStatus
    from relations.store.transaction import StoreTransaction

BATCH = 20_000
BAD_ROWS_SHOWN = 1_000
BULK_BYTES_PER_EVENT = 90  # a CSV row of ours; to guess, before reading, if a load is large
BULK_EVENTS = 50_000  # from this many, a load is written as a bulk write (store.writing)
BULK_TABLES = ("events", "event_effects", "pair_status")  # the tables with references it fills


@dataclass(frozen=True, slots=True)
class ImportOptions:
    fmt: str | None = None
    crosswalk: Path | None = None
    min_mentions: int = 0  # GDELT: drop rows with fewer NumMentions
    min_rows: int = 0  # feeds: drop events backed by fewer source rows (after collapsing)
    # Feed events (GDELT, ICEWS) are pending until an analyst confirms them, unless
    # "confirm" (all confirmed) or auto_confirm (those backed by that many source rows);
    # "pending" makes every event of the file pending, our formats' too.
    review: str = "default"
    auto_confirm: int = 0
    lenient: bool = False  # record events the rules refuse, marked invalid
    rejects: Path | None = None  # quarantine malformed rows here instead of aborting
    by: str | None = None
    # Skip a row whose event (type, actor, target, date, third country) the pair's live
    # log already holds under another external id or none, e.g. recorded by hand: what
    # `relations world load` does, so that the baseline never duplicates such an event.
    skip_known_facts: bool = False


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str
    malformed: bool  # True: the row itself is wrong (exit 2); False: the rules refuse it (exit 1)


class ImportRefused(RelationsError):
    """Some rows are bad: nothing was written. Lists the bad rows."""

    def __init__(self, source: str, bad: list[BadRow], total: int) -> None:
        self.bad = bad
        self.exit_code = 2 if any(row.malformed for row in bad) else 1
        lines = [f"{source}: {total} bad row(s), nothing was imported"]
        lines += [f"  line {row.line}: {row.reason}" for row in bad[:BAD_ROWS_SHOWN]]
        if total > BAD_ROWS_SHOWN:
            lines.append(
                f"  ... and {total - BAD_ROWS_SHOWN} more (--rejects FILE writes every "
                "malformed row to FILE and imports the rest)"
            )
        super().__init__("\n".join(lines))


@dataclass
class ImportResult:
    source: str = ""
    format: str = ""
    rows: int = 0  # rows read (records, or feed lines)
    created: int = 0
    already_recorded: int = 0  # external id already in the log with the same content
    already_known: int = 0  # --skip-known-facts: the same event under another id or none
    pending: int = 0  # events recorded pending review (they do not count until confirmed)
    collapsed: int = 0  # feed rows folded into another row's event
    skipped: Counter[str] = field(default_factory=Counter)  # by filter reason (feeds)
    rejected: Counter[str] = field(default_factory=Counter)  # malformed rows, by kind
    invalid: int = 0  # --lenient: new events recorded as invalid
    invalidated: int = 0  # --lenient: earlier events that became invalid
    pairs: set[Pair] = field(default_factory=set)


Progress = Callable[[int, int], None]  # (bytes read, file size)


def import_file(
    app: App,
    path: Path,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    options = options or ImportOptions()
    who = inputs.author(options.by)
    for name, value in (("--min-mentions", options.min_mentions),
                        ("--min-rows", options.min_rows),
                        ("--auto-confirm", options.auto_confirm)):  # fmt: skip
        if value < 0:
            raise InvalidInput(f"{name} must be 0 or more")
    if options.review not in ("default", "confirm", "pending"):
        raise InvalidInput("review must be default, confirm or pending")
    if options.auto_confirm and options.review != "default":
        raise InvalidInput(
            f"--auto-confirm decides which feed events are confirmed; it cannot go with "
            f"--{options.review}"
        )
    with open_source(app, path, options) as source:
        # A file name need not be valid UTF-8: undecodable bytes are shown escaped.
        name = path.name.encode("utf-8", "backslashreplace").decode("utf-8")
        result = ImportResult(source=name, format=source.format)
        with _RejectSink(options.rejects, result) as sink:
            _Import(app, source, options, result, sink, who, progress).run()
    return result


class _RejectSink:
    """Where malformed rows go: the --rejects file, or the list the refusal shows."""

    def __init__(self, path: Path | None, result: ImportResult) -> None:
        self.path = path
        self.result = result
        self.bad: list[BadRow] = []
        self.count = 0
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def __enter__(self) -> _RejectSink:
        if self.path is not None:
            try:
                # Reasons quote the file's text, in which an undecodable byte is a lone
                # surrogate (see feeds.opening): written escaped, e.g. \udcff.
                self._handle = self.path.open(
                    "w", encoding="utf-8", errors="backslashreplace", newline=""
                )
            except OSError as exc:
                raise RelationsError(
                    f"cannot write --rejects {self.path}: {exc.strerror}"
                ) from None
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["line", "kind", "reason"])
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()

    def reject(self, row: Reject) -> None:
        self.result.rejected[row.kind] += 1
        if self._writer is not None:
            self._writer.writerow([row.line, row.kind, row.reason])
            return
        self.refuse(BadRow(row.line, row.reason, malformed=True))

    def refuse(self, row: BadRow) -> None:
        self.count += 1
        if len(self.bad) < BAD_ROWS_SHOWN:
            self.bad.append(row)

    @property
    def failing(self) -> bool:
        return self.count > 0


class _Import:
    def __init__(
        self,
        app: App,
        source: Source,
        options: ImportOptions,
        result: ImportResult,
        sink: _RejectSink,
        who: str,
        progress: Progress | None,
    ) -> None:
        self.app = app
        self.source = source
        self.options = options
        self.result = result
        self.sink = sink
        self.who = who
        self.progress = progress
        self.projector = BulkProjector(app.machine, self._invalid_new, self._invalidated)
        self.ledger = self.projector.ledger
        self.versions = self.projector.versions
        self.type_names = self.projector.type_names
        self.type_code = self.projector.type_code
        self._days: dict[date, tuple[int, Any]] = {}

    def run(self) -> None:
        bulk_tables = BULK_TABLES if self._expected() >= BULK_EVENTS else ()
        with self.app.store.writing_once(alone=True, bulk=bulk_tables) as tx:
            bulk = tx.bulk()
            stored = {s.pair: s for s in tx.statuses()}
            if self._large(stored):
                bulk.drop_indexes()
            # Even once a row is bad, the rest are appended and folded (all of it is then
            # rolled back), so that the refusal lists every bad row, rule refusals too.
            self._append(tx, bulk, stored)
            self._project(tx, bulk, stored)
            if self.sink.failing:
                raise ImportRefused(
                    self.result.source, sorted(self.sink.bad, key=lambda b: b.line), self.sink.count
                )
            bulk.rebuild_indexes()

    def _large(self, stored: dict[Pair, StoredStatus]) -> bool:
        """Is this load large next to the log (so that rebuilding the indexes once is
        cheaper than keeping them up to date row by row)? Guessed from the file size;
        feeds are mostly rows that are not events, so they never are."""
        existing = sum(s.event_count for s in stored.values())
        return self._expected() >= max(BULK_EVENTS, existing)

    def _expected(self) -> int:
        """The events this file will add, guessed from its size (0 for a feed)."""
        if self.source.format in formats.FEEDS:
            return 0
        return self.source.size // BULK_BYTES_PER_EVENT

    # -- 1 and 2: read, check, append --------------------------------------------

    def _append(self, tx: StoreTransaction, bulk: BulkWriter, stored: dict[Pair, Any]) -> None:
        write: AuditedWrite | None = None
        versions = {(pair.first, pair.second): s.version for pair, s in stored.items()}
        batch: list[Candidate] = []
        for item in self.source.candidates(self.result, self.sink.reject):
            batch.append(item)
            if len(batch) >= BATCH:
                write = self._write_batch(tx, bulk, batch, versions, write)
                batch = []
        if batch:
            self._write_batch(tx, bulk, batch, versions, write)
        self.versions.update(
            (pair, versions[pair.first, pair.second]) for pair in self.ledger.pairs
        )

    def _write_batch(
        self,
        tx: StoreTransaction,
        bulk: BulkWriter,
        batch: list[Candidate],
        versions: dict[tuple[str, str], int],
        write: AuditedWrite | None,
    ) -> AuditedWrite | None:
        if self.progress is not None:
            self.progress(self.source.position(), self.source.size)
        accepted = self._new_in(tx, batch)
        if not accepted:
            return write
        if write is None:
            source = self.result.source
            write = AuditedWrite(self.app, tx, self.who, "import", f"import {source}")
        ids = bulk.reserve_ids(len(accepted))
        rows = []
        folded: list[tuple[int, int, int, int, int, bool, str | None]] = []
        ledger = self.ledger
        index_of = ledger.pair_index.get
        days = self._days
        type_code = self.type_code
        feed = self.source.format in formats.FEEDS
        all_pending = self.options.review == "pending"
        confirm_feed = self.options.review == "confirm"
        auto = self.options.auto_confirm
        for event_id, item in zip(ids, accepted, strict=True):
            line, kind, actor, target, day, summary, source, external_id, extras, via = item
            if all_pending:
                review = "pending"
            elif feed:
                assert extras is not None
                confirmed = confirm_feed or (auto > 0 and extras.source_rows >= auto)
                review = "confirmed" if confirmed else "pending"
            else:
                review = "confirmed"
            key = (actor, target) if actor < target else (target, actor)
            version = versions.get(key, 0) + 1
            versions[key] = version
            known_day = days.get(day)
            if known_day is None:
                known_day = days[day] = (day.toordinal(), bulk.day(day))
            row: tuple[Any, ...] = (
                event_id, key[0], key[1], version, kind, actor, target, known_day[1], summary,
                source, external_id, via, review,
            )  # fmt: skip
            if feed:
                assert extras is not None
                row += (extras.source_rows, extras.source_score, extras.source_event_id,
                        extras.articles, extras.sources)  # fmt: skip
            elif all_pending:  # a row of ours is one source row (for `relations review`)
                row += (1, None, None, None, None)
            rows.append(row)
            if review == "pending":
                self.result.pending += 1
                continue  # recorded, shown, never folded until confirmed
            index = index_of(key)
            if index is None:
                index = ledger.index_of(*key)
            folded.append(
                (event_id, index, known_day[0], type_code[kind], line, actor < target, via)
            )
        ledger.add_many(folded)
        bulk.insert_events(rows, write.at, write.id, feed=feed or all_pending)
        self.result.created += len(rows)
        return write

    def _new_in(self, tx: StoreTransaction, batch: list[Candidate]) -> list[Candidate]:
        """The candidates not already in the log: a repeated external id with the same
        content is skipped; with other content, it is refused."""
        if self.options.skip_known_facts:
            batch = self._not_known(tx, batch)
        wanted = [c[EXTERNAL_ID] for c in batch if c[EXTERNAL_ID]]
        if not wanted:
            return batch
        known = {k: e.fact() for k, e in tx.by_external_ids(wanted).items()}
        fresh = []
        for item in batch:
            external_id = item[EXTERNAL_ID]
            if external_id:
                earlier = known.get(external_id)
                if earlier is not None:
                    # A feed event is identified by its id alone (feed, date, actor,
                    # target, type): another file may count other source rows for it.
                    if item[FEED] is not None or earlier == fact(item):
                        self.result.already_recorded += 1
                    else:
                        reason = f"external id {external_id!r} is already used for another event"
                        self.sink.refuse(BadRow(item[LINE], reason, malformed=False))
                    continue
                known[external_id] = fact(item)
            fresh.append(item)
        return fresh

    def _not_known(self, tx: StoreTransaction, batch: list[Candidate]) -> list[Candidate]:
        """The candidates whose event the pair's live log does not already hold under
        another external id (or none); each pair's log is read once per batch. (The same
        external id is "already recorded", as for any import.)"""
        logs: dict[Pair, dict[tuple[Any, ...], set[str | None]]] = {}
        fresh = []
        for item in batch:
            pair = Pair.of(item[2], item[3])
            known = logs.get(pair)
            if known is None:
                known = logs[pair] = {}
                for e in tx.pair_events(pair):
                    fact = (e.event_type, e.actor, e.target, e.occurred_on, e.via)
                    known.setdefault(fact, set()).add(e.external_id)
            ids = known.get((item[1], item[2], item[3], item[4], item[VIA]), set())
            if ids - {item[EXTERNAL_ID]}:
                self.result.already_known += 1
                continue
            fresh.append(item)
        return fresh

    # -- 3: fold each pair and write the projections -------------------------------

    def _project(self, tx: StoreTransaction, bulk: BulkWriter, stored: dict[Pair, Any]) -> None:
        ledger = self.ledger
        if not ledger.ids:
            return
        projector = self.projector
        projector.start_folding()
        digest = projector.digest
        statuses = []
        backdated: list[tuple[int, Pair]] = []
        for index, pair in enumerate(ledger.pairs):
            positions = projector.positions(index)
            old = stored.get(pair)
            first_day = ledger.days[positions[0]]
            appendable = (
                old is None
                or old.event_count == 0
                or (
                    old.rules_digest == digest
                    and old.last_occurred_on is not None
                    and old.last_occurred_on.toordinal() <= first_day
                )
            )
            start = projector.start_from(old) if appendable else None
            if start is None:
                backdated.append((index, pair))
                continue
            statuses.append(projector.fold_appended(pair, positions, old, start, bulk))
        existing = self._existing_logs(tx, bulk, [pair for _, pair in backdated])
        rewrites: list[tuple[Any, ...]] = []
        for index, pair in backdated:
            log = existing.get(pair, [])
            positions = projector.positions(index)
            statuses.append(projector.fold_backdated(pair, positions, log, rewrites, bulk))
        self.result.pairs.update(ledger.pairs)
        if self.sink.failing:
            return
        bulk.delete_effects_from(
            (pair.first, pair.second, bulk.day(date.fromordinal(min(ledger.days[p] for p in
             ledger.by_pair[i])))) for i, pair in backdated
        )  # fmt: skip
        bulk.insert_effects(rewrites)
        bulk.insert_effects(projector.effect_rows(bulk))
        bulk.upsert_statuses(statuses)

    def _invalid_new(self, pair: Pair, position: int, node: int) -> None:
        if self.options.lenient:
            self.result.invalid += 1
            return
        fact = self.projector.fact(position)
        reason = f"{refusal(self.app.machine, pair, fact, node)} (--lenient records it as invalid)"
        self.sink.refuse(BadRow(self.ledger.lines[position], reason, malformed=False))

    def _invalidated(
        self, pair: Pair, event_id: int, day: int, kind: int, node: int, blamed: int
    ) -> None:
        if self.options.lenient:
            self.result.invalidated += 1
            return
        ledger = self.ledger
        culprit = self.type_names[ledger.types[blamed]]
        found = self.projector.kernel.nodes[node]
        where = stage_label(self.app.rules, found.status, found.stage)
        reason = (
            f"{culprit} on {date.fromordinal(ledger.days[blamed])} for {pair} would make a "
            f"later event invalid: {self.type_names[kind]} on {date.fromordinal(day)} "
            f"(event {event_id}), which is not allowed once the pair is {where}"
        )
        self.sink.refuse(BadRow(ledger.lines[blamed], reason, malformed=False))

    def _existing_logs(
        self, tx: StoreTransaction, bulk: BulkWriter, pairs: list[Pair]
    ) -> dict[Pair, list[LogEntry]]:
        """The live logs of ``pairs`` before this import, in fold order. One scan when
        the indexes are down, else one seek per pair."""
        if not pairs:
            return {}
        first_new = min(self.ledger.ids)  # this import's ids follow every earlier one
        wanted = set(pairs)
        found: dict[Pair, list[LogEntry]] = {pair: [] for pair in pairs}
        logs: Iterator[tuple[Pair, list[Any]]]
        if bulk.indexes_dropped:
            logs = (item for item in tx.pair_logs() if item[0] in wanted)
        else:
            logs = ((pair, tx.pair_events(pair)) for pair in pairs)
        unknown = self.projector.unknown_type
        for pair, log in logs:
            found[pair] = [
                (e.occurred_on.toordinal(), e.id, self.type_code.get(e.event_type, unknown),
                 e.actor < e.target, e.via)
                for e in log
                if e.id < first_new
            ]  # fmt: skip
        return found
