"""Contention is retried inside the store within a budget, then a clear Busy error;
a real database error is not retried."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from relations.application import App
from relations.store import sql_store as sql
from relations.store.sql_store import Busy


def locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


def failing_writes(app: App, monkeypatch: pytest.MonkeyPatch, errors: list[Exception]) -> list[int]:
    attempts = [0]
    real = app.store.writing

    @contextmanager
    def writing(**options: Any) -> Any:
        attempts[0] += 1
        if errors:
            raise errors.pop(0)
        with real(**options) as tx:
            yield tx

    monkeypatch.setattr(app.store, "writing", writing)
    monkeypatch.setattr(sql.time, "sleep", lambda seconds: None)
    return attempts


def test_contention_is_retried_until_the_write_goes_through(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = failing_writes(app, monkeypatch, [locked(), locked()])
    assert app.store.write(lambda tx: tx.counts()["events"]) == 0
    assert attempts[0] == 3


def test_past_the_budget_contention_is_a_clear_busy_error(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_writes(app, monkeypatch, [locked() for _ in range(10_000)])
    monkeypatch.setattr(sql, "RETRY_BUDGET", 0.0)
    with pytest.raises(Busy, match="busy with other writes"):
        app.store.write(lambda tx: None)


def test_a_real_database_error_is_not_retried(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: events"))
    attempts = failing_writes(app, monkeypatch, [broken])
    with pytest.raises(OperationalError):
        app.store.write(lambda tx: None)
    assert attempts[0] == 1
