"""Shared fixtures. Every database test runs on SQLite, and on PostgreSQL too when
RELATIONS_TEST_POSTGRES_URL is set (e.g. postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from relations.application import App
from relations.bootstrap import bootstrap
from relations.cli import cli
from relations.config import to_url
from relations.store.engine import engine_for
from relations.store.migrations import ensure_schema

POSTGRES_URL = os.environ.get("RELATIONS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
TABLES = (
    "pair_status", "event_effects", "retractions", "reviews", "events", "writes", "reports",
    "apscheduler_jobs", "tokens", "web_settings",
)  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def kernel_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fold's lookup tables (relations/kernel_cache.py) go to a folder of the test
    session, not the user's cache: random rules files would leave one each."""
    folder = tmp_path_factory.mktemp("kernel-cache")
    before = os.environ.get("RELATIONS_CACHE_DIR")
    os.environ["RELATIONS_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("RELATIONS_CACHE_DIR", None)
    else:
        os.environ["RELATIONS_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = engine_for(to_url(str(path)))
    ensure_schema(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once."""
    assert POSTGRES_URL, "RELATIONS_TEST_POSTGRES_URL is not set"
    admin_url = to_url(POSTGRES_URL)
    name = f"relations_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = engine_for(url)
    ensure_schema(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "relations.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return to_url(str(path))
    url: str = request.getfixturevalue("postgres_database")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def app(db_url: str) -> Iterator[App]:
    application = bootstrap(db_url)
    yield application
    application.close()


def table_contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: to prove a refused command wrote nothing."""
    engine = create_engine(url)
    with engine.connect() as connection:
        contents = {
            table: [
                tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
            ]
            for table in TABLES
        }
    engine.dispose()
    return contents


@dataclass
class Cli:
    """Runs `relations --db URL ...` in-process, as a user would from a shell."""

    url: str

    def __call__(self, *args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["--db", self.url, *args], input=input, catch_exceptions=True)

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (result.output, result.stderr, result.exception)
        return result

    def json(self, *args: str) -> Any:
        import json

        return json.loads(self.ok(*args, "--json").stdout)

    def refused(self, code: int, *args: str) -> Result:
        """Run a command that must fail with ``code``, one clear message, and no writes."""
        before = table_contents(self.url)
        result = self(*args)
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        assert "Traceback" not in result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), result.exception
        assert result.stderr.strip(), "an error must say what was wrong"
        assert table_contents(self.url) == before, "a refused command must write nothing"
        return result


@pytest.fixture
def run(db_url: str) -> Cli:
    return Cli(db_url)


@pytest.fixture
def fixtures_dir() -> Path:
    from relations.services.demo import fixtures_dir

    return fixtures_dir()


@pytest.fixture
def fresh_app(db_url: str, request: pytest.FixtureRequest) -> Any:
    """A factory of Apps on an emptied database: for hypothesis, once per example."""
    opened: list[App] = []

    def make(**wiring: Any) -> App:
        """``wiring``: what bootstrap() takes besides the URL (clock, today, machine)."""
        for old in opened:
            old.close()
        if db_url.startswith("sqlite"):
            path = Path(db_url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
        else:
            engine = create_engine(db_url)
            with engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
            engine.dispose()
        opened.append(bootstrap(db_url, **wiring))
        return opened[-1]

    yield make
    for old in opened:
        old.close()


def pytest_report_header() -> list[str]:
    import relations

    backends = ", ".join(BACKENDS)
    return [f"relations under test: {relations.__file__}", f"database backends: {backends}"]


class Clock:
    """A clock the test moves by hand: no test waits on a real timer."""

    def __init__(self, now: Any) -> None:
        self.now = now

    def __call__(self) -> Any:
        return self.now

    def advance(self, **delta: float) -> Any:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    from datetime import UTC, datetime

    return Clock(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))


@pytest.fixture
def clocked_app(db_url: str, clock: Clock) -> Iterator[App]:
    """An App whose time is ``clock``'s (the dates it accepts follow it too)."""
    application = bootstrap(db_url, clock=clock, today=lambda: clock().date())
    yield application
    application.close()
