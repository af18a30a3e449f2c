"""Reviewing feed signals: review (the queue), confirm, dismiss."""

from __future__ import annotations

from typing import Any

import click

from relations.cli.app import Settings, cli, pass_settings
from relations.cli.corrections import EVENT_ID
from relations.cli.output import echo, echo_json, shorten
from relations.cli.params import EVENT_TYPE, event_filters
from relations.cli.writes import by_option


@cli.command()
@event_filters
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True,
    help="At most this many events.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def review(
    settings: Settings,
    countries: tuple[str, ...],
    types: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """List the feed signals awaiting review, most evidence first, grouped by pair.

    Evidence: the source rows collapsed into the event, GDELT's NumArticles and
    NumSources summed over them, the source's score (GDELT Goldstein, ICEWS intensity)
    and its first URL (or, for ICEWS, the publisher). A pending event changes no status
    until `relations confirm` makes it count; `relations dismiss` keeps it out.

    \b
    Examples:
      relations review --country Peru --limit 20
      relations confirm 41 --type relations_severed --reason "confirmed by the foreign ministry"
    """
    from relations import views
    from relations.domain.countries import name_of
    from relations.services.review import queue

    found = queue(settings.app(), countries=countries, types=types, limit=limit)
    groups: dict[Any, list[Any]] = {}
    for event in found:
        groups.setdefault(event.pair, []).append(event)
    if as_json:
        echo_json(views.review_queue(found))
        return
    if not found:
        echo("no feed signals are awaiting review")
        return
    for pair, events in groups.items():
        echo(f"{pair} ({name_of(pair.first)} - {name_of(pair.second)}): {len(events)} signal(s)")
        for e in events:
            echo(f"  #{e.id}  {e.occurred_on}  {e.event_type}  {e.actor} -> {e.target}  "
                 f"{evidence(e)}")  # fmt: skip
            if e.source:
                echo(f"      {shorten(e.source, 96)}")
    echo("confirm: relations confirm ID ... [--type T]; dismiss: relations dismiss ID ... "
         "--reason R")  # fmt: skip


def evidence(e: Any) -> str:
    feed = e.feed
    if feed is None:
        return ""
    parts = [f"{feed.source_rows} row" + ("s" if feed.source_rows != 1 else "")]
    if feed.articles is not None:
        parts.append(f"{feed.articles} articles")
    if feed.sources is not None:
        parts.append(f"{feed.sources} sources")
    if feed.source_score is not None:
        parts.append(f"score {feed.source_score:g}")
    return ", ".join(parts)


@cli.command()
@click.argument("event_ids", metavar="ID [ID ...]", type=EVENT_ID, nargs=-1, required=True)
@click.option(
    "--type", "event_type", type=EVENT_TYPE,
    help="Confirm it as this event type instead (e.g. a relations_reduced row that was a "
    "break: relations_severed); re-importing the feed keeps it so.",
)  # fmt: skip
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def confirm(
    settings: Settings,
    event_ids: tuple[int, ...],
    event_type: str | None,
    reason: str,
    by: str | None,
    as_json: bool,
) -> None:
    """Confirm feed signals awaiting review: from now on they count for status.

    All or none, in one transaction: refused if one would make a later event of its
    pair invalid (the message names it), as a backdated record would be.

    \b
    Example:
      relations confirm 41 42 --reason "both reported by Reuters"
    """
    from relations.services.review import confirm as confirm_events

    done = confirm_events(settings.app(), event_ids, event_type=event_type, reason=reason, by=by)
    _print(done, as_json)


@cli.command()
@click.argument("event_ids", metavar="ID [ID ...]", type=EVENT_ID, nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (kept in the audit trail).")
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def dismiss(
    settings: Settings, event_ids: tuple[int, ...], reason: str, by: str | None, as_json: bool
) -> None:
    """Dismiss feed signals awaiting review: they stay in the log and never count.

    \b
    Example:
      relations dismiss 57 --reason "a nuclear-power article, not a diplomatic event"
    """
    from relations.services.review import dismiss as dismiss_events

    _print(dismiss_events(settings.app(), event_ids, reason=reason, by=by), as_json)


def _print(done: list[Any], as_json: bool) -> None:
    from relations import views

    if as_json:
        echo_json([views.decision(d) for d in done])
        return
    for d in done:
        e = d.event
        as_type = f" as {d.as_type}" if d.as_type else ""
        echo(
            f"{d.decision} event {e.id}{as_type} ({e.event_type} {e.actor} -> {e.target} on "
            f"{e.occurred_on}): {e.pair} {d.status_before} -> {d.status_after}"
        )
