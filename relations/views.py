"""The JSON shapes printed by ``--json``: the stable contract for scripts.

Plain dicts built from domain values; the CLI prints them, reports reuse them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relations.domain.events import Event, Pair
    from relations.domain.rules import EventType
    from relations.domain.state import Mission
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
        "via": e.via,
        "review": e.review,
        "coded_type": e.coded_type,
        "feed": (
            {
                "source_rows": e.feed.source_rows,
                "source_score": e.feed.source_score,
                "source_event_id": e.feed.source_event_id,
                "articles": e.feed.articles,
                "sources": e.feed.sources,
            }
            if e.feed
            else None
        ),
    }


@lru_cache(maxsize=4096)  # an import stamps all its events alike: big reports repeat them
def moment(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def history_item(item: HistoryItem) -> dict[str, Any]:
    withdrawn = item.entry.retraction
    return {
        **event(item.event),
        "status_before": item.step.before if item.step else None,
        "status_after": item.step.after if item.step else None,
        "stage_before": item.step.state_before.stage if item.step else None,
        "stage_after": item.step.state_after.stage if item.step else None,
        "effect": item.effect,
        "retracted": (
            {"at": moment(withdrawn.at), "by": withdrawn.by, "reason": withdrawn.reason}
            if withdrawn
            else None
        ),
        "superseded_by": item.entry.superseded_by,
        "reviewed": (
            {
                "decision": decided.decision,
                "at": moment(decided.at),
                "by": decided.by,
                "reason": decided.reason,
                "as_type": decided.event_type,
            }
            if (decided := item.entry.review)
            else None
        ),
    }


def recorded(r: Recorded) -> dict[str, Any]:
    return {
        "id": r.event_id,
        "pair": r.pair.as_list(),
        "event_type": r.event_type,
        "status_before": r.status_before,
        "status_after": r.status_after,
        "stage_before": r.stage_before,
        "stage_after": r.stage_after,
        "created": r.created,
    }


def status(s: PairStatus) -> dict[str, Any]:
    return {
        "pair": s.pair.as_list(),
        "status": s.status,
        "since": s.since.isoformat() if s.since else None,
        "stage": s.stage,
        "stage_since": s.stage_since.isoformat() if s.stage_since else None,
        "missions": missions(s.pair, s.missions),
        "as_of": s.as_of.isoformat(),
        "known_at": moment(s.known_at) if s.known_at else None,
        "cause": event(s.cause) if s.cause else None,
        "events": s.events,
        "pending": {
            "count": s.pending,
            "latest": s.pending_latest.isoformat() if s.pending_latest else None,
        },
    }


def missions(pair: Pair, found: tuple[Mission[date], Mission[date]]) -> list[dict[str, Any]]:
    """The two missions, the first country's (alphabetically) first."""
    senders = ((pair.first, pair.second), (pair.second, pair.first))
    return [
        {
            "sender": sender,
            "host": host,
            "level": mission.level,
            "since": mission.since.isoformat() if mission.since else None,
            "protecting_power": mission.protecting_power,
            "consular": mission.consular,
        }
        for (sender, host), mission in zip(senders, found, strict=True)
    ]


def pair_state(s: PairState) -> dict[str, Any]:
    return {
        "pair": s.pair.as_list(),
        "status": s.status,
        "since": s.since.isoformat() if s.since else None,
        "stage": s.stage,
        "stage_since": s.stage_since.isoformat() if s.stage_since else None,
        "events": s.events,
        "cause_id": s.cause_id,
        "pending": s.pending,
        "pending_latest": s.pending_latest.isoformat() if s.pending_latest else None,
    }


def event_type(t: EventType) -> dict[str, Any]:
    effects = t.missions
    return {
        "type": t.name,
        "effect": t.effect,
        "description": t.description,
        "cameo": t.cameo,
        "missions": {
            "actor": effects.actor,
            "target": effects.target,
            "consular": effects.consular,
            "protecting_power": "via" if effects.protecting_power else None,
        },
        "requires": list(t.requires),
        "via": t.takes_via,
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
        "reviewed": w.reviewed,
    }
