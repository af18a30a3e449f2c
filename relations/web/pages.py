"""The dashboard: server-rendered pages (Jinja2), readable without JavaScript and
fetching nothing from elsewhere: an overview, a page per country (the world map of its
relations) and per pair (status, missions, timeline, history), the review queue, and a
form to record an event. Forms carry a CSRF token tied to the session."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from functools import cache, partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from relations.domain.errors import RelationsError
from relations.services.tokens import Principal
from relations.web.auth import check, relations_app, signed_in
from relations.web.problems import Denied

router = APIRouter(include_in_schema=False)
OVERVIEW_DAYS = 30


@cache
def templates() -> Any:
    from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

    from relations.reports.render import add_wording

    environment = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("relations.web", "templates"),
                PackageLoader("relations.reports", "templates"),
            ]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    add_wording(environment)
    return environment


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, if its CSRF token is the session's; else 403."""
    form = await request.form()
    given = str(form.get("csrf", ""))
    expected = str(request.session.get("csrf", ""))
    if not expected or not hmac.compare_digest(given, expected):
        raise Denied(403, "this form is stale or did not come from this site; reload it")
    return {key: str(value) for key, value in form.items()}


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    from relations.domain.explain import stage_label
    from relations.reports import present

    rules = relations_app(request).rules
    html = (
        templates()
        .get_template(name)
        .render(
            who=signed_in(request),
            public_read=request.app.state.public_read,
            csrf=csrf_token(request),
            place=partial(present.place, rules),
            label=lambda stage: stage_label(rules, rules.status_of_stage(stage), stage),
            **values,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def reader(request: Request) -> Principal:
    return check(signed_in(request), "reader", request.app.state.public_read)


def error_page(request: Request, exc: Exception) -> HTMLResponse:
    if isinstance(exc, Denied):
        status, message = exc.status, exc.detail
    elif isinstance(exc, RelationsError):
        status, message = (400 if exc.exit_code == 2 else 409), str(exc)
    else:
        raise exc
    return page(request, "error.html.j2", status_code=status, message=message)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    try:
        reader(request)
        from relations.services import reporting

        app = relations_app(request)
        now = app.clock()
        report = reporting.build(app, now - timedelta(days=OVERVIEW_DAYS), now,
                                 with_timelines=False)  # fmt: skip
        from relations.reports.render import opening

        latest = sorted(report.facts.recorded, key=lambda e: e.id, reverse=True)[:20]
        return page(request, "overview.html.j2", report=report, latest=latest,
                    days=OVERVIEW_DAYS, opening=opening(report))  # fmt: skip
    except (Denied, RelationsError) as exc:
        return error_page(request, exc)


@router.get("/countries", response_class=HTMLResponse)
def find_country(request: Request, name: str = "") -> Response:
    """The overview's form: the country page of what was typed."""
    try:
        reader(request)
        from relations.services import inputs

        return RedirectResponse(f"/countries/{inputs.country(name)}", status_code=303)
    except (Denied, RelationsError) as exc:
        return error_page(request, exc)


@router.get("/countries/{country}", response_class=HTMLResponse)
def country(request: Request, country: str) -> HTMLResponse:
    try:
        reader(request)
        from relations.reports.world_map import world_map
        from relations.services import inputs, reporting

        app = relations_app(request)
        code = inputs.country(country)
        now = app.clock()
        report = reporting.build(app, now - timedelta(days=OVERVIEW_DAYS), now, [code],
                                 with_timelines=False)  # fmt: skip
        rules = app.rules
        by_stage: dict[str, list[Any]] = {}
        for pair, place in sorted(report.facts.ends.items()):
            by_stage.setdefault(place.stage, []).append(pair)
        stages = [s for s in reversed(rules.all_stages) if s in by_stage]
        return page(request, "country.html.j2", code=code, report=report,
                    map=world_map(report), by_stage=by_stage, stages=stages)  # fmt: skip
    except (Denied, RelationsError) as exc:
        return error_page(request, exc)


@router.get("/pairs/{a}/{b}", response_class=HTMLResponse)
def pair(request: Request, a: str, b: str) -> HTMLResponse:
    try:
        reader(request)
        return page(request, "pair.html.j2", **pair_view(request, a, b))
    except (Denied, RelationsError) as exc:
        return error_page(request, exc)


def pair_view(request: Request, a: str, b: str) -> dict[str, Any]:
    from relations.reports.facts import timeline, timeline_input
    from relations.reports.model import initial_place
    from relations.reports.period import Period, day_start
    from relations.reports.timeline import chart
    from relations.services import queries

    app = relations_app(request)
    found = queries.status(app, a, b)
    items = queries.history(app, a, b)
    live = [item.event for item in items if item.step is not None]
    drawn = None
    if live:
        now = app.clock()
        period = Period(day_start(live[0].occurred_on), max(now, day_start(live[-1].occurred_on)))
        source = timeline_input(app.machine, live, period.first_day)
        line = timeline(initial_place(app.rules), found.pair, source, period.last_day)
        drawn = chart([line], app.rules, period)
    from relations.domain.countries import name_of
    from relations.domain.explain import mission_line

    senders = ((found.pair.first, found.pair.second), (found.pair.second, found.pair.first))
    missions = [
        mission_line(name_of(sender), name_of(host), mission)
        for (sender, host), mission in zip(senders, found.missions, strict=True)
    ]
    return {"status": found, "items": items, "chart": drawn, "missions": missions}


@router.get("/review", response_class=HTMLResponse)
def review(request: Request) -> HTMLResponse:
    try:
        reader(request)
        from relations.services.review import queue

        return page(request, "review.html.j2", events=queue(relations_app(request), limit=100))
    except (Denied, RelationsError) as exc:
        return error_page(request, exc)


@router.get("/record", response_class=HTMLResponse)
def record_form(request: Request) -> HTMLResponse:
    try:
        check(signed_in(request), "recorder", False)
        app = relations_app(request)
        return page(request, "record.html.j2", types=sorted(app.rules.event_types), error=None,
                    values={})  # fmt: skip
    except (Denied, RelationsError) as exc:
        return error_page(request, exc)


@router.post("/record", response_class=HTMLResponse)
async def record(request: Request) -> Response:
    try:
        form = await checked_form(request)
        who = check(signed_in(request), "recorder", False)
    except Denied as exc:
        return error_page(request, exc)
    app = relations_app(request)
    try:
        from starlette.concurrency import run_in_threadpool

        from relations.domain.dates import parse_date
        from relations.services.recording import record as record_events

        day = parse_date(form.get("occurred_on", ""), what="date")
        done = await run_in_threadpool(
            record_events, app, form.get("event_type", ""), form.get("actor", ""),
            [t for t in form.get("targets", "").replace(",", " ").split() if t], day,
            summary=form.get("summary", ""), source=form.get("source", ""),
            by=who.name, via=form.get("via") or None,
        )  # fmt: skip
    except RelationsError as exc:
        status = 400 if exc.exit_code == 2 else 409
        types = sorted(app.rules.event_types)
        return page(request, "record.html.j2", status_code=status, types=types, error=str(exc),
                    values=form)  # fmt: skip
    first = done[0].pair
    return RedirectResponse(f"/pairs/{first.first}/{first.second}", status_code=303)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> HTMLResponse:
    return page(request, "signin.html.j2", error=None)


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request) -> Response:
    from relations.services import tokens

    try:
        form = await checked_form(request)
    except Denied as exc:
        return error_page(request, exc)
    token = form.get("token", "").strip()
    found = tokens.authenticate(relations_app(request), token)
    if found is None:
        return page(request, "signin.html.j2", status_code=401, error="unknown or revoked token")
    request.session.clear()
    request.session["digest"] = tokens.digest(token)
    request.session["csrf"] = secrets.token_urlsafe(32)  # a new session, a new token
    return RedirectResponse("/", status_code=303)


@router.post("/signout", response_class=HTMLResponse)
async def signout(request: Request) -> Response:
    try:
        await checked_form(request)
    except Denied as exc:
        return error_page(request, exc)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
