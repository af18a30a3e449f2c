"""The JSON API under /api/v1: the same services as the CLI, the same shapes as its
--json (relations/views.py), the same one-line messages as problem details."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from relations import views
from relations.application import App
from relations.domain.dates import parse_date, parse_timestamp
from relations.domain.errors import InvalidInput
from relations.services.tokens import Principal
from relations.web.auth import api_role, relations_app
from relations.web.schemas import (
    JSON,
    CorrectIn,
    DecideIn,
    EventOut,
    HistoryItemOut,
    PairStateOut,
    Problem,
    RecordedOut,
    RecordIn,
    ReportIn,
    RetractIn,
    ScheduleIn,
    StatusOut,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 403, 409)
}
MEDIA = {"markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
         "json": "application/json", "csv": "text/csv; charset=utf-8"}  # fmt: skip
MAX_UPLOAD = 1 << 30  # bytes: an import file larger than this is refused (413)

router = APIRouter(prefix="/api/v1", responses=ERRORS)
Reader = Annotated[Principal, Depends(api_role("reader"))]
Recorder = Annotated[Principal, Depends(api_role("recorder"))]
Admin = Annotated[Principal, Depends(api_role("admin"))]
Relations = Annotated[App, Depends(relations_app)]
Countries = Annotated[list[str], Query(alias="country")]
EventPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
ReportPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
Types = Annotated[list[str], Query(alias="type")]


def documented(model: Any) -> dict[str, Any]:
    """The 200 response's schema for OpenAPI, without validating each response against
    it on the way out (the views build them; the schema test checks they conform)."""
    return {"responses": {200: {"model": model}}, "response_class": JSONResponse}


def day(value: str | None, name: str) -> date | None:
    return parse_date(value, what=name) if value is not None else None


def moment(value: str | None, name: str) -> datetime | None:
    return parse_timestamp(value, what=name) if value is not None else None


@router.get("/health", tags=["service"], responses={})
def health() -> JSON:
    """Always `{"status": "ok"}`: for load balancers (no database, no token)."""
    return {"status": "ok"}


@router.get("/pairs/{a}/{b}", tags=["read"], **documented(StatusOut))
def status(
    a: str, b: str, app: Relations, _: Reader, as_of: str | None = None,
    known_at: str | None = None,
) -> JSONResponse:  # fmt: skip
    """The status of relations between two countries (as `relations status --json`)."""
    from relations.services.queries import status as pair_status

    found = pair_status(app, a, b, day(as_of, "as_of"), moment(known_at, "known_at"))
    return JSONResponse(views.status(found))


@router.get("/pairs/{a}/{b}/history", tags=["read"], **documented(list[HistoryItemOut]))
def history(
    a: str, b: str, app: Relations, _: Reader, as_of: str | None = None,
    known_at: str | None = None,
) -> JSONResponse:  # fmt: skip
    """Every event of the pair with its effect (as `relations history --json`)."""
    from relations.services.queries import history as pair_history

    items = pair_history(app, a, b, day(as_of, "as_of"), moment(known_at, "known_at"))
    return JSONResponse([views.history_item(item) for item in items])


@router.get("/pairs", tags=["read"], **documented(list[PairStateOut]))
def pairs(
    app: Relations, _: Reader, status: str | None = None, stage: str | None = None,
    as_of: str | None = None, known_at: str | None = None, pending: bool = False,
) -> JSONResponse:  # fmt: skip
    """Every pair with events (as `relations pairs --json`)."""
    from relations.services import queries

    if pending:
        return JSONResponse([views.pair_state(s) for s in queries.waiting_pairs(app)])
    found = queries.pairs(app, status, day(as_of, "as_of"), moment(known_at, "known_at"), stage)
    return JSONResponse([views.pair_state(s) for s in found])


@router.get("/events", tags=["read"], **documented(list[EventOut]))
def events(
    app: Relations, _: Reader, country: Countries = [], type: Types = [],  # noqa: B006
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None, known_at: str | None = None,
) -> JSONResponse:  # fmt: skip
    """The events that count, filtered (as `relations events --json`)."""
    from relations.services.queries import events as find

    found = find(app, countries=country, types=type, start=day(start, "from"),
                 end=day(end, "to"), known_at=moment(known_at, "known_at"))  # fmt: skip
    return JSONResponse([views.event(e) for e in found])


@router.post("/events", tags=["write"], status_code=201, response_model=list[RecordedOut])
def record(body: RecordIn, app: Relations, who: Recorder) -> list[JSON]:
    """Record an event by `actor` towards each of `targets`, all or none (as `relations
    record --json`)."""
    from relations.services.recording import record as record_events

    occurred_on = parse_date(body.occurred_on, what="occurred_on")
    done = record_events(
        app, body.event_type, body.actor, body.targets, occurred_on, summary=body.summary,
        source=body.source, external_id=body.external_id, by=who.name, via=body.via,
        allow_duplicate=body.allow_duplicate,
    )  # fmt: skip
    return [views.recorded(r) for r in done]


@router.post("/events/{event_id}/retract", tags=["write"])
def retract(event_id: EventPath, body: RetractIn, app: Relations, who: Recorder) -> JSON:
    """Retract an event: it stays in the log and stops counting."""
    from relations.services.corrections import retract as retract_event

    return views.retracted(
        retract_event(app, event_id, body.reason, by=who.name, cascade=body.cascade)
    )


@router.post("/events/{event_id}/correct", tags=["write"])
def correct(event_id: EventPath, body: CorrectIn, app: Relations, who: Recorder) -> JSON:
    """Correct an event: retract it and record the corrected one, in one write."""
    from relations.services.corrections import correct as correct_event

    done = correct_event(
        app, event_id, body.reason, by=who.name,
        occurred_on=day(body.occurred_on, "occurred_on"), event_type=body.event_type,
        actor=body.actor, target=body.target, summary=body.summary, source=body.source,
        via=body.via,
    )  # fmt: skip
    return views.corrected(done)


@router.post("/imports", tags=["write"])
def import_(
    file: UploadFile, app: Relations, who: Recorder, format: str | None = None,
    review: str = "default", min_rows: int = 0, auto_confirm: int = 0,
    lenient: bool = False,
) -> JSON:  # fmt: skip
    """Import an uploaded file (our CSV or JSON Lines, or a GDELT or ICEWS export), all
    or nothing, as `relations import --json`."""
    from relations.services.importing import ImportOptions, import_file

    name = FilePath(file.filename or "upload").name or "upload"
    with tempfile.TemporaryDirectory(prefix="relations-import-") as folder:
        path = FilePath(folder) / name
        with path.open("wb") as out:
            copied = _copy_limited(file, out)
        if copied > MAX_UPLOAD:
            raise InvalidInput(f"the file is larger than {MAX_UPLOAD >> 20} MiB")
        options = ImportOptions(
            fmt=format, review=review, min_rows=min_rows, auto_confirm=auto_confirm,
            lenient=lenient, by=who.name,
        )  # fmt: skip
        return views.import_summary(import_file(app, path, options))


def _copy_limited(file: UploadFile, out: Any) -> int:
    total = 0
    while chunk := file.file.read(1 << 20):
        total += len(chunk)
        if total > MAX_UPLOAD:
            return total
        out.write(chunk)
    return total


@router.get("/review", tags=["review"])
def review(
    app: Relations, _: Reader, country: Countries = [], type: Types = [],  # noqa: B006
    limit: int = 50,
) -> list[JSON]:  # fmt: skip
    """The feed signals awaiting review, most evidence first, grouped by pair."""
    from relations.services.review import queue

    return views.review_queue(queue(app, countries=country, types=type, limit=limit))


@router.post("/review/confirm", tags=["review"])
def confirm(body: DecideIn, app: Relations, who: Recorder) -> list[JSON]:
    """Confirm signals (as `event_type` if given): from now on they count."""
    from relations.services.review import confirm as confirm_events

    done = confirm_events(app, body.ids, event_type=body.event_type, reason=body.reason,
                          by=who.name)  # fmt: skip
    return [views.decision(d) for d in done]


@router.post("/review/dismiss", tags=["review"])
def dismiss(body: DecideIn, app: Relations, who: Recorder) -> list[JSON]:
    """Dismiss signals: they stay in the log and never count."""
    from relations.services.review import dismiss as dismiss_events

    if body.event_type is not None:
        raise InvalidInput("event_type is for confirming; a dismissed signal keeps its type")
    return [views.decision(d) for d in dismiss_events(app, body.ids, reason=body.reason,
                                                       by=who.name)]  # fmt: skip


@router.get("/event-types", tags=["rules"])
def event_types(app: Relations, _: Reader) -> list[JSON]:
    """The rule table: every event type and its effect (as `relations event-types --json`)."""
    return [views.event_type(t) for t in app.rules.event_types.values()]


@router.get("/rules/diagram", tags=["rules"], response_class=PlainTextResponse)
def diagram(app: Relations, _: Reader) -> str:
    """The state machine as a Mermaid diagram (as `relations diagram`)."""
    from relations.domain.diagram import mermaid

    return mermaid(app.machine)


@router.get("/reports", tags=["reports"])
def reports(app: Relations, _: Reader, schedule: str | None = None) -> list[JSON]:
    """Every registered report (as `relations reports list --json`)."""
    from relations.services import reporting

    return [views.report_entry(e) for e in reporting.registered(app, schedule)]


@router.get("/reports/{report_id}", tags=["reports"], response_class=Response,
            responses={404: {"model": Problem}})  # fmt: skip
def report_file(report_id: ReportPath, app: Relations, _: Reader) -> Response:
    """A registered report's file, as written."""
    from relations.services import reporting

    found = {e.id: e for e in reporting.registered(app)}.get(report_id)
    if found is None:
        raise InvalidInput(f"there is no report {report_id} (GET /api/v1/reports lists them)")
    path = FilePath(found.path)
    if not found.written or not path.is_file():
        from relations.web.problems import Denied

        raise Denied(404, f"the file of report {report_id} is gone ({path.name})")
    return FileResponse(path, media_type=MEDIA.get(found.format), filename=path.name)


@router.post("/reports", tags=["reports"], response_class=Response)
def build_report(body: ReportIn, app: Relations, _: Reader) -> Response:
    """Build a report for a period (as `relations report`, without registering it)."""
    from relations.reports.formats import NAMES
    from relations.reports.render import render
    from relations.services import reporting

    if body.format not in NAMES:
        raise InvalidInput(f"unknown format {body.format!r}; use one of {', '.join(NAMES)}")
    built = reporting.build(
        app, moment(body.start, "from"), moment(body.end, "to"), body.countries,
        known_at=moment(body.known_at, "known_at"), with_timelines=body.format == "html",
    )  # fmt: skip
    return Response(render(built, body.format), media_type=MEDIA[body.format])


@router.get("/schedules", tags=["reports"])
def schedules(app: Relations, _: Reader) -> list[JSON]:
    """The report schedules (as `relations schedule list --json`)."""
    from relations.services import schedules as service

    return [views.schedule(v) for v in service.listing(app)]


@router.post("/schedules", tags=["reports"], status_code=201)
def add_schedule(body: ScheduleIn, app: Relations, _: Admin) -> list[JSON]:
    """Add a schedule (admin tokens)."""
    from relations.services import schedules as service

    service.add(app, body.name, cron=body.cron, every=body.every, fmt=body.format,
                output_dir=FilePath(body.output_dir), countries=body.countries,
                timezone=body.timezone)  # fmt: skip
    return [views.schedule(v) for v in service.listing(app) if v.schedule.name == body.name]


@router.delete("/schedules/{name}", tags=["reports"], status_code=204, response_class=Response)
def remove_schedule(name: str, app: Relations, _: Admin) -> Response:
    """Remove a schedule (admin tokens); its reports stay registered."""
    from relations.services import schedules as service

    service.remove(app, name)
    return Response(status_code=204)
