"""`relations web` (the HTTP API and the dashboard) and `relations token` (who may use it)."""

from __future__ import annotations

import click

from relations.cli.app import Settings, cli, pass_settings
from relations.cli.output import echo_json, echo_table

ROLE = click.Choice(["reader", "recorder", "admin"])


@cli.group()
def token() -> None:
    """Access tokens of the web service: readers read; recorders also record, retract,
    correct, import, confirm and dismiss; admins also manage schedules.

    \b
    Example:
      relations token add ana --role recorder
    """


@token.command("add")
@click.argument("name")
@click.option("--role", type=ROLE, required=True, help="What the token may do.")
@click.option(
    "--by", help="Who makes this change, for the audit trail (default: your OS user name)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def token_add(settings: Settings, name: str, role: str, by: str | None, as_json: bool) -> None:
    """Make a token NAME and print it, once: only a digest of it is kept.

    \b
    Example:
      relations token add ministry-desk --role reader
    """
    from relations.services import tokens

    stored, secret = tokens.add(settings.app(create=True), name, role, by=by)
    if as_json:
        echo_json({"name": stored.name, "role": stored.role, "token": secret})
        return
    click.echo(f"token {stored.name} ({stored.role}): {secret}")
    click.echo("keep it now: it is not stored and cannot be shown again", err=True)


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def token_list(settings: Settings, as_json: bool) -> None:
    """List the tokens: name, role, when made, whether revoked (never the tokens).

    \b
    Example:
      relations token list
    """
    from relations.services import tokens
    from relations.views import moment

    rows = [
        {
            "name": t.name,
            "role": t.role,
            "created_at": moment(t.created_at),
            "revoked_at": moment(t.revoked_at) if t.revoked_at else None,
        }
        for t in tokens.listing(settings.app())
    ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no tokens; make one with `relations token add NAME --role reader`")
        return
    echo_table(
        ["name", "role", "made", "revoked"],
        [[r["name"], r["role"], r["created_at"], r["revoked_at"] or ""] for r in rows],
    )


@token.command("revoke")
@click.argument("name")
@click.option(
    "--by", help="Who makes this change, for the audit trail (default: your OS user name)."
)
@pass_settings
def token_revoke(settings: Settings, name: str, by: str | None) -> None:
    """Revoke the token NAME: it stops working at once, on every worker.

    \b
    Example:
      relations token revoke ministry-desk
    """
    from relations.services import tokens

    revoked = tokens.revoke(settings.app(), name, by=by)
    click.echo(f"revoked token {revoked.name} ({revoked.role})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on.")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (each with its own connections to the database).")  # fmt: skip
@click.option("--public-read", is_flag=True, help="Let anyone read without a token.")
@click.option("--check", is_flag=True, help="Open the database and build the app, then exit.")
@pass_settings
def web(
    settings: Settings, host: str, port: int, workers: int, public_read: bool, check: bool
) -> None:
    """Serve the JSON API (/api/v1, docs at /api/v1/docs) and the dashboard (/) over
    HTTP, until Ctrl-C. Tokens: `relations token add`. Run it beside `relations serve`
    on the same database; behind a TLS proxy for anything but this machine.

    \b
    Examples:
      relations web --port 8000
      relations --db postgresql://app@db/relations web --host 0.0.0.0 --workers 4
    """
    import os

    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        from relations.domain.errors import Refused

        raise Refused("the web service needs its extra: pip install 'relations[web]'") from None
    from relations.web import server

    app = settings.app()  # refuses a database that does not exist, like every read
    url = app.url
    settings.close()
    if check:
        from relations.config import rules_path

        web_settings = server.WebSettings(url, rules_path(settings.rules_option), public_read)
        server.create_app(web_settings).state.relations.close()
        click.echo(f"ok: would serve on http://{host}:{port} with {workers} worker(s)")
        return
    # The workers are processes of their own: they read their settings from the environment.
    os.environ[server.DB_ENV] = url
    if settings.rules_option:
        os.environ[server.RULES_ENV] = settings.rules_option
    os.environ[server.PUBLIC_ENV] = "1" if public_read else "0"
    click.echo(f"serving on http://{host}:{port} (API docs: /api/v1/docs); Ctrl-C stops", err=True)
    uvicorn.run(
        "relations.web.server:from_environment", factory=True, host=host, port=port,
        workers=workers, log_level="warning", server_header=False,
    )  # fmt: skip
