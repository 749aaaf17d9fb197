"""daily rollups: daily_sales and daily_item_sales (filled by open_store, see tools/store/rollups.py)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_sales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("gross_sales", sa.BigInteger(), nullable=False),
        sa.Column("discounts", sa.BigInteger(), nullable=False),
        sa.Column("net_sales", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("tips", sa.BigInteger(), nullable=False),
        sa.Column("total_collected", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("items_sold", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_daily_sales_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_sales")),
        sa.UniqueConstraint(
            "business_date",
            "location_id",
            "channel",
            "platform",
            name=op.f("uq_daily_sales_business_date_location_id_channel_platform"),
        ),
    )
    op.create_table(
        "daily_item_sales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("gross_sales", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_daily_item_sales_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_item_sales")),
    )
    op.create_index(
        "ix_daily_item_sales_business_date_location_id", "daily_item_sales", ["business_date", "location_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_daily_item_sales_business_date_location_id", table_name="daily_item_sales")
    op.drop_table("daily_item_sales")
    op.drop_table("daily_sales")
