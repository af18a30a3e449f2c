"""Saying, in one line, where a pair stands and why the rules refuse an event there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from relations.domain.events import Pair
from relations.domain.rules import SEPARATOR, Rules
from relations.domain.state import Mission, Node, RelationState

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine


def stage_label(rules: Rules, status: str, stage: str) -> str:
    """How people read a status and its stage: "strained (embassy closed)", "normal",
    "severed: no diplomatic relations (never established)"."""
    label = rules.labels.get(stage)
    if label:
        return f"{status}: {label}"
    if stage == status:
        return status
    return f"{status} ({stage.replace('_', ' ')})"


def level_label(level: str) -> str:
    return {
        "ambassador": "headed by an ambassador",
        "withdrawn": "without its ambassador (withdrawn)",
        "charge": "headed by a charge d'affaires",
        "closed": "closed",
        "none": "never established",
    }.get(level, level)


def where(machine: RelationMachine, pair: Pair, node: Node | RelationState[Any]) -> str:
    """Where a pair stands, e.g. "strained (embassy closed), with ARG's mission in VEN
    closed and VEN's in ARG headed by an ambassador"."""
    found = machine.kernel.nodes[node.node] if isinstance(node, RelationState) else node
    first, second = found.first_level, found.second_level
    return (
        f"{stage_label(machine.rules, found.status, found.stage)}, with {pair.first}'s mission "
        f"in {pair.second} {level_label(first)} and {pair.second}'s in {pair.first} "
        f"{level_label(second)}"
    )


def refusal(
    machine: RelationMachine, pair: Pair, fact: Any, state: RelationState[Any] | int
) -> str:
    """Why ``fact`` is not allowed from ``state`` (a state or a kernel node), naming the
    pair's status, stage and the mission level that forbids it."""
    kernel = machine.kernel
    code = state.node if isinstance(state, RelationState) else state
    node = kernel.nodes[code]
    kind = machine.rules.event_types[fact.event_type]
    actor_level = node.first_level if fact.actor == pair.first else node.second_level
    sources = list(machine.rules.effects[kind.effect])
    reason = ""
    if not any(_covers(source, node.place) for source in sources):
        reason = f"{kind.name} is allowed only from {', '.join(_place(s) for s in sources)}"
    elif "first_event" in kind.requires and not node.first:
        reason = f"{kind.name} must be the pair's earliest event, and {pair} has earlier ones"
    elif "actor_mission_away" in kind.requires and actor_level == machine.rules.initial_level:
        reason = (
            f"{fact.actor}'s mission in {fact.target} was already headed by an ambassador: "
            "nothing to return from"
        )
    elif "actor_mission_closed" in kind.requires and actor_level not in ("closed", "none"):
        reason = (
            f"{fact.actor}'s mission in {fact.target} was {level_label(actor_level)}: a "
            "protecting power represents a country whose mission is closed or was never "
            "established"
        )
    allowed = ", ".join(kernel.allowed_types(code)) or "none"
    because = f"; {reason}" if reason else ""
    return (
        f"{fact.event_type} is not allowed for {pair} on {fact.occurred_on}: the pair was "
        f"{where(machine, pair, node)} then{because}; allowed from there: {allowed}"
    )


def _covers(source: str, place: str) -> bool:
    return place == source or place.startswith(source + SEPARATOR)


def _place(source: str) -> str:
    return source.replace(SEPARATOR, " (", 1) + ")" if SEPARATOR in source else source


LEVEL_WORDS = {
    "ambassador": "ambassador",
    "withdrawn": "ambassador withdrawn",
    "charge": "chargé d'affaires",
    "closed": "closed",
    "none": "never established",
}


def mission_line(sender: str, host: str, mission: Mission[Any]) -> str:
    """ "Argentina in Venezuela: closed since 2024-08-01, interests represented by Brazil"."""
    from relations.domain.countries import name_of

    line = f"{sender} in {host}: {LEVEL_WORDS.get(mission.level, mission.level)}"
    if mission.since:
        line += f" since {mission.since}"
    if mission.protecting_power:
        line += f", interests represented by {name_of(mission.protecting_power)}"
    if mission.level in ("closed", "none") or not mission.consular:
        line += ", consular relations continue" if mission.consular else ", no consular relations"
    return line
