"""A scheduled report "as known at the end of its period" waits for the write
transactions under way, so an event stamped before the end but committed after it is
not lost between two reports."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from relations.application import App
from relations.bootstrap import bootstrap
from relations.domain.events import EventDraft

pytestmark = pytest.mark.slow  # see pyproject.toml: `pytest -m "not slow"` skips these


def test_wait_for_writers_returns_only_after_an_open_write_commits(app: App) -> None:
    in_transaction = threading.Event()
    committed = threading.Event()

    def slow_writer() -> None:
        writer = bootstrap(app.url)
        with writer.store.writing() as tx:
            write_id = tx.audit.add(writer.clock(), "test", "record", "slow write")
            draft = EventDraft("visit", "PER", "MEX", date(2024, 1, 1))
            tx.append(draft, 1, writer.clock(), write_id)
            in_transaction.set()
            time.sleep(0.5)
        committed.set()
        writer.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert in_transaction.wait(10)
    with app.store.reading() as tx:
        assert tx.counts()["events"] == 0, "the write is not committed yet"
    app.store.wait_for_writers()
    with app.store.reading() as tx:
        assert tx.counts()["events"] == 1, "returned while a write transaction was still open"
    thread.join()
    assert committed.is_set()
