"""Strict parsing of the date and timestamp formats we accept."""

import re
from datetime import UTC, date, datetime, time

from relations.domain.errors import InvalidInput

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?"
)


def parse_date(text: str, *, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` and nothing else (no week dates, no compact forms)."""
    cleaned = text.strip()
    if _ISO_DATE.fullmatch(cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            pass
    raise InvalidInput(f"{what} {text!r} is not a valid date; use YYYY-MM-DD, e.g. 2025-11-03")


def not_after(day: date, today: date, *, what: str = "date") -> date:
    """Refuse dates in the future: events are facts that already happened."""
    if day > today:
        raise InvalidInput(f"{what} {day.isoformat()} is after today ({today.isoformat()})")
    return day


def parse_timestamp(text: str, *, what: str = "timestamp") -> datetime:
    """ISO 8601 date or date-time; without an offset it is UTC. Returns an aware datetime."""
    cleaned = text.strip()
    try:
        if _ISO_DATE.fullmatch(cleaned):
            moment = datetime.combine(date.fromisoformat(cleaned), time.min)
        elif _ISO_TIMESTAMP.fullmatch(cleaned):
            moment = datetime.fromisoformat(cleaned.replace(" ", "T"))
        else:
            raise ValueError(text)
    except ValueError:
        raise InvalidInput(
            f"{what} {text!r} is not valid; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM|Z] "
            "(UTC unless an offset is given)"
        ) from None
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        raise InvalidInput(
            f"{what} {text!r} is out of range once in UTC; use a moment between years 1 and 9999"
        ) from None
