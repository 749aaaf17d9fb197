"""hourly_channel_sales_all_locations: hourly_sales summed over the locations, keeping the channel and
platform, so "delivery at dinner" for the whole business reads as many rows at ten locations as at four

Revision ID: 0015
Revises: 0014
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
_TABLE = "hourly_channel_sales_all_locations"
_INDEXES = (("business_date",), ("local_hour", "business_date"))

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        *(sa.Column(column, kind, nullable=False) for column, kind in _SALES),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_TABLE}")),
    )
    for columns in _INDEXES:
        op.create_index(f"ix_{_TABLE}_{'_'.join(columns)}", _TABLE, list(columns))
    # Filled when open_store sees the new rollups ADDED_VERSION (only the added rollups are rebuilt then).


def downgrade() -> None:
    for columns in _INDEXES:
        op.drop_index(f"ix_{_TABLE}_{'_'.join(columns)}", table_name=_TABLE)
    op.drop_table(_TABLE)
