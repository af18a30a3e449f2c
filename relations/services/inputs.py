"""Turning what a user typed into domain values, with helpful errors."""

from __future__ import annotations

import difflib
import getpass
from collections.abc import Sequence
from datetime import datetime

from relations.domain.countries import resolve
from relations.domain.errors import InvalidInput
from relations.domain.events import MAX_AUTHOR, Pair, check_text
from relations.domain.machine import RelationMachine


def country(text: str) -> str:
    return resolve(text).alpha_3


def pair(a: str, b: str) -> Pair:
    return Pair.of(country(a), country(b))


def event_type(machine: RelationMachine, name: str) -> str:
    known = machine.rules.event_types
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


def status(machine: RelationMachine, name: str) -> str:
    if name not in machine.rules.states:
        states = ", ".join(machine.rules.states)
        raise InvalidInput(f"unknown status {name!r}; use one of {states}")
    return name


def distinct(codes: Sequence[str], what: str) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code in seen:
            raise InvalidInput(f"{what} {code} is given twice")
        seen.append(code)
    return seen


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
