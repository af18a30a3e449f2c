"""Checks shared by the feed readers, written for the hot loop (millions of lines)."""

from __future__ import annotations

import math

# Caches of values seen (dates, scores, codes) stop growing at this size, so a file
# of random garbage cannot make a reader's memory grow with the file.
CACHE_LIMIT = 10_000


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


def is_count(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` alone accepts "²", which ``int`` refuses)."""
    return text.isascii() and text.isdigit()
