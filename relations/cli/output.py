"""Printing: JSON for scripts (stdout only), aligned tables for people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click


def echo_json(value: Any) -> None:
    import json

    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for number, row in enumerate(cells):
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo(line.rstrip())
        if number == 0:
            click.echo("  ".join("-" * width for width in widths))


def shorten(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return str(value)


def echo(text: str = "", **options: Any) -> None:
    """click.echo, verbatim: click would strip ANSI escape codes from recorded text
    (a summary may hold them) whenever stdout is not a terminal."""
    click.echo(text, color=True, **options)
