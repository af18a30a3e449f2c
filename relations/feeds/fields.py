"""Checks shared by the feed readers, written for the hot loop (millions of lines)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

# Caches of values seen (dates, scores, codes) stop growing at this size, so a file
# of random garbage cannot make a reader's memory grow with the file.
CACHE_LIMIT = 10_000
BAD_SCORE = math.inf  # what ``score_or_bad`` gives for a bad number: never a real score


class Memo(dict[str, Any]):
    """``memo[text]`` is ``parse(text)``, parsed once per distinct text: a repeated value
    costs one dict lookup (done in C). Stops remembering at CACHE_LIMIT values."""

    __slots__ = ("parse",)

    def __init__(self, parse: Callable[[str], Any], seed: Mapping[str, Any] = {}) -> None:
        super().__init__(seed)
        self.parse = parse

    def __missing__(self, text: str) -> Any:
        value = self.parse(text)
        if len(self) < CACHE_LIMIT:
            self[text] = value
        return value


def is_clean_text(line: str) -> bool:
    """False if the line holds bytes that were not UTF-8 or a NUL character.

    Files are opened with ``errors="surrogateescape"`` (see ``opening``): an
    undecodable byte becomes a lone surrogate, which this detects, so a bad line
    becomes a Reject instead of aborting the whole file. NUL cannot be stored in
    PostgreSQL text. ASCII lines, the vast majority, take the fast path.
    """
    if "\x00" in line:
        return False
    if line.isascii():
        return True
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_score(text: str) -> float | None:
    """A finite number (Goldstein, Intensity), or None if the text is not one."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def score_or_bad(text: str) -> float:
    """``parse_score`` for a Memo: BAD_SCORE instead of None, which means blank there."""
    value = parse_score(text)
    return BAD_SCORE if value is None else value


def is_count(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` alone accepts "²", which ``int`` refuses)."""
    return text.isascii() and text.isdigit()
