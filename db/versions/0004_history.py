"""History you can trust: the audit trail (writes), retractions, corrections' links,
and what each registered report was built from.

Backfills one audit row per recording moment of the existing events (an import's
events share one), by "unknown", since who recorded them was not kept; and each
registered report's ``known_at`` (its period's end for a scheduled report, its
generation time otherwise: what the code before this revision read).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "writes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_writes"),
    )
    op.create_index("ix_writes_at", "writes", ["at"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("write_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("supersedes", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_events_write_id_writes", "writes", ["write_id"], ["id"])
        batch.create_foreign_key("fk_events_supersedes_events", "events", ["supersedes"], ["id"])
        batch.create_unique_constraint("uq_events_supersedes", ["supersedes"])
    op.create_table(
        "retractions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("write_id", sa.Integer(), nullable=False),
        sa.Column("retracted_at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_retractions_event_id_events"),
        sa.ForeignKeyConstraint(["write_id"], ["writes.id"], name="fk_retractions_write_id_writes"),
        sa.PrimaryKeyConstraint("id", name="pk_retractions"),
        sa.UniqueConstraint("event_id", name="uq_retractions_event_id"),
    )
    op.create_index("ix_retractions_retracted_at", "retractions", ["retracted_at"])
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("known_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("rules_digest", sa.String(16), nullable=True))
    _backfill()


def _backfill() -> None:
    op.execute(
        "INSERT INTO writes (at, by, action, description) "
        "SELECT recorded_at, 'unknown', "
        "CASE WHEN count(*) = 1 THEN 'record' ELSE 'import' END, "
        "'recorded before the audit trail existed' "
        "FROM events GROUP BY recorded_at ORDER BY min(id)"
    )
    op.execute(
        "UPDATE events SET write_id = "
        "(SELECT writes.id FROM writes WHERE writes.at = events.recorded_at)"
    )
    op.execute(
        "UPDATE reports SET known_at = "
        "CASE WHEN schedule IS NULL THEN generated_at ELSE period_end END"
    )


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("rules_digest")
        batch.drop_column("known_at")
    op.drop_table("retractions")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_supersedes", type_="unique")
        batch.drop_constraint("fk_events_supersedes_events", type_="foreignkey")
        batch.drop_constraint("fk_events_write_id_writes", type_="foreignkey")
        batch.drop_column("supersedes")
        batch.drop_column("write_id")
    op.drop_table("writes")
