"""GDELT event files (1.0 backfile, 1.0 daily, 2.0) to FeedRows, Rejects and Skips.

Files are tab-separated without a header, despite their .CSV name. Columns 0-34 are
the same in every layout (checked against the codebook and real files):

    0 GLOBALEVENTID  1 SQLDATE (YYYYMMDD, the event date)  5 Actor1Code
    7 Actor1CountryCode  12-14 Actor1Type1-3Code  15 Actor2Code  17 Actor2CountryCode
    22-24 Actor2Type1-3Code  26 EventCode  30 GoldsteinScale  31 NumMentions

then three geography blocks (7 fields each in 1.0, 8 in 2.0, which adds ADM2
codes), DATEADDED and, except in the 1.0 backfile (up to March 2013), SOURCEURL:
57 columns (1.0 backfile), 58 (1.0 daily) or 61 (2.0).

Every line is first checked for structure, whatever its CAMEO code, so that what is
rejected does not depend on the crosswalk or on ``min_mentions``: valid UTF-8 without
NUL, column count, GLOBALEVENTID, SQLDATE, EventCode syntax, the two country codes
when set, GoldsteinScale and NumMentions. Only then do the filters run, in this order
(the first that applies is the row's skip reason): the code is not in the crosswalk;
a side has no country (blank or a CAMEO region); both sides are one country; a side
is not a state actor; NumMentions is below ``min_mentions``.

A side is a state actor when its actor code is its country code alone (``PER``: the
country itself) or one of its three type codes is GOV (government), MIL (military) or
LEG (legislature), the roles the issue names. Other roles are left out, including the
state's own JUD (courts rule on cases, they do not conduct foreign relations), COP
(police) and SPY (intelligence services), and of course OPP, BUS, MED, ELI...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from relations.domain.errors import InvalidInput
from relations.domain.events import MAX_TEXT
from relations.feeds import formats
from relations.feeds.crosswalk import Crosswalk, is_cameo_code
from relations.feeds.feed_countries import CountryMemo, cameo_country
from relations.feeds.feed_rows import SKIPPED, FeedRow, ReadResult, Reject, SkipReason
from relations.feeds.fields import BAD_SCORE, Memo, is_clean_text, is_count, score_or_bad

FEED = formats.GDELT
WIDTHS = {57: "1.0 backfile", 58: "1.0 daily", 61: "2.0"}
STATE_ROLES = frozenset({"GOV", "MIL", "LEG"})

_ID, _DATE, _A1, _A1_COUNTRY, _A2, _A2_COUNTRY = 0, 1, 5, 7, 15, 17
_A1_TYPES, _A2_TYPES = slice(12, 15), slice(22, 25)
_CODE, _GOLDSTEIN, _MENTIONS = 26, 30, 31
_SPLIT = 32  # split off the fields up to NumMentions; the rest stays one string

_WIDTH_REASON = (
    "tab-separated fields; GDELT event rows have 57 (1.0 backfile), 58 (1.0 daily) or 61 (2.0)"
)
_TEXT_REASON = "is not valid UTF-8 text or contains a NUL character; GDELT files are UTF-8"


def read_gdelt(
    lines: Iterable[str], crosswalk: Crosswalk, *, min_mentions: int = 0
) -> Iterator[ReadResult]:
    """One FeedRow, Reject or Skipped per non-blank line; lines are numbered from 1."""
    if min_mentions < 0:
        raise InvalidInput(f"min_mentions must be 0 or more, got {min_mentions}")
    mapping = dict(crosswalk.mapping)
    dates = Memo(_parse_date)
    cameo_codes = Memo(is_cameo_code, dict.fromkeys(mapping, True))
    scores = Memo(score_or_bad, {"": None})
    countries = CountryMemo(cameo_country)
    for number, raw in enumerate(lines, start=1):
        # No rstrip of the whole line (it copies it): the line end stays in the
        # unsplit remainder, and only SOURCEURL, read for FeedRows, is stripped.
        if not is_clean_text(raw):
            yield Reject(number, _TEXT_REASON, "not UTF-8 text")
            continue
        fields = raw.split("\t", _SPLIT)
        if len(fields) <= _SPLIT:
            if raw.strip():
                yield Reject(number, f"has {len(fields)} {_WIDTH_REASON}", "wrong number of fields")
            continue
        width = _SPLIT + 1 + fields[_SPLIT].count("\t")
        if width not in WIDTHS:
            yield Reject(number, f"has {width} {_WIDTH_REASON}", "wrong number of fields")
            continue

        event_id = fields[_ID]
        if not (event_id.isdigit() and event_id.isascii()):
            yield Reject(
                number,
                f"GLOBALEVENTID {event_id!r} is not a number; expected digits",
                "bad event id",
            )
            continue
        day = dates[fields[_DATE]]
        if day is None:
            yield Reject(
                number,
                f"SQLDATE {fields[_DATE]!r} is not a date; expected YYYYMMDD such as 20251103",
                "bad date",
            )
            continue
        code = fields[_CODE]
        if not cameo_codes[code]:
            yield Reject(
                number,
                f"EventCode {code!r} is not a CAMEO code; expected 2 to 4 digits "
                "starting with a root code 01-20, such as 161 or 0871",
                "bad CAMEO code",
            )
            continue
        event_type = mapping.get(code)
        actor = countries[fields[_A1_COUNTRY]]
        if actor is None:
            reason = countries.reason(fields[_A1_COUNTRY])
            yield Reject(number, f"Actor1CountryCode {reason}", "unknown or former country")
            continue
        target = countries[fields[_A2_COUNTRY]]
        if target is None:
            reason = countries.reason(fields[_A2_COUNTRY])
            yield Reject(number, f"Actor2CountryCode {reason}", "unknown or former country")
            continue
        goldstein = scores[fields[_GOLDSTEIN]]
        if goldstein == BAD_SCORE:
            yield Reject(
                number,
                f"GoldsteinScale {fields[_GOLDSTEIN]!r} is not a number; expected a number "
                "from -10 to 10 or blank",
                "bad number",
            )
            continue
        mentions_text = fields[_MENTIONS]
        if mentions_text and not (
            mentions_text.isdigit() and mentions_text.isascii() and len(mentions_text) <= 18
        ):
            yield Reject(
                number,
                f"NumMentions {mentions_text!r} is not a count; expected digits or blank",
                "bad number",
            )
            continue

        if event_type is None:
            yield SKIPPED[SkipReason.NOT_CROSSWALKED]
        elif not actor or not target:
            yield SKIPPED[SkipReason.NO_COUNTRY]
        elif actor == target:
            yield SKIPPED[SkipReason.SAME_COUNTRY]
        elif not _is_state(fields[_A1], fields[_A1_COUNTRY], fields[_A1_TYPES]) or not _is_state(
            fields[_A2], fields[_A2_COUNTRY], fields[_A2_TYPES]
        ):
            yield SKIPPED[SkipReason.NOT_STATE_ACTOR]
        else:
            mentions = int(mentions_text) if mentions_text else None
            if (mentions or 0) < min_mentions:
                yield SKIPPED[SkipReason.FEW_MENTIONS]
                continue
            rest = fields[_SPLIT]
            url = rest.rpartition("\t")[2].rstrip("\r\n") if width != 57 else ""
            sources_text, articles_text, _ = rest.split("\t", 2)
            if len(url) > MAX_TEXT:
                yield Reject(
                    number,
                    f"SOURCEURL is {len(url)} characters long; at most {MAX_TEXT} are accepted",
                    "text too long",
                )
                continue
            yield FeedRow(
                feed=FEED,
                line=number,
                occurred_on=day,
                actor=actor,
                target=target,
                event_type=event_type,
                cameo_code=code,
                source_event_id=event_id,
                goldstein=goldstein,
                mentions=mentions,
                source_url=url,
                articles=_count(articles_text),
                sources=_count(sources_text),
            )


def _count(text: str) -> int | None:
    """NumArticles or NumSources: a count, or None if blank or not one (evidence only,
    never a reason to reject the row)."""
    return int(text) if text and text.isdigit() and text.isascii() and len(text) <= 18 else None


def _is_state(code: str, country: str, types: list[str]) -> bool:
    """The country itself (actor code == country code) or a GOV/MIL/LEG role."""
    return code == country or not STATE_ROLES.isdisjoint(types)


def _parse_date(text: str) -> date | None:
    if len(text) != 8 or not is_count(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
