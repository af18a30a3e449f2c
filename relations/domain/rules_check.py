"""Checking a rules file's contents and turning them into Rules: every mistake is one
InvalidInput saying what is wrong and what is accepted."""

from __future__ import annotations

from typing import Any

from relations.domain.errors import InvalidInput
from relations.domain.rules import (
    _CAMEO,
    _NAME,
    GUARDS,
    LEVELS,
    MAX_STATE,
    MAX_TYPE,
    SEPARATOR,
    DerivedStages,
    EventType,
    MissionEffects,
    Rules,
)


def check_rules(raw: dict[str, Any]) -> Rules:
    states = raw.get("states")
    if not isinstance(states, list) or not states or not all(isinstance(s, str) for s in states):
        raise InvalidInput("'states' must be a non-empty list of names")
    if len(set(states)) != len(states):
        raise InvalidInput("'states' lists a state twice")
    for state in states:
        _check_name(state, "state", MAX_STATE)
    initial = raw.get("initial", states[0])
    if not isinstance(initial, str) or initial not in states:
        raise InvalidInput(f"initial state {initial!r} is not one of the states {states}")

    levels, initial_level, require = _missions(raw.get("missions", {}), states)
    stages, derived, labels = _stages(raw.get("stages", {}), states, levels)
    effects = _effects(raw, states, stages, derived)
    event_types = _event_types(raw, effects, levels)
    rules = Rules(
        tuple(states), initial, effects, event_types, stages, derived, levels, initial_level,
        require, {},
    )  # fmt: skip
    severity = _severity(raw.get("severity", {}), rules)
    return Rules(
        rules.states, initial, effects, event_types, stages, derived, levels, initial_level,
        require, severity, labels,
    )  # fmt: skip


def _missions(spec: Any, states: list[str]) -> tuple[tuple[str, ...], str, dict[str, str]]:
    if not isinstance(spec, dict):
        raise InvalidInput("[missions] must be a table")
    levels = spec.get("levels", list(LEVELS))
    if not isinstance(levels, list) or not levels or not all(isinstance(x, str) for x in levels):
        raise InvalidInput("missions.levels must be a non-empty list of level names")
    unknown = [level for level in levels if level not in LEVELS]
    if unknown or len(set(levels)) != len(levels):
        raise InvalidInput(
            f"missions.levels must list each of {', '.join(LEVELS)} at most once "
            f"(from least to most serious); got {levels}"
        )
    initial = spec.get("initial", levels[0])
    if not isinstance(initial, str) or initial not in levels:
        raise InvalidInput(f"missions.initial {initial!r} is not one of the levels {levels}")
    require = spec.get("require", {})
    if not isinstance(require, dict):
        raise InvalidInput(
            'missions.require must map a status to a level, e.g. normal = "ambassador"'
        )
    for status, level in require.items():
        if status not in states or level not in levels:
            raise InvalidInput(
                f"missions.require: {status} = {level!r} must name a status and a level"
            )
    return tuple(levels), initial, dict(require)


def _stages(
    spec: Any, states: list[str], levels: tuple[str, ...]
) -> tuple[dict[str, tuple[str, ...]], dict[str, DerivedStages], dict[str, str]]:
    if not isinstance(spec, dict):
        raise InvalidInput("[stages] must be a table of statuses")
    stages: dict[str, tuple[str, ...]] = {}
    derived: dict[str, DerivedStages] = {}
    labels: dict[str, str] = {}
    seen: set[str] = set(states)
    for status, table in spec.items():
        if status not in states:
            raise InvalidInput(f"[stages.{status}]: {status!r} is not one of the states {states}")
        if not isinstance(table, dict) or not isinstance(table.get("stages"), list):
            raise InvalidInput(f"[stages.{status}] needs a list 'stages'")
        names = table["stages"]
        if not names or not all(isinstance(n, str) for n in names):
            raise InvalidInput(f"stages.{status}.stages must be a non-empty list of names")
        for name in names:
            _check_name(name, "stage", MAX_STATE)
            if name in seen:
                raise InvalidInput(f"stage {name!r} is used twice (stage names must be unique)")
            seen.add(name)
        stages[status] = tuple(names)
        said = table.get("labels", {})
        if not isinstance(said, dict) or not all(
            k in names and isinstance(v, str) and v.strip() for k, v in said.items()
        ):
            raise InvalidInput(f"stages.{status}.labels must map its stages to how people say them")
        labels.update(said)
        by_level = table.get("from_missions")
        if by_level is not None:
            otherwise = table.get("otherwise", names[0])
            if not isinstance(by_level, dict) or otherwise not in names:
                raise InvalidInput(
                    f"stages.{status}.from_missions must map levels to its stages, and "
                    f"'otherwise' name one of them ({', '.join(names)})"
                )
            for level, stage in by_level.items():
                if level not in levels or stage not in names:
                    raise InvalidInput(
                        f"stages.{status}.from_missions: {level} = {stage!r} must map a level "
                        f"({', '.join(levels)}) to a stage of {status}"
                    )
            derived[status] = DerivedStages(dict(by_level), otherwise)
    return stages, derived, labels


def _effects(
    raw: dict[str, Any],
    states: list[str],
    stages: dict[str, tuple[str, ...]],
    derived: dict[str, DerivedStages],
) -> dict[str, dict[str, str]]:
    places = set(states) | {f"{s}{SEPARATOR}{x}" for s, names in stages.items() for x in names}
    effects: dict[str, dict[str, str]] = {}
    for effect, mapping in _table(raw, "effects").items():
        _check_name(effect, "effect")
        if not isinstance(mapping, dict):
            raise InvalidInput(f"effect {effect!r} must map a status to a status")
        if not mapping:
            raise InvalidInput(
                f"effect {effect!r} has no transitions; map at least one status to a status, "
                'e.g. normal = "strained"'
            )
        for source, dest in mapping.items():
            for place in (source, dest):
                if not isinstance(place, str) or place not in places:
                    raise InvalidInput(f"effect {effect!r} uses unknown state {place!r}")
            status = dest.split(SEPARATOR)[0]
            entering = source.split(SEPARATOR)[0] != status
            if entering and dest == status and status in stages and status not in derived:
                raise InvalidInput(
                    f"effect {effect!r}: {source} -> {dest} must name a stage of {status} "
                    f"({', '.join(f'{status}.{x}' for x in stages[status])})"
                )
        effects[effect] = dict(mapping)
    return effects


def _event_types(
    raw: dict[str, Any], effects: dict[str, dict[str, str]], levels: tuple[str, ...]
) -> dict[str, EventType]:
    event_types: dict[str, EventType] = {}
    for name, spec in _table(raw, "event_types").items():
        _check_name(name, "event type", MAX_TYPE)
        if not isinstance(spec, dict):
            raise InvalidInput(f"event type {name!r} must be a table")
        chosen = spec.get("effect")
        if not isinstance(chosen, str) or chosen not in effects:
            raise InvalidInput(
                f"event type {name!r} has effect {chosen!r}; known effects: {', '.join(effects)}"
            )
        cameo = spec.get("cameo")
        if cameo is not None and not (isinstance(cameo, str) and _CAMEO.fullmatch(cameo)):
            raise InvalidInput(f'event type {name!r}: cameo must be a quoted code like "161"')
        requires = spec.get("requires", [])
        if not isinstance(requires, list) or any(r not in GUARDS for r in requires):
            raise InvalidInput(
                f"event type {name!r}: requires must list conditions among {', '.join(GUARDS)}"
            )
        description = spec.get("description", "")
        missions = _mission_effects(name, spec.get("missions", {}), levels)
        event_types[name] = EventType(
            name, chosen, str(description), cameo, missions, tuple(requires)
        )
    if not event_types:
        raise InvalidInput("no event types defined")
    return event_types


def _mission_effects(name: str, spec: Any, levels: tuple[str, ...]) -> MissionEffects:
    accepted = "actor, target or both (a level), consular (true/false), protecting_power"
    if not isinstance(spec, dict) or set(spec) - {"actor", "target", "both", "consular",
                                                  "protecting_power"}:  # fmt: skip
        raise InvalidInput(f"event type {name!r}: missions may set {accepted}")
    both = spec.get("both")
    actor = spec.get("actor", both)
    target = spec.get("target", both)
    for level in (actor, target):
        if level is not None and level not in levels:
            raise InvalidInput(
                f"event type {name!r}: mission level {level!r} is not one of {', '.join(levels)}"
            )
    consular = spec.get("consular")
    if consular is not None and not isinstance(consular, bool):
        raise InvalidInput(f"event type {name!r}: missions.consular must be true or false")
    protecting = spec.get("protecting_power", False)
    if protecting not in (False, "via"):
        raise InvalidInput(
            f'event type {name!r}: missions.protecting_power can only be "via" (the third '
            "country given with --via)"
        )
    return MissionEffects(actor, target, consular, protecting == "via")


def _severity(spec: Any, rules: Rules) -> dict[str, int]:
    if not isinstance(spec, dict) or not all(isinstance(v, int) for v in spec.values()):
        raise InvalidInput("[severity] must give each stage a whole-number rank")
    known = set(rules.all_stages)
    unknown = set(spec) - known
    if unknown:
        raise InvalidInput(f"[severity] names unknown stages: {', '.join(sorted(unknown))}")
    return {stage: int(rank) for stage, rank in spec.items()}


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict) or not value:
        raise InvalidInput(f"missing or empty [{key}] table")
    return value


def _check_name(name: str, what: str, limit: int = 64) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(f"{what} name {name!r} must be lower_snake_case")
    if len(name) > limit:
        raise InvalidInput(
            f"{what} name {name!r} is over {limit} characters (the database's limit)"
        )
