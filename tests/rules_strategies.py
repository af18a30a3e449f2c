"""Hypothesis strategies for random rules files: other state orders, another initial
state, stages that follow the missions or not, random effects, mission effects and
conditions. Every rules file drawn is valid (checked by ``parse_rules``)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from relations.domain.rules import GUARDS, LEVELS, Rules, parse_rules

STRAINED_STAGES = ["friction", "ambassador_withdrawn", "downgraded", "embassy_closed"]
SEVERED_STAGES = ["broken", "never_established"]
TYPES = [f"type_{letter}" for letter in "abcdefghij"]


@st.composite
def rules_files(draw: Any) -> dict[str, Any]:
    states = draw(st.permutations(["normal", "strained", "severed"]))
    initial = draw(st.sampled_from(states))
    stages: dict[str, Any] = {}
    if draw(st.booleans()):
        by_level = draw(
            st.dictionaries(
                st.sampled_from(LEVELS[1:]), st.sampled_from(STRAINED_STAGES), max_size=3
            )
        )
        stages["strained"] = {"stages": STRAINED_STAGES}
        if draw(st.booleans()):
            stages["strained"]["from_missions"] = by_level
            stages["strained"]["otherwise"] = draw(st.sampled_from(STRAINED_STAGES))
    if draw(st.booleans()):
        stages["severed"] = {"stages": SEVERED_STAGES}
    places = list(states) + [
        f"{status}.{stage}" for status, spec in stages.items() for stage in spec["stages"]
    ]
    effects: dict[str, dict[str, str]] = {}
    for name in ("one", "two", "three", "four", "five"):
        sources = draw(st.lists(st.sampled_from(places), min_size=1, max_size=4, unique=True))
        mapping = {}
        for source in sources:
            dest = draw(st.sampled_from(places))
            status = dest.split(".")[0]
            spec = stages.get(status)
            entering = source.split(".")[0] != status
            if entering and dest == status and spec and "from_missions" not in spec:
                dest = f"{status}.{spec['stages'][0]}"
            mapping[source] = dest
        effects[name] = mapping
    levels = st.none() | st.sampled_from(LEVELS)
    event_types = {}
    for name in TYPES:
        missions = {
            key: value
            for key, value in (
                ("actor", draw(levels)),
                ("target", draw(levels)),
                ("consular", draw(st.none() | st.booleans())),
                ("protecting_power", draw(st.sampled_from([None, None, None, "via"]))),
            )
            if value is not None
        }
        event_types[name] = {
            "effect": draw(st.sampled_from(sorted(effects))),
            "missions": missions,
            "requires": draw(st.lists(st.sampled_from(sorted(GUARDS)), max_size=2, unique=True)),
        }
    raw: dict[str, Any] = {
        "states": states,
        "initial": initial,
        "effects": effects,
        "event_types": event_types,
        "stages": stages,
    }
    if draw(st.booleans()):
        raw["missions"] = {"require": {"normal": "ambassador"}}
    return raw


def rules_from(raw: dict[str, Any]) -> Rules:
    return parse_rules(raw)
