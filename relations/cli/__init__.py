"""The `relations` command line: thin click commands over the services.

Only click is imported at start-up; SQLAlchemy, Alembic and the services are imported
inside the commands, so `relations --help` stays fast.
"""

from relations.cli import (  # noqa: F401  (registers commands)
    admin,
    corrections,
    queries,
    reporting,
    review,
    rules,
    web,
    world,
    writes,
)
from relations.cli.app import accept_everywhere, cli

accept_everywhere(cli)


def main() -> None:
    cli(prog_name="relations")


__all__ = ["cli", "main"]
