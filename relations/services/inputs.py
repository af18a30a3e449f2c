"""Turning what a user typed into domain values, with helpful errors."""

from __future__ import annotations

import difflib
import getpass
from collections.abc import Sequence
from datetime import datetime

from relations.domain.countries import resolve
from relations.domain.errors import InvalidInput
from relations.domain.events import MAX_AUTHOR, Pair, check_text
from relations.domain.rules import Rules


def country(text: str) -> str:
    return resolve(text).alpha_3


def pair(a: str, b: str) -> Pair:
    return Pair.of(country(a), country(b))


def event_type(rules: Rules, name: str) -> str:
    known = rules.event_types
    if name in known:
        return name
    normalized = name.strip().lower().replace("-", "_").replace(" ", "_")
    if normalized in known:
        return normalized
    close = difflib.get_close_matches(normalized, list(known), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise InvalidInput(
        f"unknown event type {name!r}; {hint}(see `relations event-types` for all "
        f"{len(known)} types)"
    )


def via(rules: Rules, event_type: str, actor: str, target: str, text: str | None) -> str | None:
    """The third country of an event (--via): required by the types that name one
    (protecting_power_appointed), refused for every other type."""
    takes = rules.event_types[event_type].takes_via
    if text is None:
        if takes:
            raise InvalidInput(
                f"{event_type} needs --via COUNTRY: the third country that represents "
                f"{actor}'s interests in {target}"
            )
        return None
    if not takes:
        named = [t.name for t in rules.event_types.values() if t.takes_via]
        raise InvalidInput(
            f"--via applies only to {', '.join(named) or 'no event type'}, not to {event_type}"
        )
    code = country(text)
    if code in (actor, target):
        raise InvalidInput(
            f"--via must be a third country, not {code}: it represents {actor} in {target}"
        )
    return code


def status(rules: Rules, name: str) -> str:
    if name not in rules.states:
        states = ", ".join(rules.states)
        raise InvalidInput(f"unknown status {name!r}; use one of {states}")
    return name


def stage(rules: Rules, name: str) -> str:
    stages = rules.all_stages
    if name not in stages:
        close = difflib.get_close_matches(name, stages, n=2, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise InvalidInput(f"unknown stage {name!r}; {hint}use one of {', '.join(stages)}")
    return name


def distinct(codes: Sequence[str], what: str) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code in seen:
            raise InvalidInput(f"{what} {code} is given twice")
        seen.append(code)
    return seen


MAX_ID = 2**31 - 1  # the id columns' range on PostgreSQL


def event_id(value: int) -> int:
    """An event id as the log can hold one (a larger number is no id: it is malformed,
    not merely unknown)."""
    if not 1 <= value <= MAX_ID:
        raise InvalidInput(f"event id {value} is not between 1 and {MAX_ID}")
    return value


def author(by: str | None) -> str:
    """Who makes a write: ``--by``, or the operating-system user."""
    if by is None:
        try:
            by = getpass.getuser()
        except (OSError, KeyError):  # no login name and no passwd entry (containers)
            by = "unknown"
    by = check_text("--by", by.strip(), MAX_AUTHOR)
    if not by:
        raise InvalidInput("--by must name someone")
    return by


def note(what: str, text: str) -> str:
    """Optional text (e.g. a confirmation's --reason): stored as given, checked."""
    return check_text(what, text.strip())


def reason(text: str) -> str:
    text = check_text("--reason", text.strip())
    if not text:
        raise InvalidInput("--reason must say why (it is kept in the audit trail)")
    return text


def known_at(moment: datetime | None, now: datetime) -> datetime | None:
    """A ``--known-at`` moment: the database cannot have known anything in the future."""
    if moment is not None and moment > now:
        raise InvalidInput(
            f"--known-at {moment.isoformat()} is in the future (now is {now.isoformat()}); "
            "give a past moment"
        )
    return moment
