"""The JSON shapes printed by ``--json``: the stable contract for scripts.

Plain dicts built from domain values; the CLI prints them, reports reuse them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from relations.domain.events import Event
from relations.domain.rules import EventType
from relations.services.queries import HistoryItem, PairState, PairStatus
from relations.services.recording import Recorded
from relations.store.rows import Write


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
        "recorded_at": moment(e.recorded_at),
        "supersedes": e.supersedes,
        "feed": (
            {
                "source_rows": e.feed.source_rows,
                "source_score": e.feed.source_score,
                "source_event_id": e.feed.source_event_id,
            }
            if e.feed
            else None
        ),
    }


def moment(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def history_item(item: HistoryItem) -> dict[str, Any]:
    withdrawn = item.entry.retraction
    return {
        **event(item.event),
        "status_before": item.step.before if item.step else None,
        "status_after": item.step.after if item.step else None,
        "effect": item.effect,
        "retracted": (
            {"at": moment(withdrawn.at), "by": withdrawn.by, "reason": withdrawn.reason}
            if withdrawn
            else None
        ),
        "superseded_by": item.entry.superseded_by,
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
        "known_at": moment(s.known_at) if s.known_at else None,
        "cause": event(s.cause) if s.cause else None,
        "events": s.events,
    }


def pair_state(s: PairState) -> dict[str, Any]:
    return {
        "pair": s.pair.as_list(),
        "status": s.status,
        "since": s.since.isoformat() if s.since else None,
        "events": s.events,
        "cause_id": s.cause_id,
    }


def event_type(t: EventType) -> dict[str, Any]:
    return {
        "type": t.name,
        "effect": t.effect,
        "description": t.description,
        "cameo": t.cameo,
    }


def write(w: Write) -> dict[str, Any]:
    return {
        "id": w.id,
        "at": moment(w.at),
        "by": w.by,
        "action": w.action,
        "description": w.description,
        "details": w.details,
        "events": w.events,
        "event_ids": w.event_ids,
        "retracted": w.retracted,
    }
