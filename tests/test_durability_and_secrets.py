"""Guarantee 5: the durability settings are what the README says, on every connection.
Guarantee 8: a database URL's password is never printed in full."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from relations.cli import cli
from relations.store.engine import engine_for


def test_every_sqlite_connection_is_durable(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        for _ in range(2):  # a fresh connection and a pooled one
            with engine.connect() as connection:
                pragma = connection.exec_driver_sql
                assert pragma("PRAGMA journal_mode").scalar() == "wal"
                assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
                assert pragma("PRAGMA foreign_keys").scalar() == 1
                assert pragma("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


SECRET = "s3cr3t-pa55"


@pytest.fixture
def secret_url() -> str:
    server = os.environ.get("RELATIONS_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("needs RELATIONS_TEST_POSTGRES_URL (a server that accepts the password)")
    user_host = server.split("://", 1)[1]
    user, host = user_host.split("@", 1)
    return f"postgresql://{user.split(':')[0]}:{SECRET}@{host}"


def test_a_password_is_masked_in_info_errors_and_logs(secret_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for args in (
        ["info"],
        ["info", "--json"],
        ["status", "Peru", "Narnia"],  # an input error
        ["record", "relations_restored", "PER", "MEX", "--on", "2024-01-01"],  # refused
    ):
        result = runner.invoke(cli, ["--db", secret_url, *args])
        assert result.exit_code in (0, 1, 2), result.output
        outputs.append(result.output + result.stderr)
    unreachable = secret_url.rsplit("@", 1)[0] + "@127.0.0.1:9/nowhere"
    result = runner.invoke(cli, ["--db", unreachable, "info"])
    assert result.exit_code == 1
    outputs.append(result.output + result.stderr)
    serve = subprocess.run(
        [sys.executable, "-m", "relations", "--db", secret_url, "serve", "--once"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    outputs.append(serve.stdout + serve.stderr)
    everything = "\n".join(outputs)
    assert SECRET not in everything
    assert "***" in everything, "the URL is shown, masked"
