"""The rule table as data, loaded from a TOML file: statuses and their stages, the
missions' levels, effects, event types with what they do to each side's mission.

Only the statuses, effects and event types are required: a file without stages or
mission effects (the format before stages) still loads, each status being its own
single stage and no event touching a mission.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from relations.domain.errors import InvalidInput

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_CAMEO = re.compile(r"\d{2,4}")
MAX_STATE = 32  # the width of the status and stage columns
MAX_TYPE = 64  # the width of events.event_type
SEPARATOR = "."  # between a status and its stage in the machine: "strained.downgraded"
LEVELS = ("ambassador", "withdrawn", "charge", "closed", "none")
# Conditions an event type may require (the machine's guards), and what each says.
GUARDS = {
    "first_event": "the pair has no earlier event",
    "actor_mission_away": "the actor's mission is not headed by an ambassador",
    "actor_mission_closed": "the actor's mission is closed or was never established",
}
# tomllib's message for a table or key given twice, e.g. [event_types.visit] twice.
_TWICE = re.compile(
    r"Cannot (?:declare|overwrite a value) \('(?P<table>\w+)', '(?P<name>[^']+)'.*?\) twice"
    r"(?: \(at line (?P<line>\d+))?"
)


@dataclass(frozen=True, slots=True)
class MissionEffects:
    """What an event does to the two missions: the mission of the ACTOR in the TARGET
    and the TARGET's in the ACTOR. A level equal to the missions' initial one restores a
    mission; any other level never makes it less serious."""

    actor: str | None = None
    target: str | None = None
    consular: bool | None = None  # consular relations continue (True) or end (False)
    protecting_power: bool = False  # the event's third country now represents the actor

    @property
    def any(self) -> bool:
        return bool(self.actor or self.target or self.consular is not None or self.protecting_power)


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    effect: str
    description: str
    cameo: str | None
    missions: MissionEffects = field(default_factory=MissionEffects)
    requires: tuple[str, ...] = ()  # guard names, all of which must hold

    @property
    def takes_via(self) -> bool:
        """Does an event of this type name a third country (--via)?"""
        return self.missions.protecting_power


@dataclass(frozen=True, slots=True)
class DerivedStages:
    """A status whose stage follows its missions: the most serious level of the two
    picks the stage it maps to, else ``otherwise``."""

    by_level: dict[str, str]
    otherwise: str


@dataclass(frozen=True)
class Rules:
    states: tuple[str, ...]
    initial: str
    effects: dict[str, dict[str, str]]  # effect -> {from status[.stage]: to status[.stage]}
    event_types: dict[str, EventType]
    stages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # status -> its stages
    derived: dict[str, DerivedStages] = field(default_factory=dict)
    levels: tuple[str, ...] = LEVELS  # least to most serious
    initial_level: str = LEVELS[0]
    require: dict[str, str] = field(default_factory=dict)  # status -> level both must be at
    severity: dict[str, int] = field(default_factory=dict)  # stage -> rank
    labels: dict[str, str] = field(default_factory=dict)  # stage -> how people say it

    def stages_of(self, status: str) -> tuple[str, ...]:
        """The status's stages; a status without stages is its own single stage."""
        return self.stages.get(status, (status,))

    def status_of_stage(self, stage: str) -> str:
        for status in self.states:
            if stage in self.stages_of(status):
                return status
        raise KeyError(stage)

    @property
    def all_stages(self) -> list[str]:
        return [stage for status in self.states for stage in self.stages_of(status)]

    @cached_property
    def unestablished(self) -> frozenset[str]:
        """The stages of pairs that never had relations: those an ``establish`` event
        leads out of (``severed.never_established`` in the shipped rules)."""
        return frozenset(
            source.partition(".")[2] or source for source in self.effects.get("establish", {})
        )

    def rank(self, stage: str) -> int:
        """How serious a stage is (for "deteriorated" and "improved")."""
        if stage in self.severity:
            return self.severity[stage]
        return self.all_stages.index(stage)

    @cached_property
    def digest(self) -> str:
        """A short hash of the rules' meaning (not of the file's formatting)."""
        canonical = json.dumps(
            {
                "states": self.states,
                "initial": self.initial,
                "effects": self.effects,
                "types": {
                    t.name: [t.effect, asdict(t.missions), list(t.requires)]
                    for t in self.event_types.values()
                },
                "stages": self.stages,
                "derived": {k: asdict(v) for k, v in self.derived.items()},
                "levels": self.levels,
                "initial_level": self.initial_level,
                "require": self.require,
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
    from relations.domain.rules_check import check_rules

    return check_rules(raw)


def compare(old: Rules, new: Rules) -> list[str]:
    """What ``new`` changes in meaning, one line per difference (empty: the same)."""
    lines = []
    if old.states != new.states:
        lines.append(f"states: {', '.join(old.states)} -> {', '.join(new.states)}")
    if old.initial != new.initial:
        lines.append(f"initial state: {old.initial} -> {new.initial}")
    for status in sorted(set(old.states) | set(new.states)):
        was, now = old.stages_of(status), new.stages_of(status)
        if was != now:
            lines.append(f"stages of {status}: {', '.join(was)} -> {', '.join(now)}")
    if old.derived != new.derived or old.require != new.require or old.levels != new.levels:
        lines.append("how stages follow the missions changed")
    for effect in sorted(old.effects.keys() | new.effects.keys()):
        before, after = old.effects.get(effect), new.effects.get(effect)
        if before != after:
            lines.append(f"effect {effect}: {_moves(before)} -> {_moves(after)}")
    for name in sorted(old.event_types.keys() | new.event_types.keys()):
        was_type, now_type = old.event_types.get(name), new.event_types.get(name)
        if was_type is None and now_type is not None:
            lines.append(f"event type {name} added ({now_type.effect})")
        elif now_type is None and was_type is not None:
            lines.append(f"event type {name} removed: its events become invalid")
        elif was_type is not None and now_type is not None:
            if was_type.effect != now_type.effect:
                lines.append(f"event type {name}: effect {was_type.effect} -> {now_type.effect}")
            if was_type.missions != now_type.missions:
                lines.append(f"event type {name}: mission effects changed")
            if was_type.requires != now_type.requires:
                lines.append(f"event type {name}: conditions changed")
    return lines


def _moves(mapping: dict[str, str] | None) -> str:
    if mapping is None:
        return "(none)"
    return ", ".join(f"{a}->{b}" for a, b in mapping.items()) or "(no moves)"


def describe_moves(rules: Rules, kind: EventType) -> str:
    """Where an event of this type leads from each place it is allowed from, e.g.
    "normal->strained strained->strained severed->severed"."""
    return " ".join(f"{a}->{b}" for a, b in rules.effects[kind.effect].items())


def describe_missions(kind: EventType) -> str:
    """What it does to the missions and which conditions it needs, in a few words."""
    effects = kind.missions
    parts = []
    if effects.actor and effects.actor == effects.target:
        parts.append(f"both: {effects.actor}")
    else:
        if effects.actor:
            parts.append(f"actor's: {effects.actor}")
        if effects.target:
            parts.append(f"target's: {effects.target}")
    if effects.consular is not None:
        parts.append("consular: " + ("resumed" if effects.consular else "ended"))
    if effects.protecting_power:
        parts.append("protecting power: --via")
    parts += [f"if {GUARDS[name]}" for name in kind.requires]
    return "; ".join(parts) or "-"
