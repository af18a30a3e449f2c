"""The nested machine drawn as Mermaid text by transitions' GraphMachine (no graphviz):
statuses with their stages, and an edge for each move between them, labelled with the
effects that make it (read off the lookup table, which equals the machine)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transitions.extensions import HierarchicalGraphMachine
from transitions.extensions.nesting import NestedState

from relations.domain.rules import SEPARATOR

if TYPE_CHECKING:
    from relations.domain.machine import RelationMachine


class _DotState(NestedState):
    separator = SEPARATOR


class _GraphMachine(HierarchicalGraphMachine):
    state_cls = _DotState


def mermaid(machine: RelationMachine) -> str:
    rules = machine.rules
    graph = _GraphMachine(
        model=None,
        states=machine._states(),
        initial=machine.initial_place,
        auto_transitions=False,
        graph_engine="mermaid",
        title="relations",
        show_state_attributes=False,
    )
    kernel = machine.kernel
    edges: dict[tuple[str, str], set[str]] = {}
    for code, node in enumerate(kernel.nodes):
        for type_code, name in enumerate(kernel.type_names):
            for actor_first in (False, True):
                after = kernel.next_node(code, type_code, actor_first)
                if after >= 0 and kernel.nodes[after].place != node.place:
                    effect = rules.event_types[name].effect
                    edges.setdefault((node.place, kernel.nodes[after].place), set()).add(effect)
    for (source, dest), effects in sorted(edges.items()):
        graph.add_transition(", ".join(sorted(effects)), source, dest)
    model: Any = type("Diagram", (), {})()
    graph.add_model(model)
    return str(model.get_graph().draw(None))
