"""Check the HTML report in headless Chromium, by hand or from the test suite.

    python tests/check_html_report.py [OUTPUT_FOLDER]

Writes a report of the demo fixtures, opens it with Playwright in the machine's
Chromium (Debian: `apt-get install chromium`; Playwright's own browser download is not
needed), and prints the console errors, every request other than the file itself
(there must be none: the report is one self-contained file), the number of timeline
bands drawn, and where the screenshot is.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class BrowserResult:
    console_errors: list[str]
    requests: list[str]
    bands: int
    markers: int
    screenshot: Path


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def write_demo_report(folder: Path) -> Path:
    from relations.bootstrap import bootstrap
    from relations.reports.render import render
    from relations.services import reporting
    from relations.services.demo import load_fixtures

    app = bootstrap(f"sqlite:///{folder / 'demo.db'}")
    load_fixtures(app)
    report = reporting.build(app, datetime(2015, 1, 1, tzinfo=UTC))
    path = folder / "report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    app.close()
    return path


def check_in_browser(browser: str, html: Path, folder: Path) -> BrowserResult:
    from playwright.sync_api import sync_playwright

    url = html.resolve().as_uri()
    errors: list[str] = []
    requests: list[str] = []
    screenshot = folder / "report.png"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browser,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = chromium.new_page(viewport={"width": 1100, "height": 1400})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url) if r.url != url else None)
        page.goto(url, wait_until="load")
        bands = page.locator("svg#timeline rect.band").count()
        markers = page.locator("svg#timeline circle.marker").count()
        page.screenshot(path=str(screenshot), full_page=True)
        chromium.close()
    return BrowserResult(errors, requests, bands, markers, screenshot)


def main() -> None:
    browser = find_chromium()
    if not browser:
        sys.exit("no chromium on PATH (Debian: apt-get install chromium)")
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    result = check_in_browser(browser, write_demo_report(folder), folder)
    print(f"console errors: {result.console_errors or 'none'}")
    print(f"requests besides the file: {result.requests or 'none'}")
    print(f"timeline: {result.bands} bands, {result.markers} event markers")
    print(f"screenshot: {result.screenshot}")
    sys.exit(1 if result.console_errors or result.requests or not result.bands else 0)


if __name__ == "__main__":
    main()
