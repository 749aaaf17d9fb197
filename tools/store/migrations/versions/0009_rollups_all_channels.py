"""rollups without the channel/platform split: hourly sales, daily and hourly items (5× fewer rows to read
for questions without a channel or platform filter)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

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
_TABLES = {
    "hourly_sales_all_channels": (True, _SALES),
    "daily_items_all_channels": (False, _ITEMS),
    "hourly_items_all_channels": (True, _ITEMS),
}


def upgrade() -> None:
    for name, (hourly, measures) in _TABLES.items():
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("location_id", sa.Integer(), nullable=False),
            sa.Column("business_date", sa.Date(), nullable=False),
            *([sa.Column("local_hour", sa.Integer(), nullable=False)] if hourly else []),
            *(sa.Column(column, kind, nullable=column == "category") for column, kind in measures),
            sa.ForeignKeyConstraint(
                ["location_id"], ["locations.id"], name=op.f(f"fk_{name}_location_id_locations")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
        op.create_index(f"ix_{name}_business_date_location_id", name, ["business_date", "location_id"])
    op.create_index(
        "ix_hourly_items_all_channels_local_hour_business_date",
        "hourly_items_all_channels",
        ["local_hour", "business_date"],
    )
    # Filled when open_store sees the new rollups VERSION.


def downgrade() -> None:
    op.drop_index(
        "ix_hourly_items_all_channels_local_hour_business_date", table_name="hourly_items_all_channels"
    )
    for name in reversed(_TABLES):
        op.drop_index(f"ix_{name}_business_date_location_id", table_name=name)
        op.drop_table(name)
