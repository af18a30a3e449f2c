"""The tables, as SQLAlchemy Core metadata. Alembic migrations in db/ create them."""

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from relations.store.revision import SCHEMA_REVISION

__all__ = ["SCHEMA_REVISION", "events", "metadata", "pair_status"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
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
    Column("external_id", Text, nullable=True, unique=True),
    Column("recorded_at", DateTime, nullable=False),
    UniqueConstraint("pair_first", "pair_second", "version"),
    Index(None, "pair_first", "pair_second", "occurred_on", "id"),
    Index(None, "occurred_on"),
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
    Index(None, "status"),
)
