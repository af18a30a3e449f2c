"""ICEWS rows: exact counts on a real excerpt, Burkina Faso breaking with Taiwan field by
field, the state-actor rule, and malformed rows rejected with a one-line reason.

The excerpt is the first 1,300 lines (header + 1,299 events of 2018-06-01) of the
3,705-event sample; its counts were re-derived by an independent script.
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
from relations.feeds.icews import HEADER, read_icews
from relations.feeds.opening import open_text

ICEWS = Path(__file__).parent / "data" / "feeds" / "icews-events-2018-excerpt.tab"
HEADER_LINE = "\t".join(HEADER) + "\n"


@pytest.fixture(scope="module")
def crosswalk() -> Crosswalk:
    return load_crosswalk(None, default_rules())


@pytest.fixture(scope="module")
def results(crosswalk: Crosswalk) -> list[ReadResult]:
    with open_text(ICEWS) as lines:
        return list(read_icews(lines, crosswalk))


def at(results: list[ReadResult], line: int) -> ReadResult:
    """The result for a file line (line 1 is the header, no blank lines)."""
    return results[line - 2]


def test_excerpt_exact_counts(results: list[ReadResult]) -> None:
    counts = Tally()
    for result in results:
        counts.add(result)
    assert counts.rows == 1299
    assert counts.rejects == 0
    assert counts.feed_rows == 17
    assert counts.skipped == {
        SkipReason.NOT_CROSSWALKED: 1270,
        SkipReason.SAME_COUNTRY: 8,
        SkipReason.NOT_STATE_ACTOR: 2,
        SkipReason.NO_COUNTRY: 2,
    }
    events = collapse(r for r in results if isinstance(r, FeedRow))
    assert len(events) == 13
    assert {e.external_id: e.source_rows for e in events if e.source_rows > 1} == {
        "icews:20180601:PRK:KOR:agreement_signed": 2,
        "icews:20180601:KOR:PRK:agreement_signed": 2,
        "icews:20180601:ARE:RUS:agreement_signed": 2,
        "icews:20180601:RUS:ARE:agreement_signed": 2,
    }


def test_burkina_faso_breaks_with_taiwan_field_by_field(results: list[ReadResult]) -> None:
    """Line 1219: ``Burkina Faso`` (sectors NA, the country itself) -> ``Taiwan``, 161."""
    assert at(results, 1219) == FeedRow(
        feed="icews",
        line=1219,
        occurred_on=date(2018, 6, 1),
        actor="BFA",
        target="TWN",
        event_type="relations_reduced",
        cameo_code="161",
        source_event_id="32892153",
        goldstein=-4.0,
        mentions=None,
        source_url="All Africa",  # the Publisher: ICEWS has no URL
    )


def test_state_actor_rule_on_real_rows(results: list[ReadResult]) -> None:
    # Lithuania -> "Palestinian Territory, Occupied" / Occupied Palestinian Territory
    row = at(results, 292)
    assert isinstance(row, FeedRow)
    assert (row.actor, row.target) == ("LTU", "PSE")
    # "Russia" / Russian Federation counts as the country itself
    row = at(results, 461)
    assert isinstance(row, FeedRow)
    assert (row.actor, row.target) == ("RUS", "ISR")
    # Indian Navy: "Navy,Government,Military"
    row = at(results, 571)
    assert isinstance(row, FeedRow)
    assert (row.actor, row.target) == ("IND", "SGP")
    # Kim Jong-Il: "Parties,Government Major Party (In Government),..." is a party,
    # not the government; Kim Daejung: "Elite"
    assert at(results, 99) is SKIPPED[SkipReason.NOT_STATE_ACTOR]
    # United Nations (country NA) -> Myanmar
    assert at(results, 351) is SKIPPED[SkipReason.NO_COUNTRY]


def row(**changes: str) -> str:
    values = dict.fromkeys(HEADER, "NA")
    values |= {
        "Event ID": "1",
        "Event Date": "2018-06-01",
        "Source Name": "Burkina Faso",
        "Source Country": "Burkina Faso",
        "Event Text": "Reduce or break diplomatic relations",
        "CAMEO Code": "161",
        "Intensity": "-4",
        "Target Name": "Taiwan",
        "Target Country": "Taiwan",
        "Publisher": "All Africa",
    }
    values |= changes
    return "\t".join(values[name] for name in HEADER) + "\n"


def read_one(crosswalk: Crosswalk, line: str) -> ReadResult:
    (result,) = read_icews([HEADER_LINE, line], crosswalk)
    return result


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"CAMEO Code": "13y"}, "CAMEO Code '13y' is not a CAMEO code; expected 2 to 4 digits"),
        ({"Event Date": "20180601"}, "Event Date '20180601' is not a date; expected YYYY-MM-DD"),
        ({"Event Date": "2018-02-30"}, "Event Date '2018-02-30' is not a date"),
        ({"Source Country": "Narnia"}, "Source Country 'Narnia' is not a country we know"),
        (
            {"Target Country": "Serbia and Montenegro"},
            "Target Country 'Serbia and Montenegro' is a former country (Serbia and Montenegro)",
        ),
        ({"Intensity": "strong"}, "Intensity 'strong' is not a number"),
        ({"Event ID": "NA"}, "Event ID is missing"),
    ],
)
def test_malformed_rows_are_rejected(
    crosswalk: Crosswalk, changes: dict[str, str], reason: str
) -> None:
    result = read_one(crosswalk, row(**changes))
    assert isinstance(result, Reject)
    assert result.line == 2
    assert result.reason.startswith(reason)


def test_bad_code_is_rejected_even_between_non_state_actors(crosswalk: Crosswalk) -> None:
    result = read_one(crosswalk, row(**{"CAMEO Code": "13y", "Source Country": "NA"}))
    assert isinstance(result, Reject)


def test_truncated_row(crosswalk: Crosswalk) -> None:
    line = row()
    result = read_one(crosswalk, line[: line.index("Taiwan")])
    assert result == Reject(
        2, "has 9 tab-separated fields; the header has 20", "wrong number of fields"
    )


def test_base_row_and_missing_intensity(crosswalk: Crosswalk) -> None:
    result = read_one(crosswalk, row(Intensity="NA", Publisher="NA"))
    assert isinstance(result, FeedRow)
    assert (result.actor, result.target, result.goldstein, result.source_url) == (
        "BFA",
        "TWN",
        None,
        "",
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"CAMEO Code": "040"}, SkipReason.NOT_CROSSWALKED),
        ({"Target Country": "NA"}, SkipReason.NO_COUNTRY),
        (
            {"Target Country": "Burkina Faso", "Target Name": "Burkina Faso"},
            SkipReason.SAME_COUNTRY,
        ),
        ({"Source Name": "Citizen (Burkina Faso)"}, SkipReason.NOT_STATE_ACTOR),
        (
            {
                "Source Name": "Ruling Party",
                "Source Sectors": "Government Major Party (In Government)",
            },
            SkipReason.NOT_STATE_ACTOR,
        ),
        (
            {"Source Name": "UN", "Source Sectors": "International Government Organization"},
            SkipReason.NOT_STATE_ACTOR,
        ),
    ],
)
def test_filters(crosswalk: Crosswalk, changes: dict[str, str], reason: SkipReason) -> None:
    assert read_one(crosswalk, row(**changes)) == Skipped(reason)


def test_government_sector_makes_a_state_actor(crosswalk: Crosswalk) -> None:
    line = row(**{"Source Name": "Foreign Affairs (Burkina Faso)", "Source Sectors": "Government"})
    assert isinstance(read_one(crosswalk, line), FeedRow)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Congo", "COG"),
        ("Democratic Republic of Congo", "COD"),
        ("Occupied Palestinian Territory", "PSE"),
        ("the former Yugoslav Republic of Macedonia", "MKD"),
        ("Russian Federation", "RUS"),
        ("Moldova, Republic of", "MDA"),
    ],
)
def test_icews_country_names(crosswalk: Crosswalk, name: str, code: str) -> None:
    result = read_one(crosswalk, row(**{"Target Name": name, "Target Country": name}))
    assert isinstance(result, FeedRow)
    assert result.target == code


def test_a_file_without_the_header_is_refused(crosswalk: Crosswalk) -> None:
    with pytest.raises(InvalidInput, match="line 1 is not an ICEWS header"):
        list(read_icews([row()], crosswalk))
    with pytest.raises(InvalidInput, match="line 1 is not an ICEWS header"):
        list(read_icews([], crosswalk))
