"""rollups: canceled orders and pickup minutes in daily_sales; daily_discounts

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_sales") as batch:
        batch.add_column(sa.Column("canceled_orders", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("canceled_value", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("pickup_minutes", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("pickup_orders", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "daily_discounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_daily_discounts_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_discounts")),
    )
    op.create_index(
        "ix_daily_discounts_business_date_location_id", "daily_discounts", ["business_date", "location_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_daily_discounts_business_date_location_id", table_name="daily_discounts")
    op.drop_table("daily_discounts")
    with op.batch_alter_table("daily_sales") as batch:
        for column in ("pickup_orders", "pickup_minutes", "canceled_value", "canceled_orders"):
            batch.drop_column(column)
