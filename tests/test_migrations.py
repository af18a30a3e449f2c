"""Alembic migrations: a blank database gets exactly the schema of the metadata."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from relations.store.migrations import ensure_schema, migrations_dir
from relations.store.revision import SCHEMA_REVISION
from relations.store.schema import metadata

DATA = Path(__file__).parent / "data"


def test_migrated_database_matches_the_metadata(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_schema_revision_constant_is_alembic_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


def test_a_new_database_needs_no_separate_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from relations.bootstrap import bootstrap
    from relations.services.queries import counts

    app = bootstrap(f"sqlite:///{tmp_path / 'new.db'}")
    assert counts(app) == {"events": 0, "retracted": 0, "normal": 0, "strained": 0, "severed": 0}
    app.close()


def test_a_database_newer_than_the_code_is_refused_untouched(db_url: str) -> None:
    import pytest

    from relations.domain.errors import Refused
    from relations.store.engine import engine_for

    engine = engine_for(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        with pytest.raises(Refused, match="newer than this version of relations"):
            ensure_schema(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                "9999"
            )
    finally:
        with engine.begin() as connection:
            connection.execute(
                text(f"UPDATE alembic_version SET version_num = '{SCHEMA_REVISION}'")
            )
        engine.dispose()


def test_a_database_of_schema_0003_upgrades_with_nothing_lost(tmp_path: Path) -> None:
    """tests/data/schema-0003.db was made by the release before the history features
    (the four fixtures imported, one report registered): it upgrades in place, every
    event and report is kept, the audit trail is backfilled, and its report reproduces."""
    from relations.bootstrap import bootstrap
    from relations.services.audit import log
    from relations.services.queries import counts, history, pairs
    from relations.services.reporting import build, reproduce

    old = DATA / "schema-0003.db"
    path = tmp_path / "old.db"
    shutil.copy(old, path)
    with sqlite3.connect(old) as connection:
        events_before = connection.execute("SELECT * FROM events ORDER BY id").fetchall()
        statuses_before = connection.execute("SELECT * FROM pair_status").fetchall()
    app = bootstrap(f"sqlite:///{path}")
    try:
        assert counts(app)["events"] == 23
        with sqlite3.connect(path) as connection:
            columns = [c[1] for c in connection.execute("PRAGMA table_info(events)")]
            kept = connection.execute(
                f"SELECT {', '.join(columns[: len(events_before[0])])} FROM events ORDER BY id"
            ).fetchall()
            assert kept == events_before, "every event, every field, unchanged"
            now = connection.execute("SELECT * FROM pair_status").fetchall()
            assert [row[: len(statuses_before[0])] for row in now] == statuses_before
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        trail = log(app)
        assert sum(w.events for w in trail) == 23
        assert {(w.by, w.action) for w in trail} == {("unknown", "import")}
        assert {str(s.pair): s.status for s in pairs(app)} == {
            "COL-VEN": "normal", "ECU-MEX": "severed", "IRN-SAU": "normal", "MEX-PER": "severed",
        }  # fmt: skip
        assert all(item.effect != "retracted" for item in history(app, "PER", "MEX"))
        # The report it registered then was written by layout 1: this version rebuilds
        # it with the same status changes, in another layout, and says why the bytes differ.
        reproduction = reproduce(app, 1)
        assert reproduction.entry.layout == 1 and not reproduction.matches
        old_text = (DATA / "schema-0003-report-1.md").read_text("utf-8")
        old_changes = re.findall(r"^\| (\d{4}-\d\d-\d\d) \| (\w{3}-\w{3}) \| (\w+) → (\w+) \|",
                                 old_text, re.MULTILINE)  # fmt: skip
        entry = reproduction.entry
        rebuilt = build(app, entry.period_start, entry.period_end,
                        known_at=entry.known_at or entry.generated_at)  # fmt: skip
        assert old_changes == [
            (c.on.isoformat(), str(c.pair), c.before.status, c.after.status)
            for c in rebuilt.changes if c.status_changed
        ]  # fmt: skip
    finally:
        app.close()


def test_a_database_of_schema_0005_upgrades_and_reprojects_under_stages(tmp_path: Path) -> None:
    """tests/data/schema-0005.db was made by the release before stages and missions (the
    four fixtures of then, an Algeria-Mali recall with one return, and a made-up asylum
    grant answered by a return): it upgrades in place with every event kept; until
    `reproject`, reads refold under the new rules; `reproject` re-derives every pair and
    lists the events that became invalid."""
    from relations.bootstrap import bootstrap
    from relations.services.queries import counts, pairs, status
    from relations.services.reprojecting import reproject

    old = DATA / "schema-0005.db"
    path = tmp_path / "old.db"
    shutil.copy(old, path)
    with sqlite3.connect(old) as connection:
        events_before = connection.execute("SELECT * FROM events ORDER BY id").fetchall()
    app = bootstrap(f"sqlite:///{path}")
    try:
        assert counts(app)["events"] == 28
        with sqlite3.connect(path) as connection:
            columns = [c[1] for c in connection.execute("PRAGMA table_info(events)")]
            assert {"via", "review"} <= set(columns)
            reviews = connection.execute("SELECT DISTINCT review FROM events").fetchall()
            assert reviews == [("confirmed",)], "events imported before review stay confirmed"
            kept = connection.execute(
                f"SELECT {', '.join(columns[: len(events_before[0])])} FROM events ORDER BY id"
            ).fetchall()
            assert kept == events_before, "every event, every field, unchanged"
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # Before reprojecting, the new rules already answer (the old projection is not
        # served): one return does not end the Algeria-Mali strain any more.
        found = status(app, "DZA", "MLI")
        assert (found.status, found.stage) == ("strained", "ambassador_withdrawn")
        done = reproject(app, by="upgrade")
        changed = {str(pair): (before, after) for pair, before, after in done.changed}
        assert changed["DZA-MLI"] == (("normal", None), ("strained", "ambassador_withdrawn"))
        assert changed["ARG-BRA"] == (("normal", None), ("strained", "friction"))
        assert [e.event_type for e in _events(app, done.invalid)] == ["ambassador_returned"]
        assert {str(s.pair): (s.status, s.stage) for s in pairs(app)} == {
            "ARG-BRA": ("strained", "friction"),
            "COL-VEN": ("normal", "normal"),
            "DZA-MLI": ("strained", "ambassador_withdrawn"),
            "ECU-MEX": ("severed", "broken"),
            "IRN-SAU": ("normal", "normal"),
            "MEX-PER": ("severed", "broken"),
        }  # fmt: skip
        assert counts(app)["events"] == 28, "reproject keeps every event"
    finally:
        app.close()


def _events(app, ids):  # type: ignore[no-untyped-def]
    with app.store.reading() as tx:
        found = tx.events_by_id(ids)
    return [found[i] for i in ids]
