"""Event feeds and bulk imports: feed columns on events; unique indexes instead of
unique constraints (a bulk import into SQLite drops and rebuilds them), partial for
external ids and corrections; no (pair, occurred_on, id) or occurred_on index on
events (a pair's events are found through (pair, version), events by date through
event_effects); each pair's latest event date on pair_status; and
each event's place in its pair's fold on event_effects.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UNIQUE = {
    "uq_events_pair_first_pair_second_version": ["pair_first", "pair_second", "version"],
    "uq_events_external_id": ["external_id"],
    "uq_events_supersedes": ["supersedes"],
}


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("source_rows", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("source_event_id", sa.Text(), nullable=True))
        for name in UNIQUE:
            batch.drop_constraint(name, type_="unique")
    for name, columns in UNIQUE.items():
        # External ids and corrections are rare: partial indexes cost the rest nothing.
        where = None if name.endswith("version") else sa.text(f"{columns[0]} IS NOT NULL")
        op.create_index(
            name, "events", columns, unique=True, sqlite_where=where, postgresql_where=where
        )
    op.drop_index("ix_events_pair_first_pair_second_occurred_on_id", "events")
    op.drop_index("ix_events_occurred_on", "events")
    with op.batch_alter_table("pair_status") as batch:
        batch.add_column(sa.Column("last_occurred_on", sa.Date(), nullable=True))
    with op.batch_alter_table("event_effects") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE event_effects SET position = ranked.n FROM (SELECT event_id, row_number() "
        "OVER (PARTITION BY pair_first, pair_second ORDER BY occurred_on, event_id) AS n "
        "FROM event_effects) AS ranked WHERE event_effects.event_id = ranked.event_id"
    )
    op.execute(
        "UPDATE pair_status SET last_occurred_on = (SELECT max(occurred_on) FROM event_effects "
        "WHERE event_effects.pair_first = pair_status.pair_first "
        "AND event_effects.pair_second = pair_status.pair_second)"
    )


def downgrade() -> None:
    with op.batch_alter_table("pair_status") as batch:
        batch.drop_column("last_occurred_on")
    with op.batch_alter_table("event_effects") as batch:
        batch.drop_column("position")
    for name in UNIQUE:
        op.drop_index(name, "events")
    op.create_index("ix_events_occurred_on", "events", ["occurred_on"])
    op.create_index(
        "ix_events_pair_first_pair_second_occurred_on_id",
        "events",
        ["pair_first", "pair_second", "occurred_on", "id"],
    )
    with op.batch_alter_table("events") as batch:
        for name, columns in UNIQUE.items():
            batch.create_unique_constraint(name, columns)
        batch.drop_column("source_event_id")
        batch.drop_column("source_score")
        batch.drop_column("source_rows")
