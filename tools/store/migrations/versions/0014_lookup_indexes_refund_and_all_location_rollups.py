"""orders: indexes on source_order_id and display_id, so order_details finds an order by any of its ids
without scanning; daily_refunds, the refunds rollup (refund day and local hour, channel, platform, reason);
the all-locations rollups (hourly sales, daily and hourly items summed over the locations); hourly_payments
(payment methods within some hours, which read every payment of the period); hourly_sales by local hour

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_SALES = (
    ("orders", sa.Integer()),
    ("gross_sales", sa.BigInteger()),
    ("discounts", sa.BigInteger()),
    ("net_sales", sa.BigInteger()),
    ("tax", sa.BigInteger()),
    ("tips", sa.BigInteger()),
    ("courier_tips", sa.BigInteger()),
    ("total_collected", sa.BigInteger()),
    ("commission", sa.BigInteger()),
    ("items_sold", sa.Float()),
    ("canceled_orders", sa.Integer()),
    ("canceled_value", sa.BigInteger()),
    ("canceled_net", sa.BigInteger()),
    ("pickup_minutes", sa.Float()),
    ("pickup_orders", sa.Integer()),
)
_ITEMS = (
    ("item", sa.String(length=200)),
    ("category", sa.String(length=200)),
    ("quantity", sa.Float()),
    ("gross_sales", sa.BigInteger()),
    ("orders", sa.Integer()),
)
# table → (keyed by local hour too, measures, indexes)
_ALL_LOCATIONS = {
    "hourly_sales_all_locations": (True, _SALES, (("business_date",),)),
    "daily_items_all_locations": (False, _ITEMS, (("business_date",),)),
    "hourly_items_all_locations": (True, _ITEMS, (("business_date",), ("local_hour", "business_date"))),
}

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.create_index("ix_orders_source_order_id", ["source_order_id"], unique=False)
        batch.create_index(
            "ix_orders_display_id_business_date_location_id",
            ["display_id", "business_date", "location_id"],
            unique=False,
        )
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
    for name, (hourly, measures, indexes) in _ALL_LOCATIONS.items():
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("business_date", sa.Date(), nullable=False),
            *([sa.Column("local_hour", sa.Integer(), nullable=False)] if hourly else []),
            *(sa.Column(column, kind, nullable=column == "category") for column, kind in measures),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
        for columns in indexes:
            op.create_index(f"ix_{name}_{'_'.join(columns)}", name, list(columns))
    op.create_index(
        "ix_hourly_sales_local_hour_business_date", "hourly_sales", ["local_hour", "business_date"]
    )
    op.create_table(
        "hourly_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tips", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_hourly_payments_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hourly_payments")),
    )
    op.create_index(
        "ix_hourly_payments_business_date_location_id", "hourly_payments", ["business_date", "location_id"]
    )
    op.create_index(
        "ix_hourly_payments_local_hour_business_date", "hourly_payments", ["local_hour", "business_date"]
    )
    # The new rollups are filled when open_store sees the new ADDED_VERSION (only they are built then).


def downgrade() -> None:
    op.drop_index("ix_hourly_payments_local_hour_business_date", table_name="hourly_payments")
    op.drop_index("ix_hourly_payments_business_date_location_id", table_name="hourly_payments")
    op.drop_table("hourly_payments")
    op.drop_index("ix_hourly_sales_local_hour_business_date", table_name="hourly_sales")
    for name, (_hourly, _measures, indexes) in _ALL_LOCATIONS.items():
        for columns in indexes:
            op.drop_index(f"ix_{name}_{'_'.join(columns)}", table_name=name)
        op.drop_table(name)
    op.drop_index("ix_daily_refunds_order_date_location_id", table_name="daily_refunds")
    op.drop_index("ix_daily_refunds_business_date_location_id", table_name="daily_refunds")
    op.drop_table("daily_refunds")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_display_id_business_date_location_id")
        batch.drop_index("ix_orders_source_order_id")
