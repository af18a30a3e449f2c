"""An event_effects row as one text, to compare a stored row with a rebuilt one without
reading its columns into Python (a reprojection under unchanged rules checks a million):
the database makes it of the stored row (STORED_EFFECT_PRINT, both dialects), and
``effect_print`` of a row about to be written (store.bulk.EFFECT_COLUMNS order)."""

from __future__ import annotations

from typing import Any

STORED_EFFECT_PRINT = (
    "CASE WHEN f.event_id IS NULL THEN NULL ELSE "
    "f.pair_first || '|' || f.pair_second || '|' || CAST(f.occurred_on AS TEXT) || '|' || "
    "f.status_before || '|' || f.status_after || '|' || "
    "CASE WHEN f.valid THEN '1' ELSE '0' END || '|' || "
    "CASE WHEN f.changed THEN '1' ELSE '0' END || '|' || "
    "coalesce(CAST(f.position AS TEXT), '') || '|' || coalesce(f.stage_before, '') || '|' || "
    "coalesce(f.stage_after, '') || '|' || coalesce(f.state, '') END"
)


def effect_print(row: tuple[Any, ...]) -> str:
    """The text STORED_EFFECT_PRINT makes of the same row once stored."""
    _, first, second, day, was, now, valid, changed, position, stage_was, stage_now, state = row
    return (
        f"{first}|{second}|{day}|{was}|{now}|{1 if valid else 0}|{1 if changed else 0}|"
        f"{position}|{stage_was or ''}|{stage_now or ''}|{state or ''}"
    )
