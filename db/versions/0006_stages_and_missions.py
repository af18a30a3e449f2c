"""Stages and missions: the third country of an event (``via``: the protecting power
it appoints); each event's stage before and after it and, when it changed the pair's
state, that state (missions, dates, cause) on event_effects; each pair's stage, stage
date and state on pair_status.

The index of each pair's status changes (0003) gives way to the partial index of the
events that changed their pair's state: every status change is one of those, and one
index less is faster to build on a bulk load.

Existing rows keep their statuses; their new columns stay empty until `relations
reproject` re-derives them under the new rules (reads refold a pair stored under other
rules meanwhile, as for any change of rules).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STATES = "ix_event_effects_pair_states"
CHANGES = "ix_event_effects_pair_changes"


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("via", sa.String(3), nullable=True))
    with op.batch_alter_table("event_effects") as batch:
        batch.add_column(sa.Column("stage_before", sa.String(32), nullable=True))
        batch.add_column(sa.Column("stage_after", sa.String(32), nullable=True))
        batch.add_column(sa.Column("state", sa.Text(), nullable=True))
    # The events that changed their pair's state: "the state on D" is one seek here.
    where = sa.text("state IS NOT NULL")
    op.create_index(
        STATES, "event_effects", ["pair_first", "pair_second", "occurred_on", "event_id"],
        sqlite_where=where, postgresql_where=where,
    )  # fmt: skip
    op.drop_index(CHANGES, "event_effects")
    with op.batch_alter_table("pair_status") as batch:
        batch.add_column(sa.Column("stage", sa.String(32), nullable=True))
        batch.add_column(sa.Column("stage_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("state", sa.Text(), nullable=True))
    op.create_index("ix_pair_status_stage", "pair_status", ["stage"])


def downgrade() -> None:
    op.drop_index("ix_pair_status_stage", "pair_status")
    with op.batch_alter_table("pair_status") as batch:
        batch.drop_column("state")
        batch.drop_column("stage_since")
        batch.drop_column("stage")
    op.create_index(
        CHANGES, "event_effects",
        ["pair_first", "pair_second", "changed", "occurred_on", "event_id"],
    )  # fmt: skip
    op.drop_index(STATES, "event_effects")
    with op.batch_alter_table("event_effects") as batch:
        batch.drop_column("state")
        batch.drop_column("stage_after")
        batch.drop_column("stage_before")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("via")
