"""turns: the provenance check of each answer — how many figures it states and which of them no tool result
of the conversation explains

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("figures_checked", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("unmatched_figures", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("unmatched_figures")
        batch.drop_column("figures_checked")
