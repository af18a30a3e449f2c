"""Schedule expressions: --every, crontab with crontab's weekday numbers, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from relations.domain.errors import InvalidInput
from relations.scheduling.periods import latest_fire_time, next_fire_time
from relations.scheduling.specs import every, parse_spec, weekday_names

FRIDAY = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday


def fires(cron: str, timezone: str | None = None, count: int = 3) -> list[datetime]:
    trigger = parse_spec(cron, None, timezone).trigger(FRIDAY)
    times, moment = [], FRIDAY
    for _ in range(count):
        found = next_fire_time(trigger, moment)
        assert found is not None
        times.append(found)
        moment = found
    return times


def test_0_8_star_star_1_fires_on_mondays_at_8_utc() -> None:
    times = fires("0 8 * * 1")
    assert [t.strftime("%A %H:%M") for t in times] == ["Monday 08:00"] * 3
    assert times[0] == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("0", "sun"), ("7", "sun"), ("1-5", "mon,tue,wed,thu,fri"), ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"), ("1-5/2", "mon,wed,fri"), ("sat,sun", "sun,sat"),
        ("MON-FRI", "mon,tue,wed,thu,fri"), ("*", "*"),
    ],
)  # fmt: skip
def test_weekdays_follow_crontab_numbering(field: str, names: str) -> None:
    assert weekday_names(field, f"0 8 * * {field}") == names


def test_sunday_is_0_and_7() -> None:
    assert {t.strftime("%A") for t in fires("30 6 * * 0")} == {"Sunday"}
    assert {t.strftime("%A") for t in fires("30 6 * * 7")} == {"Sunday"}


def test_day_of_month_or_weekday_like_crontab() -> None:
    times = fires("0 8 1 * 5", count=6)  # the 1st of a month OR a Friday
    assert all(t.day == 1 or t.strftime("%A") == "Friday" for t in times)
    assert datetime(2026, 12, 1, 8, 0, tzinfo=UTC) in times  # a Tuesday, but the 1st


def test_time_zone_applies_to_the_cron_fields() -> None:
    [first] = fires("0 8 * * 1", "America/Lima", count=1)
    assert first == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # 08:00 in Lima (UTC-5)


@pytest.mark.parametrize(
    ("text", "delta"),
    [("30s", timedelta(seconds=30)), ("15m", timedelta(minutes=15)), ("6h", timedelta(hours=6)),
     ("1d", timedelta(days=1)), ("1w", timedelta(weeks=1)), (" 2D ", timedelta(days=2))],
)  # fmt: skip
def test_every_durations(text: str, delta: timedelta) -> None:
    assert every(text) == delta


@pytest.mark.parametrize(
    ("cron", "every_text", "timezone", "message"),
    [
        (None, "0d", None, "positive number"),
        (None, "1y", None, "s, m, h, d or w"),
        (None, "fortnightly", None, "30s, 15m"),
        ("0 8 * *", None, None, "5 fields"),
        ("0 8 * * * *", None, None, "5 fields"),
        ("61 8 * * 1", None, None, "61"),
        ("0 8 * * 8", None, None, "weekday"),
        ("0 8 * * 5-1", None, None, "backwards"),
        ("0 8 * * funday", None, None, "weekday"),
        ("0 8 * * 1", None, "Mars/Olympus", "unknown time zone"),
        (None, None, None, "exactly one of"),
        ("0 8 * * 1", "1d", None, "exactly one of"),
    ],
)
def test_bad_expressions_are_refused_clearly(
    cron: str | None, every_text: str | None, timezone: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_spec(cron, every_text, timezone)


def test_latest_fire_time_coalesces_missed_runs() -> None:
    start = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    trigger = parse_spec(None, "1d", None).trigger(start)
    last_report_end = start + timedelta(days=2)
    now = start + timedelta(days=6, hours=3)
    assert latest_fire_time(trigger, last_report_end, now) == start + timedelta(days=6)
    assert latest_fire_time(trigger, start + timedelta(days=6), now) is None


def test_a_starred_day_field_means_and_like_crontab() -> None:
    times = fires("0 8 */10 * 1", count=6)  # Mondays that are also the 1st, 11th, 21st, 31st
    assert all(t.strftime("%A") == "Monday" and t.day in (1, 11, 21, 31) for t in times)


def test_weekday_with_a_leading_zero() -> None:
    assert weekday_names("01", "0 8 * * 01") == "mon"
