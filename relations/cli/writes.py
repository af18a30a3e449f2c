"""Commands that write to the event log: record and import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from relations.cli.app import DATE, Settings, cli, pass_settings
from relations.cli.output import echo_json


def by_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--by", help="Who makes this change, for the audit trail (default: your OS user name)."
    )(command)


@cli.command()
@click.argument("event_type")
@click.argument("actor")
@click.argument("targets", metavar="TARGET [TARGET ...]", nargs=-1, required=True)
@click.option("--on", "occurred_on", type=DATE, required=True, help="When it happened.")
@click.option("--summary", default="", help="What happened, in a sentence.")
@click.option("--source", default="", help="URL or citation.")
@click.option("--external-id", help="Your id for this event; re-recording it is a no-op.")
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
    by: str | None,
    as_json: bool,
) -> None:
    """Record an event by ACTOR towards each TARGET (one event per target, all or none).

    \b
    Example:
      relations record relations_severed Peru Mexico --on 2025-11-03 \\
          --summary "Peru breaks relations over asylum for Betssy Chávez" \\
          --source https://apnews.com/...
    """
    from relations import views
    from relations.services.recording import record as record_events

    results = record_events(
        settings.app(),
        event_type,
        actor,
        targets,
        occurred_on,
        summary=summary,
        source=source,
        external_id=external_id,
        by=by,
    )
    if as_json:
        echo_json([views.recorded(r) for r in results])
        return
    for r in results:
        if not r.created:
            click.echo(
                f"event {r.event_id} is already recorded with this external id and "
                f"content: nothing changed ({r.pair} is {r.status_after})"
            )
            continue
        line = (
            f"recorded event {r.event_id}: {r.event_type} on {occurred_on}, "
            f"{r.pair} {r.status_before} -> {r.status_after}"
        )
        if r.on_date != (r.status_before, r.status_after):  # a backdated event
            line += f" (on {occurred_on} itself: {r.on_date[0]} -> {r.on_date[1]})"
        click.echo(line)


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    help="File format (default: from the extension: .csv, .jsonl).",
)
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_settings
def import_(settings: Settings, file: str, fmt: str | None, by: str | None, as_json: bool) -> None:
    """Import events from a CSV or JSON Lines FILE, all rows or none.

    Columns (CSV header) or keys (JSONL): occurred_on, event_type, actor, target,
    summary, source, external_id. Rows are applied in file order. If any row is
    malformed or refused by the rules, nothing is written and every bad row is
    listed with its line number. Rows whose external_id is already recorded with
    the same content are skipped, so re-importing a file is safe.

    \b
    Example:
      relations import fixtures/peru-mexico.jsonl
    """
    from pathlib import Path

    from relations.services.importing import import_file

    path = Path(file)
    result = import_file(settings.app(), path, fmt, by=by)
    summary = {
        "rows": result.rows,
        "created": result.created,
        "already_recorded": result.already_recorded,
        "pairs": len(result.pairs),
    }
    if as_json:
        echo_json(summary)
        return
    click.echo(
        f"{path.name}: {result.rows} rows, {result.created} events recorded, "
        f"{result.already_recorded} already recorded, {len(result.pairs)} pairs updated"
    )
