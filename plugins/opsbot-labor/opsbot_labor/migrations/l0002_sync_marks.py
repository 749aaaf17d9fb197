"""labor plugin: the live Square Labor sync's high-water mark per Square location

Revision ID: labor0002
Revises: labor0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tools.plugin_api import UtcDateTime

revision = "labor0002"
down_revision = "labor0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labor_sync_marks",
        sa.Column("square_location_id", sa.String(64), primary_key=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("labor_sync_marks")
