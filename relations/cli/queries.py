"""Commands that read: status, history, pairs, events."""

from __future__ import annotations

from datetime import date

import click

from relations.cli.app import DATE, Settings, cli, pass_settings
from relations.cli.output import echo_json, echo_table, shorten


@cli.command()
@click.argument("country_a")
@click.argument("country_b")
@click.option("--as-of", type=DATE, help="The status on this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def status(
    settings: Settings, country_a: str, country_b: str, as_of: date | None, as_json: bool
) -> None:
    """Show the status of relations between two countries, and the event behind it.

    \b
    Examples:
      relations status Peru Mexico
      relations status PE MX --as-of 2024-01-01 --json
    """
    from relations import views
    from relations.domain.countries import name_of
    from relations.services.queries import status as pair_status

    result = pair_status(settings.app(), country_a, country_b, as_of)
    if as_json:
        echo_json(views.status(result))
        return
    pair = result.pair
    names = f"{name_of(pair.first)} - {name_of(pair.second)}"
    since = f" since {result.since}" if result.since else ""
    click.echo(f"{pair} ({names}): {result.status}{since}, as of {result.as_of}")
    if result.cause:
        cause = result.cause
        click.echo(
            f"  because: {cause.event_type} by {cause.actor} on {cause.occurred_on} "
            f"(event {cause.id})"
        )
        if cause.summary:
            click.echo(f"  {cause.summary}")
        if cause.source:
            click.echo(f"  source: {cause.source}")
    click.echo(f"  {result.events} event(s) up to {result.as_of}")


@cli.command()
@click.argument("country_a")
@click.argument("country_b")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def history(settings: Settings, country_a: str, country_b: str, as_json: bool) -> None:
    """List every event between two countries in order, with the status it led to.

    \b
    Example:
      relations history Peru Mexico
    """
    from relations import views
    from relations.services.queries import history as pair_history

    steps = pair_history(settings.app(), country_a, country_b)
    if as_json:
        echo_json([views.step(s) for s in steps])
        return
    if not steps:
        click.echo("no events recorded for this pair: its status is normal")
        return
    for s in steps:
        e = s.event
        change = f"{s.before} -> {s.after}" if s.changed else f"{s.after} (unchanged)"
        if not s.valid:
            change = f"{s.before} (invalid under the current rules, ignored)"
        click.echo(f"{e.occurred_on}  #{e.id}  {e.event_type}  {e.actor} -> {e.target}  {change}")
        if e.summary:
            click.echo(f"    {e.summary}")
        if e.source:
            click.echo(f"    {e.source}")


@cli.command()
@click.option("--status", "wanted", help="Only pairs with this status (normal, strained, severed).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def pairs(settings: Settings, wanted: str | None, as_json: bool) -> None:
    """List every pair that has events, with its current status and since when.

    \b
    Example:
      relations pairs --status severed
    """
    from relations import views
    from relations.services.queries import pairs as all_pairs

    found = all_pairs(settings.app(), wanted)
    if as_json:
        echo_json([views.stored_status(s) for s in found])
        return
    if not found:
        click.echo("no pairs" + (f" are {wanted}" if wanted else " have events yet"))
        return
    echo_table(
        ["pair", "status", "since", "events"],
        [[str(s.pair), s.status, s.since, s.event_count] for s in found],
    )


@cli.command()
@click.option("--country", "countries", multiple=True, help="Involving this country (repeatable).")
@click.option("--type", "types", multiple=True, help="Of this event type (repeatable).")
@click.option("--from", "start", type=DATE, help="Occurred on or after this date.")
@click.option("--to", "end", type=DATE, help="Occurred on or before this date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def events(
    settings: Settings,
    countries: tuple[str, ...],
    types: tuple[str, ...],
    start: date | None,
    end: date | None,
    as_json: bool,
) -> None:
    """List recorded events, filtered by country, type and date.

    \b
    Example:
      relations events --country Mexico --type asylum_granted --from 2022-01-01
    """
    from relations import views
    from relations.services.queries import events as find_events

    found = find_events(settings.app(), countries=countries, types=types, start=start, end=end)
    if as_json:
        echo_json([views.event(e) for e in found])
        return
    if not found:
        click.echo("no events match")
        return
    echo_table(
        ["id", "date", "type", "actor", "target", "summary"],
        [[e.id, e.occurred_on, e.event_type, e.actor, e.target, shorten(e.summary)] for e in found],
    )
