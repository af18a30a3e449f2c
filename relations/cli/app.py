"""The click group, the shared --db option, and the translation of errors to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from relations import __version__
from relations.domain.dates import parse_date, parse_timestamp
from relations.domain.errors import InvalidInput, Refused, RelationsError

if TYPE_CHECKING:
    from relations.application import App
    from relations.domain.machine import RelationMachine
    from relations.domain.rules import Rules


class UserError(click.ClickException):
    """A message for the user, with the exit code of the error behind it."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance


class RelationsGroup(click.Group):
    """Turns domain and database errors into one clear message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RelationsError as exc:
            raise UserError(str(exc), exc.exit_code) from None
        except click.UsageError as exc:
            # One line, like every other error, instead of click's usage banner.
            where = exc.ctx.command_path if exc.ctx else ctx.command_path
            message = exc.format_message().rstrip(".")
            raise UserError(f"{message} (see `{where} --help`)", 2) from None
        except Exception as exc:
            database_error = _database_error(exc, ctx)
            if database_error is None:
                raise
            raise database_error from None


def _database_error(exc: Exception, ctx: click.Context) -> UserError | None:
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is None or not isinstance(exc, sqlalchemy_exc.DBAPIError):
        return None
    from relations.config import masked

    settings = ctx.find_object(Settings)
    where = masked(settings.url()) if settings else "the database"
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return UserError(f"database error on {where}: {reason}", 1)


class Settings:
    """What the group's options say, and the App they open (built on first use)."""

    def __init__(self, db_option: str | None, rules_option: str | None = None) -> None:
        self.db_option = db_option
        self.rules_option = rules_option
        self._app: App | None = None

    def url(self, default_name: str = "relations.db") -> str:
        from relations.config import database_url

        return database_url(self.db_option, default_name=default_name)

    def machine(self) -> RelationMachine:
        """The state machine of the rules in force (--rules), without opening the database."""
        if self._app is not None:
            return self._app.machine
        from relations.bootstrap import machine_of

        return machine_of(self.rules())

    def rules(self) -> Rules:
        """The rules in force (--rules), without building the machine."""
        if self._app is not None:
            return self._app.rules
        from relations.bootstrap import rules_for
        from relations.config import rules_path

        return rules_for(rules_path(self.rules_option))

    def app(self, *, create: bool = False) -> App:
        """The App for --db (or $RELATIONS_DB, or the default file), built once. A
        SQLite file that does not exist is refused (a mistyped --db must not answer
        from an empty database), unless ``create``: the commands that record create it,
        and its folder."""
        if self._app is not None:
            return self._app
        url = self.url()
        from relations.config import sqlite_file

        path = sqlite_file(url)
        if path is not None and not path.exists():
            if not create:
                raise Refused(
                    f"there is no database at {path}: `relations record`, `import` or "
                    "`demo` create one; --db or RELATIONS_DB choose another"
                )
            make_folder(path)
        return self.open(url)

    def open(self, url: str) -> App:
        """Use the database at ``url`` for the rest of this command."""
        from relations.bootstrap import bootstrap, rules_for
        from relations.config import rules_path

        if self._app is not None:
            self._app.close()
        self._app = bootstrap(url, rules=rules_for(rules_path(self.rules_option)))
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def make_folder(path: Path) -> None:
    """The folder of a database file about to be created."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create the folder for {path}: {exc.strerror}") from None


pass_settings = click.make_pass_decorator(Settings)

DB_HELP = (
    "Database: a file path, sqlite:///path or postgresql://user@host/db. "
    "Env: RELATIONS_DB. Default: relations.db in your user data directory."
)
RULES_HELP = (
    "Rules file (states, effects, event types). Env: RELATIONS_RULES. Default: the packaged rules."
)


def _set(attribute: str) -> Callable[[click.Context, click.Parameter, str | None], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is None:
            return
        ctx.meta[f"relations.{attribute}"] = value  # for shell completion (no Settings then)
        settings = ctx.find_object(Settings)
        if settings is not None:
            setattr(settings, attribute, value)

    return callback


def accept_everywhere(group: click.Group) -> None:
    """Let --db and --rules come after any (sub)command too, and show them in its
    help: `relations status Peru Mexico --db pm.db` works like `relations --db pm.db
    status Peru Mexico` (given in both places, the later one counts)."""
    for command in group.commands.values():
        command.params += [
            click.Option(["--db", "db_here"], metavar="URL", expose_value=False,
                         callback=_set("db_option"), help=DB_HELP),
            click.Option(["--rules", "rules_here"], metavar="FILE", expose_value=False,
                         callback=_set("rules_option"), help=RULES_HELP),
        ]  # fmt: skip
        if isinstance(command, click.Group):
            accept_everywhere(command)


class ParsedParam(click.ParamType):  # type: ignore[type-arg]
    """A click parameter type parsed by one of the domain's strict parsers."""

    def __init__(self, name: str, parse: Callable[[str], Any], already: type) -> None:
        self.name = name
        self.parse = parse
        self.already = already

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, self.already):
            return value
        try:
            return self.parse(str(value))
        except InvalidInput as exc:
            self.fail(str(exc), param, ctx)


DATE = ParsedParam("YYYY-MM-DD", parse_date, date)
TIMESTAMP = ParsedParam("DATETIME", parse_timestamp, datetime)


@click.group(cls=RelationsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_option", metavar="URL", help=DB_HELP)
@click.option("--rules", "rules_option", metavar="FILE", help=RULES_HELP)
@click.version_option(__version__, prog_name="relations")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None, rules_option: str | None) -> None:
    """Track the status of diplomatic relations between pairs of countries.

    Every pair is normal, strained or severed; the status is derived from the events
    you record (an asylum grant, an ambassador expelled, relations severed...).

    \b
    Try:  relations demo
          relations status Peru Mexico
    """
    ctx.obj = Settings(db_option, rules_option)
    ctx.call_on_close(ctx.obj.close)
