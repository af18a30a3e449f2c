"""Schedule specifications: `--every 6h` or `--cron "0 8 * * 1"`, in a time zone.

APScheduler 3's ``CronTrigger.from_crontab`` numbers weekdays from Monday = 0, while
crontab numbers them from Sunday = 0 ("0 8 * * 1" would fire on Tuesdays). We parse
the weekday field ourselves and hand APScheduler weekday *names*. Crontab also fires
when EITHER the day-of-month or the weekday matches if both are restricted; that is an
OrTrigger of two CronTriggers here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from relations.domain.errors import InvalidInput

MAX_INTERVAL = timedelta(weeks=520)  # ten years
_EVERY = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]  # crontab order: Sunday = 0
_DAY_TOKEN = re.compile(r"(\*|0*[0-7]|[a-z]{3})(?:-(0*[0-7]|[a-z]{3}))?(?:/(\d+))?")


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    kind: str  # "every" or "cron"
    expression: str
    timezone: str = "UTC"

    def describe(self) -> str:
        when = f"every {self.expression}" if self.kind == "every" else f"cron '{self.expression}'"
        return f"{when} ({self.timezone})"

    def trigger(self, start: datetime) -> Any:
        """The APScheduler trigger; interval schedules count from ``start``."""
        zone = time_zone(self.timezone)
        if self.kind == "every":
            from apscheduler.triggers.interval import IntervalTrigger

            return IntervalTrigger(
                seconds=every(self.expression).total_seconds(), start_date=start, timezone=zone
            )
        return crontab(self.expression, zone)


def parse_spec(cron: str | None, every_text: str | None, timezone: str | None) -> ScheduleSpec:
    """Check a schedule as the user typed it; InvalidInput says what is accepted."""
    if (cron is None) == (every_text is None):
        raise InvalidInput('give exactly one of --cron "MIN HOUR DOM MON DOW" or --every 1d')
    zone = "UTC" if timezone is None else timezone
    time_zone(zone)
    if every_text is not None:
        every(every_text)
        return ScheduleSpec("every", every_text.strip().lower(), zone)
    assert cron is not None
    expression = " ".join(cron.split())
    crontab(expression, time_zone(zone))
    return ScheduleSpec("cron", expression, zone)


def every(text: str) -> timedelta:
    match = _EVERY.fullmatch(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(
            f"bad --every {text!r}; use a positive number and a unit s, m, h, d or w "
            "(30s, 15m, 6h, 1d, 1w)"
        )
    unit = timedelta(**{_UNITS[match.group(2)]: 1})
    if int(match.group(1)) > MAX_INTERVAL // unit:
        raise InvalidInput(f"bad --every {text!r}: at most {MAX_INTERVAL.days // 7}w")
    return int(match.group(1)) * unit


def time_zone(name: str) -> ZoneInfo:
    if not name.strip() or name in ("localtime", "posixrules", "Factory"):
        raise InvalidInput(
            f"unknown time zone {name!r}; use an IANA name such as UTC, Europe/Madrid or "
            "America/Lima"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {name!r}; use an IANA name such as UTC, Europe/Madrid or "
            "America/Lima"
        ) from None


def crontab(expression: str, zone: ZoneInfo) -> Any:
    from apscheduler.triggers.combining import OrTrigger
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise InvalidInput(
            f"bad --cron {expression!r}: it needs 5 fields (minute hour day-of-month month "
            f'day-of-week), got {len(fields)}; e.g. "0 8 * * 1" for Mondays at 08:00'
        )
    minute, hour, day, month, weekday = fields
    names = weekday_names(weekday, expression)

    def cron(day_field: str, weekday_field: str) -> Any:
        try:
            return CronTrigger(
                minute=minute, hour=hour, day=day_field, month=month,
                day_of_week=weekday_field, timezone=zone,
            )  # fmt: skip
        except ValueError as exc:
            raise InvalidInput(f"bad --cron {expression!r}: {exc}") from None

    # crontab: when neither field starts with "*", a day matching EITHER fires it.
    if not day.startswith("*") and not weekday.startswith("*"):
        return OrTrigger([cron(day, "*"), cron("*", names)])
    return cron(day, names)


def weekday_names(field: str, expression: str) -> str:
    """Crontab's weekday field (Sunday = 0 or 7) as APScheduler weekday names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for token in field.lower().split(","):
        match = _DAY_TOKEN.fullmatch(token)
        if not match:
            raise InvalidInput(f"bad --cron {expression!r}: weekday {token!r} is not valid")
        first, last, step = match.groups()
        if first == "*":
            low, high = 0, 6
        else:
            low = _day_number(first, expression)
            high = _day_number(last, expression) if last else (6 if step else low)
        if low > high:
            raise InvalidInput(f"bad --cron {expression!r}: weekday range {token!r} runs backwards")
        stride = int(step) if step else 1
        if stride == 0:
            raise InvalidInput(f"bad --cron {expression!r}: a step of 0")
        days.update(d % 7 for d in range(low, high + 1, stride))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _day_number(token: str, expression: str) -> int:
    """0-7 as written (7 is Sunday too, so that 5-7 means Friday to Sunday)."""
    if token.isdigit():
        return int(token)
    if token in _DAY_NAMES:
        return _DAY_NAMES.index(token)
    raise InvalidInput(f"bad --cron {expression!r}: unknown weekday {token!r}")
