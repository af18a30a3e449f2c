"""What the fold knows about a pair after its events: status, stage and both missions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

D = TypeVar("D")  # how a date is held: a date in the domain, a day ordinal in bulk folds


@dataclass(frozen=True, slots=True)
class Mission(Generic[D]):
    """The mission of one country (the sender) in the other (the host)."""

    level: str  # ambassador, withdrawn, charge, closed, none
    since: D | None  # when it reached this level (None: never changed)
    protecting_power: str | None = None  # the third country representing the sender
    consular: bool = True  # consular relations continue


@dataclass(frozen=True, slots=True)
class Node:
    """A place of the machine with the missions' levels: what the lookup table is over.
    Levels are in the pair's order: the first country's mission in the second, then the
    second's in the first."""

    place: str  # the machine state: "normal", "strained.downgraded"
    status: str
    stage: str
    first_level: str
    second_level: str
    first: bool  # the pair has no event yet


@dataclass(frozen=True, slots=True)
class RelationState(Generic[D]):
    """A pair's state after some of its events. ``cause`` is what put it in its status
    (an event in the domain, an event id in bulk folds); ``since`` when."""

    node: int  # its Node in the kernel
    status: str
    stage: str
    since: D | None
    cause: Any
    stage_since: D | None
    missions: tuple[Mission[D], Mission[D]]  # first in second, second in first
