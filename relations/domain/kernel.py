"""The fold kernel: the lookup table read off the machine, and the one step function
that every fold uses (the domain's, and the bulk fold of imports and reprojections).

The table is over nodes (a place of the machine with both missions' levels) and is
built by firing the machine from the initial node on every event type, in both
directions, and from every node that reaches: a few dozen nodes, a few thousand fires.
A step is then a list lookup, plus the data the machine does not hold: dates, the
cause, protecting powers and consular relations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from relations.domain.rules import SEPARATOR, MissionEffects
from relations.domain.state import Mission, Node, RelationState

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine


class Kernel:
    def __init__(self, machine: RelationMachine, *, explore: bool = True) -> None:
        rules = machine.rules
        self.machine = machine
        self.rules = rules
        self.type_names = list(rules.event_types)
        self.type_code = {name: code for code, name in enumerate(self.type_names)}
        self.unknown_type = len(self.type_names)  # a type the rules do not define: invalid
        self.width = len(self.type_names) + 1  # the last column: unknown types
        self.effects: list[MissionEffects] = [t.missions for t in rules.event_types.values()]
        # quiet[type] is 1 when an event of that type that keeps the node changes nothing
        # (it touches neither consular relations nor a protecting power): folds skip
        # ``advance`` for it
        self.quiet = bytes(
            [int(e is None or not (e.consular is not None or e.protecting_power))
             for e in self.effects] + [1]
        )  # fmt: skip
        self.restoring = rules.initial_level
        self.nodes: list[Node] = []
        self.node_code: dict[tuple[str, str, str, bool], int] = {}
        # step[(node * width + type) * 2 + actor_is_first] -> next node, or -1: invalid
        self.step: list[int] = []
        level = rules.initial_level
        self.initial_node = self._node(machine.initial_place, level, level, True)
        if explore:
            self._explore(machine)

    def table(self) -> dict[str, Any]:
        """The table as plain data, to keep and load again (``from_table``)."""
        return {
            "rules_digest": self.rules.digest,
            "types": self.type_names,
            "nodes": [[n.place, n.first_level, n.second_level, n.first] for n in self.nodes],
            "step": self.step,
        }

    @classmethod
    def from_table(cls, machine: RelationMachine, table: dict[str, Any]) -> Kernel:
        """The kernel of ``machine`` from a table ``table()`` gave for the same rules."""
        if table.get("rules_digest") != machine.rules.digest:
            raise ValueError("that table was read off a machine of other rules")
        kernel = cls(machine, explore=False)
        if table["types"] != kernel.type_names:
            raise ValueError("that table's event types differ")
        kernel.nodes, kernel.node_code = [], {}
        for place, first_level, second_level, first in table["nodes"]:
            kernel._node(place, first_level, second_level, bool(first))
        kernel.step = [int(code) for code in table["step"]]
        if len(kernel.step) != len(kernel.nodes) * kernel.width * 2:
            raise ValueError("that table is not whole")
        return kernel

    # -- the table ---------------------------------------------------------------------

    def _node(self, place: str, first_level: str, second_level: str, first: bool) -> int:
        key = (place, first_level, second_level, first)
        code = self.node_code.get(key)
        if code is None:
            status, _, stage = place.partition(SEPARATOR)
            code = self.node_code[key] = len(self.nodes)
            self.nodes.append(Node(place, status, stage or status, first_level, second_level,
                                   first))  # fmt: skip
        return code

    def _explore(self, machine: RelationMachine) -> None:
        """Breadth-first from the initial node: fire every type both ways from each."""
        width = self.width
        done = 0
        while done < len(self.nodes):
            node = self.nodes[done]
            row = [-1] * (width * 2)
            for code, name in enumerate(self.type_names):
                for actor_first in (0, 1):
                    actor, target = (
                        (node.first_level, node.second_level)
                        if actor_first
                        else (node.second_level, node.first_level)
                    )
                    fired = machine.fire(node.place, actor, target, node.first, name)
                    if fired is None:
                        continue
                    place, new_actor, new_target = fired
                    first_level, second_level = (
                        (new_actor, new_target) if actor_first else (new_target, new_actor)
                    )
                    row[code * 2 + actor_first] = self._node(place, first_level, second_level,
                                                             False)  # fmt: skip
            self.step.extend(row)
            done += 1

    def next_node(self, node: int, type_code: int, actor_first: bool) -> int:
        return self.step[(node * self.width + type_code) * 2 + actor_first]

    def allowed_types(self, node: int) -> list[str]:
        """The types allowed from this node, in either direction."""
        return [
            name
            for code, name in enumerate(self.type_names)
            if self.next_node(node, code, True) >= 0 or self.next_node(node, code, False) >= 0
        ]

    def nodes_of_status(self, status: str) -> list[int]:
        return [code for code, node in enumerate(self.nodes) if node.status == status]

    # -- folding -------------------------------------------------------------------------

    def start(self) -> RelationState[Any]:
        node = self.nodes[self.initial_node]
        mission: Mission[Any] = Mission(self.restoring, None)
        return RelationState(self.initial_node, node.status, node.stage, None, None, None,
                             (mission, mission))  # fmt: skip

    def advance(
        self,
        state: RelationState[Any],
        type_code: int,
        actor_first: bool,
        day: Any,
        cause: Any,
        via: str | None = None,
    ) -> RelationState[Any] | None:
        """The state after an event, or None if the rules refuse it from ``state``. The
        same object when the event changes nothing."""
        after = self.step[(state.node * self.width + type_code) * 2 + actor_first]
        if after < 0:
            return None
        if after == state.node and self.quiet[type_code]:
            return state
        effects = self.effects[type_code] if type_code < len(self.effects) else None
        node = self.nodes[after]
        first, second = state.missions
        first = self._mission(first, node.first_level, day, effects, actor_first, via)
        second = self._mission(second, node.second_level, day, effects, not actor_first, via)
        if after == state.node and (first, second) == state.missions:
            return state
        status_changed = node.status != state.status
        stage_changed = status_changed or node.stage != state.stage
        return RelationState(
            after,
            node.status,
            node.stage,
            day if status_changed else state.since,
            cause if status_changed else state.cause,
            day if stage_changed else state.stage_since,
            (first, second),
        )

    def _mission(
        self,
        mission: Mission[Any],
        level: str,
        day: Any,
        effects: MissionEffects | None,
        is_actors: bool,
        via: str | None,
    ) -> Mission[Any]:
        changed = level != mission.level
        protecting = mission.protecting_power
        consular = mission.consular
        if effects is not None:
            if effects.protecting_power and is_actors and via:
                protecting = via
            if effects.consular is not None:
                consular = effects.consular
        if level == self.restoring:
            protecting = None
        if not changed and protecting == mission.protecting_power and consular == mission.consular:
            return mission
        return Mission(level, day if changed else mission.since, protecting, consular)

    def state_at(
        self,
        status: str,
        stage: str,
        missions: tuple[Mission[Any], Mission[Any]],
        since: Any,
        cause: Any,
        stage_since: Any,
    ) -> RelationState[Any] | None:
        """A stored state back in the kernel's terms (None if these rules cannot reach it)."""
        place = self.machine.place(status, stage)
        node = self.node_code.get((place, missions[0].level, missions[1].level, False))
        if node is None:
            return None
        return RelationState(node, status, stage, since, cause, stage_since, missions)
