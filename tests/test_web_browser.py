"""The dashboard in a real headless Chromium (through Playwright), served by `relations
web` on loopback: every page renders with no console error and no request leaving the
server; signing in and recording through the form shows the event on the pair page; a
post without the form's CSRF token is refused. Screenshots of the overview, a country
page and a pair page are saved (SCREENSHOTS, or the test's folder) to be looked at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

from relations.bootstrap import bootstrap
from relations.services import tokens
from relations.services.demo import load_fixtures

from check_html_report import find_chromium

pytestmark = pytest.mark.slow
BROWSER = find_chromium()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, a recorder's token) of `relations web` on a demo database."""
    db = tmp_path / "web.db"
    app = bootstrap(f"sqlite:///{db}")
    load_fixtures(app)
    secret = tokens.add(app, "desk", "recorder", by="setup")[1]
    app.close()
    port = free_port()
    env = {**os.environ, "RELATIONS_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "relations", "--db", str(db), "web", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://localhost:{port}"
    try:
        for _ in range(200):
            try:
                with urlopen(f"{base}/api/v1/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("relations web did not start")
        yield base, secret
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine")
def test_the_dashboard_in_chromium(served: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, secret = served
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    elsewhere: list[str] = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=BROWSER, args=["--no-sandbox", "--disable-gpu"]
        )
        page = chromium.new_page(viewport={"width": 1200, "height": 1400})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))

        page.goto(f"{base}/signin")
        page.fill("#token", secret)
        page.click("#signin button")
        page.wait_for_url(f"{base}/")
        assert "signed in as desk (recorder)" in page.inner_text("header")
        page.screenshot(path=str(shots / "web-overview.png"), full_page=True)

        page.goto(f"{base}/countries/PER")
        assert page.locator("svg#map path").count() >= 150
        assert page.locator('svg#map path.focal[data-code="PER"]').count() == 1
        assert page.locator('svg#map path.partner.broken[data-code="MEX"]').count() == 1
        page.screenshot(path=str(shots / "web-country.png"), full_page=True)

        page.goto(f"{base}/record")
        page.select_option("#event_type", "protest_note")
        page.fill("#actor", "Chile")
        page.fill("#targets", "Peru")
        page.fill("#occurred_on", "2025-06-02")
        page.fill("#summary", "<b>A note verbale</b> on fishing rights")
        page.fill("#source", "https://example.org/note")
        page.click("#record button")
        page.wait_for_url(f"{base}/pairs/CHL/PER")
        assert "<b>A note verbale</b> on fishing rights" in page.inner_text("#history")
        assert page.locator('#history a[href="https://example.org/note"]').count() == 1

        page.goto(f"{base}/pairs/PER/MEX")
        assert page.locator("svg#timeline rect.band").count() >= 3
        assert "severed (broken)" in page.inner_text("#status")
        page.screenshot(path=str(shots / "web-pair.png"), full_page=True)

        page.goto(f"{base}/review")
        # A form posted without its CSRF token (as another site's page would) is refused.
        refused = page.request.post(f"{base}/record", form={
            "event_type": "protest_note", "actor": "Chile", "targets": "Peru",
            "occurred_on": "2025-06-03"})  # fmt: skip
        assert refused.status == 403
        chromium.close()
    assert errors == []
    assert elsewhere == [], "no request leaves the server"
    for name in ("web-overview.png", "web-country.png", "web-pair.png"):
        assert (shots / name).stat().st_size > 10_000
