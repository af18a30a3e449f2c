"""The world baseline: a sourced, packaged file of the pairs without diplomatic relations
on its date (and the events that make them right before and after it), to load into any
database in one command.

Loading is an import (all or nothing, the same rules), with two differences: an event
the database already holds by hand (the same type, actor, target, date and third
country, under another external id or none) is skipped, never duplicated; and a row that
would contradict what is recorded is refused with that event named, nothing written.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relations.application import App
from relations.domain.errors import RelationsError
from relations.domain.events import EventDraft, Pair
from relations.domain.fold import fold
from relations.services.importing import ImportOptions, ImportResult, import_file

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine

FOCUS = ("ISR", "TWN", "XKX", "ARM", "PRK", "BTN")  # the countries it covers in full


def baseline_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "world.jsonl"


def states_path() -> Path:
    """Where each state's founding date (and its source) comes from."""
    return Path(__file__).resolve().parent.parent / "data" / "world-states.csv"


@dataclass(frozen=True, slots=True)
class Baseline:
    as_of: date
    description: str
    rows: list[dict[str, str]]


@dataclass
class WorldSummary:
    as_of: date
    description: str
    events: int
    pairs: int
    by_stage: Counter[str] = field(default_factory=Counter)  # pairs per stage on as_of
    by_country: Counter[str] = field(default_factory=Counter)  # pairs without relations
    by_type: Counter[str] = field(default_factory=Counter)


def read_baseline(path: Path | None = None) -> Baseline:
    """The packaged file: its metadata line ("#", "as_of") and its event rows."""
    path = path or baseline_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RelationsError(f"cannot read the world baseline {path}: {exc.strerror}") from None
    rows = [json.loads(line) for line in lines if line.strip()]
    header = next(row for row in rows if "#" in row)
    return Baseline(
        date.fromisoformat(header["as_of"]),
        str(header["#"]),
        [row for row in rows if "#" not in row],
    )


def summary(machine: RelationMachine) -> WorldSummary:
    """What the baseline holds: its date, its events and pairs, and how many pairs are
    at each stage on its date (folded in memory, under the rules in force: no database
    is needed)."""
    baseline = read_baseline()
    logs: dict[Pair, list[EventDraft]] = {}
    for row in baseline.rows:
        draft = _draft(row)
        logs.setdefault(draft.pair, []).append(draft)
    found = WorldSummary(
        baseline.as_of, baseline.description, len(baseline.rows), len(logs),
        by_type=Counter(row["event_type"] for row in baseline.rows),
    )  # fmt: skip
    for pair, log in logs.items():
        log.sort(key=lambda d: d.occurred_on)  # stable: the file's order within a date
        state = fold(machine, [d for d in log if d.occurred_on <= baseline.as_of]).state
        found.by_stage[state.stage] += 1
        if state.status == "severed":  # no diplomatic relations on its date
            for code in (pair.first, pair.second):
                if code in FOCUS:
                    found.by_country[code] += 1
    return found


def load(app: App, *, by: str | None = None) -> ImportResult:
    """Load the baseline into the database in use: idempotent, all or nothing."""
    options = ImportOptions(fmt="jsonl", by=by, skip_known_facts=True)
    return import_file(app, baseline_path(), options)


def _draft(row: dict[str, Any]) -> EventDraft:
    return EventDraft(
        row["event_type"], row["actor"], row["target"], date.fromisoformat(row["occurred_on"]),
        via=row.get("via"),
    )  # fmt: skip
