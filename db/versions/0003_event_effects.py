"""Per-event status projection (event_effects) and an index on recorded_at.

Backfills event_effects by folding every pair's log with the default rules.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_recorded_at", "events", ["recorded_at"])
    op.create_table(
        "event_effects",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("pair_first", sa.String(3), nullable=False),
        sa.Column("pair_second", sa.String(3), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("status_before", sa.String(32), nullable=False),
        sa.Column("status_after", sa.String(32), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_effects_event_id_events"
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_event_effects"),
    )
    op.create_index(
        "ix_event_effects_pair_first_pair_second_occurred_on_event_id",
        "event_effects",
        ["pair_first", "pair_second", "occurred_on", "event_id"],
    )
    # Not (changed, occurred_on): SQLite would pick it for the per-pair "last change
    # before D" seek and scan every change of every pair instead of one pair's rows.
    op.create_index("ix_event_effects_occurred_on", "event_effects", ["occurred_on"])
    op.create_index(
        "ix_event_effects_pair_changes",
        "event_effects",
        ["pair_first", "pair_second", "changed", "occurred_on", "event_id"],
    )
    _backfill()


def _backfill() -> None:
    from relations.domain.fold import fold
    from relations.domain.machine import default_machine

    machine = default_machine()
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, pair_first, pair_second, event_type, occurred_on FROM events "
            "ORDER BY pair_first, pair_second, occurred_on, id"
        )
    )
    effects = sa.table(
        "event_effects",
        *(sa.column(c) for c in ("event_id", "pair_first", "pair_second", "occurred_on",
                                 "status_before", "status_after", "valid", "changed")),
    )  # fmt: skip
    batch = []
    for (first, second), group in groupby(rows, key=lambda r: (r.pair_first, r.pair_second)):
        log = list(group)
        for step in fold(machine, log).steps:
            e = step.event
            batch.append({
                "event_id": e.id, "pair_first": first, "pair_second": second,
                "occurred_on": e.occurred_on, "status_before": step.before,
                "status_after": step.after, "valid": step.valid, "changed": step.changed,
            })  # fmt: skip
    if batch:
        op.bulk_insert(effects, batch)


def downgrade() -> None:
    op.drop_table("event_effects")
    op.drop_index("ix_events_recorded_at", "events")
