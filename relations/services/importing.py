"""Importing a file of events: every row checked first, then all written or none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from relations.bootstrap import App
from relations.domain.dates import not_after, parse_date
from relations.domain.errors import RelationsError
from relations.domain.events import EventDraft, Pair
from relations.domain.timeline import Timeline
from relations.feeds.records import RawRow, detect_format, read_rows
from relations.services import inputs
from relations.services.audit import AuditedWrite
from relations.services.projection import rederive
from relations.store.rows import Appended

if TYPE_CHECKING:
    from relations.store.sql import StoreTransaction


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str
    malformed: bool  # True: the row itself is wrong (exit 2); False: the rules refuse it (exit 1)


class ImportRefused(RelationsError):
    """Some rows are bad: nothing was written. Lists every bad row."""

    def __init__(self, source: str, bad: list[BadRow]) -> None:
        self.bad = bad
        self.exit_code = 2 if any(row.malformed for row in bad) else 1
        lines = [f"{source}: {len(bad)} bad row(s), nothing was imported"]
        lines += [f"  line {row.line}: {row.reason}" for row in bad]
        super().__init__("\n".join(lines))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    already_recorded: int = 0
    pairs: set[Pair] = field(default_factory=set)


def import_file(
    app: App, path: Path, fmt: str | None = None, *, by: str | None = None
) -> ImportResult:
    chosen = fmt or detect_format(path)
    return import_rows(app, read_rows(path, chosen), source=path.name, by=by)


def import_rows(
    app: App, rows: Iterable[RawRow], *, source: str = "input", by: str | None = None
) -> ImportResult:
    """Apply rows in order. If any row is malformed or refused, write nothing."""
    who = inputs.author(by)
    result = ImportResult()
    bad: list[BadRow] = []
    drafts: list[tuple[int, EventDraft]] = []
    for row in rows:
        result.rows += 1
        try:
            drafts.append((row.line, _draft(app, row)))
        except RelationsError as exc:
            bad.append(BadRow(row.line, str(exc), malformed=True))
    with app.store.writing() as tx:
        accepted = _check_against_log(app, tx, drafts, bad, result)
        if bad:
            raise ImportRefused(source, sorted(bad, key=lambda b: b.line))
        versions = {pair: tx.latest_version(pair) for pair in result.pairs}
        appended = []
        for draft in accepted:
            versions[draft.pair] += 1
            appended.append(Appended(draft, versions[draft.pair]))
        if appended:
            write = AuditedWrite(app, tx, who, "import", f"import {source}")
            result.created = tx.append_many(appended, write.at, write.id)
        earliest: dict[Pair, date] = {}
        for draft in accepted:
            earliest[draft.pair] = min(draft.occurred_on, earliest.get(draft.pair, date.max))
        for pair in sorted(result.pairs):
            rederive(app, tx, pair, since=earliest[pair])
    return result


def _draft(app: App, row: RawRow) -> EventDraft:
    if row.error:
        raise RelationsError(f"row {row.error}")
    values = row.values
    missing = [k for k in ("occurred_on", "event_type", "actor", "target") if not values.get(k)]
    if missing:
        raise RelationsError(f"missing {', '.join(missing)}")
    occurred_on = not_after(parse_date(values["occurred_on"]), app.today(), what="event date")
    actor = inputs.country(values["actor"])
    target = inputs.country(values["target"])
    if actor == target:
        raise RelationsError(f"actor and target are both {actor}")
    return EventDraft(
        event_type=inputs.event_type(app.machine, values["event_type"]),
        actor=actor,
        target=target,
        occurred_on=occurred_on,
        summary=values.get("summary", ""),
        source=values.get("source", ""),
        external_id=values.get("external_id") or None,
    )


def _check_against_log(
    app: App,
    tx: StoreTransaction,
    drafts: list[tuple[int, EventDraft]],
    bad: list[BadRow],
    result: ImportResult,
) -> list[EventDraft]:
    """Replay the rows against each pair's log, in file order; collect refusals."""
    known = tx.by_external_ids([d.external_id for _, d in drafts if d.external_id])
    in_file: dict[str, EventDraft] = {}
    timelines: dict[Pair, Timeline] = {}
    accepted: list[EventDraft] = []
    for line, draft in drafts:
        if draft.external_id:
            earlier = known.get(draft.external_id) or in_file.get(draft.external_id)
            if earlier is not None:
                if earlier.fact() == draft.fact():
                    result.already_recorded += 1
                else:
                    reason = f"external id {draft.external_id!r} is already used for another event"
                    bad.append(BadRow(line, reason, malformed=False))
                continue
        pair = draft.pair
        if pair not in timelines:
            tx.lock_pair(pair)
            timelines[pair] = Timeline(app.machine, pair, tx.pair_events(pair))
        try:
            timelines[pair].add(draft)
        except RelationsError as exc:
            bad.append(BadRow(line, str(exc), malformed=False))
            continue
        if draft.external_id:
            in_file[draft.external_id] = draft
        result.pairs.add(pair)
        accepted.append(draft)
    return accepted
