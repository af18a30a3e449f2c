"""Commands that read: status, history, pairs, events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

from relations.cli.app import DATE, TIMESTAMP, Settings, cli, pass_settings
from relations.cli.output import echo, echo_json, echo_table, shorten
from relations.cli.params import COUNTRY, event_filters


def mission_changes(actor: str, target: str, step: Any) -> list[str]:
    """What an event changed in each mission, e.g. "MLI in DZA: ambassador withdrawn ->
    ambassador"."""
    from relations.domain.explain import LEVEL_WORDS

    first, second = sorted((actor, target))
    lines = []
    senders = ((first, second), (second, first))
    pairs = zip(senders, step.state_before.missions, step.state_after.missions, strict=True)
    for (sender, host), old, new in pairs:
        if old == new:
            continue
        parts = []
        if old.level != new.level:
            parts.append(f"{LEVEL_WORDS[old.level]} -> {LEVEL_WORDS[new.level]}")
        if old.protecting_power != new.protecting_power:
            parts.append(f"protecting power {old.protecting_power or 'none'} -> "
                         f"{new.protecting_power or 'none'}")  # fmt: skip
        if old.consular != new.consular:
            parts.append("consular relations " + ("resumed" if new.consular else "ended"))
        lines.append(f"{sender} in {host}: {'; '.join(parts)}")
    return lines


def known_at_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--known-at",
        type=TIMESTAMP,
        help="Answer as the database knew it at this moment: only events recorded and "
        "retractions made by then (ISO 8601; UTC unless an offset is given; a date alone "
        "is 00:00 UTC).",
    )(command)


def as_of_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--as-of", type=DATE, help=help_text)


@cli.command()
@click.argument("country_a", type=COUNTRY)
@click.argument("country_b", type=COUNTRY)
@as_of_option("The status on this date (default: today).")
@known_at_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def status(
    settings: Settings,
    country_a: str,
    country_b: str,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> None:
    """Show the status of relations between two countries, and the event behind it.

    \b
    Examples:
      relations status Peru Mexico
      relations status PE MX --as-of 2024-01-01 --json
      relations status PE MX --known-at 2025-11-01T12:00Z
    """
    from relations.domain.countries import name_of
    from relations.domain.explain import stage_label
    from relations.services.queries import status as pair_status

    app = settings.app()
    result = pair_status(app, country_a, country_b, as_of, known_at)
    if as_json:
        from relations import views

        echo_json(views.status(result))
        return
    pair = result.pair
    names = f"{name_of(pair.first)} - {name_of(pair.second)}"
    since = f" since {result.since}" if result.since else ""
    if result.stage_since and result.stage_since != result.since:
        since += f", stage since {result.stage_since}"
    known = f", as known at {known_at.isoformat()}" if known_at else ""
    said = stage_label(app.rules, result.status, result.stage)
    echo(f"{pair} ({names}): {said}{since}, as of {result.as_of}{known}")
    from relations.domain.explain import mission_line  # (not at import: `--help` stays fast)

    senders = ((pair.first, pair.second), (pair.second, pair.first))
    for (sender, host), mission in zip(senders, result.missions, strict=True):
        echo(f"  {mission_line(name_of(sender), name_of(host), mission)}")
    if result.cause:
        cause = result.cause
        echo(
            f"  because: {cause.event_type} by {cause.actor} on {cause.occurred_on} "
            f"(event {cause.id})"
        )
        if cause.summary:
            echo(f"  {cause.summary}")
        if cause.source:
            echo(f"  source: {cause.source}")
    echo(f"  {result.events} event(s) up to {result.as_of}")
    if result.pending:
        latest = f", the latest of {result.pending_latest}" if result.pending_latest else ""
        echo(f"  {result.pending} feed signal(s) awaiting review{latest} (relations review)")


@cli.command()
@click.argument("country_a", type=COUNTRY)
@click.argument("country_b", type=COUNTRY)
@as_of_option("Only events that occurred on or before this date.")
@known_at_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def history(
    settings: Settings,
    country_a: str,
    country_b: str,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> None:
    """List every event between two countries in order, with the status it led to.

    Retracted events are listed too, marked, with why; they no longer count.

    \b
    Examples:
      relations history Peru Mexico
      relations history Peru Mexico --known-at 2025-11-01 --json
    """
    from relations import views
    from relations.domain.explain import stage_label
    from relations.services.queries import history as pair_history

    items = pair_history(settings.app(), country_a, country_b, as_of, known_at)
    if as_json:
        echo_json([views.history_item(item) for item in items])
        return
    if not items:
        echo("no events recorded for this pair: its status is normal")
        return
    rules = settings.rules()
    for item in items:
        e, step = item.event, item.step
        if item.effect == "retracted":
            change = "retracted, no longer counts"
        elif item.effect == "pending":
            change = "pending review, does not count (relations confirm / dismiss)"
        elif item.effect == "dismissed":
            change = "dismissed, does not count"
        elif step is None:
            change = "retracted, no longer counts"
        else:
            was = stage_label(rules, step.before, step.state_before.stage)
            now = stage_label(rules, step.after, step.state_after.stage)
            if not step.valid:
                change = f"{was} (invalid under the current rules, ignored)"
            elif was != now:
                change = f"{was} -> {now}"
            else:
                change = f"{now}, unchanged"
        via = f" (via {e.via})" if e.via else ""
        echo(f"{e.occurred_on}  #{e.id}  {e.event_type}  {e.actor} -> {e.target}{via}  {change}")
        if step is not None and step.valid:
            for line in mission_changes(e.actor, e.target, step):
                echo(f"    {line}")
        if e.summary:
            echo(f"    {e.summary}")
        if e.source:
            echo(f"    {e.source}")
        if e.supersedes:
            echo(f"    corrects event {e.supersedes}")
        withdrawn = item.entry.retraction
        if withdrawn:
            echo(
                f"    retracted {views.moment(withdrawn.at)} by {withdrawn.by}: {withdrawn.reason}"
            )
        if item.entry.superseded_by:
            echo(f"    corrected by event {item.entry.superseded_by}")
        decided = item.entry.review
        if decided:
            as_type = (
                f" as {decided.event_type} (coded {e.coded_type})" if decided.event_type else ""
            )
            why = f": {decided.reason}" if decided.reason else ""
            echo(f"    {decided.decision}{as_type} {views.moment(decided.at)} by {decided.by}{why}")


@cli.command()
@click.option("--status", "wanted", help="Only pairs with this status (normal, strained, severed).")
@click.option(
    "--stage",
    help="Only pairs at this stage (friction, ambassador_withdrawn, downgraded, embassy_closed, "
    "broken, never_established, ...).",
)
@click.option(
    "--pending", "pending_only", is_flag=True,
    help="Only pairs with feed signals awaiting review, with how many (relations review).",
)  # fmt: skip
@as_of_option("Statuses on this date (default: today).")
@known_at_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def pairs(
    settings: Settings,
    wanted: str | None,
    stage: str | None,
    pending_only: bool,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> None:
    """List every pair that has events, with its status, stage and since when.

    \b
    Examples:
      relations pairs --status severed
      relations pairs --stage embassy_closed
      relations pairs --pending
      relations pairs --as-of 2023-01-01 --known-at 2023-06-01
    """
    from relations import views
    from relations.services.queries import pairs as all_pairs
    from relations.services.queries import waiting_pairs

    if pending_only:
        if wanted or stage or as_of or known_at:
            from relations.domain.errors import InvalidInput

            raise InvalidInput("--pending lists the pairs waiting now: it takes no other filter")
        waiting = waiting_pairs(settings.app())
        if as_json:
            echo_json([views.pair_state(s) for s in waiting])
            return
        if not waiting:
            echo("no feed signals are awaiting review")
            return
        echo_table(
            ["pair", "status", "stage", "awaiting review", "latest"],
            [[str(s.pair), s.status, s.stage, s.pending, s.pending_latest] for s in waiting],
        )
        return
    found = all_pairs(settings.app(), wanted, as_of, known_at, stage)
    if as_json:
        echo_json([views.pair_state(s) for s in found])
        return
    if not found:
        which = " ".join(w for w in (wanted, stage) if w)
        echo("no pairs" + (f" are {which}" if which else " have events yet"))
        return
    echo_table(
        ["pair", "status", "since", "stage", "stage since", "events"],
        [[str(s.pair), s.status, s.since, s.stage, s.stage_since, s.events] for s in found],
    )


@cli.command()
@event_filters
@click.option("--from", "start", type=DATE, help="Occurred on or after this date.")
@click.option("--to", "end", type=DATE, help="Occurred on or before this date.")
@as_of_option("Occurred on or before this date (the same as --to).")
@known_at_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def events(
    settings: Settings,
    countries: tuple[str, ...],
    types: tuple[str, ...],
    start: date | None,
    end: date | None,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> None:
    """List the events that count (not retracted), filtered by country, type and date.

    \b
    Example:
      relations events --country Mexico --type asylum_granted --from 2022-01-01
    """
    from relations import views
    from relations.services.queries import events as find_events

    end = min(d for d in (end, as_of) if d) if end or as_of else None
    found = find_events(
        settings.app(), countries=countries, types=types, start=start, end=end, known_at=known_at
    )
    if as_json:
        echo_json([views.event(e) for e in found])
        return
    if not found:
        echo("no events match")
        return
    echo_table(
        ["id", "date", "type", "actor", "target", "summary"],
        [[e.id, e.occurred_on, e.event_type, e.actor, e.target, shorten(e.summary)] for e in found],
    )
