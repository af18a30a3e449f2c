"""The event log and the pair status projection.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_first", sa.String(3), nullable=False),
        sa.Column("pair_second", sa.String(3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(3), nullable=False),
        sa.Column("target", sa.String(3), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("external_id", name="uq_events_external_id"),
        sa.UniqueConstraint(
            "pair_first", "pair_second", "version", name="uq_events_pair_first_pair_second_version"
        ),
    )
    op.create_index(
        "ix_events_pair_first_pair_second_occurred_on_id",
        "events",
        ["pair_first", "pair_second", "occurred_on", "id"],
    )
    op.create_index("ix_events_occurred_on", "events", ["occurred_on"])
    op.create_table(
        "pair_status",
        sa.Column("pair_first", sa.String(3), nullable=False),
        sa.Column("pair_second", sa.String(3), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("cause_event_id", sa.Integer(), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules_digest", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["cause_event_id"], ["events.id"], name="fk_pair_status_cause_event_id_events"
        ),
        sa.PrimaryKeyConstraint("pair_first", "pair_second", name="pk_pair_status"),
    )
    op.create_index("ix_pair_status_status", "pair_status", ["status"])


def downgrade() -> None:
    op.drop_table("pair_status")
    op.drop_table("events")
