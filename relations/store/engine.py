"""Engines with the connection settings each database needs for safe concurrent writes.

SQLite: WAL journal, ``synchronous=FULL`` (a committed event survives a power cut),
foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so
that two writers queue for the lock instead of failing with "database is locked"
(a deferred BEGIN that later writes fails at once, busy timeout or not).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from relations.domain.errors import InvalidInput

WRITE = "relations_write"  # execution option that marks a write transaction
BUSY_TIMEOUT_MS = 30_000


def engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise InvalidInput(
                "PostgreSQL needs the psycopg driver: pip install 'relations[postgres]'"
            ) from None
        # No server-side prepared statements: psycopg prepares a query after five runs and
        # PostgreSQL may then keep a generic plan made while a table was nearly empty. An
        # import that grows ``events`` inside its one transaction then seq-scans it for
        # every chunk of external ids (60,000 rows took 36 s instead of 5 s). Our queries
        # plan in well under a millisecond, so planning each with its values costs little.
        return create_engine(url, pool_pre_ping=True, connect_args={"prepare_threshold": None})
    raise InvalidInput(
        f"unsupported database {parsed.get_backend_name()!r}; use SQLite (a file path or "
        "sqlite:///path) or PostgreSQL (postgresql://user@host/db)"
    )


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (the pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
