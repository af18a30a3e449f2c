"""The JSON shapes printed by ``--json``: the stable contract for scripts.

Plain dicts built from domain values; the CLI prints them, the web API returns them,
reports reuse them: one source for every JSON shape.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relations.domain.events import Event, Pair
    from relations.domain.rules import EventType
    from relations.domain.state import Mission
    from relations.services.corrections import Corrected, Retracted
    from relations.services.importing import ImportResult
    from relations.services.queries import HistoryItem, PairState, PairStatus
    from relations.services.recording import Recorded
    from relations.services.review import Decided
    from relations.services.schedules import ScheduleView
    from relations.store.report_registry import ReportEntry
    from relations.store.rows import Write


def event(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "event_type": e.event_type,
        "actor": e.actor,
        "target": e.target,
        "occurred_on": e.occurred_on.isoformat(),
        "summary": e.summary or None,  # a value not given is null, everywhere
        "source": e.source or None,
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


def retracted(done: Retracted) -> dict[str, Any]:
    return {
        "retracted": [event(e) for e in [done.event, *done.cascaded]],
        "pair": done.event.pair.as_list(),
        "status_before": done.status_before,
        "status_after": done.status_after,
    }


def corrected(done: Corrected) -> dict[str, Any]:
    return {
        "retracted": done.old.id,
        "recorded": done.new_id,
        "pairs": [
            {"pair": pair.as_list(), "status_before": before, "status_after": after}
            for pair, (before, after) in done.statuses.items()
        ],
    }


def review_queue(events: list[Event]) -> list[dict[str, Any]]:
    """The pending events grouped by pair, in the queue's order."""
    groups: dict[Pair, list[Event]] = {}
    for e in events:
        groups.setdefault(e.pair, []).append(e)
    return [
        {"pair": p.as_list(), "events": [event(e) for e in found]} for p, found in groups.items()
    ]


def decision(d: Decided) -> dict[str, Any]:
    return {
        "id": d.event.id,
        "pair": d.event.pair.as_list(),
        "decision": d.decision,
        "event_type": d.as_type or d.event.event_type,
        "coded_type": d.event.event_type,
        "status_before": d.status_before,
        "status_after": d.status_after,
    }


def import_summary(result: ImportResult) -> dict[str, Any]:
    return {
        "file": result.source,
        "format": result.format,
        "rows": result.rows,
        "created": result.created,
        "already_recorded": result.already_recorded,
        "collapsed": result.collapsed,
        "skipped": dict(sorted(result.skipped.items())),
        "rejected": dict(sorted(result.rejected.items())),
        "invalid": result.invalid,
        "invalidated": result.invalidated,
        "pending": result.pending,
        "pairs": len(result.pairs),
    }


def report_entry(e: ReportEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "schedule": e.schedule,
        "period": {"from": moment(e.period_start), "to": moment(e.period_end)},
        "format": e.format,
        "countries": e.countries,
        "path": e.path,
        "generated_at": moment(e.generated_at),
        "checksum": e.checksum,
        "status": "written" if e.written else "failed",
        "error": e.error,
    }


def schedule(v: ScheduleView) -> dict[str, Any]:
    return {
        "name": v.schedule.name,
        "trigger": v.schedule.kind,
        "expression": v.schedule.expression,
        "timezone": v.schedule.timezone,
        "format": v.schedule.format,
        "output_dir": v.schedule.output_dir,
        "countries": v.schedule.countries,
        "created_at": moment(v.schedule.started),
        "next_run": moment(v.next_run) if v.next_run else None,
        "last_period_end": moment(v.last_period_end) if v.last_period_end else None,
    }
