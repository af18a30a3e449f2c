"""The HTML reports in a real headless browser: they render, request nothing beyond
themselves, log no console error, and draw the timelines, the matrix (a report on every
pair) and the world map (a report on one country).

Needs Chromium (Debian: `apt-get install chromium`, which .ci/run does); without it
the test is skipped, and `python tests/check_html_report.py` runs the same check by
hand, leaving screenshots to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from relations.reports.colours import STAGES

from check_html_report import check_in_browser, find_chromium, rgb, write_demo_reports

pytestmark = pytest.mark.slow  # see pyproject.toml: `pytest -m "not slow"` skips these

BROWSER = find_chromium()


@pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine")
def test_html_reports_render_in_chromium(tmp_path: Path) -> None:
    assert BROWSER is not None
    everything, peru = write_demo_reports(tmp_path)

    result = check_in_browser(BROWSER, everything, tmp_path)
    assert result.console_errors == []
    assert result.requests == [], "the report must be one self-contained file"
    assert result.bands == 14  # the stages of the seven fixture pairs since the lead-in
    assert result.markers == 50  # one per fixture event
    assert result.map_shapes == 0, "a map only for a report on one country"
    # The seven countries of the seven fixture pairs: 42 cells off the diagonal.
    assert result.matrix_cells == {
        "broken": 4, "ambassador_withdrawn": 2, "embassy_closed": 2, "normal": 34,
    }  # fmt: skip
    assert result.screenshot.stat().st_size > 10_000

    result = check_in_browser(BROWSER, peru, tmp_path)
    assert result.console_errors == [] and result.requests == []
    assert result.map_shapes >= 150
    assert result.focal == ["PER"]
    assert result.partners["MEX"] == ("partner broken", rgb(STAGES["broken"]))
    assert result.partners["CHL"] == ("partner normal", rgb(STAGES["normal"]))
    assert result.matrix_cells == {}, "no matrix for one country"
    assert result.screenshot.stat().st_size > 10_000


def test_the_check_catches_console_errors_and_requests(tmp_path: Path) -> None:
    """The check itself must fail on a page that logs an error or fetches something."""
    if BROWSER is None:
        pytest.skip("no Chromium on this machine")
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<script>console.error("boom")</script><link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        encoding="utf-8",
    )
    result = check_in_browser(BROWSER, bad, tmp_path)
    assert "boom" in result.console_errors
    assert result.requests == ["http://127.0.0.1:9/x.css"]
    assert result.bands == 0 and result.map_shapes == 0
