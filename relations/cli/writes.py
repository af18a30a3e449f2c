"""Commands that write to the event log: record and import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from relations.cli.app import DATE, Settings, cli, pass_settings
from relations.cli.output import echo_json
from relations.cli.params import COUNTRY, EVENT_TYPE
from relations.feeds import formats as import_formats


def by_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--by", help="Who makes this change, for the audit trail (default: your OS user name)."
    )(command)


@cli.command()
@click.argument("event_type", type=EVENT_TYPE)
@click.argument("actor", type=COUNTRY)
@click.argument("targets", metavar="TARGET [TARGET ...]", nargs=-1, required=True, type=COUNTRY)
@click.option("--on", "occurred_on", type=DATE, required=True, help="When it happened.")
@click.option("--summary", default="", help="What happened, in a sentence.")
@click.option("--source", default="", help="URL or citation.")
@click.option("--external-id", help="Your id for this event; re-recording it is a no-op.")
@click.option(
    "--allow-duplicate",
    is_flag=True,
    help="Record it even if an event without an external id already says exactly this "
    "(type, countries, date, summary, source): it happened twice.",
)
@click.option(
    "--via",
    metavar="COUNTRY",
    type=COUNTRY,
    help="The third country, for protecting_power_appointed: it now represents ACTOR's "
    "interests in TARGET.",
)
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def record(
    settings: Settings,
    event_type: str,
    actor: str,
    targets: tuple[str, ...],
    occurred_on: date,
    summary: str,
    source: str,
    external_id: str | None,
    allow_duplicate: bool,
    via: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """Record an event by ACTOR towards each TARGET (one event per target, all or none).

    \b
    Examples:
      relations record relations_severed Peru Mexico --on 2025-11-03 \\
          --summary "Peru breaks relations over asylum for Betssy Chávez" \\
          --source https://apnews.com/...
      relations record protecting_power_appointed Argentina Venezuela --via Brazil \\
          --on 2024-08-01
    """
    from relations import views
    from relations.domain.explain import stage_label
    from relations.services.recording import record as record_events

    results = record_events(
        settings.app(create=True),
        event_type,
        actor,
        targets,
        occurred_on,
        summary=summary,
        source=source,
        external_id=external_id,
        by=by,
        via=via,
        allow_duplicate=allow_duplicate,
    )
    if as_json:
        echo_json([views.recorded(r) for r in results])
        return
    for r in results:
        if not r.created:
            click.echo(
                f"event {r.event_id} is already recorded with this external id and "
                f"content: nothing changed ({r.pair} is "
                f"{stage_label(settings.rules(), r.status_after, r.stage_after)})"
            )
            continue
        rules = settings.rules()
        before = stage_label(rules, r.status_before, r.stage_before)
        after = stage_label(rules, r.status_after, r.stage_after)
        line = (
            f"recorded event {r.event_id}: {r.event_type} on {occurred_on}, "
            f"{r.pair} {before} -> {after}"
        )
        on_date = tuple(
            stage_label(rules, status, stage)
            for status, stage in zip(r.on_date, r.on_date_stages, strict=True)
        )
        if on_date != (before, after):  # a backdated event
            line += f" (on {occurred_on} itself: {on_date[0]} -> {on_date[1]})"
        click.echo(line)


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(import_formats.ALL),
    help="File format (default: GDELT and ICEWS from the first line, else .csv/.jsonl "
    "from the name; .gz and .zip are read as they are).",
)
@click.option(
    "--crosswalk",
    type=click.Path(dir_okay=False),
    help="CAMEO code to event type file for GDELT/ICEWS (default: the packaged one).",
)
@click.option(
    "--min-mentions", type=click.IntRange(min=0), default=0, help="GDELT: drop rows with "
    "fewer NumMentions."
)  # fmt: skip
@click.option(
    "--min-rows", type=click.IntRange(min=0), default=0, metavar="N",
    help="GDELT/ICEWS: drop events backed by fewer than N source rows (after collapsing).",
)  # fmt: skip
@click.option(
    "--confirm", "confirm_all", is_flag=True,
    help="GDELT/ICEWS: record the feed's events as confirmed (by default they wait for "
    "review: `relations review`).",
)  # fmt: skip
@click.option(
    "--auto-confirm", type=click.IntRange(min=0), default=0, metavar="N",
    help="GDELT/ICEWS: confirm the events backed by at least N source rows; the rest wait "
    "for review.",
)  # fmt: skip
@click.option(
    "--pending",
    "pending_all",
    is_flag=True,
    help="Record every event of the file pending review, whatever its format.",
)
@click.option(
    "--lenient",
    is_flag=True,
    help="Record events the rules refuse, marked invalid (they do not change status).",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    help="Write malformed rows to this CSV file (line, kind, reason) and import the rest.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_settings
def import_(
    settings: Settings,
    file: str,
    fmt: str | None,
    crosswalk: str | None,
    min_mentions: int,
    min_rows: int,
    confirm_all: bool,
    auto_confirm: int,
    pending_all: bool,
    lenient: bool,
    rejects: str | None,
    quiet: bool,
    by: str | None,
    as_json: bool,
) -> None:
    """Import events from FILE: our CSV or JSON Lines, or a GDELT or ICEWS export.

    Our format: columns (CSV header) or keys (JSONL) occurred_on, event_type, actor,
    target, summary, source, external_id, via. GDELT/ICEWS rows between two states become
    events through the CAMEO crosswalk (see docs/importing.md); they are recorded pending
    review (they change no status until confirmed: `relations review`) unless --confirm
    or --auto-confirm. All or nothing: a malformed row or an event the rules refuse writes
    nothing and every bad row is listed, unless --rejects (malformed rows go to a file) or
    --lenient (refused events are kept, marked invalid). Rows whose external id is already
    recorded are skipped, so re-importing a file adds nothing.

    \b
    Examples:
      relations import fixtures/peru-mexico.jsonl
      relations import 20251103.export.CSV.zip --min-mentions 3 --rejects bad.csv
      relations import icews.tab --min-rows 2 --auto-confirm 5
    """
    from pathlib import Path

    from relations.domain.errors import InvalidInput
    from relations.services.importing import ImportOptions, import_file

    if confirm_all and pending_all:
        raise InvalidInput("--confirm and --pending contradict each other: give one")
    path = Path(file)
    options = ImportOptions(
        fmt=fmt,
        crosswalk=Path(crosswalk) if crosswalk else None,
        min_mentions=min_mentions,
        min_rows=min_rows,
        review="confirm" if confirm_all else "pending" if pending_all else "default",
        auto_confirm=auto_confirm,
        lenient=lenient,
        rejects=Path(rejects) if rejects else None,
        by=by,
    )
    with ProgressBar(enabled=not quiet, label=path.name) as progress:
        result = import_file(settings.app(create=True), path, options, progress)
    if as_json:
        from relations import views

        echo_json(views.import_summary(result))
        return
    click.echo(
        f"{result.source}: {result.rows} rows read, {result.created} events recorded, "
        f"{result.already_recorded} already recorded, {len(result.pairs)} pairs updated"
    )
    if result.format in import_formats.FEEDS or result.collapsed:
        click.echo(f"  collapsed: {result.collapsed} rows into the events of other rows")
    for title, counts in (("skipped", result.skipped), ("rejected", result.rejected)):
        if counts:
            parts = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
            click.echo(f"  {title}: {sum(counts.values())} ({parts})")
    if result.rejected and rejects:
        click.echo(f"  the rejected rows are in {rejects}")
    if result.pending:
        click.echo(
            f"  pending review: {result.pending} events change no status until confirmed "
            "(relations review)"
        )
    if lenient:
        click.echo(
            f"  invalid: {result.invalid} recorded as invalid, {result.invalidated} earlier "
            "events became invalid"
        )


class ProgressBar:
    """click's progress bar on stderr, for imports that take more than about a second;
    never when stderr is not a terminal."""

    DELAY = 1.0

    def __init__(self, *, enabled: bool, label: str) -> None:
        import sys
        import time

        self.enabled = enabled and sys.stderr.isatty()
        self.label = label
        self.started = time.monotonic()
        self._bar: Any = None
        self._done = 0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def __call__(self, done: int, total: int) -> None:
        import time

        if not self.enabled or time.monotonic() - self.started < self.DELAY:
            return
        if self._bar is None:
            import sys

            self._bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(max(done - self._done, 0))
        self._done = max(done, self._done)
