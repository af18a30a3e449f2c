"""The HTML report in a real headless browser: it renders, requests nothing beyond
itself, logs no console error, and the status timeline is drawn.

Needs Chromium (Debian: `apt-get install chromium`, which .ci/run does); without it
the test is skipped, and `python tests/check_html_report.py` runs the same check by
hand, leaving a screenshot to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from check_html_report import check_in_browser, find_chromium, write_demo_report

BROWSER = find_chromium()


@pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine")
def test_html_report_renders_in_chromium(tmp_path: Path) -> None:
    assert BROWSER is not None
    result = check_in_browser(BROWSER, write_demo_report(tmp_path), tmp_path)
    assert result.console_errors == []
    assert result.requests == [], "the report must be one self-contained file"
    assert result.bands == 12  # the status bands of the seven fixture pairs
    assert result.markers == 50  # one per fixture event
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
    assert result.bands == 0
