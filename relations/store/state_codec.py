"""A pair's state as the projections store it: one short line of text.

``since;cause;stage_since;mission;mission`` where each mission is
``level,since,protecting_power,consular`` (the first country's in the second, then the
second's in the first), dates ISO, empty for none, consular 1 or 0. For example
``2024-03-20;41;2024-08-01;closed,2024-08-01,BRA,1;closed,2024-07-29,,1``.
Status and stage have columns of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from relations.domain.state import Mission


@dataclass(frozen=True, slots=True)
class StoredState:
    since: date | None
    cause_id: int | None
    stage_since: date | None
    missions: tuple[Mission[date], Mission[date]]


def encode(
    since: Any,
    cause_id: int | None,
    stage_since: Any,
    missions: tuple[Mission[Any], Mission[Any]],
    day: Callable[[Any], str] = date.isoformat,
) -> str:
    """``day`` turns a held date into ISO text (bulk folds hold day ordinals). Written
    out in one expression: a bulk fold encodes a state for every change (a quarter of
    a million in a million events)."""
    first, second = missions
    return (
        f"{'' if since is None else day(since)};{'' if cause_id is None else cause_id};"
        f"{'' if stage_since is None else day(stage_since)};"
        f"{first.level},{'' if first.since is None else day(first.since)},"
        f"{first.protecting_power or ''},{1 if first.consular else 0};"
        f"{second.level},{'' if second.since is None else day(second.since)},"
        f"{second.protecting_power or ''},{1 if second.consular else 0}"
    )


def decode(text: str) -> StoredState:
    since, cause, stage_since, first, second = text.split(";")
    return StoredState(
        date.fromisoformat(since) if since else None,
        int(cause) if cause else None,
        date.fromisoformat(stage_since) if stage_since else None,
        (_mission(first), _mission(second)),
    )


def _mission(text: str) -> Mission[date]:
    level, since, protecting_power, consular = text.split(",")
    return Mission(
        level,
        date.fromisoformat(since) if since else None,
        protecting_power or None,
        consular == "1",
    )


@lru_cache(maxsize=100_000)
def iso_of_ordinal(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()
