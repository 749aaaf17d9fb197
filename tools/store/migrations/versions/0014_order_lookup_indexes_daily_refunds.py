"""orders: indexes on source_order_id and display_id, so order_details finds an order by any of its ids
without scanning; daily_refunds, the refunds rollup (refund day and local hour, channel, platform, reason)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.create_index("ix_orders_source_order_id", ["source_order_id"], unique=False)
        batch.create_index("ix_orders_display_id", ["display_id"], unique=False)
    op.create_table(
        "daily_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refunds", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_daily_refunds_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_refunds")),
    )
    op.create_index(
        "ix_daily_refunds_business_date_location_id", "daily_refunds", ["business_date", "location_id"]
    )
    op.create_index("ix_daily_refunds_order_date_location_id", "daily_refunds", ["order_date", "location_id"])
    # Filled when open_store sees the new rollups REFUNDS_VERSION (only this rollup is built then).


def downgrade() -> None:
    op.drop_index("ix_daily_refunds_order_date_location_id", table_name="daily_refunds")
    op.drop_index("ix_daily_refunds_business_date_location_id", table_name="daily_refunds")
    op.drop_table("daily_refunds")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_display_id")
        batch.drop_index("ix_orders_source_order_id")
