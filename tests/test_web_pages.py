"""The dashboard pages and the web service's security: sign-in by token into a session
cookie, CSRF-protected forms, hostile text escaped on every page, links only for
http(s) sources, and a token never in a log line or a response after it is made."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from web_client import Web, web_on

from relations.bootstrap import bootstrap
from relations.services.recording import record

HOSTILE = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"


@pytest.fixture
def web(db_url: str) -> Iterator[Web]:
    yield from web_on(db_url)


class Tags(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.links += [v or "" for n, v in attrs if n in ("href", "src", "action")]


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def sign_in(web: Web, role: str) -> None:
    form = web.client.get("/signin")
    done = web.client.post("/signin", data={"token": web.tokens[role], "csrf": csrf(form.text)},
                           follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    assert "relations_session" in done.headers["set-cookie"]
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie


PAGES = ["/", "/countries/Peru", "/countries/MX", "/pairs/PER/MEX", "/pairs/Mexico/Ecuador",
         "/review"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_session_and_render_for_a_reader(web: Web, path: str) -> None:
    assert web.client.get(path).status_code == 401
    sign_in(web, "reader")
    page = web.client.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    tags = Tags(page.text)
    assert "script" not in tags.tags and not tags.handlers
    assert all(link.startswith(("/", "https://", "http://")) or link == "data:,"
               for link in tags.links)  # fmt: skip


def test_the_overview_country_and_pair_pages_say_what_matters(web: Web) -> None:
    sign_in(web, "reader")
    overview = web.client.get("/").text
    assert 'id="stages"' in overview and "broken" in overview
    country = web.client.get("/countries/PER").text
    assert country.count("<path ") >= 150 and 'data-code="PER"' in country
    assert re.search(r'class="partner broken" data-code="MEX"', country)
    pair = web.client.get("/pairs/PER/MEX").text
    assert "severed (broken)" in pair and 'id="timeline"' in pair
    assert "Mexico in Peru: closed" in pair
    assert '<a href="https://rpp.pe/' in pair, "sources are links"
    found = web.client.get("/countries?name=Emirates", follow_redirects=False)
    assert found.headers["location"] == "/countries/ARE"
    assert web.client.get("/countries/Narnia").status_code == 400


def test_recording_through_the_form_then_the_pair_page_shows_it(web: Web) -> None:
    sign_in(web, "reader")
    assert web.client.get("/record").status_code == 403, "readers do not record"
    web.client.cookies.clear()
    sign_in(web, "recorder")
    form = web.client.get("/record")
    assert form.status_code == 200
    posted = web.client.post("/record", data={
        "csrf": csrf(form.text), "event_type": "protest_note", "actor": "Chile",
        "targets": "Peru", "occurred_on": "2025-06-02", "summary": "A note verbale",
        "source": "https://example.org/note",
    }, follow_redirects=False)  # fmt: skip
    assert posted.status_code == 303 and posted.headers["location"] == "/pairs/CHL/PER"
    pair = web.client.get("/pairs/CHL/PER").text
    assert "A note verbale" in pair and "protest note" in pair
    refused = web.client.post("/record", data={
        "csrf": csrf(form.text), "event_type": "relations_restored", "actor": "Chile",
        "targets": "Peru", "occurred_on": "2025-06-03",
    })  # fmt: skip
    assert refused.status_code == 409 and "not allowed" in refused.text


def test_a_post_without_its_csrf_token_is_refused(web: Web) -> None:
    sign_in(web, "recorder")
    data = {"event_type": "protest_note", "actor": "CHL", "targets": "PER",
            "occurred_on": "2025-06-02"}  # fmt: skip
    assert web.client.post("/record", data=data).status_code == 403
    assert web.client.post("/record", data={**data, "csrf": "forged"}).status_code == 403
    assert web.client.post("/signout", data={}).status_code == 403
    app = bootstrap(web.url)
    from relations.services.queries import events

    assert not [e for e in events(app) if e.actor == "CHL"], "nothing recorded"
    app.close()


def test_hostile_text_is_escaped_on_every_page_and_only_http_sources_are_links(
    web: Web,
) -> None:
    app = bootstrap(web.url)
    record(app, "protest_note", "PER", ["MEX"], date_of("2025-11-04"), summary=HOSTILE,
           source="javascript:alert(document.cookie)", by="t")  # fmt: skip
    record(app, "protest_note", "CHL", ["PER"], date_of("2025-11-04"), summary=HOSTILE,
           source=HOSTILE, by="t")  # fmt: skip
    app.close()
    sign_in(web, "reader")
    for path in ("/", "/pairs/PER/MEX", "/pairs/CHL/PER", "/countries/PER"):
        html = web.client.get(path).text
        tags = Tags(html)
        assert "script" not in tags.tags and "img" not in tags.tags, path
        assert not tags.handlers, path
        assert not [link for link in tags.links if "javascript" in link.lower()], path
        if path != "/countries/PER":
            assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html, path


def date_of(text: str) -> object:
    from datetime import date

    return date.fromisoformat(text)


def test_a_token_never_appears_in_a_log_line_or_a_response(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = web.tokens["recorder"]
    responses = [
        web.get("/api/v1/pairs/PER/MEX", role="recorder"),
        web.post("/api/v1/events", json={"event_type": "statement", "actor": "PER",
                                         "targets": ["CHL"], "occurred_on": "2025-01-01"}),
        web.client.get("/api/v1/pairs", headers={"Authorization": f"Bearer {secret}x"}),
        web.client.post("/signin", data={"token": secret, "csrf": "forged"}),
    ]  # fmt: skip
    sign_in(web, "recorder")
    responses.append(web.client.get("/"))
    for response in responses:
        assert secret not in response.text
        assert secret not in str(response.headers)
    assert secret not in caplog.text
    app = bootstrap(web.url)
    from relations.services.audit import log

    assert all(secret not in f"{w.by} {w.description} {w.details}" for w in log(app))
    app.close()
    assert secret[:12] not in caplog.text


def test_a_revoked_token_ends_its_session_at_once(web: Web) -> None:
    sign_in(web, "reader")
    assert web.client.get("/").status_code == 200
    from relations.services.tokens import revoke

    app = bootstrap(web.url)
    revoke(app, "reader-token", by="t")
    app.close()
    assert web.client.get("/").status_code == 401
