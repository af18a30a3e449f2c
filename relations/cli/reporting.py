"""Commands for reports: report, schedule add/list/remove, serve, reports list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from relations.cli.app import TIMESTAMP, Settings, cli, pass_settings
from relations.cli.output import echo, echo_json, echo_table
from relations.cli.params import COUNTRY, SCHEDULE
from relations.reports import formats as report_formats

if TYPE_CHECKING:
    from relations.services.reporting import Reproduction

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_CHOICE = click.Choice(report_formats.NAMES)


def report_options(format_help: str) -> Callable[[F], F]:
    """--country and --format, shared by `report` and `schedule add`."""

    def decorate(command: F) -> F:
        command = click.option(
            "--format", "fmt", type=FORMAT_CHOICE, default="markdown", show_default=True,
            help=format_help,
        )(command)  # fmt: skip
        return click.option(
            "--country", "countries", multiple=True, type=COUNTRY,
            help="Only pairs involving this country (repeatable).",
        )(command)  # fmt: skip

    return decorate


@cli.command()
@click.option("--from", "start", type=TIMESTAMP, help="Period start (default: 7 days before --to).")
@click.option("--to", "end", type=TIMESTAMP, help="Period end, excluded (default: now).")
@report_options("Output format.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to this file (atomically) and register it, instead of stdout.",
)
@click.option(
    "--known-at",
    type=TIMESTAMP,
    help="As the database knew it at this moment: only events recorded and retractions "
    "made by then.",
)
@click.option(
    "--reproduce",
    "reproduce_id",
    type=click.IntRange(1, 2**31 - 1),
    metavar="REPORT_ID",
    help="Rebuild registered report REPORT_ID from the data as known when it was "
    "generated, and check its checksum (exit 1 and the difference if it does not match).",
)
@pass_settings
def report(
    settings: Settings,
    start: datetime | None,
    end: datetime | None,
    countries: tuple[str, ...],
    fmt: str,
    output: str | None,
    known_at: datetime | None,
    reproduce_id: int | None,
) -> None:
    """Report on a period: what deteriorated and improved, every change of status or
    stage, where relations stand, what happened and what came to light late.

    Times are UTC unless they carry an offset. HTML is one self-contained file with a
    world map (one --country) or a matrix (several or none) and timelines; JSON follows
    the schema in the docs (docs/reports.md); CSV is the table of status changes.

    \b
    Examples:
      relations report --country Peru --from 2025-11-01 --to 2025-12-01
      relations report --format html --output week.html
      relations report --reproduce 12
    """
    from relations.reports.render import render
    from relations.services import reporting

    app = settings.app()
    if reproduce_id is not None:
        given = [start, end, countries, output, known_at]
        if any(given) or fmt != "markdown":
            from relations.domain.errors import InvalidInput

            raise InvalidInput("--reproduce takes no other report option: it reuses the report's")
        _reproduce(reporting.reproduce(app, reproduce_id))
        return
    built = reporting.build(
        app, start, end, countries, known_at=known_at, with_timelines=fmt == "html"
    )
    if output is None:
        echo(render(built, fmt), nl=False)
        return
    from pathlib import Path

    from relations.domain.errors import InvalidInput

    if not output.strip():
        raise InvalidInput("--output needs a file name")
    target = Path(output).expanduser().resolve()
    if target.exists() and not target.is_file():
        raise InvalidInput(f"--output {target} exists and is not a regular file")
    entry = reporting.save(app, built, fmt, target)
    click.echo(f"wrote report {entry.id} to {entry.path} (sha256 {entry.checksum})", err=True)


@cli.group()
def schedule() -> None:
    """Schedules of periodic reports, written by `relations serve`.

    \b
    Example:
      relations schedule add weekly --cron "0 8 * * 1" --format html --output-dir reports/
    """


@schedule.command("add")
@click.argument("name")
@click.option("--cron", help='Five-field crontab expression, e.g. "0 8 * * 1" (Mondays 08:00).')
@click.option("--every", help="A fixed interval: 30s, 15m, 6h, 1d, 1w.")
@report_options("Report format.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default="reports",
    show_default=True,
    help="Folder for the report files.",
)
@click.option("--timezone", help="Time zone of the schedule (default UTC), e.g. America/Lima.")
@pass_settings
def schedule_add(
    settings: Settings,
    name: str,
    cron: str | None,
    every: str | None,
    fmt: str,
    output_dir: str,
    countries: tuple[str, ...],
    timezone: str | None,
) -> None:
    """Add a schedule NAME. Each of its reports covers the time since its previous one.

    \b
    Examples:
      relations schedule add daily --every 1d
      relations schedule add lima-monday --cron "0 8 * * 1" --timezone America/Lima --country PE
    """
    from pathlib import Path

    from relations.services import schedules

    added = schedules.add(
        settings.app(create=True), name, cron=cron, every=every, fmt=fmt,
        output_dir=Path(output_dir), countries=countries, timezone=timezone,
    )  # fmt: skip
    click.echo(f"added schedule {added.name}: {added.spec.describe()}, {added.format} "
               f"reports to {added.output_dir}")  # fmt: skip


@schedule.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def schedule_list(settings: Settings, as_json: bool) -> None:
    """List the schedules, with their next run and the end of their last report.

    \b
    Example:
      relations schedule list --json
    """
    from relations import views
    from relations.services import schedules

    rows = [views.schedule(v) for v in schedules.listing(settings.app())]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no schedules; add one with `relations schedule add NAME --every 1d`")
        return
    echo_table(
        ["name", "when", "format", "next run", "output dir"],
        [[r["name"], f"{r['trigger']} {r['expression']} {r['timezone']}", r["format"],
          r["next_run"], r["output_dir"]] for r in rows],
    )  # fmt: skip


@schedule.command("remove")
@click.argument("name", type=SCHEDULE)
@pass_settings
def schedule_remove(settings: Settings, name: str) -> None:
    """Remove the schedule NAME (its reports stay registered).

    \b
    Example:
      relations schedule remove daily
    """
    from relations.services import schedules

    schedules.remove(settings.app(), name)
    click.echo(f"removed schedule {name}")


def _reproduce(done: Reproduction) -> None:
    import difflib
    import hashlib
    from pathlib import Path

    from relations.domain.errors import Refused

    entry = done.entry
    if done.matches:
        click.echo(f"report {entry.id} reproduced exactly (sha256 {done.checksum})")
        return
    lines = [
        f"report {entry.id} does not match its reproduction: registered sha256 "
        f"{entry.checksum}, rebuilt {done.checksum}"
    ]
    if entry.rules_digest and entry.rules_digest != done.rules_digest:
        lines.append(
            f"  the rules changed: it was built under rules {entry.rules_digest}, "
            f"the rules in force are {done.rules_digest}"
        )
    from relations.reports.render import LAYOUT

    if entry.layout != LAYOUT:
        lines.append(
            f"  it was rendered with report layout {entry.layout}; this version renders layout "
            f"{LAYOUT}, so the text differs even where the facts are the same"
        )
    path = Path(entry.path)
    try:
        original = path.read_bytes()
    except OSError:
        original = None
    if original is not None and hashlib.sha256(original).hexdigest() == entry.checksum:
        diff = list(
            difflib.unified_diff(
                original.decode("utf-8").splitlines(),
                done.text.splitlines(),
                f"{path} (registered)",
                "reproduction",
                lineterm="",
            )
        )
        lines += diff[:60] + ([f"... ({len(diff) - 60} more diff lines)"] if len(diff) > 60 else [])
    else:
        lines.append(f"  (the file {path} is gone or was changed since, so no line diff)")
    raise Refused("\n".join(lines))


@cli.command()
@click.option("--once", is_flag=True, help="Write every due report once and exit (for cron).")
@pass_settings
def serve(settings: Settings, once: bool) -> None:
    """Run the report scheduler in the foreground (one per database; a second stands by).

    Logs each report it writes. Stops cleanly on SIGTERM or Ctrl-C. Reports missed while
    it was not running are written, as one report covering the whole gap, when it starts.

    \b
    Examples:
      relations serve
      relations serve --once     # from cron or a CI job
    """
    import logging

    from relations.scheduling.daemon import run_once
    from relations.scheduling.daemon import serve as run_daemon

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for noisy in ("apscheduler", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app = settings.app()
    if once:
        written, failed = run_once(app)
        click.echo(f"wrote {written} report(s)", err=True)
        if failed:
            from relations.domain.errors import Refused

            raise Refused(f"{failed} report(s) could not be written (see `relations reports list`)")
        return
    run_daemon(app)


@cli.group("reports")
def reports_group() -> None:
    """The registry of report files written by `relations serve` and `report --output`.

    \b
    Example:
      relations reports list --json
    """


@reports_group.command("list")
@click.option(
    "--schedule", "schedule_name", type=SCHEDULE, help="Only the reports of this schedule."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def reports_list(settings: Settings, schedule_name: str | None, as_json: bool) -> None:
    """List every registered report: schedule, period, format, when it was generated,
    its checksum (the first 12 digits of its sha256; --json has all of it), path.

    Reports that could not be written are listed too, with the reason.

    \b
    Example:
      relations reports list --schedule daily
    """
    from relations import views
    from relations.services import reporting

    rows = [views.report_entry(e) for e in reporting.registered(settings.app(), schedule_name)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no reports yet")
        return
    echo_table(
        ["id", "schedule", "from", "to", "format", "generated", "sha256", "status", "path"],
        [[r["id"], r["schedule"] or "", r["period"]["from"], r["period"]["to"], r["format"],
          r["generated_at"], (r["checksum"] or "")[:12],
          r["status"] if r["status"] == "written" else f"FAILED: {r['error']}", r["path"]]
         for r in rows],
    )  # fmt: skip
