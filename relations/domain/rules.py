"""The rule table as data: states, effects and event types, loaded from a TOML file."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from relations.domain.errors import InvalidInput

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_CAMEO = re.compile(r"\d{2,4}")
MAX_STATE = 32  # the width of the status columns
MAX_TYPE = 64  # the width of events.event_type
# tomllib's message for a table or key given twice, e.g. [event_types.visit] twice.
_TWICE = re.compile(
    r"Cannot (?:declare|overwrite a value) \('(?P<table>\w+)', '(?P<name>[^']+)'.*?\) twice"
    r"(?: \(at line (?P<line>\d+))?"
)


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    effect: str
    description: str
    cameo: str | None


@dataclass(frozen=True)
class Rules:
    states: tuple[str, ...]
    initial: str
    effects: dict[str, dict[str, str]]  # effect -> {from status: to status}
    event_types: dict[str, EventType]

    @property
    def digest(self) -> str:
        """A short hash of the rules' meaning (not of the file's formatting)."""
        canonical = json.dumps(
            {
                "states": self.states,
                "initial": self.initial,
                "effects": self.effects,
                "types": {t.name: t.effect for t in self.event_types.values()},
            },
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def default_rules_path() -> Path:
    # Beside the package's code, installed or not (importlib.resources would cost
    # `relations status` 20 ms of imports for the same answer).
    return Path(__file__).resolve().parent.parent / "data" / "rules.toml"


@cache
def default_rules() -> Rules:
    return load_rules(default_rules_path())


def load_rules(path: Path) -> Rules:
    """Read and check a rules file; every problem is an InvalidInput naming the file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read rules file {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        twice = _TWICE.search(str(exc))
        if twice:
            what = "event type" if twice["table"] == "event_types" else twice["table"]
            where = f" (the second time at line {twice['line']})" if twice["line"] else ""
            raise InvalidInput(
                f"rules file {path}: {what} {twice['name']!r} is defined twice{where}"
            ) from None
        raise InvalidInput(f"rules file {path} is not valid TOML: {exc}") from None
    except (RecursionError, ValueError):  # nested too deep; an integer too long
        raise InvalidInput(
            f"rules file {path} is not TOML we can read (nested too deep or a number too long)"
        ) from None
    try:
        return parse_rules(raw)
    except InvalidInput as exc:
        raise InvalidInput(f"rules file {path}: {exc}") from None


def parse_rules(raw: dict[str, Any]) -> Rules:
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
            for state in (source, dest):
                if state not in states:
                    raise InvalidInput(f"effect {effect!r} uses unknown state {state!r}")
        effects[effect] = dict(mapping)

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
        description = spec.get("description", "")
        event_types[name] = EventType(name, chosen, str(description), cameo)
    if not event_types:
        raise InvalidInput("no event types defined")
    return Rules(tuple(states), initial, effects, event_types)


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


def compare(old: Rules, new: Rules) -> list[str]:
    """What ``new`` changes in meaning, one line per difference (empty: the same)."""
    lines = []
    if old.states != new.states:
        lines.append(f"states: {', '.join(old.states)} -> {', '.join(new.states)}")
    if old.initial != new.initial:
        lines.append(f"initial state: {old.initial} -> {new.initial}")
    for effect in sorted(old.effects.keys() | new.effects.keys()):
        before, after = old.effects.get(effect), new.effects.get(effect)
        if before != after:
            lines.append(f"effect {effect}: {_moves(before)} -> {_moves(after)}")
    for name in sorted(old.event_types.keys() | new.event_types.keys()):
        was, now = old.event_types.get(name), new.event_types.get(name)
        if was is None and now is not None:
            lines.append(f"event type {name} added ({now.effect})")
        elif now is None and was is not None:
            lines.append(f"event type {name} removed: its events become invalid")
        elif was is not None and now is not None and was.effect != now.effect:
            lines.append(f"event type {name}: effect {was.effect} -> {now.effect}")
    return lines


def _moves(mapping: dict[str, str] | None) -> str:
    if mapping is None:
        return "(none)"
    return ", ".join(f"{a}->{b}" for a, b in mapping.items()) or "(no moves)"
