"""The colours of stages, shared by the timelines, the map and the matrix: green for
normal, yellows to deep orange within strained, reds within severed (darker for never
established). A stage the palette does not know (custom rules) takes its status's
colour, or grey."""

from __future__ import annotations

from relations.domain.rules import Rules
from relations.reports import present
from relations.reports.model import Place

STAGES = {
    "normal": "#2e7d32",
    "friction": "#fdd835",
    "ambassador_withdrawn": "#f9a825",
    "downgraded": "#ef6c00",
    "embassy_closed": "#d84315",
    "broken": "#c62828",
    "never_established": "#6d1010",
}
STATUSES = {"normal": "#2e7d32", "strained": "#f9a825", "severed": "#c62828"}
FALLBACK = "#607d8b"
FOCAL = "#1a237e"  # the country a map is about
UNTRACKED = "#e0e0e0"  # land that is no country of the model (Northern Cyprus...)


def stage_colour(rules: Rules, stage: str) -> str:
    if stage in STAGES:
        return STAGES[stage]
    try:
        return STATUSES.get(rules.status_of_stage(stage), FALLBACK)
    except KeyError:
        return FALLBACK


def legend(rules: Rules, stages: set[str]) -> list[tuple[str, str]]:
    """(how people say it, colour) of the given stages, in the rules' order (least
    serious first)."""
    return [
        (present.place(rules, Place(rules.status_of_stage(stage), stage)),
         stage_colour(rules, stage))
        for stage in rules.all_stages
        if stage in stages
    ]  # fmt: skip
