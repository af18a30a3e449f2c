"""ICEWS event files (Dataverse ``events.YYYY.*.tab``) to FeedRows, Rejects and Skips.

Tab-separated with a header (line 1) naming 20 columns; columns are found by name,
so a release that reorders them still reads. Countries are full English names
("Russian Federation", "Occupied Palestinian Territory"), sectors are comma-joined
lists, and the literal ``NA`` marks a missing value.

As for GDELT, structure is checked on every row before any filter, so rejects do not
depend on the crosswalk: valid UTF-8 without NUL, column count, Event ID, Event Date
(YYYY-MM-DD), CAMEO Code syntax (ICEWS files carry codes such as ``13y``), both
countries when not NA, and Intensity. The filters then run in the same order as for
GDELT: code not in the crosswalk; a side has no country; one country on both sides;
a side is not a state actor.

A side is a state actor when it is the country itself, its name denoting its own
country (``Burkina Faso`` / Burkina Faso, ``Russia`` / Russian Federation), or when
``Government`` is one of its sectors, compared as a whole item of the comma-joined
list: "Government Major Party (In Government)" (a ruling party) and "International
Government Organization" do not count. ICEWS files executive, legislature,
military, police and courts all under Government, so its rule is a little broader
than GDELT's GOV/MIL/LEG.

ICEWS has no URL: ``source_url`` holds the Publisher ("Reuters News"), empty if NA.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

from relations.domain.errors import InvalidInput
from relations.feeds import formats
from relations.feeds.crosswalk import Crosswalk, is_cameo_code
from relations.feeds.feed_countries import (
    ICEWS_MISSING,
    CountryMemo,
    icews_country,
    icews_name_country,
)
from relations.feeds.feed_rows import SKIPPED, FeedRow, ReadResult, Reject, SkipReason
from relations.feeds.fields import BAD_SCORE, Memo, is_clean_text, score_or_bad

FEED = formats.ICEWS
HEADER = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
)
HEADER_START = "Event ID\tEvent Date"
USED = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Publisher",
)
GOVERNMENT = "Government"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def read_icews(lines: Iterable[str], crosswalk: Crosswalk) -> Iterator[ReadResult]:
    """One FeedRow, Reject or Skipped per non-blank line after the header (line 1).

    A first line that is not an ICEWS header is an InvalidInput for the whole file.
    """
    numbered = enumerate(lines, start=1)
    first = next(numbered, None)
    header = first[1].lstrip("\ufeff").rstrip("\r\n").split("\t") if first else []
    missing = [name for name in USED if name not in header]
    if missing:
        raise InvalidInput(
            "line 1 is not an ICEWS header (missing "
            f"{', '.join(missing)}); expected tab-separated columns: {', '.join(HEADER)}"
        )
    width = len(header)
    (i_id, i_date, i_sname, i_ssectors, i_scountry, i_code, i_intensity, i_tname) = (
        header.index(name) for name in USED[:8]
    )
    i_tsectors, i_tcountry, i_publisher = (header.index(name) for name in USED[8:])

    mapping = dict(crosswalk.mapping)
    dates = Memo(_parse_date)
    cameo_codes = Memo(is_cameo_code, dict.fromkeys(mapping, True))
    scores = Memo(score_or_bad, {"NA": None, "": None})
    governments = Memo(_lists_government)
    countries = CountryMemo(icews_country)
    for number, raw in numbered:
        if not is_clean_text(raw):
            yield Reject(
                number, "is not valid UTF-8 text or contains a NUL character", "not UTF-8 text"
            )
            continue
        fields = raw.split("\t")
        fields[-1] = fields[-1].rstrip("\r\n")  # cheaper than stripping the whole line
        if len(fields) != width:
            if len(fields) == 1 and not raw.strip():
                continue
            yield Reject(
                number,
                f"has {len(fields)} tab-separated fields; the header has {width}",
                "wrong number of fields",
            )
            continue

        event_id = fields[i_id]
        if event_id in ICEWS_MISSING:
            yield Reject(number, "Event ID is missing; every ICEWS row has one", "bad event id")
            continue
        day = dates[fields[i_date]]
        if day is None:
            yield Reject(
                number,
                f"Event Date {fields[i_date]!r} is not a date; "
                "expected YYYY-MM-DD such as 2018-06-01",
                "bad date",
            )
            continue
        code = fields[i_code]
        if not cameo_codes[code]:
            yield Reject(
                number,
                f"CAMEO Code {code!r} is not a CAMEO code; expected 2 to 4 digits "
                "starting with a root code 01-20, such as 161 or 0871",
                "bad CAMEO code",
            )
            continue
        event_type = mapping.get(code)
        actor = countries[fields[i_scountry]]
        if actor is None:
            reason = countries.reason(fields[i_scountry])
            yield Reject(number, f"Source Country {reason}", "unknown or former country")
            continue
        target = countries[fields[i_tcountry]]
        if target is None:
            reason = countries.reason(fields[i_tcountry])
            yield Reject(number, f"Target Country {reason}", "unknown or former country")
            continue
        intensity = scores[fields[i_intensity]]
        if intensity == BAD_SCORE:
            yield Reject(
                number,
                f"Intensity {fields[i_intensity]!r} is not a number; expected a number "
                "from -10 to 10 or NA",
                "bad number",
            )
            continue

        if event_type is None:
            yield SKIPPED[SkipReason.NOT_CROSSWALKED]
        elif not actor or not target:
            yield SKIPPED[SkipReason.NO_COUNTRY]
        elif actor == target:
            yield SKIPPED[SkipReason.SAME_COUNTRY]
        elif not _is_state(
            fields[i_sname], fields[i_ssectors], actor, governments
        ) or not _is_state(fields[i_tname], fields[i_tsectors], target, governments):
            yield SKIPPED[SkipReason.NOT_STATE_ACTOR]
        else:
            publisher = fields[i_publisher]
            yield FeedRow(
                feed=FEED,
                line=number,
                occurred_on=day,
                actor=actor,
                target=target,
                event_type=event_type,
                cameo_code=code,
                source_event_id=event_id,
                goldstein=intensity,
                mentions=None,
                source_url="" if publisher in ICEWS_MISSING else publisher,
            )


def _is_state(name: str, sectors: str, country: str, governments: Memo) -> bool:
    """Government among the sectors, or the actor is the country itself."""
    return governments[sectors] or icews_name_country(name) == country


def _lists_government(sectors: str) -> bool:
    return GOVERNMENT in (item.strip() for item in sectors.split(","))


def _parse_date(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
