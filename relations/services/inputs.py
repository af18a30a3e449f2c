"""Turning what a user typed into domain values, with helpful errors."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from relations.domain.countries import resolve
from relations.domain.errors import InvalidInput
from relations.domain.events import Pair
from relations.domain.machine import RelationMachine


def country(text: str) -> str:
    return resolve(text).alpha_3


def pair(a: str, b: str) -> Pair:
    return Pair.of(country(a), country(b))


def event_type(machine: RelationMachine, name: str) -> str:
    known = machine.rules.event_types
    if name in known:
        return name
    normalized = name.strip().lower().replace("-", "_").replace(" ", "_")
    if normalized in known:
        return normalized
    close = difflib.get_close_matches(normalized, list(known), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise InvalidInput(
        f"unknown event type {name!r}; {hint}(see `relations event-types` for all "
        f"{len(known)} types)"
    )


def status(machine: RelationMachine, name: str) -> str:
    if name not in machine.rules.states:
        states = ", ".join(machine.rules.states)
        raise InvalidInput(f"unknown status {name!r}; use one of {states}")
    return name


def distinct(codes: Sequence[str], what: str) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code in seen:
            raise InvalidInput(f"{what} {code} is given twice")
        seen.append(code)
    return seen
