"""Strict parsing of the one date format we accept."""

import re
from datetime import date

from relations.domain.errors import InvalidInput

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
