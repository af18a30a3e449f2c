"""The CAMEO crosswalk: the packaged default, validation of user files, opting in to
severing, and collapsing repeated rows into events with deterministic ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from relations.domain.errors import InvalidInput
from relations.domain.rules import Rules, default_rules
from relations.feeds.crosswalk import load_crosswalk
from relations.feeds.feed_rows import FeedRow, collapse, external_id
from relations.feeds.icews import read_icews
from relations.feeds.opening import open_text

ICEWS = Path(__file__).parent / "data" / "feeds" / "icews-events-2018-excerpt.tab"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return default_rules()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crosswalk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_crosswalk(rules: Rules) -> None:
    crosswalk = load_crosswalk(None, rules)
    assert dict(crosswalk.mapping) == {
        "057": "agreement_signed",
        "075": "asylum_granted",
        "114": "protest_note",
        "160": "relations_reduced",
        "161": "relations_reduced",
        "163": "sanctions_imposed",
        "1313": "break_threatened",
    }
    assert crosswalk.source.endswith("cameo-crosswalk.toml")


def test_no_default_code_severs_or_restores(rules: Rules) -> None:
    crosswalk = load_crosswalk(None, rules)
    effects = {rules.event_types[t].effect for t in crosswalk.mapping.values()}
    assert effects <= {"escalate", "none"}


def test_codes_match_exactly(rules: Rules) -> None:
    crosswalk = load_crosswalk(None, rules)
    assert crosswalk.event_type("161") == "relations_reduced"
    assert crosswalk.event_type("1612") is None
    assert crosswalk.event_type("16") is None
    assert crosswalk.event_type("57") is None  # "057" is not "57"
    assert "075" in crosswalk


def test_a_user_crosswalk_can_opt_in_to_severing(tmp_path: Path, rules: Rules) -> None:
    path = write(tmp_path, '[cameo]\n"161" = "relations_severed"\n')
    crosswalk = load_crosswalk(path, rules)
    assert dict(crosswalk.mapping) == {"161": "relations_severed"}  # replaces the default
    with open_text(ICEWS) as lines:
        rows = [r for r in read_icews(lines, crosswalk) if isinstance(r, FeedRow)]
    assert [(r.actor, r.target, r.event_type, r.cameo_code) for r in rows] == [
        ("EST", "USA", "relations_severed", "161"),
        ("BFA", "TWN", "relations_severed", "161"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[cameo]\n"13y" = "protest_note"\n', "'13y' is not a CAMEO event code; use a quoted code"),
        ('[cameo]\n"75" = "asylum_granted"\n', "'75' is not a CAMEO event code"),
        ('[cameo]\n"16123" = "relations_reduced"\n', "'16123' is not a CAMEO event code"),
        ('[cameo]\n"161" = 3\n', 'code "161" must map to an event type name'),
        (
            '[cameo]\n"161" = "relations_broken"\n',
            "code \"161\" maps to unknown event type 'relations_broken'; known types: "
            "agreement_signed, ambassador_recalled, ambassador_returned, armed_clash,",
        ),
        ('[cameo]\n"161" = "relations_reduced"\n"161" = "relations_severed"\n', "listed twice"),
        ("[cameo]\n", "missing or empty [cameo] table"),
        ('"161" = "relations_reduced"\n', "unknown key(s) 161; a crosswalk has only a [cameo]"),
        ('[codes]\n"161" = "relations_reduced"\n', "unknown key(s) codes"),
        ("[cameo\n", "is not valid TOML"),
    ],
)
def test_invalid_crosswalks_are_refused(
    tmp_path: Path, rules: Rules, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        load_crosswalk(path, rules)
    assert str(caught.value).startswith(f"crosswalk file {path}")
    assert message in str(caught.value)


def test_unreadable_crosswalk(tmp_path: Path, rules: Rules) -> None:
    with pytest.raises(InvalidInput, match=r"cannot read crosswalk file .*missing\.toml"):
        load_crosswalk(tmp_path / "missing.toml", rules)
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'# caf\xe9\n[cameo]\n"161" = "relations_reduced"\n')
    with pytest.raises(InvalidInput, match="is not UTF-8 text"):
        load_crosswalk(path, rules)


BASE = FeedRow(
    feed="gdelt",
    line=0,
    occurred_on=date(2025, 11, 3),
    actor="PER",
    target="MEX",
    event_type="relations_reduced",
    cameo_code="161",
    source_event_id="0",
    goldstein=-4.0,
    mentions=2,
    source_url="",
)


def feed_row(line: int, **changes: Any) -> FeedRow:
    defaults = {"source_event_id": str(line), "source_url": f"https://example.org/{line}"}
    return replace(BASE, line=line, **(defaults | changes))


def test_external_id() -> None:
    assert (
        external_id("gdelt", date(2025, 11, 3), "PER", "MEX", "relations_reduced")
        == "gdelt:20251103:PER:MEX:relations_reduced"
    )


def test_collapse_groups_by_day_direction_and_type() -> None:
    rows = [
        feed_row(1, source_url=""),  # a backfile row: no URL
        feed_row(2, actor="MEX", target="PER"),  # the other direction
        feed_row(3, cameo_code="160", goldstein=-3.0),  # same type from another code
        feed_row(4, event_type="asylum_granted", cameo_code="075"),
        feed_row(5, occurred_on=date(2025, 11, 4)),
        feed_row(6, feed="icews", mentions=None),
        feed_row(7, mentions=None),
    ]
    events = collapse(rows)
    assert [(e.external_id, e.source_rows) for e in events] == [
        ("gdelt:20251103:PER:MEX:relations_reduced", 3),
        ("gdelt:20251103:MEX:PER:relations_reduced", 1),
        ("gdelt:20251103:PER:MEX:asylum_granted", 1),
        ("gdelt:20251104:PER:MEX:relations_reduced", 1),
        ("icews:20251103:PER:MEX:relations_reduced", 1),
    ]
    first = events[0]
    assert (first.cameo_code, first.source_event_id, first.goldstein, first.first_line) == (
        "161",
        "1",
        -4.0,
        1,
    )
    assert first.source_url == "https://example.org/3"  # the first row that has one
    assert first.mentions == 4  # 2 + 2, row 7 has none
    assert events[4].mentions is None
    assert first.summary == "GDELT CAMEO 161 PER->MEX: 3 source rows, first event id 1"
    assert collapse([]) == []
