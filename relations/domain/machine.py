"""ONE ``transitions`` state machine, built from the rules and shared by every pair.

The pair's status and stage are the machine's nested states (``strained.downgraded``);
each event type is a trigger; the missions are the probe model's attributes, changed by
each transition's ``prepare`` callback; the guards are its ``conditions``: a stage that
follows the missions, a status that needs both missions at a level, a type's own
requirements (see domain/rules.py).

Pairs are not models of the machine: ``add_model`` is quadratic and resets state. The
machine is built once with ``model=None`` and fired on a single probe. The fold does
not fire it: it uses the lookup table read off it (domain/kernel.py), which
``tests/test_machine.py`` proves equal to the machine over every state, stage, mission
combination and event type.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from relations.domain.rules import SEPARATOR, EventType, Rules, default_rules

if TYPE_CHECKING:
    from transitions.extensions.nesting import HierarchicalMachine

    from relations.domain.kernel import Kernel


def _machine_class() -> type[HierarchicalMachine]:
    """transitions' nested machine with a dot between a status and its stage (stage names
    contain underscores, the default separator). Imported on first use: a fold from a
    cached lookup table never needs it."""
    from transitions.extensions.nesting import HierarchicalMachine, NestedState

    class DotState(NestedState):
        separator = SEPARATOR

    class Machine(HierarchicalMachine):
        state_cls = DotState

    return Machine


class Probe:
    """The single reusable model the machine is fired on: the pair's place in the
    machine, each mission's level from the actor's side, and whether it has events."""

    def __init__(self) -> None:
        self.state = ""
        self.actor = ""  # level of the ACTOR's mission in the TARGET, before the event
        self.target = ""  # level of the TARGET's mission in the ACTOR, before the event
        self.first = True  # no event yet
        self.new_actor = ""  # ... and after it (set by the transition's prepare)
        self.new_target = ""


Condition = Any  # a callable taking transitions' EventData, returning a bool


class RelationMachine:
    def __init__(self, rules: Rules, kernel_table: dict[str, Any] | None = None) -> None:
        """``kernel_table``: the lookup table read off this same machine earlier (see
        Kernel.table), to fold without building the machine again."""
        self.rules = rules
        self._machine: HierarchicalMachine | None = None
        self._probe = Probe()
        self._kernel: Kernel | None = None
        if kernel_table is not None:
            from relations.domain.kernel import Kernel

            self._kernel = Kernel.from_table(self, kernel_table)

    @property
    def machine(self) -> HierarchicalMachine:
        """The transitions machine itself, built on first use."""
        if self._machine is None:
            self._machine = _machine_class()(
                model=None,
                states=self._states(),
                initial=self.initial_place,
                auto_transitions=False,
                send_event=True,
            )
            for kind in self.rules.event_types.values():
                self._add_type(kind)
        return self._machine

    # -- what the machine is built from ----------------------------------------------

    @property
    def initial(self) -> str:
        return self.rules.initial

    @property
    def initial_place(self) -> str:
        """The machine state of a pair with no events."""
        level = self.rules.initial_level
        return self.place(self.rules.initial, self.derive(self.rules.initial, level, level))

    def place(self, status: str, stage: str) -> str:
        return status if stage == status else f"{status}{SEPARATOR}{stage}"

    def derive(self, status: str, first: str, second: str) -> str:
        """The stage of ``status`` for these mission levels (its first stage if its
        stages do not follow the missions)."""
        rule = self.rules.derived.get(status)
        if rule is None:
            return self.rules.stages_of(status)[0]
        levels = self.rules.levels
        worst = max(first, second, key=levels.index)
        return rule.by_level.get(worst, rule.otherwise)

    def _states(self) -> list[Any]:
        states: list[Any] = []
        for status in self.rules.states:
            stages = self.rules.stages.get(status)
            if stages is None:
                states.append(status)
            else:
                states.append({"name": status, "children": list(stages), "initial": stages[0]})
        return states

    def _add_type(self, kind: EventType) -> None:
        rules = self.rules
        guards = [_GUARDS[name](rules) for name in kind.requires]
        prepare = _mission_effects(rules, kind)
        for source, dest in rules.effects[kind.effect].items():
            dest_status = dest.split(SEPARATOR)[0]
            required = rules.require.get(dest_status)
            if required is not None:
                self._to(kind.name, source, dest, [*guards, _both_at(required)], prepare)
                self._stay(kind.name, source, guards, prepare)  # when the condition fails
            else:
                self._to(kind.name, source, dest, guards, prepare)

    def _to(
        self, trigger: str, source: str, dest: str, guards: list[Condition], prepare: Any
    ) -> None:
        status = dest.split(SEPARATOR)[0]
        if dest == status and status in self.rules.derived:
            for stage in self.rules.stages_of(status):
                self.machine.add_transition(
                    trigger, source, f"{status}{SEPARATOR}{stage}",
                    conditions=[*guards, self._derives(status, stage)], prepare=prepare,
                )  # fmt: skip
        elif dest == status and status in self.rules.stages:
            # back into the status it is in (checked by the rules): stay in its stage
            self.machine.add_transition(trigger, source, None, conditions=guards, prepare=prepare)
        else:
            self.machine.add_transition(trigger, source, dest, conditions=guards, prepare=prepare)

    def _stay(self, trigger: str, source: str, guards: list[Condition], prepare: Any) -> None:
        """Stay in the source's status, at its re-derived stage."""
        status = source.split(SEPARATOR)[0]
        if status in self.rules.derived:
            self._to(trigger, source, status, guards, prepare)
        else:
            self.machine.add_transition(trigger, source, None, conditions=guards, prepare=prepare)

    def _derives(self, status: str, stage: str) -> Condition:
        def check(event: Any) -> bool:
            model = event.model
            return self.derive(status, model.new_actor, model.new_target) == stage

        return check

    # -- firing ------------------------------------------------------------------------

    def fire(
        self, place: str, actor: str, target: str, first: bool, event_type: str
    ) -> tuple[str, str, str] | None:
        """Fire ``event_type`` on the machine itself, from machine state ``place`` with
        the actor's and the target's mission at these levels: the machine state and
        the two levels after it, or None if the event is invalid there."""
        probe = self._probe
        machine = self.machine
        machine.set_state(place, model=probe)
        probe.actor, probe.target, probe.first = actor, target, first
        probe.new_actor, probe.new_target = actor, target
        from transitions import MachineError

        try:
            if not self.machine.trigger_event(probe, event_type):
                return None
        except MachineError:
            return None
        return probe.state, probe.new_actor, probe.new_target

    @property
    def kernel(self) -> Kernel:
        """The lookup table read off this machine (built on first use)."""
        if self._kernel is None:
            from relations.domain.kernel import Kernel

            self._kernel = Kernel(self)
        return self._kernel

    def mermaid(self) -> str:
        """The nested machine as Mermaid text, drawn by transitions' GraphMachine (no
        graphviz): the statuses with their stages, and which event types move a pair
        between them."""
        from relations.domain.diagram import mermaid

        return mermaid(self)


def _mission_effects(rules: Rules, kind: EventType) -> Callable[[Any], None]:
    """The prepare callback of a type's transitions: the mission levels after it."""
    effects = kind.missions
    restoring = rules.initial_level
    order = rules.levels.index

    def move(level: str, to: str | None) -> str:
        if to is None or to == level:
            return level
        if to == restoring:
            return to
        return max(level, to, key=order)  # an escalation never makes a mission less serious

    def prepare(event: Any) -> None:
        model = event.model
        model.new_actor = move(model.actor, effects.actor)
        model.new_target = move(model.target, effects.target)

    return prepare


def _both_at(level: str) -> Condition:
    return lambda event: event.model.new_actor == level and event.model.new_target == level


def _first_event(rules: Rules) -> Condition:
    return lambda event: bool(event.model.first)


def _actor_mission_away(rules: Rules) -> Condition:
    return lambda event: event.model.actor != rules.initial_level


def _actor_mission_closed(rules: Rules) -> Condition:
    closed = {level for level in rules.levels if level in ("closed", "none")}
    return lambda event: event.model.actor in closed


_GUARDS: dict[str, Callable[[Rules], Condition]] = {
    "first_event": _first_event,
    "actor_mission_away": _actor_mission_away,
    "actor_mission_closed": _actor_mission_closed,
}


@cache
def default_machine() -> RelationMachine:
    return RelationMachine(default_rules())
