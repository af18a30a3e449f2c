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
    with connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by rebuilding it (Alembic's batch mode), which drops
            # a table other tables reference: SQLite's documented procedure turns foreign
            # keys off for that (outside the transaction), then checks them before commit.
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK}
                    )
                found = current_revision(connection)
                if found is not None and found not in known:
                    raise Refused(
                        f"this database has schema revision {found}, newer than this version "
                        f"of relations understands (up to {SCHEMA_REVISION}); upgrade relations"
                    )
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("schema upgrade left rows breaking a foreign key")
        finally:
            if sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    """Run a PRAGMA outside any transaction (SQLAlchemy would open one first)."""
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute(pragma)
