"""Commands about the rules in force: rules check, reproject."""

from __future__ import annotations

import click

from relations.cli.app import Settings, cli, pass_settings
from relations.cli.output import echo_json
from relations.cli.writes import by_option


@cli.group()
def rules() -> None:
    """Check a rules file before putting it in force (--rules FILE or $RELATIONS_RULES).

    \b
    Example:
      relations rules check my-rules.toml
    """


@rules.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def rules_check(settings: Settings, file: str, as_json: bool) -> None:
    """Validate the rules FILE and show how it differs from the rules in force.

    Exit 2 with a message if it is not valid: unknown states, a type defined twice,
    an effect that cannot be expressed...

    \b
    Example:
      relations rules check my-rules.toml
    """
    from pathlib import Path

    from relations.bootstrap import machine_for
    from relations.domain.rules import compare

    checked = machine_for(Path(file)).rules
    current = settings.machine().rules
    differences = compare(current, checked)
    summary = {
        "file": file,
        "valid": True,
        "digest": checked.digest,
        "states": list(checked.states),
        "effects": len(checked.effects),
        "event_types": len(checked.event_types),
        "in_force": current.digest,
        "differences": differences,
    }
    if as_json:
        echo_json(summary)
        return
    click.echo(
        f"{file}: valid: {len(checked.states)} states, {len(checked.effects)} effects, "
        f"{len(checked.event_types)} event types (digest {checked.digest})"
    )
    if not differences:
        click.echo("  same meaning as the rules in force")
        return
    click.echo(f"  differs from the rules in force ({current.digest}):")
    for line in differences:
        click.echo(f"  - {line}")
    click.echo("  after putting it in force, run `relations reproject` to re-derive every pair")


@cli.command()
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def reproject(settings: Settings, by: str | None, as_json: bool) -> None:
    """Rebuild every pair's status from the log under the rules in force.

    Lists the pairs whose status changed and the events that became invalid (they are
    kept, and shown as invalid in history). Run it after changing the rules. Under the
    rules the store was built with, it checks every stored row and rewrites only those
    that differ.

    \b
    Example:
      relations --rules my-rules.toml reproject
    """
    from relations.domain.explain import stage_label
    from relations.services.reprojecting import reproject as reproject_all

    done = reproject_all(settings.app(), by=by)
    if as_json:
        echo_json(
            {
                "rules_digest": done.rules_digest,
                "pairs": done.pairs,
                "events": done.events,
                "changed": [
                    {
                        "pair": pair.as_list(),
                        "before": before[0],
                        "after": after[0],
                        "stage_before": before[1],
                        "stage_after": after[1],
                    }
                    for pair, before, after in done.changed
                ],
                "invalid": done.invalid,
                "valid_again": done.valid_again,
            }
        )
        return
    click.echo(
        f"reprojected {done.pairs} pair(s), {done.events} event(s) under rules "
        f"{done.rules_digest}: {len(done.changed)} changed status or stage, "
        f"{len(done.invalid)} event(s) became invalid, {len(done.valid_again)} valid again"
    )
    rules = settings.rules()
    for pair, before, after in done.changed:
        was = stage_label(rules, before[0], before[1]) if before[1] else before[0]
        click.echo(f"  {pair}: {was} -> {stage_label(rules, *after)}")
    if done.invalid:
        shown = ", ".join(str(i) for i in done.invalid[:20])
        more = f" (+{len(done.invalid) - 20} more)" if len(done.invalid) > 20 else ""
        click.echo(f"  now invalid: event(s) {shown}{more}")
