"""The JSON shapes printed by ``--json``: the stable contract for scripts.

Plain dicts built from domain values; the CLI prints them, reports reuse them.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from relations.domain.events import Event
from relations.domain.fold import Step
from relations.domain.rules import EventType
from relations.services.queries import PairStatus
from relations.services.recording import Recorded
from relations.store.rows import StoredStatus


def event(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "event_type": e.event_type,
        "actor": e.actor,
        "target": e.target,
        "occurred_on": e.occurred_on.isoformat(),
        "summary": e.summary,
        "source": e.source,
        "external_id": e.external_id,
        "recorded_at": e.recorded_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }


def step(s: Step[Event]) -> dict[str, Any]:
    return {
        **event(s.event),
        "status_before": s.before,
        "status_after": s.after,
        "valid": s.valid,
    }


def recorded(r: Recorded) -> dict[str, Any]:
    return {
        "id": r.event_id,
        "pair": r.pair.as_list(),
        "event_type": r.event_type,
        "status_before": r.status_before,
        "status_after": r.status_after,
        "created": r.created,
    }


def status(s: PairStatus) -> dict[str, Any]:
    return {
        "pair": s.pair.as_list(),
        "status": s.status,
        "since": s.since.isoformat() if s.since else None,
        "as_of": s.as_of.isoformat(),
        "cause": event(s.cause) if s.cause else None,
        "events": s.events,
    }


def stored_status(s: StoredStatus) -> dict[str, Any]:
    return {
        "pair": s.pair.as_list(),
        "status": s.status,
        "since": s.since.isoformat() if s.since else None,
        "events": s.event_count,
        "cause_id": s.cause_event_id,
    }


def event_type(t: EventType) -> dict[str, Any]:
    return {
        "type": t.name,
        "effect": t.effect,
        "description": t.description,
        "cameo": t.cameo,
    }
