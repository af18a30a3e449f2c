"""Which period a scheduled report covers.

Each report of a schedule covers [end of its last written report, the latest fire time
not after now). Missed fire times (the daemon was down) are coalesced into that one
period, so consecutive reports never overlap and never leave a gap.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

_TICK = timedelta(microseconds=1)


def latest_fire_time(trigger: Any, after: datetime, now: datetime) -> datetime | None:
    """The last time ``trigger`` fires in (after, now], in UTC; None if it does not."""
    latest = None
    fire = trigger.get_next_fire_time(None, after + _TICK)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + _TICK)
    return latest.astimezone(UTC) if latest else None


def next_fire_time(trigger: Any, after: datetime) -> datetime | None:
    fire = trigger.get_next_fire_time(None, after + _TICK)
    return fire.astimezone(UTC) if fire else None
