"""Where the database is: --db, then $RELATIONS_DB, then a file in the user data directory.
Which rules are in force: --rules, then $RELATIONS_RULES, then the packaged rules.toml.

The CLI reads these through this module; the only other module that reads the
environment is kernel_cache.py ($RELATIONS_CACHE_DIR, where the machine's table is kept).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DB_ENV = "RELATIONS_DB"
RULES_ENV = "RELATIONS_RULES"
APP_NAME = "relations"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path(name: str = "relations.db") -> Path:
    return data_dir() / name


def database_url(option: str | None, *, default_name: str = "relations.db") -> str:
    """The SQLAlchemy URL to use, from --db, $RELATIONS_DB or the default file."""
    chosen = option or os.environ.get(DB_ENV) or str(default_db_path(default_name))
    return to_url(chosen)


def rules_path(option: str | None) -> Path | None:
    """The rules file to use, or None for the packaged default."""
    chosen = option or os.environ.get(RULES_ENV)
    return Path(chosen).expanduser() if chosen else None


def to_url(text: str) -> str:
    """Accept a URL or a plain file path; use psycopg 3 for PostgreSQL URLs."""
    if not _SCHEME.match(text):
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    return text


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///")
    return Path(path) if path and path != ":memory:" else None


def masked(url: str) -> str:
    """The URL with any password replaced by ***, safe to print or log."""
    return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)
