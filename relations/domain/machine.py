"""ONE ``transitions`` state machine, built from the rules and shared by every pair.

Pairs are not models of the machine: ``add_model`` is quadratic and resets state.
The machine is built once with ``model=None``; its transition table is read off it
by firing every effect from every state on a single probe model, and the fold uses
that table (a dict lookup instead of ~10 µs per trigger). ``tests/test_machine.py``
proves the table equals the machine for every (state, effect).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from transitions import Machine, MachineError

from relations.domain.rules import Rules, default_rules


class _Probe:
    """The single reusable model that the machine is fired on."""

    state: str


class RelationMachine:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.machine = Machine(
            model=None,
            states=list(rules.states),
            initial=rules.initial,
            auto_transitions=False,
        )
        for effect, mapping in rules.effects.items():
            for source, dest in mapping.items():
                # dest=None is an internal transition: valid, status unchanged.
                self.machine.add_transition(effect, source, None if dest == source else dest)
        self._probe = _Probe()
        self.table: dict[tuple[str, str], str] = self._derive_table()

    @property
    def initial(self) -> str:
        return self.rules.initial

    def fire(self, status: str, effect: str) -> str | None:
        """Fire ``effect`` from ``status`` on the machine itself; None if invalid."""
        self.machine.set_state(status, model=self._probe)
        try:
            self.machine.events[effect].trigger(self._probe)
        except MachineError:
            return None
        return self._probe.state

    def next_status(self, status: str, event_type: str) -> str | None:
        """The status after an event of this type, or None if it is invalid from ``status``."""
        effect = self.rules.event_types[event_type].effect
        return self.table.get((status, effect))

    def allowed_types(self, status: str) -> list[str]:
        return [
            name
            for name, spec in self.rules.event_types.items()
            if (status, spec.effect) in self.table
        ]

    def mermaid(self) -> str:
        """The machine as Mermaid text, drawn by transitions' GraphMachine (no graphviz)."""
        from transitions.extensions import GraphMachine

        graph = GraphMachine(
            model=None,
            states=list(self.rules.states),
            initial=self.rules.initial,
            auto_transitions=False,
            graph_engine="mermaid",
            title="relations",
            show_state_attributes=False,
        )
        for effect, mapping in self.rules.effects.items():
            for source, dest in mapping.items():
                if dest != source:
                    graph.add_transition(effect, source, dest)
        model: Any = type("Diagram", (), {})()
        graph.add_model(model)
        return str(model.get_graph().draw(None))

    def _derive_table(self) -> dict[tuple[str, str], str]:
        table = {}
        for status in self.rules.states:
            for effect in self.rules.effects:
                dest = self.fire(status, effect)
                if dest is not None:
                    table[(status, effect)] = dest
        return table


@cache
def default_machine() -> RelationMachine:
    return RelationMachine(default_rules())
