"""Counts of what a feed reader produced (the tests' tally; the product counts during
the import)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from relations.feeds.feed_rows import FeedRow, ReadResult, Reject, SkipReason


@dataclass
class Tally:
    """``add`` every result, read the totals."""

    rows: int = 0
    feed_rows: int = 0
    rejects: int = 0
    skipped: Counter[SkipReason] = field(default_factory=Counter)

    def add(self, result: ReadResult) -> None:
        self.rows += 1
        if isinstance(result, FeedRow):
            self.feed_rows += 1
        elif isinstance(result, Reject):
            self.rejects += 1
        else:
            self.skipped[result.reason] += 1
