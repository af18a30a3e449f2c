"""Feed review: each event's review state when it was recorded (``review``: confirmed,
or pending for feed signals that wait for an analyst), a ``reviews`` table where the
decisions are appended (confirmed, possibly as another event type, or dismissed; who,
when, why), and the evidence a feed event carries (GDELT NumArticles and NumSources
summed over its source rows). Events recorded before this revision stay confirmed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PENDING = sa.text("review = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("review", sa.String(10), nullable=False, server_default="confirmed")
        )
        batch.add_column(sa.Column("source_articles", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_sources", sa.Integer(), nullable=True))
    # The pending signals, most evidence first (`relations review`), and per pair.
    op.create_index(
        "ix_events_pending_evidence", "events",
        [sa.text("source_rows DESC"), sa.text("coalesce(source_articles, -1) DESC"), "id"],
        sqlite_where=PENDING, postgresql_where=PENDING,
    )  # fmt: skip
    op.create_index(
        "ix_events_pending_pair", "events", ["pair_first", "pair_second", "occurred_on"],
        sqlite_where=PENDING, postgresql_where=PENDING,
    )  # fmt: skip
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("write_id", sa.Integer(), sa.ForeignKey("writes.id"), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("event_id", name="uq_reviews_event_id"),
    )
    op.create_index("ix_reviews_reviewed_at", "reviews", ["reviewed_at"])


def downgrade() -> None:
    op.drop_index("ix_reviews_reviewed_at", "reviews")
    op.drop_table("reviews")
    op.drop_index("ix_events_pending_pair", "events")
    op.drop_index("ix_events_pending_evidence", "events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("source_sources")
        batch.drop_column("source_articles")
        batch.drop_column("review")
