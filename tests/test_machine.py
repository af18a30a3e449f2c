"""The rule table, cell by cell, and the one transitions Machine behind it."""

from __future__ import annotations

import pytest

from relations.domain.fold import fold
from relations.domain.machine import RelationMachine, default_machine
from relations.domain.rules import default_rules

# The table, written out independently of rules.toml: (effect, from) -> to.
EXPECTED = {
    "escalate": {"normal": "strained", "strained": "strained", "severed": "severed"},
    "sever": {"normal": "severed", "strained": "severed", "severed": None},
    "restore": {"normal": None, "strained": None, "severed": "normal"},
    "normalize": {"normal": None, "strained": "normal", "severed": None},
    "none": {"normal": "normal", "strained": "strained", "severed": "severed"},
}
TYPES = {
    "escalate": [
        "asylum_granted", "ambassador_recalled", "diplomat_expelled", "relations_downgraded",
        "embassy_closed", "sanctions_imposed", "relations_reduced", "safe_conduct_denied",
    ],
    "sever": ["relations_severed"],
    "restore": ["relations_restored"],
    "normalize": ["ambassador_returned", "relations_normalized"],
    "none": [
        "statement", "protest_note", "envoy_summoned", "break_threatened",
        "legislature_declaration", "agreement_signed", "visit",
    ],
}  # fmt: skip
CAMEO = {
    "asylum_granted": "075", "ambassador_recalled": "161", "diplomat_expelled": "161",
    "relations_downgraded": "161", "embassy_closed": "161", "relations_severed": "161",
    "sanctions_imposed": "163", "break_threatened": "1313", "protest_note": "114",
    "envoy_summoned": "110", "statement": "111", "agreement_signed": "057", "visit": "042",
    "relations_restored": "050", "safe_conduct_denied": None, "ambassador_returned": None,
    "relations_normalized": None, "legislature_declaration": None, "relations_reduced": "160",
}  # fmt: skip
CELLS = [
    (status, kind, EXPECTED[effect][status])
    for effect, kinds in TYPES.items()
    for kind in kinds
    for status in ("normal", "strained", "severed")
]


@pytest.mark.parametrize(("status", "event_type", "expected"), CELLS)
def test_every_cell_of_the_rule_table(status: str, event_type: str, expected: str | None) -> None:
    machine = default_machine()
    assert machine.next_status(status, event_type) == expected
    effect = machine.rules.event_types[event_type].effect
    assert machine.fire(status, effect) == expected, "the transitions Machine itself agrees"


def test_the_rule_file_defines_exactly_the_documented_types_and_cameo_codes() -> None:
    rules = default_rules()
    assert set(rules.event_types) == {t for kinds in TYPES.values() for t in kinds}
    assert {name: t.cameo for name, t in rules.event_types.items()} == CAMEO
    assert all(t.description for t in rules.event_types.values())
    assert rules.states == ("normal", "strained", "severed")


def test_lookup_table_equals_the_machine_for_every_state_and_effect() -> None:
    machine = default_machine()
    for status in machine.rules.states:
        for effect in machine.rules.effects:
            assert machine.table.get((status, effect)) == machine.fire(status, effect)


def test_one_machine_shared_by_all_pairs_with_no_models() -> None:
    machine = default_machine()
    assert machine is default_machine()
    assert machine.machine.models == [], "pairs must never be added as models"
    # folding many pairs does not add models either
    from datetime import date

    from relations.domain.events import EventDraft

    for n in range(50):
        fold(machine, [EventDraft("relations_severed", "PER", "MEX", date(2020, 1, 1 + n % 28))])
    assert machine.machine.models == []


def test_allowed_types_from_severed() -> None:
    allowed = default_machine().allowed_types("severed")
    assert "relations_restored" in allowed
    assert "relations_severed" not in allowed
    assert "relations_normalized" not in allowed


def test_mermaid_diagram_draws_every_status_change() -> None:
    text = default_machine().mermaid()
    assert "stateDiagram-v2" in text
    for edge in (
        "normal --> strained: escalate",
        "normal --> severed: sever",
        "strained --> severed: sever",
        "strained --> normal: normalize",
        "severed --> normal: restore",
    ):
        assert edge in text


def test_a_machine_can_be_built_from_other_rules() -> None:
    from relations.domain.rules import parse_rules

    rules = parse_rules(
        {
            "states": ["calm", "tense"],
            "effects": {"worsen": {"calm": "tense"}, "ease": {"tense": "calm"}},
            "event_types": {"spat": {"effect": "worsen"}, "summit": {"effect": "ease"}},
        }
    )
    machine = RelationMachine(rules)
    assert machine.next_status("calm", "spat") == "tense"
    assert machine.next_status("tense", "spat") is None
