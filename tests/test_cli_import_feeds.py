"""Importing the real GDELT and ICEWS samples, and the import options (--rejects,
--lenient, --min-mentions, --crosswalk, compressed files), on both databases.

The counts were cross-checked against the files independently of the readers (an awk
one-liner for GDELT, a csv.DictReader script for ICEWS): see tests/test_feeds_*.py.
"""

from __future__ import annotations

import csv
import gzip
import json
import zipfile
from pathlib import Path
from typing import Any

from test_cli_commands import CSV_HEADER, load, write

FEEDS = Path(__file__).parent / "data" / "feeds"
GDELT1 = FEEDS / "gdelt1-events-sample.tsv"
GDELT2 = FEEDS / "gdelt2-events-sample.tsv"
ICEWS = FEEDS / "icews-events-2018-excerpt.tab"


def summary(run: Any, *args: str) -> dict[str, Any]:
    return run.json("import", *args)  # type: ignore[no-any-return]


def confirmed(run: Any, *args: str) -> dict[str, Any]:
    """A feed import with --confirm: the counts and statuses of before feed review
    (tests/test_review.py covers the default, pending review)."""
    return summary(run, *args, "--confirm")


def test_gdelt_samples_import_with_exact_counts(run: Any) -> None:
    first = confirmed(run, str(GDELT1))
    assert first["format"] == "gdelt"
    assert (first["rows"], first["created"], first["collapsed"], first["rejected"]) == (
        710, 5, 0, {},
    )  # fmt: skip
    assert first["skipped"] == {"no_country": 13, "not_crosswalked": 691, "not_state_actor": 1}
    second = confirmed(run, str(GDELT2))
    assert (second["rows"], second["created"], second["collapsed"]) == (909, 3, 4)
    assert second["skipped"] == {"no_country": 19, "not_crosswalked": 882, "same_country": 1}
    assert len(run.json("events")) == 8


def test_icews_sample_imports_with_exact_counts_and_a_known_event(run: Any) -> None:
    result = confirmed(run, str(ICEWS))
    assert result["format"] == "icews"
    assert (result["rows"], result["created"], result["collapsed"], result["rejected"]) == (
        1299, 13, 4, {},
    )  # fmt: skip
    assert result["skipped"] == {
        "no_country": 2, "not_crosswalked": 1270, "not_state_actor": 2, "same_country": 8,
    }  # fmt: skip
    # Line 1219: Burkina Faso's government breaks with Taiwan (CAMEO 161).
    [event] = run.json("events", "--country", "BFA")
    event.pop("id")
    event.pop("recorded_at")
    assert event == {
        "event_type": "relations_reduced",
        "actor": "BFA",
        "target": "TWN",
        "occurred_on": "2018-06-01",
        "summary": "ICEWS CAMEO 161 BFA->TWN: 1 source row, first event id 32892153",
        "source": "All Africa",
        "external_id": "icews:20180601:BFA:TWN:relations_reduced",
        "supersedes": None,
        "via": None,
        "review": "confirmed",
        "coded_type": None,
        "feed": {
            "source_rows": 1,
            "source_score": -4.0,
            "source_event_id": "32892153",
            "articles": None,
            "sources": None,
        },
    }
    status = run.json("status", "Burkina Faso", "Taiwan", "--as-of", "2018-06-02")
    assert status["status"] == "strained", "by default a feed never severs (see the README)"


def test_reimporting_and_overlapping_files_add_nothing(run: Any, tmp_path: Path) -> None:
    confirmed(run, str(GDELT2))
    before = run.json("events")
    again = confirmed(run, str(GDELT2))
    assert (again["created"], again["already_recorded"]) == (0, 3)
    # An overlapping file: half the sample, then the whole of it.
    lines = GDELT2.read_text(encoding="utf-8").splitlines(keepends=True)
    half = tmp_path / "half.tsv"
    half.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    assert confirmed(run, str(half))["created"] == 0
    assert run.json("events") == before
    assert len(run.json("log")) == 1, "writes that change nothing leave no trace"


def test_zipped_and_gzipped_copies_import_identically(run: Any, tmp_path: Path) -> None:
    gz = tmp_path / "sample.export.CSV.gz"
    gz.write_bytes(gzip.compress(ICEWS.read_bytes()))
    zipped = tmp_path / "sample.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(ICEWS, "events.tab")
    plain = confirmed(run, str(ICEWS))
    events = run.json("events")
    for packed in (gz, zipped):
        found = confirmed(run, str(packed))
        assert found["format"] == "icews"
        assert (found["rows"], found["already_recorded"], found["created"]) == (
            plain["rows"], plain["created"], 0,
        )  # fmt: skip
        assert found["skipped"] == plain["skipped"]
    assert run.json("events") == events


def test_malformed_rows_abort_or_go_to_the_rejects_file(run: Any, tmp_path: Path) -> None:
    lines = GDELT1.read_text(encoding="utf-8").splitlines()
    fields = lines[311].split("\t")  # line 312: PER -> USA, CAMEO 160, a real event
    historic = fields.copy()
    historic[7] = "SUN"  # Actor1CountryCode: the Soviet Union
    bad_code = fields.copy()
    bad_code[26] = "13y"  # EventCode
    rows = [lines[311], lines[311][: len(lines[311]) // 2], "\t".join(historic),
            "\t".join(bad_code)]  # fmt: skip
    path = tmp_path / "mixed.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    refused = run.refused(2, "import", str(path), "--format", "gdelt")
    assert "3 bad row(s), nothing was imported" in refused.stderr
    for line, words in ((2, "tab-separated fields"), (3, "SUN"), (4, "13y")):
        assert any(f"line {line}:" in text and words in text
                   for text in refused.stderr.splitlines()), (line, refused.stderr)  # fmt: skip

    rejects = tmp_path / "rejects.csv"
    result = confirmed(run, str(path), "--format", "gdelt", "--rejects", str(rejects))
    assert result["created"] == 1
    assert result["rejected"] == {
        "bad CAMEO code": 1, "unknown or former country": 1, "wrong number of fields": 1,
    }  # fmt: skip
    with rejects.open(encoding="utf-8") as handle:
        quarantined = list(csv.DictReader(handle))
    assert [(int(r["line"]), r["kind"]) for r in quarantined] == [
        (2, "wrong number of fields"), (3, "unknown or former country"), (4, "bad CAMEO code"),
    ]  # fmt: skip
    assert "former" in quarantined[1]["reason"] and "13y" in quarantined[2]["reason"]


def test_min_mentions_drops_thin_gdelt_rows(run: Any) -> None:
    result = confirmed(run, str(GDELT2), "--min-mentions", "3")
    assert result["skipped"]["few_mentions"] == 3
    refused = run.refused(2, "import", str(ICEWS), "--min-mentions", "3").stderr
    assert "GDELT" in refused and "--min-rows" in refused


def test_a_crosswalk_of_your_own_can_opt_in_to_breaks(run: Any, tmp_path: Path) -> None:
    crosswalk = tmp_path / "breaks.toml"
    crosswalk.write_text('[cameo]\n"161" = "relations_severed"\n', encoding="utf-8")
    result = confirmed(run, str(ICEWS), "--crosswalk", str(crosswalk))
    severed = run.json("events", "--type", "relations_severed")
    assert {(e["actor"], e["target"]) for e in severed} == {("EST", "USA"), ("BFA", "TWN")}
    assert result["created"] == 2
    assert run.json("status", "BF", "TW")["status"] == "severed"
    bad = tmp_path / "bad.toml"
    bad.write_text('[cameo]\n"161" = "hug"\n', encoding="utf-8")
    assert "hug" in run.refused(2, "import", str(ICEWS), "--crosswalk", str(bad)).stderr


def test_lenient_keeps_refused_events_as_invalid(
    run: Any, fixtures_dir: Path, tmp_path: Path
) -> None:
    load(run, fixtures_dir, "peru-mexico.jsonl")
    path = write(tmp_path / "noisy.csv", [
        CSV_HEADER,
        "2025-11-10,relations_severed,PER,MEX,again,,",   # severed -> severed: not allowed
        "2025-11-11,statement,MEX,PER,,,",
        "2024-01-01,relations_restored,PER,MEX,,,",       # strained then: not allowed
    ])  # fmt: skip
    refused = run.refused(1, "import", str(path))
    assert "line 2:" in refused.stderr and "line 4:" in refused.stderr
    result = summary(run, str(path), "--lenient")
    assert (result["created"], result["invalid"], result["invalidated"]) == (3, 2, 0)
    history = run.json("history", "PE", "MX")
    assert [h["effect"] for h in history if h["id"] > 11] == ["invalid", "invalid", "unchanged"]
    assert run.json("status", "PE", "MX")["status"] == "severed"
    assert run.json("reproject")["changed"] == [], "what the import stored equals a rebuild"


def test_our_formats_stream_from_compressed_files_too(run: Any, fixtures_dir: Path,
                                                      tmp_path: Path) -> None:  # fmt: skip
    source = fixtures_dir / "peru-mexico.jsonl"
    packed = tmp_path / "peru-mexico.jsonl.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    assert summary(run, str(packed))["created"] == 11
    assert summary(run, str(source))["already_recorded"] == 11


def test_the_format_is_asked_for_when_it_cannot_be_told(run: Any, tmp_path: Path) -> None:
    odd = tmp_path / "events.txt"
    odd.write_text("hello\n", encoding="utf-8")
    assert "--format" in run.refused(2, "import", str(odd)).stderr
    found = json.loads(run.ok("import", str(GDELT1), "--json", "--quiet").stdout)
    assert (found["created"], found["pending"]) == (5, 5)


def test_our_csv_gets_rejects_too(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.csv", [
        CSV_HEADER,
        "2022-12-15,ambassador_recalled,PER,MEX,,,",
        "2022-13-01,statement,PER,MEX,,,",
        "2022-12-16,statement,PER,Narnia,,,",
        "2022-12-17,statement,PER",
    ])  # fmt: skip
    rejects = tmp_path / "rejects.csv"
    result = summary(run, str(path), "--rejects", str(rejects))
    assert result["created"] == 1
    assert result["rejected"] == {"bad date": 1, "unknown country": 1, "wrong number of fields": 1}
    assert [row.split(",")[0] for row in rejects.read_text().splitlines()[1:]] == ["3", "4", "5"]


def test_the_progress_bar_draws_on_a_terminal_only(monkeypatch: Any) -> None:
    import io
    import sys

    from relations.cli.writes import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(ProgressBar, "DELAY", 0.0)
    with ProgressBar(enabled=True, label="events.csv") as bar:
        bar(50, 100)
        bar(100, 100)
    assert "events.csv" in terminal.getvalue() and "100%" in terminal.getvalue()
    for enabled, stream in ((False, Terminal()), (True, io.StringIO())):
        monkeypatch.setattr(sys, "stderr", stream)
        with ProgressBar(enabled=enabled, label="events.csv") as bar:
            bar(100, 100)
        assert stream.getvalue() == "", "--quiet, or stderr is not a terminal"
