"""Bulk writes for imports: the driver's fast paths, inside the import's transaction.

SQLite: ``executemany`` on the raw sqlite3 cursor (SQLAlchemy's per-row work would
cost more than the insert itself). For a load large next to the table, every index of
``events`` and ``event_effects`` is dropped first and built again, sorted, before the
commit: maintaining eight B-trees row by row costs several times the insert.

PostgreSQL: ``COPY ... FROM STDIN`` through psycopg 3, and ids reserved from the
table's sequence, so that the importer knows every event's id before writing it.

Values are passed in each driver's own terms: ISO strings for SQLite dates and
timestamps (SQLAlchemy's storage format), Python values for psycopg.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

from relations.store.effect_prints import STORED_EFFECT_PRINT
from relations.store.rows import naive_utc

EVENT_COLUMNS = (
    "id", "pair_first", "pair_second", "version", "event_type", "actor", "target",
    "occurred_on", "summary", "source", "external_id", "via", "review",
)  # fmt: skip
FEED_COLUMNS = (
    "source_rows", "source_score", "source_event_id", "source_articles", "source_sources",
)  # fmt: skip
EFFECT_COLUMNS = (
    "event_id", "pair_first", "pair_second", "occurred_on", "status_before", "status_after",
    "valid", "changed", "position", "stage_before", "stage_after", "state",
)  # fmt: skip
# The foreign keys every row of a bulk load would check (PostgreSQL drops them and adds
# them back, checked in one pass).
BULK_FOREIGN_KEYS = ("fk_events_write_id_writes", "fk_event_effects_event_id_events")
STATUS_COLUMNS = (
    "pair_first", "pair_second", "status", "since", "cause_event_id", "event_count", "version",
    "rules_digest", "last_occurred_on", "stage", "stage_since", "state",
)  # fmt: skip


class BulkWriter:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        driver = connection.connection.driver_connection
        assert driver is not None
        self.driver: Any = driver
        self._dropped: list[str] = []

    # -- values in the driver's terms --------------------------------------------------

    def day(self, value: date | None) -> Any:
        if value is None or self.postgres:
            return value
        return value.isoformat()

    # -- ids ------------------------------------------------------------------------

    def reserve_ids(self, count: int) -> list[int]:
        """``count`` new event ids, ascending. The import holds the writers' lock
        exclusively, so nothing else appends meanwhile. SQLite: they follow the largest
        id. PostgreSQL: a block of the id sequence, taken with one nextval and setval."""
        if count == 0:
            return []
        if self.postgres:
            sequence = "pg_get_serial_sequence('events', 'id')"
            first = int(self.connection.execute(text(f"SELECT nextval({sequence})")).scalar_one())
            if count > 1:
                self.connection.execute(
                    text(f"SELECT setval({sequence}, :last)"), {"last": first + count - 1}
                )
            return list(range(first, first + count))
        if not hasattr(self, "_next_id"):
            found = self.connection.execute(text("SELECT max(id) FROM events")).scalar()
            self._next_id = int(found or 0) + 1
        first = self._next_id
        self._next_id += count
        return list(range(first, first + count))

    # -- writing ------------------------------------------------------------------

    def insert_events(
        self,
        rows: Sequence[tuple[Any, ...]],
        recorded_at: datetime,
        write_id: int,
        *,
        feed: bool,
    ) -> None:
        """Rows of EVENT_COLUMNS (then FEED_COLUMNS if ``feed``), all recorded at
        ``recorded_at`` by write ``write_id``."""
        columns = EVENT_COLUMNS + (FEED_COLUMNS if feed else ())
        if self.postgres:
            stamp = naive_utc(recorded_at)
            self._insert(
                "events",
                (*columns, "recorded_at", "write_id"),
                ((*row, stamp, write_id) for row in rows),
            )
            return
        # The same for every row: written into the statement, not bound per row.
        stamp_text = naive_utc(recorded_at).isoformat(" ", "microseconds")
        names = ", ".join((*columns, "recorded_at", "write_id"))
        marks = ", ".join("?" * len(columns))
        self._executemany(
            f"INSERT INTO events ({names}) VALUES ({marks}, '{stamp_text}', {int(write_id)})",
            rows,
        )

    def insert_effects(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self._insert("event_effects", EFFECT_COLUMNS, rows)

    def delete_effects_from(self, pairs: Iterable[tuple[str, str, date]]) -> None:
        """Delete each pair's event_effects rows dated on or after the given day."""
        statement = text(
            "DELETE FROM event_effects WHERE pair_first = :a AND pair_second = :b "
            "AND occurred_on >= :d"
        )
        for first, second, day in pairs:
            self.connection.execute(statement, {"a": first, "b": second, "d": day})

    def upsert_statuses(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert or replace pair_status rows."""
        self._upsert("pair_status", STATUS_COLUMNS, ("pair_first", "pair_second"), rows)

    def replace_effects(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert or replace event_effects rows (by event id), indexes kept."""
        self._upsert("event_effects", EFFECT_COLUMNS, ("event_id",), rows)

    def _upsert(
        self,
        table: str,
        columns: Sequence[str],
        key: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
    ) -> None:
        """PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT
        (executemany costs a round of the protocol a row)."""
        if not rows:
            return
        names = ", ".join(columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        upsert = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        if self.postgres:
            load = f"{table}_load"
            self.connection.execute(
                text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {load} (LIKE {table}) ON COMMIT DROP")
            )
            self.connection.execute(text(f"DELETE FROM {load}"))
            self._insert(load, columns, rows)
            loaded = f"SELECT {names} FROM {load}"
            self.connection.execute(text(f"INSERT INTO {table} ({names}) {loaded} {upsert}"))
            return
        marks = ", ".join("?" * len(columns))
        self._executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {upsert}", rows)

    def _insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        names = ", ".join(columns)
        if self.postgres:
            with (
                self.driver.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        self._executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def _executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        cursor = self.driver.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    # -- indexes (SQLite) -------------------------------------------------------------

    def live_events(self, *, with_effects: bool = False) -> Iterator[list[tuple[Any, ...]]]:
        """Every live event that counts (not retracted; confirmed, when recorded or by a
        review, as the type it was confirmed as), in id order, in batches: (id, pair
        first, pair second, the date as a day ordinal, type, whether the actor is the
        pair's first country, third country), then, ``with_effects``, the print of the
        event's stored event_effects row (``effect_print``; None where there is none). Read
        straight through the driver (a million rows), the rest joined in by the database."""
        ordinal = (
            "(e.occurred_on - DATE '0001-01-01') + 1"
            if self.postgres
            else "CAST(julianday(e.occurred_on) - 1721424.5 AS INTEGER)"
        )
        stored, effects = "", ""
        if with_effects:
            stored = f", {STORED_EFFECT_PRINT}"
            effects = "LEFT JOIN event_effects f ON f.event_id = e.id "
        cursor = self.driver.cursor()
        try:
            cursor.execute(
                f"SELECT e.id, e.pair_first, e.pair_second, {ordinal}, "
                "CASE WHEN e.review = 'confirmed' THEN e.event_type "
                "ELSE coalesce(v.event_type, e.event_type) END, "
                f"e.actor = e.pair_first, e.via{stored} "
                f"FROM events e {effects}LEFT JOIN retractions r ON r.event_id = e.id "
                "LEFT JOIN reviews v ON v.event_id = e.id AND v.decision = 'confirmed' "
                "WHERE r.id IS NULL AND (e.review = 'confirmed' OR v.id IS NOT NULL) "
                "ORDER BY e.id"
            )
            while rows := cursor.fetchmany(50_000):
                yield rows
        finally:
            cursor.close()

    def latest_versions(self) -> dict[tuple[str, str], int]:
        rows = self.connection.execute(
            text("SELECT pair_first, pair_second, max(version) FROM events GROUP BY 1, 2")
        )
        return {(str(row[0]), str(row[1])): int(row[2]) for row in rows}

    def drop_indexes(self, tables: Sequence[str] = ("events", "event_effects")) -> None:
        """Drop the indexes of ``tables`` until ``rebuild_indexes``, but the primary keys,
        the partial ones of events (external ids, corrections: the import looks external
        ids up as it goes, and rows without them cost those indexes nothing) and
        recorded_at (every row of an import has the same value: it grows at one end).
        The partial index of the events that changed their pair's state is dropped: a
        third of the rows have one, and nothing looks it up during the load.

        On PostgreSQL this takes the tables' exclusive lock until the commit: readers
        wait for the load, as they would for any DDL."""
        kept = "ix_events_recorded_at"
        if self.postgres:
            query = text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:tables) "
                "AND indexname NOT LIKE 'pk_%' AND indexname != :kept "
                "AND (indexdef NOT LIKE '%WHERE%' OR tablename = 'event_effects')"
            )
            found = self.connection.execute(query, {"tables": list(tables), "kept": kept}).all()
            self._drop_foreign_keys(tables)
        else:
            query = text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('events', 'event_effects') AND name != :kept "
                "AND (sql NOT LIKE '%WHERE%' OR tbl_name = 'event_effects')"
            )
            found = self.connection.execute(query, {"kept": kept}).all()
            found = [row for row in found if _table_of(row[1]) in tables]
            # Let SQLite's sorter use a helper thread and more memory to build them.
            self.connection.execute(text("PRAGMA threads = 2"))
            self.connection.execute(text("PRAGMA cache_size = -65536"))
        for row in found:
            self.connection.execute(text(f'DROP INDEX "{row[0]}"'))
            self._dropped.append(str(row[1]))

    def _drop_foreign_keys(self, tables: Sequence[str]) -> None:
        """PostgreSQL checks a foreign key row by row, which costs a COPY more than the
        rows themselves; added back after the load, it is checked in one pass."""
        found = self.connection.execute(
            text(
                "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid::regclass::text = ANY(:tables) AND conname = ANY(:names)"
            ),
            {"tables": list(tables), "names": list(BULK_FOREIGN_KEYS)},
        ).all()
        for name, table, definition in found:
            self.connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
            self._dropped.insert(0, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def rebuild_indexes(self) -> None:
        """Build the dropped indexes again (a unique one fails on a duplicate), then
        the dropped foreign keys (checked once, over every row)."""
        if self.postgres and self._dropped:
            # Sort in memory rather than in temporary files (the default is 64 MB).
            self.connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        while self._dropped:
            self.connection.execute(text(self._dropped.pop()))

    @property
    def indexes_dropped(self) -> bool:
        return bool(self._dropped)


def _table_of(create_index: str) -> str:
    """The table a CREATE INDEX statement is on (SQLite: ``ON events (...)``)."""
    return create_index.split(" ON ", 1)[1].split("(", 1)[0].strip().strip('"')
