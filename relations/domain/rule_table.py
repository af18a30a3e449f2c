"""The rule table as people read it (Markdown), written from the rules themselves so
that the documentation cannot drift from them (a test compares the two)."""

from __future__ import annotations

from relations.domain.rules import SEPARATOR, Rules, describe_missions


def markdown(rules: Rules) -> str:
    """One row per event type: where it leads from each status, what it does to the
    missions, its conditions, CAMEO code and description."""
    header = ["event type", "effect"]
    header += [f"from {status}" for status in rules.states]
    header += ["missions", "CAMEO", "description"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for kind in rules.event_types.values():
        mapping = rules.effects[kind.effect]
        cells = [f"`{kind.name}`", kind.effect]
        cells += [_moves_from(mapping, status) for status in rules.states]
        cells += [describe_missions(kind), kind.cameo or "-", kind.description]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _moves_from(mapping: dict[str, str], status: str) -> str:
    moves = []
    for source, dest in mapping.items():
        if source.split(SEPARATOR)[0] != status:
            continue
        to = dest.replace(SEPARATOR, " (", 1) + ")" if SEPARATOR in dest else dest
        if dest == status:
            to = "stays" if status == source else to
        moves.append(f"{source.split(SEPARATOR)[1]}: {to}" if SEPARATOR in source else to)
    return "; ".join(moves) or "(invalid)"
