"""The rule table, cell by cell, and the one transitions machine behind it: the lookup
table the fold uses equals the machine over every state, stage, mission combination and
event type."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from rules_strategies import rules_files, rules_from

from relations.domain.events import EventDraft
from relations.domain.fold import fold
from relations.domain.machine import RelationMachine, default_machine
from relations.domain.rules import LEVELS, SEPARATOR, default_rules, parse_rules

A, N = "ambassador", "none"
# The table of what each type does to the missions, written out independently of
# rules.toml: type -> (actor's mission, target's mission) from both at ambassador level
# (None: unchanged).
MISSION_EFFECTS = {
    "ambassador_recalled": ("withdrawn", None),
    "diplomat_expelled": (None, "withdrawn"),
    "relations_downgraded": ("charge", "charge"),
    "embassy_closed": ("closed", None),
    "embassy_ordered_closed": (None, "closed"),
    "relations_severed": ("closed", "closed"),
    "no_relations": (N, N),
}
ESCALATE = [
    "asylum_granted", "ambassador_recalled", "diplomat_expelled", "relations_downgraded",
    "embassy_closed", "embassy_ordered_closed", "consular_relations_severed",
    "sanctions_imposed", "relations_reduced", "safe_conduct_denied", "armed_clash",
    "treaty_suspended",
]  # fmt: skip
NONE = [
    "statement", "protest_note", "envoy_summoned", "break_threatened", "legislature_declaration",
    "agreement_signed", "visit", "ceasefire",
]  # fmt: skip
CAMEO = {
    "asylum_granted": "075", "ambassador_recalled": "161", "diplomat_expelled": "161",
    "relations_downgraded": "161", "embassy_closed": "161", "embassy_ordered_closed": "161",
    "consular_relations_severed": "161", "relations_severed": "161", "sanctions_imposed": "163",
    "break_threatened": "1313", "protest_note": "114", "envoy_summoned": "110",
    "statement": "111", "agreement_signed": "057", "visit": "042", "relations_restored": "050",
    "relations_established": "054", "armed_clash": "190", "ceasefire": "0871",
    "relations_reduced": "160", "safe_conduct_denied": None, "ambassador_returned": None,
    "relations_normalized": None, "legislature_declaration": None, "treaty_suspended": None,
    "no_relations": None, "protecting_power_appointed": None,
}  # fmt: skip


def ev(kind: str, actor: str = "DZA", target: str = "MLI", via: str | None = None) -> EventDraft:
    return EventDraft(kind, actor, target, date(2025, 4, 6), via=via)


def state_after(*events: EventDraft) -> tuple[str, str, str, str]:
    folded = fold(default_machine(), events)
    assert all(step.valid for step in folded.steps), [s.valid for s in folded.steps]
    first, second = folded.missions  # DZA in MLI, MLI in DZA
    return folded.status, folded.stage, first.level, second.level


def test_the_rule_file_defines_exactly_the_documented_types_and_cameo_codes() -> None:
    rules = default_rules()
    assert {name: t.cameo for name, t in rules.event_types.items()} == CAMEO
    assert all(t.description for t in rules.event_types.values())
    assert rules.states == ("normal", "strained", "severed")
    assert rules.stages_of("strained") == (
        "friction", "ambassador_withdrawn", "downgraded", "embassy_closed",
    )  # fmt: skip
    assert rules.stages_of("severed") == ("broken", "never_established")
    assert rules.stages_of("normal") == ("normal",)


@pytest.mark.parametrize("kind", ESCALATE)
def test_every_escalation_from_normal_strains_with_the_stage_of_its_missions(kind: str) -> None:
    actor, target = MISSION_EFFECTS.get(kind, (None, None))
    levels = (actor or A, target or A)
    stage = {
        "withdrawn": "ambassador_withdrawn", "charge": "downgraded", "closed": "embassy_closed",
    }.get(max(levels, key=LEVELS.index), "friction")  # fmt: skip
    assert state_after(ev(kind)) == ("strained", stage, *levels)


@pytest.mark.parametrize("kind", NONE)
def test_types_without_effect_change_nothing_anywhere(kind: str) -> None:
    assert state_after(ev(kind)) == ("normal", "normal", A, A)
    assert state_after(ev("embassy_closed"), ev(kind)) == (
        "strained", "embassy_closed", "closed", A,
    )  # fmt: skip
    assert state_after(ev("relations_severed"), ev(kind))[:2] == ("severed", "broken")
    assert state_after(ev("no_relations"), ev(kind))[:2] == ("severed", "never_established")


def test_the_stage_is_the_most_serious_mission_level() -> None:
    assert state_after(ev("ambassador_recalled"), ev("relations_downgraded"))[1] == "downgraded"
    assert state_after(ev("relations_downgraded"), ev("embassy_ordered_closed")) == (
        "strained", "embassy_closed", "charge", "closed",
    )  # fmt: skip


def test_an_escalation_never_makes_a_mission_less_serious() -> None:
    assert state_after(ev("embassy_closed"), ev("ambassador_recalled"))[2] == "closed"
    assert state_after(ev("embassy_closed"), ev("relations_downgraded"))[2:] == (
        "closed", "charge",
    )  # fmt: skip
    assert state_after(ev("no_relations"), ev("ambassador_recalled"))[2:] == (N, N)


def test_a_one_sided_return_improves_the_stage_but_keeps_the_pair_strained() -> None:
    recalls = (ev("ambassador_recalled"), ev("ambassador_recalled", "MLI", "DZA"))
    assert state_after(*recalls, ev("ambassador_returned")) == (
        "strained", "ambassador_withdrawn", A, "withdrawn",
    )  # fmt: skip
    both_back = (ev("ambassador_returned"), ev("ambassador_returned", "MLI", "DZA"))
    assert state_after(*recalls, *both_back)[:2] == ("normal", "normal")
    # a return to a closed embassy reopens it; the other side's closure keeps the strain
    closures = (ev("embassy_closed"), ev("embassy_closed", "MLI", "DZA"))
    assert state_after(*closures, ev("ambassador_returned")) == (
        "strained", "embassy_closed", A, "closed",
    )  # fmt: skip
    assert state_after(*closures, ev("relations_normalized")) == ("normal", "normal", A, A)


def test_returning_when_nothing_was_withdrawn_is_invalid() -> None:
    folded = fold(default_machine(), [ev("asylum_granted"), ev("ambassador_returned")])
    assert [step.valid for step in folded.steps] == [True, False]
    folded = fold(default_machine(), [ev("ambassador_returned")])
    assert not folded.steps[0].valid


def test_severing_restoring_establishing() -> None:
    assert state_after(ev("relations_downgraded"), ev("relations_severed")) == (
        "severed", "broken", "closed", "closed",
    )  # fmt: skip
    restored = fold(default_machine(), [ev("relations_severed"), ev("relations_restored")])
    assert (restored.status, restored.stage) == ("normal", "normal")
    assert all(m.consular for m in restored.missions)
    never = fold(default_machine(), [ev("no_relations")])
    assert (never.status, never.stage) == ("severed", "never_established")
    assert [m.consular for m in never.missions] == [False, False]
    machine = default_machine()
    assert not fold(machine, [ev("no_relations"), ev("relations_restored")]).steps[1].valid
    assert not fold(machine, [ev("relations_severed"), ev("relations_established")]).steps[1].valid
    assert not fold(machine, [ev("relations_established")]).steps[0].valid
    assert not fold(machine, [ev("no_relations"), ev("relations_severed")]).steps[1].valid


def test_no_relations_only_as_the_first_event() -> None:
    folded = fold(default_machine(), [ev("statement"), ev("no_relations")])
    assert [step.valid for step in folded.steps] == [True, False]


def test_a_protecting_power_needs_a_closed_mission_and_goes_with_a_return() -> None:
    machine = default_machine()
    folded = fold(machine, [ev("relations_severed"), ev("protecting_power_appointed", via="CHE")])
    assert folded.missions[0].protecting_power == "CHE"
    assert folded.missions[1].protecting_power is None
    refused = fold(machine, [ev("asylum_granted"), ev("protecting_power_appointed", via="CHE")])
    assert not refused.steps[1].valid
    assert not fold(machine, [ev("protecting_power_appointed", via="CHE")]).steps[0].valid
    back = fold(machine, [
        ev("embassy_closed"), ev("protecting_power_appointed", via="CHE"),
        ev("ambassador_returned"),
    ])  # fmt: skip
    assert back.missions[0].protecting_power is None


def test_consular_relations_end_only_when_severed_as_such() -> None:
    folded = fold(default_machine(), [ev("relations_severed")])
    assert [m.consular for m in folded.missions] == [True, True]
    folded = fold(default_machine(), [ev("relations_severed"), ev("consular_relations_severed")])
    assert [m.consular for m in folded.missions] == [False, False]


def _every_node(machine: RelationMachine) -> list[tuple[str, str, str, bool]]:
    """Every place of the machine with every combination of mission levels, reachable
    or not."""
    rules = machine.rules
    places = [
        status if stage == status else f"{status}{SEPARATOR}{stage}"
        for status in rules.states
        for stage in rules.stages_of(status)
    ]
    return [
        (place, first, second, fresh)
        for place, first, second, fresh in product(
            places, rules.levels, rules.levels, (True, False)
        )
    ]


def _table_equals_machine(machine: RelationMachine) -> None:
    kernel = machine.kernel
    for place, first, second, fresh in _every_node(machine):
        node = kernel.node_code.get((place, first, second, fresh))
        for kind in machine.rules.event_types:
            for actor_first in (True, False):
                actor, target = (first, second) if actor_first else (second, first)
                fired = machine.fire(place, actor, target, fresh, kind)
                if node is None:
                    continue  # not reachable from the initial node: the fold is never there
                after = kernel.next_node(node, kernel.type_code[kind], actor_first)
                if fired is None:
                    assert after < 0, (place, first, second, fresh, kind, actor_first)
                    continue
                new_place, new_actor, new_target = fired
                levels = (new_actor, new_target) if actor_first else (new_target, new_actor)
                assert after >= 0, (place, first, second, fresh, kind, actor_first)
                found = kernel.nodes[after]
                assert (found.place, found.first_level, found.second_level, found.first) == (
                    new_place, *levels, False,
                ), (place, first, second, fresh, kind, actor_first)  # fmt: skip


def test_lookup_table_equals_the_machine_over_every_state_stage_mission_and_type() -> None:
    machine = default_machine()
    _table_equals_machine(machine)
    assert len(machine.kernel.nodes) >= 20


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rules_files())
def test_lookup_table_equals_the_machine_under_random_rules(raw: dict[str, object]) -> None:
    _table_equals_machine(RelationMachine(rules_from(raw)))


def test_the_table_holds_every_node_reachable_from_the_initial_one() -> None:
    """The kernel is closed: every move from a node it holds leads to a node it holds."""
    kernel = default_machine().kernel
    for code in range(len(kernel.nodes)):
        for kind in range(len(kernel.type_names)):
            for actor_first in (True, False):
                assert kernel.next_node(code, kind, actor_first) < len(kernel.nodes)


def test_one_machine_shared_by_all_pairs_with_no_models() -> None:
    machine = default_machine()
    assert machine is default_machine()
    assert machine.machine.models == [], "pairs must never be added as models"
    for n in range(50):
        fold(machine, [EventDraft("relations_severed", "PER", "MEX", date(2020, 1, 1 + n % 28))])
    assert machine.machine.models == []


def test_allowed_types_from_severed() -> None:
    kernel = default_machine().kernel
    [broken] = [c for c, n in enumerate(kernel.nodes) if n.stage == "broken" and not n.first]
    allowed = kernel.allowed_types(broken)
    assert "relations_restored" in allowed
    assert "relations_severed" not in allowed
    assert "relations_established" not in allowed
    assert "relations_normalized" not in allowed


def test_mermaid_diagram_draws_the_nested_states() -> None:
    text = default_machine().mermaid()
    assert "stateDiagram-v2" in text
    for edge in (
        "normal --> strained.friction: escalate",
        "normal --> severed.broken: sever",
        "strained.downgraded --> normal: normalize",
        "severed.broken --> normal: restore",
        "severed.never_established --> normal: establish",
    ):
        assert edge in text


def test_a_machine_can_be_built_from_rules_without_stages_or_missions() -> None:
    """The format before stages still loads: each status its own single stage."""
    rules = parse_rules(
        {
            "states": ["calm", "tense"],
            "effects": {"worsen": {"calm": "tense"}, "ease": {"tense": "calm"}},
            "event_types": {"spat": {"effect": "worsen"}, "summit": {"effect": "ease"}},
        }
    )
    machine = RelationMachine(rules)
    folded = fold(machine, [EventDraft("spat", "PER", "MEX", date(2020, 1, 1))])
    assert (folded.status, folded.stage) == ("tense", "tense")
    again = fold(machine, [EventDraft("spat", "PER", "MEX", date(2020, 1, 1))] * 2)
    assert [step.valid for step in again.steps] == [True, False]
