"""metrics v2: courier tips apart from the restaurant's, canceled value net and gross, an hourly rollup

Deliverect orders stored before this revision counted the courier's tip (``driverTip``) in ``tips``. Their
fingerprint is cleared, so the next sync or backfill of them rewrites each one with the tips split (the
webhook does the same for every order it receives again).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_MEASURES = (
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


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("courier_tips", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("UPDATE orders SET payload_hash = '' WHERE source = 'deliverect'")
    with op.batch_alter_table("daily_sales") as batch:
        batch.add_column(sa.Column("courier_tips", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("canceled_net", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "hourly_sales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        *(sa.Column(name, kind, nullable=False) for name, kind in _MEASURES),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_hourly_sales_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hourly_sales")),
    )
    op.create_index(
        "ix_hourly_sales_business_date_location_id", "hourly_sales", ["business_date", "location_id"]
    )
    # The rollups are rebuilt from the orders when ``rollups.VERSION`` changes (open_store does it).


def downgrade() -> None:
    op.drop_index("ix_hourly_sales_business_date_location_id", table_name="hourly_sales")
    op.drop_table("hourly_sales")
    with op.batch_alter_table("daily_sales") as batch:
        batch.drop_column("canceled_net")
        batch.drop_column("courier_tips")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("courier_tips")
