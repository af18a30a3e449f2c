"""The layout each registered report was rendered with, so that `report --reproduce`
can tell a report whose facts changed from one an older layout wrote (the layout of a
report changed with the analyst-grade reports: names, trends, what happened).

Reports registered before have none: they were written by layout 1.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("layout", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("layout")
