"""Putting a report together from its facts and the inputs of its pictures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from relations.domain.events import Event, Pair
from relations.domain.rules import Rules
from relations.reports.facts import (
    TimelineInput,
    facts_from_logs,
    timeline,
    timeline_input,
    timeline_pairs,
)
from relations.reports.model import Facts, Report, initial_place
from relations.reports.period import Period

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine


def assemble(
    rules: Rules,
    facts: Facts,
    inputs: dict[Pair, TimelineInput],
    period: Period,
    generated_at: datetime,
    known_at: datetime,
    countries: Sequence[str] = (),
    pending: Sequence[tuple[Pair, int, date]] = (),
) -> Report:
    """The report from its facts and the timeline inputs of the pairs that
    ``timeline_pairs`` chose."""
    start = initial_place(rules)
    timelines = [
        timeline(start, pair, inputs[pair], period.last_day)
        for pair in timeline_pairs(facts)
        if pair in inputs
    ]
    return Report(
        period=period,
        generated_at=generated_at,
        known_at=known_at,
        countries=tuple(sorted(set(countries))),
        rules=rules,
        facts=facts,
        timelines=timelines,
        pending=list(pending),
    )


def build_report(
    machine: RelationMachine,
    pair_logs: Iterable[tuple[Pair, Sequence[Event]]],
    period: Period,
    generated_at: datetime,
    countries: Sequence[str] = (),
    known_at: datetime | None = None,
) -> Report:
    """A whole report by replay, from logs held in memory (the reference; tests use it)."""
    cutoff = known_at or generated_at
    logs = {pair: list(log) for pair, log in pair_logs}
    facts = facts_from_logs(machine, logs.items(), period, cutoff, countries)
    inputs = {}
    for pair in timeline_pairs(facts):
        known = [
            e for e in logs[pair] if e.recorded_at <= cutoff and period.before_end(e.occurred_on)
        ]
        if known:
            inputs[pair] = timeline_input(machine, known, period.first_day)
    return assemble(machine.rules, facts, inputs, period, generated_at, cutoff, countries)
