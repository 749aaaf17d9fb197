"""hourly_item_sales (item sales per local hour too: items at lunch) and daily_payments (per payment method)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hourly_item_sales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("gross_sales", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_hourly_item_sales_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hourly_item_sales")),
    )
    op.create_index(
        "ix_hourly_item_sales_business_date_location_id",
        "hourly_item_sales",
        ["business_date", "location_id"],
    )
    op.create_table(
        "daily_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tips", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_daily_payments_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_payments")),
    )
    op.create_index(
        "ix_daily_payments_business_date_location_id", "daily_payments", ["business_date", "location_id"]
    )
    # Both are filled when open_store sees the new rollups VERSION.


def downgrade() -> None:
    op.drop_index("ix_daily_payments_business_date_location_id", table_name="daily_payments")
    op.drop_table("daily_payments")
    op.drop_index("ix_hourly_item_sales_business_date_location_id", table_name="hourly_item_sales")
    op.drop_table("hourly_item_sales")
