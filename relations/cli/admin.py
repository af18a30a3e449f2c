"""Commands about the tool itself: event-types, diagram, info, demo."""

from __future__ import annotations

import shlex
from datetime import date

import click

from relations.cli.app import Settings, cli, make_folder, pass_settings
from relations.cli.output import echo_json, echo_table


@cli.command("event-types")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def event_types(settings: Settings, as_json: bool) -> None:
    """Show the rule table: every event type, its effect, description and CAMEO code.

    \b
    Example:
      relations event-types --json
    """
    from relations import views
    from relations.domain.rules import describe_missions, describe_moves

    rules = settings.rules()
    types = list(rules.event_types.values())
    if as_json:
        echo_json([views.event_type(t) for t in types])
        return
    rows = [
        [t.name, t.effect, t.cameo, describe_moves(rules, t), describe_missions(t), t.description]
        for t in types
    ]
    echo_table(["type", "effect", "cameo", "moves", "missions", "description"], rows)


@cli.command()
@pass_settings
def diagram(settings: Settings) -> None:
    """Print the state machine as a Mermaid diagram (paste it into any Mermaid viewer).

    \b
    Example:
      relations diagram > machine.mmd
    """
    click.echo(settings.machine().mermaid())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def info(settings: Settings, as_json: bool) -> None:
    """Show which database is in use, its schema and what it holds.

    \b
    Example:
      relations --db postgresql://me@dbhost/relations info
    """
    from relations.config import masked
    from relations.services.queries import counts
    from relations.store.revision import SCHEMA_REVISION

    app = settings.app()
    found = counts(app)
    facts = {
        "database": masked(app.url),
        "backend": app.store.engine.dialect.name,
        "schema_revision": SCHEMA_REVISION,
        "rules_digest": app.rules.digest,
        "events": found.pop("events"),
        "retracted": found.pop("retracted"),
        "pairs": {state: found.get(state, 0) for state in app.rules.states},
    }
    if as_json:
        echo_json(facts)
        return
    for key, value in facts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        click.echo(f"{key + ':':17} {value}")


@cli.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Load real histories (Peru-Mexico and others) and the world baseline into a demo
    database, and show some of them.

    The demo database is demo.db in your user data directory, unless --db is given.
    Running it again changes nothing: every fixture event carries an external id. (If
    the fixtures changed since demo.db was made, by an upgrade of relations, demo.db is
    made anew.)

    \b
    Example:
      relations demo
    """
    from pathlib import Path

    from relations.config import default_db_path, masked, sqlite_file, to_url
    from relations.services.demo import load_demo
    from relations.services.importing import ImportRefused

    settings = ctx.find_object(Settings)
    assert settings is not None
    url = to_url(settings.db_option or str(default_db_path("demo.db")))
    demo_file = sqlite_file(url)
    if demo_file is not None:
        make_folder(demo_file)
    try:
        loaded, world = load_demo(settings.open(url))
    except ImportRefused:
        if settings.db_option:
            raise
        settings.close()
        path = default_db_path("demo.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        click.echo("the fixtures changed since demo.db was made: making it anew")
        loaded, world = load_demo(settings.open(url))
    created = sum(r.created for r in loaded.values())
    known = sum(r.already_recorded for r in loaded.values())
    click.echo(f"demo database: {masked(url)}")
    click.echo(f"loaded {len(loaded)} fixture files: {created} new events, {known} already there")
    click.echo(
        f"loaded the world baseline: {world.created} new events, "
        f"{world.already_recorded + world.already_known} already there\n"
    )
    click.echo("== Peru - Mexico: every event ==")
    ctx.invoke(cli.commands["history"], country_a="PER", country_b="MEX", as_json=False)
    click.echo("\n== Peru - Mexico: now ==")
    ctx.invoke(cli.commands["status"], country_a="PER", country_b="MEX", as_of=None, as_json=False)
    click.echo("\n== Peru - Mexico: as of 2024-01-01 ==")
    ctx.invoke(
        cli.commands["status"],
        country_a="PER",
        country_b="MEX",
        as_of=date(2024, 1, 1),
        as_json=False,
    )
    click.echo("\n== From the world baseline: Israel - Saudi Arabia ==")
    ctx.invoke(cli.commands["status"], country_a="ISR", country_b="SAU", as_of=None, as_json=False)
    click.echo("\n== The pairs of the fixtures ==")
    from relations.services.demo import fixture_pairs
    from relations.services.queries import pairs

    shown = fixture_pairs()
    echo_table(
        ["pair", "status", "since", "stage", "stage since", "events"],
        [
            [str(s.pair), s.status, s.since, s.stage, s.stage_since, s.events]
            for s in pairs(settings.app())
            if s.pair in shown
        ],
    )
    where = settings.db_option or str(default_db_path("demo.db"))
    click.echo(f"\nNext: relations --db {shlex.quote(masked(where))} status Ecuador Mexico --json")
