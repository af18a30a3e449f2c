"""Bring a database to the schema this code expects, with Alembic, only when needed.

The common case (schema already current) costs one query and never imports Alembic,
which keeps every command fast. A database whose schema is newer than this code is
refused rather than touched.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, text

import relations
from relations.domain.errors import Refused
from relations.store.revision import SCHEMA_REVISION

_MIGRATION_LOCK = 0x7265_6C61_7469_6F6E  # "relation": the advisory lock key for upgrades


def migrations_dir() -> Path:
    """db/ from the repository, or its copy inside an installed wheel."""
    package = Path(relations.__file__).resolve().parent
    for candidate in (package / "_db", package.parent / "db"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError(f"migrations not found next to {package}")


def current_revision(connection: Connection) -> str | None:
    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        if current_revision(connection) == SCHEMA_REVISION:
            return
    upgrade(engine)


def upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
    connection = engine.connect().execution_options(relations_write=True)
    with connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        found = current_revision(connection)
        if found is not None and found not in known:
            raise Refused(
                f"this database has schema revision {found}, newer than this version of "
                f"relations understands (up to {SCHEMA_REVISION}); upgrade relations"
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
