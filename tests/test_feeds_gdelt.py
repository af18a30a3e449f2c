"""GDELT rows: exact counts on real 1.0 and 2.0 files, one event field by field, and
every kind of malformed row rejected with a one-line reason.

The expected counts were computed by the reader and then re-derived by an
independent awk script over the same files (same rules, no shared code).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from feed_tally import Tally

from relations.domain.errors import InvalidInput
from relations.domain.rules import default_rules
from relations.feeds.crosswalk import Crosswalk, load_crosswalk
from relations.feeds.feed_rows import (
    SKIPPED,
    FeedRow,
    ReadResult,
    Reject,
    Skipped,
    SkipReason,
    collapse,
)
from relations.feeds.gdelt import read_gdelt
from relations.feeds.opening import open_text

DATA = Path(__file__).parent / "data" / "feeds"
GDELT1 = DATA / "gdelt1-events-sample.tsv"  # 509 daily rows (58 columns), 201 backfile (57)
GDELT2 = DATA / "gdelt2-events-sample.tsv"  # one 2.0 15-minute export, 909 rows (61 columns)


@pytest.fixture(scope="module")
def crosswalk() -> Crosswalk:
    return load_crosswalk(None, default_rules())


def read(path: Path, crosswalk: Crosswalk, min_mentions: int = 0) -> list[ReadResult]:
    with open_text(path) as lines:
        return list(read_gdelt(lines, crosswalk, min_mentions=min_mentions))


def tally(results: list[ReadResult]) -> Tally:
    counts = Tally()
    for result in results:
        counts.add(result)
    return counts


def real_line(path: Path, number: int) -> list[str]:
    """The fields of one line of a real file, to craft bad rows from."""
    return path.read_text(encoding="utf-8").splitlines()[number - 1].split("\t")


def test_gdelt1_sample_exact_counts(crosswalk: Crosswalk) -> None:
    results = read(GDELT1, crosswalk)
    counts = tally(results)
    assert counts.rows == 710
    assert counts.rejects == 0
    assert counts.feed_rows == 5
    assert counts.skipped == {
        SkipReason.NOT_CROSSWALKED: 691,
        SkipReason.NO_COUNTRY: 13,
        SkipReason.NOT_STATE_ACTOR: 1,
    }
    rows = [r for r in results if isinstance(r, FeedRow)]
    assert [r.external_id for r in collapse(rows)] == [
        "gdelt:20160728:PER:USA:relations_reduced",
        "gdelt:20160728:USA:RUS:sanctions_imposed",
        "gdelt:19820102:QAT:BHR:agreement_signed",
        "gdelt:19820103:FIN:POL:sanctions_imposed",
        "gdelt:19820103:ISR:EGY:relations_reduced",  # ISRGOV: a GOV role
    ]
    assert results[575 - 1] is SKIPPED[SkipReason.NOT_STATE_ACTOR]  # POLLAB -> PAN


def test_gdelt2_sample_exact_counts_and_collapse(crosswalk: Crosswalk) -> None:
    results = read(GDELT2, crosswalk)
    counts = tally(results)
    assert counts.rows == 909
    assert counts.rejects == 0
    assert counts.feed_rows == 7
    assert counts.skipped == {
        SkipReason.NOT_CROSSWALKED: 882,
        SkipReason.NO_COUNTRY: 19,
        SkipReason.SAME_COUNTRY: 1,  # USA -> USALEG, 075
    }
    assert results[863 - 1] is SKIPPED[SkipReason.SAME_COUNTRY]
    events = collapse(r for r in results if isinstance(r, FeedRow))
    assert [(e.external_id, e.source_rows) for e in events] == [
        ("gdelt:20250807:AZE:USA:agreement_signed", 3),
        ("gdelt:20250807:CHN:KAZ:relations_reduced", 1),
        ("gdelt:20250807:USA:AZE:agreement_signed", 3),
    ]
    first = events[0]
    assert first.source_event_id == "1256322914"  # the first of 1256322914-16
    assert first.mentions == 10 + 2 + 8
    assert first.first_line == 145
    assert first.source_url.startswith("https://en.apa.az/foreign-policy/azerbaijan-and-the-us")


def test_one_real_event_field_by_field(crosswalk: Crosswalk) -> None:
    """Line 312 of the 1.0 sample: Peru (the country itself) -> USA, CAMEO 160."""
    row = read(GDELT1, crosswalk)[312 - 1]
    assert row == FeedRow(
        feed="gdelt",
        line=312,
        occurred_on=date(2016, 7, 28),
        actor="PER",
        target="USA",
        event_type="relations_reduced",
        cameo_code="160",
        source_event_id="564442352",
        goldstein=-4.0,
        mentions=1,
        source_url="http://www.brecorder.com/world/north-america/"
        "311253-kuczynski-perus-new-president-an-old-wall-street-hand.html",
        articles=1,  # NumArticles (field 33) and NumSources (field 32) of that line
        sources=1,
    )


def test_backfile_rows_have_no_url(crosswalk: Crosswalk) -> None:
    row = read(GDELT1, crosswalk)[686 - 1]
    assert isinstance(row, FeedRow)
    assert (row.occurred_on, row.actor, row.target, row.source_url) == (
        date(1982, 1, 3),
        "ISR",
        "EGY",
        "",
    )


def test_min_mentions_drops_thin_rows(crosswalk: Crosswalk) -> None:
    counts = tally(read(GDELT2, crosswalk, min_mentions=3))
    # of the 7 rows, AZE->USA and USA->AZE have 10, 2, 8 mentions each, CHN->KAZ 2
    assert counts.feed_rows == 4
    assert counts.skipped[SkipReason.FEW_MENTIONS] == 3


def test_negative_min_mentions_is_refused(crosswalk: Crosswalk) -> None:
    with pytest.raises(InvalidInput, match="min_mentions"):
        list(read_gdelt([], crosswalk, min_mentions=-1))


def crafted(crosswalk: Crosswalk, **changes: str) -> ReadResult:
    """Line 312 (PER -> USA, 160, 58 columns) with some fields replaced."""
    fields = real_line(GDELT1, 312)
    columns = {"SQLDATE": 1, "Actor1CountryCode": 7, "Actor2CountryCode": 17, "EventCode": 26}
    columns |= {"GoldsteinScale": 30, "NumMentions": 31, "Actor1Code": 5, "Actor1Type1Code": 12}
    columns |= {"GLOBALEVENTID": 0, "Actor2Code": 15}
    for name, value in changes.items():
        fields[columns[name]] = value
    (result,) = read_gdelt(["\t".join(fields) + "\n"], crosswalk)
    return result


def test_the_crafted_base_row_is_an_event(crosswalk: Crosswalk) -> None:
    assert isinstance(crafted(crosswalk), FeedRow)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"EventCode": "13y"}, "EventCode '13y' is not a CAMEO code; expected 2 to 4 digits"),
        ({"EventCode": "2101"}, "EventCode '2101' is not a CAMEO code"),
        ({"SQLDATE": "2016-07-28"}, "SQLDATE '2016-07-28' is not a date; expected YYYYMMDD"),
        ({"SQLDATE": "20160231"}, "SQLDATE '20160231' is not a date"),
        ({"Actor2CountryCode": "SUN"}, "Actor2CountryCode 'SUN' is a former country (USSR"),
        ({"Actor1CountryCode": "YUG"}, "Actor1CountryCode 'YUG' is a former country (Yugo"),
        ({"Actor1CountryCode": "XYZ"}, "Actor1CountryCode 'XYZ' is not a country code; accepted"),
        ({"Actor1CountryCode": "per"}, "Actor1CountryCode 'per' is not a country code"),
        ({"GoldsteinScale": "high"}, "GoldsteinScale 'high' is not a number"),
        ({"NumMentions": "1.5"}, "NumMentions '1.5' is not a count"),
        ({"GLOBALEVENTID": "x1"}, "GLOBALEVENTID 'x1' is not a number"),
    ],
)
def test_malformed_rows_are_rejected_with_a_reason(
    crosswalk: Crosswalk, changes: dict[str, str], reason: str
) -> None:
    result = crafted(crosswalk, **changes)
    assert isinstance(result, Reject)
    assert result.line == 1
    assert result.reason.startswith(reason)
    assert "\n" not in result.reason


def test_structure_is_checked_before_filters(crosswalk: Crosswalk) -> None:
    """A bad code or a former country is a reject even in a row the filters would skip."""
    result = crafted(crosswalk, EventCode="13y", Actor2CountryCode="")
    assert isinstance(result, Reject)
    result = crafted(crosswalk, EventCode="010", Actor1CountryCode="SUN")
    assert isinstance(result, Reject)


def test_truncated_and_blank_lines(crosswalk: Crosswalk) -> None:
    full = "\t".join(real_line(GDELT1, 312))
    truncated = full[: len(full) // 2]
    results = list(read_gdelt([full + "\n", "\n", truncated + "\n", full], crosswalk))
    assert len(results) == 3  # the blank line is not a row
    assert isinstance(results[0], FeedRow)
    assert results[1] == Reject(
        3,
        f"has {truncated.count(chr(9)) + 1} tab-separated fields; GDELT event rows have "
        "57 (1.0 backfile), 58 (1.0 daily) or 61 (2.0)",
        "wrong number of fields",
    )
    assert isinstance(results[2], FeedRow)  # a last line without a line end
    assert results[2].line == 4
    assert results[2].source_url == results[0].source_url


def test_undecodable_bytes_and_nul_are_rejects(crosswalk: Crosswalk) -> None:
    full = "\t".join(real_line(GDELT1, 312))
    bad_bytes = full.replace("UNITED STATES", "UNITED STATES\udcff")  # as surrogateescape reads
    results = list(read_gdelt([bad_bytes, full.replace("PERU", "PE\x00RU")], crosswalk))
    assert results == [
        Reject(
            1,
            "is not valid UTF-8 text or contains a NUL character; GDELT files are UTF-8",
            "not UTF-8 text",
        ),
        Reject(
            2,
            "is not valid UTF-8 text or contains a NUL character; GDELT files are UTF-8",
            "not UTF-8 text",
        ),
    ]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"EventCode": "010"}, SkipReason.NOT_CROSSWALKED),
        ({"EventCode": "1612"}, SkipReason.NOT_CROSSWALKED),  # exact codes only
        ({"Actor2CountryCode": ""}, SkipReason.NO_COUNTRY),
        ({"Actor2CountryCode": "EUR"}, SkipReason.NO_COUNTRY),  # a CAMEO region
        ({"Actor2CountryCode": "PER", "Actor2Code": "PER"}, SkipReason.SAME_COUNTRY),
        ({"Actor1Code": "PERJUD", "Actor1Type1Code": "JUD"}, SkipReason.NOT_STATE_ACTOR),
        ({"Actor1Code": "PERBUS", "Actor1Type1Code": "BUS"}, SkipReason.NOT_STATE_ACTOR),
    ],
)
def test_filters(crosswalk: Crosswalk, changes: dict[str, str], reason: SkipReason) -> None:
    assert crafted(crosswalk, **changes) == Skipped(reason)


@pytest.mark.parametrize("role", ["GOV", "MIL", "LEG"])
def test_state_roles(crosswalk: Crosswalk, role: str) -> None:
    row = crafted(crosswalk, Actor1Code=f"PER{role}", Actor1Type1Code=role)
    assert isinstance(row, FeedRow)
    assert row.actor == "PER"


@pytest.mark.parametrize(("cameo", "iso"), [("ROM", "ROU"), ("ZAR", "COD"), ("KSV", "XKX")])
def test_cameo_codes_that_differ_from_iso(crosswalk: Crosswalk, cameo: str, iso: str) -> None:
    row = crafted(crosswalk, Actor2CountryCode=cameo, Actor2Code=cameo)
    assert isinstance(row, FeedRow)
    assert row.target == iso
