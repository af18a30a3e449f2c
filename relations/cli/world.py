"""The world baseline: what it holds, and loading it into the database in use."""

from __future__ import annotations

from typing import Any

import click

from relations.cli.app import Settings, cli, pass_settings
from relations.cli.output import echo, echo_json
from relations.cli.writes import by_option


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def world(ctx: click.Context, as_json: bool) -> None:
    """Show what the packaged world baseline holds: its date, and its pairs by stage.

    The baseline is a sourced file of every pair without diplomatic relations on its
    date that could be sourced (Israel, Taiwan, Kosovo, Armenia, North Korea and Bhutan
    with every UN member and the Holy See, and formal breaks between UN members), with
    the establishments, breaks, restorations and protecting powers that make each pair
    right before and after. `relations world load` loads it.

    \b
    Examples:
      relations world
      relations world load
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = ctx.find_object(Settings)
    assert settings is not None
    from relations.domain.countries import name_of
    from relations.domain.explain import stage_label
    from relations.services.world import baseline_path, summary

    found = summary(settings.machine())
    rules = settings.rules()
    if as_json:
        echo_json(
            {
                "as_of": found.as_of.isoformat(),
                "file": str(baseline_path()),
                "events": found.events,
                "pairs": found.pairs,
                "by_stage": dict(found.by_stage.most_common()),
                "without_relations_by_country": dict(found.by_country.most_common()),
                "by_event_type": dict(found.by_type.most_common()),
                "description": found.description,
            }
        )
        return
    echo(f"world baseline: the state of diplomatic relations on {found.as_of}")
    echo(f"  {found.events} events over {found.pairs} pairs, each with its source")
    echo(f"  ({baseline_path()})")
    echo(f"pairs by stage on {found.as_of}:")
    for stage, count in found.by_stage.most_common():
        status = rules.status_of_stage(stage)
        echo(f"  {count:5}  {stage_label(rules, status, stage)}")
    echo("pairs without diplomatic relations, by country covered in full:")
    for code, count in found.by_country.most_common():
        echo(f"  {count:5}  {name_of(code)} ({code})")
    echo("load it into the database in use: relations world load")


@world.command("load")
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_settings
def world_load(settings: Settings, by: str | None, as_json: bool) -> None:
    """Load the world baseline into the database in use (idempotent, all or nothing).

    Events already recorded (loading it again adds nothing) or recorded by hand with
    the same type, countries and date are skipped, never duplicated. A row that would
    contradict an event already recorded is refused, naming that event, and nothing is
    written.

    \b
    Example:
      relations --db team.db world load
    """
    from relations.services.world import load, read_baseline

    as_of = read_baseline().as_of
    result = load(settings.app(create=True), by=by)
    summary: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "rows": result.rows,
        "created": result.created,
        "already_recorded": result.already_recorded,
        "already_known": result.already_known,
        "pairs": len(result.pairs),
    }
    if as_json:
        echo_json(summary)
        return
    echo(
        f"world baseline as of {as_of}: {result.rows} rows read, {result.created} events "
        f"recorded, {result.already_recorded} already recorded, {result.already_known} "
        f"already there by hand, {len(result.pairs)} pairs updated"
    )
