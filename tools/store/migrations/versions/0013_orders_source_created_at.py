"""orders: an index on (source, created_at), so each source's newest order — the freshness every answer's
sources line states — is an index lookup, not a scan

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.create_index("ix_orders_source_created_at", ["source", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_source_created_at")
