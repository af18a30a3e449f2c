"""The tables, as SQLAlchemy Core metadata. Alembic migrations in db/ create them."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    text,
)

from relations.store.revision import SCHEMA_REVISION

__all__ = [
    "SCHEMA_REVISION", "apscheduler_jobs", "event_effects", "events", "metadata", "pair_status",
    "reports", "retractions", "reviews", "writes",
]  # fmt: skip

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The audit trail: one row per write that changed the log or its projections (a record,
# an import, a retraction, a correction, a reprojection), in the order they committed
# their first row. Insert-only, like the log.
writes = Table(
    "writes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),  # naive UTC, as every timestamp here
    Column("by", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("details", Text, nullable=True),  # JSON, for what is only known at the end
    Index(None, "at"),
)

# The event log: insert-only. `id` is the recording sequence; (pair, version) is
# unique, so two writers that read the same pair version cannot both append.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pair_first", String(3), nullable=False),
    Column("pair_second", String(3), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("actor", String(3), nullable=False),
    Column("target", String(3), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("summary", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("external_id", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
    # The write that appended it (null only for events recorded before the audit trail).
    Column("write_id", Integer, ForeignKey("writes.id"), nullable=True),
    # A correction names the event it replaces; an event is corrected at most once.
    Column("supersedes", Integer, ForeignKey("events.id"), nullable=True),
    # From event feeds (GDELT, ICEWS): how many source rows collapsed into this event,
    # the source's own score (GDELT Goldstein, ICEWS intensity) and event id.
    Column("source_rows", Integer, nullable=True),
    Column("source_score", Float, nullable=True),
    Column("source_event_id", Text, nullable=True),
    # The third country an event names: the protecting power it appoints.
    Column("via", String(3), nullable=True),
    # Its review state when recorded: "confirmed" (it counts) or "pending" (a feed
    # signal waiting for an analyst; the decision is appended to `reviews`).
    Column("review", String(10), nullable=False, server_default="confirmed"),
    # From GDELT: NumArticles and NumSources summed over the source rows it collapses.
    Column("source_articles", Integer, nullable=True),
    Column("source_sources", Integer, nullable=True),
    # Unique indexes rather than table constraints, so that a bulk import into SQLite
    # can drop the per-pair ones and build them again once, sorted (store/bulk.py).
    # External ids and corrections are rare: partial indexes cost nothing for the rest.
    Index("uq_events_pair_first_pair_second_version", "pair_first", "pair_second", "version",
          unique=True),
    Index("uq_events_external_id", "external_id", unique=True,
          sqlite_where=text("external_id IS NOT NULL"),
          postgresql_where=text("external_id IS NOT NULL")),
    Index("uq_events_supersedes", "supersedes", unique=True,
          sqlite_where=text("supersedes IS NOT NULL"),
          postgresql_where=text("supersedes IS NOT NULL")),
    # No (pair, occurred_on, id) or occurred_on index: a pair's events are found through
    # (pair, version) and sorted, events by date through event_effects; each index less
    # is one less to maintain on every append and to build on a bulk load.
    Index(None, "recorded_at"),
)  # fmt: skip
_pending = text("review = 'pending'")
# The pending signals, most evidence first (`relations review`), and those of a pair.
# (Pending events always have source_rows: a feed's count, 1 for a row of our formats.)
Index("ix_events_pending_evidence", events.c.source_rows.desc(),
      text("coalesce(source_articles, -1) DESC"), events.c.id,
      sqlite_where=_pending, postgresql_where=_pending)  # fmt: skip
Index("ix_events_pending_pair", events.c.pair_first, events.c.pair_second,
      events.c.occurred_on, sqlite_where=_pending, postgresql_where=_pending)  # fmt: skip

# Reviews of pending events: appended, never changed. An event is confirmed (it counts
# from ``reviewed_at`` on, as ``event_type`` if given: "confirmed as another type") or
# dismissed (it stays in the log and in history, and never counts).
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False, unique=True),
    Column("write_id", Integer, ForeignKey("writes.id"), nullable=False),
    Column("reviewed_at", DateTime, nullable=False),
    Column("by", String(200), nullable=False),
    Column("decision", String(10), nullable=False),  # confirmed, dismissed
    Column("event_type", String(64), nullable=True),  # confirmed as this type
    Column("reason", Text, nullable=False),
    Index(None, "reviewed_at"),
)

# Retractions: appended, never removed. A retracted event stays in the log but stops
# counting for status from ``retracted_at`` on; ``--known-at`` before it sees it live.
retractions = Table(
    "retractions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False, unique=True),
    Column("write_id", Integer, ForeignKey("writes.id"), nullable=False),
    Column("retracted_at", DateTime, nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Index(None, "retracted_at"),
)

# A projection of the log: each pair's current status. Always equal to a rebuild.
pair_status = Table(
    "pair_status",
    metadata,
    Column("pair_first", String(3), primary_key=True),
    Column("pair_second", String(3), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("since", Date, nullable=True),
    Column("cause_event_id", Integer, ForeignKey("events.id"), nullable=True),
    Column("event_count", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("rules_digest", String(16), nullable=False),
    # The date of its latest live event: an import of later events can fold on from
    # the stored status instead of reading the pair's whole log.
    Column("last_occurred_on", Date, nullable=True),
    # Its stage within the status, since when, and its whole state (the missions, the
    # dates, the cause) as store/state_codec.py writes it.
    Column("stage", String(32), nullable=True),
    Column("stage_since", Date, nullable=True),
    Column("state", Text, nullable=True),
    Index(None, "status"),
    Index(None, "stage"),
)

# A projection of the log: what each event did to its pair's status, in fold order.
# Rebuilt (from the first affected date on) whenever the pair's log changes, so that a
# report or an as-of query can read statuses with index seeks instead of replaying
# every event. Always equal to a fold of the log (tests check it).
event_effects = Table(
    "event_effects",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("pair_first", String(3), nullable=False),
    Column("pair_second", String(3), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("status_before", String(32), nullable=False),
    Column("status_after", String(32), nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("changed", Boolean, nullable=False),
    # Its place in the pair's fold (1, 2, ...): the pair's event count up to it, so a
    # status on any date is two index seeks, whatever the size of the pair's history.
    Column("position", Integer, nullable=True),
    Column("stage_before", String(32), nullable=True),
    Column("stage_after", String(32), nullable=True),
    # The pair's whole state after the event (store/state_codec.py), only when the event
    # changed it: the state on any date is one seek on the partial index below, which
    # also serves a pair's status and stage changes (timelines, "the change behind the
    # status"): a status or stage change is a state change.
    Column("state", Text, nullable=True),
    Index(None, "pair_first", "pair_second", "occurred_on", "event_id"),
    Index(
        "ix_event_effects_pair_states",
        "pair_first",
        "pair_second",
        "occurred_on",
        "event_id",
        sqlite_where=text("state IS NOT NULL"),
        postgresql_where=text("state IS NOT NULL"),
    ),
    Index(None, "occurred_on"),
)

# Every report file written (or that failed to be written), for `relations reports list`
# and so each schedule's next period starts where its last written report ended.
reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule", String(200), nullable=True),  # null: written by `relations report`
    Column("period_start", DateTime, nullable=False),
    Column("period_end", DateTime, nullable=False),
    Column("format", String(16), nullable=False),
    Column("countries", Text, nullable=False),  # JSON list of alpha-3 codes
    Column("path", Text, nullable=False),
    Column("generated_at", DateTime, nullable=False),
    Column("checksum", String(64), nullable=True),  # sha256 of the file; null if it failed
    Column("error", Text, nullable=True),  # why the file could not be written
    # What it was built from, so `report --reproduce` can rebuild it exactly.
    Column("known_at", DateTime, nullable=True),
    Column("rules_digest", String(16), nullable=True),
    Column("layout", Integer, nullable=True),  # render.LAYOUT; null: layout 1
    Index(None, "schedule", "period_end"),
)

# Access tokens of the web service: only a digest of each token is stored (the token
# itself is printed once, when it is made). Revoked tokens are kept, marked.
tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # reader, recorder, admin
    Column("digest", String(64), nullable=False, unique=True),  # sha256 of the token
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)

# Values the web service's workers share, e.g. the key that signs session cookies.
web_settings = Table(
    "web_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# APScheduler 3's SQLAlchemyJobStore table, created here so the schema has one owner
# (the job store's own create() is then a no-op). Same definition as apscheduler's.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
