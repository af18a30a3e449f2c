"""The fast stdlib-sqlite3 reader returns exactly what the SQLAlchemy store returns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from relations.application import App
from relations.bootstrap import bootstrap
from relations.services import queries, reporting
from relations.services.demo import load_fixtures
from relations.services.importing import import_file
from relations.store.sql_store import SqlStore
from relations.store.sqlite_reader import SqliteReader


def test_reader_equals_store_for_every_pair_and_date(tmp_path: Path) -> None:
    app = bootstrap(f"sqlite:///{tmp_path / 'r.db'}")
    load_fixtures(app)
    reader = SqliteReader.open(tmp_path / "r.db")
    assert reader is not None
    with app.store.reading() as tx, reader.reading() as fast:
        pairs = [s.pair for s in tx.statuses()]
        assert len(pairs) == 7
        for pair in pairs:
            for up_to in (None, date(2016, 1, 3), date(2022, 12, 20), date(2024, 1, 1)):
                assert fast.pair_events(pair, up_to) == tx.pair_events(pair, up_to)
    reader.close()
    app.close()


def test_reader_equals_store_with_retractions_corrections_and_known_at(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from relations.services.corrections import correct, retract

    now = [datetime(2026, 3, 2, 6, 0, tzinfo=UTC)]
    app = bootstrap(f"sqlite:///{tmp_path / 'r.db'}", clock=lambda: now[0])
    load_fixtures(app)
    moments = [now[0]]
    for change in (
        lambda: retract(app, 46, "test", by="t", cascade=True),  # PER-MEX break, and 50
        lambda: correct(app, 42, "test", by="t", occurred_on=date(2022, 12, 21)),
        lambda: retract(app, 15, "test", by="t", cascade=True),  # COL-VEN break, and 18
        lambda: correct(app, 32, "test", by="t", summary="edited"),
    ):
        now[0] += timedelta(minutes=1)
        change()
        moments.append(now[0] - timedelta(seconds=1))
        moments.append(now[0])
    reader = SqliteReader.open(tmp_path / "r.db")
    assert reader is not None
    with app.store.reading() as tx, reader.reading() as fast:
        pairs = [s.pair for s in tx.statuses()]
        assert len(pairs) == 7
        for known_at in (None, *moments):
            assert list(fast.pair_logs(known_at=known_at)) == list(tx.pair_logs(known_at=known_at))
            for pair in pairs:
                for up_to in (None, date(2022, 12, 20), date(2024, 1, 1)):
                    assert fast.pair_events(pair, up_to, known_at) == tx.pair_events(
                        pair, up_to, known_at
                    )
                    assert fast.pair_record(pair, up_to, known_at) == tx.pair_record(
                        pair, up_to, known_at
                    )
        assert sum(len(tx.pair_record(p)) for p in pairs) == 52, "nothing left the record"
        retracted = tx.counts()["retracted"]
        assert retracted == 6
        assert sum(len(tx.pair_events(p)) for p in pairs) == 52 - retracted
    reader.close()
    app.close()


def test_app_reads_through_the_fast_reader_only_when_the_schema_is_current(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    fresh = bootstrap(f"sqlite:///{path}")
    assert isinstance(fresh.reader, SqlStore), "no file yet: the store creates it"
    fresh.close()
    app: App = bootstrap(f"sqlite:///{path}")
    assert isinstance(app.reader, SqliteReader)
    app.close()


def test_reader_refuses_a_database_of_another_schema(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        connection.execute("INSERT INTO alembic_version VALUES ('0000')")
    assert SqliteReader.open(path) is None
    assert SqliteReader.open(tmp_path / "missing.db") is None


def test_status_from_the_projections_equals_a_fold_in_both_readers(tmp_path: Path) -> None:
    from relations.domain.fold import fold
    from relations.services.corrections import retract

    app = bootstrap(f"sqlite:///{tmp_path / 'r.db'}")
    load_fixtures(app)
    retract(app, 20, "test", by="t")
    digest = app.machine.rules.digest
    reader = SqliteReader.open(tmp_path / "r.db")
    assert reader is not None
    days = [date(2015, 1, 1), date(2016, 1, 3), date(2022, 12, 20), date(2025, 11, 4), date.today()]
    with app.store.reading() as tx, reader.reading() as fast:
        pairs = [s.pair for s in tx.statuses()]
        for pair in pairs:
            for day in days:
                folded = fold(app.machine, tx.pair_events(pair, up_to=day))
                for source in (tx, fast):
                    found = source.status_at(pair, day, digest)
                    assert found is not None
                    assert (found.status or "normal", found.since, found.cause, found.events) == (
                        folded.status, folded.since, folded.cause, len(folded.steps)
                    )  # fmt: skip
                assert fast.status_at(pair, day, "other rules") is None
                assert tx.status_at(pair, day, "other rules") is None
    reader.close()
    app.close()


def test_a_pair_with_40000_events_under_sqlites_default_variable_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every IN list is chunked: with the variable limit of a default SQLite build
    (32,766), `history`, `events` and the report of a pair with 40,000 events work on
    both read paths (an unchunked list of their ids would raise "too many SQL
    variables")."""
    import sqlite3

    connect = sqlite3.connect

    def limited(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
        return connection

    monkeypatch.setattr(sqlite3, "connect", limited)  # the stdlib reader
    monkeypatch.setattr(sqlite3.dbapi2, "connect", limited)  # SQLAlchemy's pysqlite
    source = tmp_path / "many.csv"
    with source.open("w", encoding="utf-8") as out:
        out.write("occurred_on,event_type,actor,target,summary,source,external_id\n")
        for number in range(40_000):
            day = date(1900, 1, 1) + timedelta(days=number)
            out.write(f"{day},statement,PER,MEX,statement {number},,many-{number}\n")
    url = f"sqlite:///{tmp_path / 'many.db'}"
    app = bootstrap(url)
    assert import_file(app, source).created == 40_000
    assert len(queries.events(app, countries=["PER"])) == 40_000
    app.close()
    for fast in (True, False):  # the stdlib sqlite3 reader, then the SQLAlchemy store
        app = bootstrap(url)
        if not fast:
            assert app.store is not None  # opened first: reads go through it
        items = queries.history(app, "PER", "MEX")
        assert len(items) == 40_000 and isinstance(app.reader, SqliteReader) == fast
        app.close()
    app = bootstrap(url)
    ids = [e.id for e in queries.events(app)]
    external = [f"many-{number}" for number in range(40_000)]
    reader = SqliteReader.open(tmp_path / "many.db")
    assert reader is not None
    with app.store.reading() as tx, reader.reading() as fast:
        for path in (tx, fast):  # lookups by 40,000 ids: chunked IN lists
            assert len(path.events_by_id(ids)) == 40_000
            assert len(path.by_external_ids(external)) == 40_000
    reader.close()
    report = reporting.build(
        app, datetime(2000, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert len(report.facts.occurred) == 40_000 - 36_524  # 2000-01-01 is day 36,524
    app.close()


def test_a_bulk_write_checks_references_once_and_rolls_back_a_broken_one(
    tmp_path: Path,
) -> None:
    """SQLite: a bulk write turns row-by-row foreign key checks off and checks every
    table once before the commit; a row pointing nowhere rolls the whole write back,
    and the connection goes back to the pool with the checks on."""
    from sqlalchemy import text

    from relations.store.sql_store import BrokenReference

    app = bootstrap(f"sqlite:///{tmp_path / 'b.db'}")
    load_fixtures(app)
    store = app.store
    assert isinstance(store, SqlStore)
    with store.reading() as tx:
        effects = tx.connection.execute(text("SELECT count(*) FROM event_effects")).scalar()
    orphan = (
        "INSERT INTO event_effects (event_id, pair_first, pair_second, occurred_on, "
        "status_before, status_after, valid, changed) "
        "VALUES (999999, 'MEX', 'PER', '2020-01-01', 'normal', 'normal', 1, 0)"
    )
    with pytest.raises(BrokenReference), store.writing(alone=True, bulk=("event_effects",)) as tx:
        assert tx.connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        tx.connection.exec_driver_sql("DELETE FROM event_effects")
        tx.connection.exec_driver_sql(orphan)
    with store.reading() as tx:
        assert tx.connection.execute(text("SELECT count(*) FROM event_effects")).scalar() == (
            effects
        ), "rolled back"
        assert tx.connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(Exception, match="FOREIGN KEY"), store.writing() as tx:
        tx.connection.exec_driver_sql(orphan)  # an ordinary write checks row by row
    app.close()
