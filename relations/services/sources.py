"""What an import reads: each file format turned into candidate events, rejects
(malformed rows, with why) and skips (feed rows that are not diplomatic events).

Our CSV and JSON Lines rows are checked field by field; GDELT and ICEWS rows come from
the feed readers (relations/feeds) and are collapsed into one event per (feed, date,
actor, target, type) first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

from relations.application import App
from relations.domain.dates import parse_date
from relations.domain.errors import InvalidInput, RelationsError
from relations.domain.events import MAX_EXTERNAL_ID, MAX_TEXT, FeedExtras, check_text
from relations.feeds.feed_rows import FeedRow, Reject, Skipped, collapse
from relations.feeds.opening import FEED_FORMATS, Stream, detect_feed_format, open_stream
from relations.feeds.records import EXTENSIONS, FORMATS, csv_tuples, json_tuples
from relations.services import inputs

if TYPE_CHECKING:
    from relations.services.importing import ImportOptions, ImportResult

ALL_FORMATS = (*FORMATS, *FEED_FORMATS)
FEW_ROWS = "few_rows"  # the skip reason of --min-rows (events, counted in source rows)
OnReject = Callable[[Reject], None]


# A candidate event, as a plain tuple because there may be millions of them: (line,
# event_type, actor, target, occurred_on, summary, source, external_id, feed, via).
# ``line`` is a feed event's first source row; ``feed`` is None for our own formats;
# ``via`` the third country of a protecting_power_appointed, else None.
Candidate = tuple[int, str, str, str, date, str, str, str | None, FeedExtras | None, str | None]
LINE: Final = 0
EXTERNAL_ID: Final = 7
FEED: Final = 8
VIA: Final = 9


def fact(candidate: Candidate) -> tuple[str, str, str, date, str, str, str | None]:
    """What must match for a repeated external id to be the same event (as
    ``EventDraft.fact``)."""
    return (*candidate[1:7], candidate[VIA])


class Source:
    def __init__(
        self, app: App, stream: Stream, fmt: str, name: str, options: ImportOptions
    ) -> None:
        self.app = app
        self.stream = stream
        self.format = fmt
        self.name = name
        self.options = options
        self.size = stream.size
        self.position = stream.position

    def candidates(self, result: ImportResult, on_reject: OnReject) -> Iterator[Candidate]:
        if self.format in FORMATS:
            return self._records(result, on_reject)
        return self._feed(result, on_reject)

    # -- our CSV and JSON Lines ---------------------------------------------------------

    def _records(self, result: ImportResult, on_reject: OnReject) -> Iterator[Candidate]:
        check = _RecordCheck(self.app)
        if self.format == "csv":
            rows = csv_tuples(self.stream.text, self.name)
        else:
            rows = json_tuples(self.stream.lines)
        count = 0
        try:
            for line, values in rows:
                count += 1
                checked = check(line, values)
                if isinstance(checked, Reject):
                    on_reject(checked)
                else:
                    yield checked
        finally:
            result.rows += count

    # -- GDELT and ICEWS ----------------------------------------------------------------

    def _feed(self, result: ImportResult, on_reject: OnReject) -> Iterator[Candidate]:
        from relations.feeds.crosswalk import load_crosswalk

        crosswalk = load_crosswalk(self.options.crosswalk, self.app.rules)
        if self.format == "gdelt":
            from relations.feeds.gdelt import read_gdelt

            rows = read_gdelt(self.stream.lines, crosswalk, min_mentions=self.options.min_mentions)
        else:
            from relations.feeds.icews import read_icews

            rows = read_icews(self.stream.lines, crosswalk)

        def relevant() -> Iterator[FeedRow]:
            for row in rows:
                result.rows += 1
                if isinstance(row, FeedRow):
                    yield row
                elif isinstance(row, Skipped):
                    result.skipped[row.reason.value] += 1
                else:
                    on_reject(row)

        today = self.app.today()
        min_rows = self.options.min_rows
        for event in collapse(relevant()):
            if event.occurred_on > today:
                reason = f"event date {event.occurred_on} is after today ({today})"
                on_reject(Reject(event.first_line, reason, "date after today"))
                continue
            if event.source_rows < min_rows:
                result.skipped[FEW_ROWS] += event.source_rows
                continue
            extras = FeedExtras(
                event.source_rows, event.goldstein, event.source_event_id, event.articles,
                event.sources,
            )  # fmt: skip
            yield (
                event.first_line, event.event_type, event.actor, event.target,
                event.occurred_on, event.summary, event.source_url, event.external_id, extras,
                None,
            )  # fmt: skip
            result.collapsed += event.source_rows - 1


class _RecordCheck:
    """Checks one row of our format, field by field, each failure with its kind."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.today = app.today()
        # Each cache maps what a row says to its checked value, or to why it is wrong.
        self.countries: dict[str, str | Reject] = {}
        self.dates: dict[str, date | str] = {}
        self.types: dict[str, str | Reject] = {}
        self.takes_via = {t.name for t in app.rules.event_types.values() if t.takes_via}

    def __call__(self, line: int, values: tuple[str, ...] | str) -> Candidate | Reject:
        if isinstance(values, str):
            problem = "wrong number of fields" if "fields" in values else "bad JSON"
            return Reject(line, f"row {values}", problem)
        occurred, kind_text, actor_text, target_text, summary, source, external_id, via_text = (
            values
        )
        if not (occurred and kind_text and actor_text and target_text):
            names = ("occurred_on", "event_type", "actor", "target")
            missing = [n for n, v in zip(names, values, strict=False) if not v]
            return Reject(line, f"missing {', '.join(missing)}", "missing field")
        day = self.dates.get(occurred)
        if day is None:
            day = self._date(occurred)
        if isinstance(day, str):
            return Reject(line, day, "bad date")
        if day > self.today:
            reason = f"event date {day} is after today ({self.today})"
            return Reject(line, reason, "date after today")
        kind = self.types.get(kind_text) or self._type(kind_text)
        if isinstance(kind, Reject):
            return Reject(line, kind.reason, kind.kind)
        actor = self.countries.get(actor_text) or self._country(actor_text)
        if isinstance(actor, Reject):
            return Reject(line, f"actor: {actor.reason}", actor.kind)
        target = self.countries.get(target_text) or self._country(target_text)
        if isinstance(target, Reject):
            return Reject(line, f"target: {target.reason}", target.kind)
        if actor == target:
            return Reject(line, f"actor and target are both {actor}", "same country on both sides")
        via = None
        if via_text or kind in self.takes_via:
            try:
                via = inputs.via(self.app.rules, kind, actor, target, via_text or None)
            except RelationsError as exc:
                return Reject(line, str(exc), "bad via")
        if not _plain(summary, source, external_id):
            try:
                check_text("summary", summary)
                check_text("source", source)
                check_text("external id", external_id, MAX_EXTERNAL_ID)
            except InvalidInput as exc:
                return Reject(line, str(exc), "bad text")
        return (line, kind, actor, target, day, summary, source, external_id or None, None, via)

    def _date(self, text: str) -> date | str:
        try:
            found: date | str = parse_date(text)
        except InvalidInput as exc:
            found = str(exc)
        if len(self.dates) < 100_000:
            self.dates[text] = found
        return found

    def _country(self, text: str) -> str | Reject:
        try:
            found: str | Reject = inputs.country(text)
        except RelationsError as exc:
            found = Reject(0, str(exc), "unknown country")
        if len(self.countries) < 100_000:
            self.countries[text] = found
        return found

    def _type(self, text: str) -> str | Reject:
        try:
            found: str | Reject = inputs.event_type(self.app.rules, text)
        except RelationsError as exc:
            found = Reject(0, str(exc), "unknown event type")
        if len(self.types) < 10_000:
            self.types[text] = found
        return found


def _plain(summary: str, source: str, external_id: str) -> bool:
    """The common case, which needs no closer look: short ASCII text without NUL."""
    return (
        summary.isascii()
        and source.isascii()
        and external_id.isascii()
        and "\x00" not in summary
        and "\x00" not in source
        and "\x00" not in external_id
        and len(summary) <= MAX_TEXT
        and len(source) <= MAX_TEXT
        and len(external_id) <= MAX_EXTERNAL_ID
    )


def choose_format(path: Path, given: str | None) -> str:
    """--format, else the content (GDELT and ICEWS are recognised by their first line;
    GDELT files are tab-separated despite their .CSV names), else the extension."""
    if given is not None:
        return given
    sniffed = detect_feed_format(path)
    if sniffed is not None:
        return sniffed
    name = path.name.lower()
    for packed in (".gz", ".zip"):
        name = name.removesuffix(packed)
    for extension, fmt in EXTENSIONS.items():
        if name.endswith(extension):
            return fmt
    raise InvalidInput(
        f"cannot tell the format of {path.name} from its name or first line; pass "
        f"--format with one of {', '.join(ALL_FORMATS)}"
    )


@contextmanager
def open_source(app: App, path: Path, options: ImportOptions) -> Iterator[Source]:
    fmt = choose_format(path, options.fmt)
    if fmt not in FEED_FORMATS and options.crosswalk is not None:
        raise InvalidInput("--crosswalk applies to GDELT and ICEWS imports only")
    if fmt == "icews" and options.min_mentions:
        raise InvalidInput(
            "ICEWS rows have no mention counts: --min-mentions applies to GDELT only; use "
            "--min-rows N to keep the events backed by at least N source rows"
        )
    if fmt != "gdelt" and options.min_mentions:
        raise InvalidInput("--min-mentions applies to GDELT imports only")
    if fmt not in FEED_FORMATS:
        for name, given in (("--min-rows", options.min_rows),
                            ("--auto-confirm", options.auto_confirm),
                            ("--confirm", options.review == "confirm")):  # fmt: skip
            if given:
                raise InvalidInput(
                    f"{name} applies to GDELT and ICEWS imports only (events of our CSV and "
                    "JSON Lines formats are confirmed, unless --pending)"
                )
    with open_stream(path) as stream:
        yield Source(app, stream, fmt, path.name, options)
