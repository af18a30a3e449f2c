"""Parameter types for countries, event types and schedule names: shell completion from
the rules and the database in use, and a note when a two-letter code is easily taken
for another country (NI is Nicaragua, not Niger). The services still resolve and check
every value; these only help the person typing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


def _root_option(ctx: click.Context, name: str) -> str | None:
    """--db or --rules, given before the command or after it (completion runs without
    the group's callback, so without Settings)."""
    value = ctx.meta.get(f"relations.{name}") or ctx.find_root().params.get(name)
    return str(value) if value else None


class CountryType(click.ParamType):  # type: ignore[type-arg]
    name = "country"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if ctx is not None and not ctx.resilient_parsing and isinstance(value, str):
            from relations.domain.countries import confusions, resolve

            others = confusions(value)
            if others:
                meant = resolve(value)
                listed = ", ".join(f"{c.name} ({c.alpha_3})" for c in others)
                click.echo(f"note: {value.strip()} is {meant.name} ({meant.alpha_3}), not "
                           f"{listed}", err=True)  # fmt: skip
        return value

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        from relations.domain.countries import all_countries, normalize

        typed = normalize(incomplete) if incomplete else ""
        found = []
        for country in all_countries():
            if country.alpha_3.casefold().startswith(typed):
                found.append(CompletionItem(country.alpha_3, help=country.name))
            elif typed and normalize(country.name).startswith(typed):
                found.append(CompletionItem(country.name, help=country.alpha_3))
        return found


class EventTypeType(click.ParamType):  # type: ignore[type-arg]
    name = "event_type"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        from relations.bootstrap import rules_for
        from relations.config import rules_path

        try:
            rules = rules_for(rules_path(_root_option(ctx, "rules_option")))
        except Exception:  # a broken rules file: nothing to offer, no traceback
            return []
        return [
            CompletionItem(name, help=kind.description)
            for name, kind in sorted(rules.event_types.items())
            if name.startswith(incomplete)
        ]


class ScheduleType(click.ParamType):  # type: ignore[type-arg]
    name = "schedule"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        from relations.bootstrap import bootstrap
        from relations.config import database_url, sqlite_file

        try:
            url = database_url(_root_option(ctx, "db_option"))
            path = sqlite_file(url)
            if path is not None and not path.exists():
                return []
            app = bootstrap(url)
            try:
                from relations.services import schedules

                names = [view.schedule.name for view in schedules.listing(app)]
            finally:
                app.close()
        except Exception:  # no database, no server: nothing to offer, no traceback
            return []
        return [CompletionItem(name) for name in sorted(names) if name.startswith(incomplete)]


COUNTRY = CountryType()
EVENT_TYPE = EventTypeType()
SCHEDULE = ScheduleType()


def event_filters(command: F) -> F:
    """--country and --type, repeatable: the events involving any of those countries,
    of any of those types (`events`, `review`)."""
    command = click.option(
        "--type", "types", multiple=True, type=EVENT_TYPE, help="Of this event type (repeatable)."
    )(command)
    return click.option(
        "--country", "countries", multiple=True, type=COUNTRY,
        help="Involving this country (repeatable).",
    )(command)  # fmt: skip
