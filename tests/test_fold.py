"""The fold: status, since and cause from an ordered list of events."""

from __future__ import annotations

from datetime import date

from relations.domain.events import EventDraft
from relations.domain.fold import fold
from relations.domain.machine import default_machine


def ev(kind: str, day: str) -> EventDraft:
    return EventDraft(kind, "PER", "MEX", date.fromisoformat(day))


def test_no_events_is_normal_and_never_out_of_it() -> None:
    folded = fold(default_machine(), [])
    assert (folded.status, folded.since, folded.cause) == ("normal", None, None)


def test_since_is_the_event_that_changed_the_status_not_later_ones() -> None:
    events = [
        ev("ambassador_recalled", "2022-12-15"),
        ev("diplomat_expelled", "2022-12-20"),
        ev("statement", "2023-01-01"),
    ]
    folded = fold(default_machine(), events)
    assert folded.status == "strained"
    assert folded.since == date(2022, 12, 15)
    assert folded.cause is events[0]
    assert [(s.before, s.after) for s in folded.steps] == [
        ("normal", "strained"),
        ("strained", "strained"),
        ("strained", "strained"),
    ]


def test_back_to_normal_has_a_since() -> None:
    events = [ev("relations_severed", "2019-02-23"), ev("relations_restored", "2022-08-28")]
    folded = fold(default_machine(), events)
    assert (folded.status, folded.since) == ("normal", date(2022, 8, 28))


def test_an_invalid_event_is_marked_and_changes_nothing() -> None:
    events = [ev("relations_restored", "2020-01-01"), ev("relations_severed", "2020-02-01")]
    folded = fold(default_machine(), events)
    assert [s.valid for s in folded.steps] == [False, True]
    assert folded.status == "severed"
    assert folded.invalid[0].event is events[0]


def test_an_event_type_the_rules_do_not_know_is_invalid_not_a_crash() -> None:
    folded = fold(default_machine(), [ev("no_such_type", "2020-01-01")])
    assert folded.status == "normal"
    assert not folded.steps[0].valid
