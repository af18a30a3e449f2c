"""Commands that correct the record without destroying it, and the audit trail:
retract, correct, log."""

from __future__ import annotations

from datetime import date, datetime

import click

from relations.cli.app import DATE, TIMESTAMP, Settings, cli, pass_settings
from relations.cli.output import echo_json, echo_table, shorten
from relations.cli.params import COUNTRY, EVENT_TYPE
from relations.cli.writes import by_option

EVENT_ID = click.IntRange(1, 2**31 - 1)  # the id column's range on PostgreSQL
REASON = click.option("--reason", required=True, help="Why (kept in the audit trail).")


@cli.command()
@click.argument("event_id", type=EVENT_ID)
@REASON
@by_option
@click.option(
    "--cascade",
    is_flag=True,
    help="Also retract the later events that would become invalid without this one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def retract(
    settings: Settings, event_id: int, reason: str, by: str | None, cascade: bool, as_json: bool
) -> None:
    """Retract event EVENT_ID: it stays in the log but stops counting for status.

    Refused if a later event of the pair would become invalid without it (it is named),
    unless --cascade, which retracts those too, in the same transaction.

    \b
    Example:
      relations retract 12 --reason "the break was denied the next day"
    """
    from relations import views
    from relations.services.corrections import retract as retract_event

    done = retract_event(settings.app(), event_id, reason, by=by, cascade=cascade)
    if as_json:
        echo_json(views.retracted(done))
        return
    e = done.event
    click.echo(
        f"retracted event {e.id} ({e.event_type} on {e.occurred_on}): {e.pair} "
        f"{done.status_before} -> {done.status_after}"
    )
    for later in done.cascaded:
        click.echo(f"  also retracted event {later.id} ({later.event_type} on {later.occurred_on})")


@cli.command()
@click.argument("event_id", type=EVENT_ID)
@click.option("--on", "occurred_on", type=DATE, help="The corrected date.")
@click.option("--type", "event_type", type=EVENT_TYPE, help="The corrected event type.")
@click.option("--actor", type=COUNTRY, help="The corrected actor country.")
@click.option("--target", type=COUNTRY, help="The corrected target country.")
@click.option("--summary", help="The corrected summary.")
@click.option("--source", help="The corrected source.")
@click.option(
    "--via",
    metavar="COUNTRY",
    type=COUNTRY,
    help="The corrected third country (protecting_power_appointed).",
)
@REASON
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def correct(
    settings: Settings,
    event_id: int,
    occurred_on: date | None,
    event_type: str | None,
    actor: str | None,
    target: str | None,
    summary: str | None,
    source: str | None,
    via: str | None,
    reason: str,
    by: str | None,
    as_json: bool,
) -> None:
    """Correct event EVENT_ID: retract it and record the corrected event, atomically.

    The new event supersedes the old one; `history` shows both, linked. Fields not
    given are copied from the old event.

    \b
    Example:
      relations correct 7 --on 2022-12-21 --reason "the expulsion was announced a day later"
    """
    from relations.services.corrections import correct as correct_event

    done = correct_event(
        settings.app(),
        event_id,
        reason,
        by=by,
        occurred_on=occurred_on,
        event_type=event_type,
        actor=actor,
        target=target,
        summary=summary,
        source=source,
        via=via,
    )
    if as_json:
        from relations import views

        echo_json(views.corrected(done))
        return
    new = done.new
    click.echo(
        f"corrected event {done.old.id}: recorded event {done.new_id} ({new.event_type} "
        f"{new.actor} -> {new.target} on {new.occurred_on}) in its place"
    )
    for pair, (before, after) in done.statuses.items():
        click.echo(f"  {pair} {before} -> {after}")


@cli.command()
@click.option("--since", type=TIMESTAMP, help="Only writes made at or after this moment.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def log(settings: Settings, since: datetime | None, as_json: bool) -> None:
    """Show the audit trail: every write to the record, in order, with who and when.

    Records, imports, retractions, corrections, reprojections, confirmations and
    dismissals of feed signals.

    \b
    Example:
      relations log --since 2025-11-01
    """
    from relations import views
    from relations.services.audit import log as audit_log

    writes = audit_log(settings.app(), since)
    if as_json:
        echo_json([views.write(w) for w in writes])
        return
    if not writes:
        click.echo("no writes" + (" since then" if since else " yet"))
        return
    rows = []
    for w in writes:
        touched = []
        if w.events:
            first, last = w.event_ids
            touched.append(f"event {first}" if w.events == 1 else f"events {first}-{last}")
        for verb, ids in (("retracted", w.retracted), (w.action + "ed", w.reviewed)):
            if ids:
                touched.append(f"{verb} " + ", ".join(str(i) for i in ids[:5]))
                if len(ids) > 5:
                    touched[-1] += f" (+{len(ids) - 5})"
        at = views.moment(w.at)
        rows.append([w.id, at, w.by, w.action, shorten(w.description), "; ".join(touched)])
    echo_table(["#", "at (UTC)", "by", "action", "what", "rows"], rows)
