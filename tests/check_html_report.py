"""Check the HTML reports in headless Chromium, by hand or from the test suite.

    python tests/check_html_report.py [OUTPUT_FOLDER]

Writes two reports of the demo fixtures (all pairs, with the matrix; Peru alone, with
the world map), opens each with Playwright in the machine's Chromium (Debian: `apt-get
install chromium`; Playwright's own browser download is not needed), and prints the
console errors, every request other than the file itself (there must be none: a report
is one self-contained file), what was drawn, and where the screenshots are.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class BrowserResult:
    console_errors: list[str]
    requests: list[str]
    bands: int
    markers: int
    map_shapes: int
    focal: list[str]  # data-code of the map's focal country
    # data-code -> (class, fill as the browser computed it), for every partner on the map
    partners: dict[str, tuple[str, str]] = field(default_factory=dict)
    matrix_cells: dict[str, int] = field(default_factory=dict)  # stage class -> cells
    screenshot: Path = Path()


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def write_demo_reports(folder: Path) -> tuple[Path, Path]:
    """(every pair since 2015, Peru alone since 2015) as HTML files."""
    from relations.bootstrap import bootstrap
    from relations.reports.render import render
    from relations.services import reporting
    from relations.services.demo import load_fixtures

    app = bootstrap(f"sqlite:///{folder / 'demo.db'}")
    load_fixtures(app)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    paths = []
    for name, countries in (("report.html", ()), ("peru.html", ("PER",))):
        report = reporting.build(app, start, countries=countries)
        path = folder / name
        path.write_text(render(report, "html"), encoding="utf-8")
        paths.append(path)
    app.close()
    return paths[0], paths[1]


def check_in_browser(browser: str, html: Path, folder: Path) -> BrowserResult:
    from playwright.sync_api import sync_playwright

    url = html.resolve().as_uri()
    errors: list[str] = []
    requests: list[str] = []
    screenshot = folder / f"{html.stem}.png"
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
        partners = page.eval_on_selector_all(
            "svg#map path.partner",
            "paths => paths.map(p => [p.dataset.code, p.getAttribute('class'),"
            " getComputedStyle(p).fill])",
        )
        cells = page.eval_on_selector_all(
            "table#matrix td.cell:not(.self)", "cells => cells.map(c => c.classList[1])"
        )
        result = BrowserResult(
            console_errors=errors,
            requests=requests,
            bands=page.locator("svg#timeline rect.band").count(),
            markers=page.locator("svg#timeline circle.marker").count(),
            map_shapes=page.locator("svg#map path").count(),
            focal=page.eval_on_selector_all(
                "svg#map path.focal", "paths => paths.map(p => p.dataset.code)"
            ),
            partners={code: (kind, fill) for code, kind, fill in partners},
            matrix_cells={stage: cells.count(stage) for stage in set(cells)},
            screenshot=screenshot,
        )
        page.screenshot(path=str(screenshot), full_page=True)
        chromium.close()
    return result


def rgb(colour: str) -> str:
    """#c62828 as the browser reports a computed colour: rgb(198, 40, 40)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def main() -> None:
    browser = find_chromium()
    if not browser:
        sys.exit("no chromium on PATH (Debian: apt-get install chromium)")
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    failed = False
    for html in write_demo_reports(folder):
        result = check_in_browser(browser, html, folder)
        print(f"{html.name}:")
        print(f"  console errors: {result.console_errors or 'none'}")
        print(f"  requests besides the file: {result.requests or 'none'}")
        print(f"  timeline: {result.bands} bands, {result.markers} event markers")
        print(f"  map: {result.map_shapes} shapes, focal {result.focal}")
        print(f"  matrix: {result.matrix_cells or 'none'}")
        print(f"  screenshot: {result.screenshot}")
        failed |= bool(result.console_errors or result.requests or not result.bands)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
