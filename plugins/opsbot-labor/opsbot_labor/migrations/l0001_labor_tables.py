"""labor plugin: shifts, their paid time per local hour, item costs

Revision ID: labor0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tools.plugin_api import UtcDateTime

revision = "labor0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labor_shifts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_shift_id", sa.String(128), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("team_member_id", sa.String(128), nullable=False),
        sa.Column("employee_name", sa.String(200)),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("start_at", UtcDateTime(), nullable=False),
        sa.Column("end_at", UtcDateTime()),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("paid_seconds", sa.Integer(), nullable=False),
        sa.Column("unpaid_break_seconds", sa.Integer(), nullable=False),
        sa.Column("hourly_rate", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("base_cost", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scheduled_start_at", UtcDateTime()),
        sa.Column("scheduled_end_at", UtcDateTime()),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("source", "source_shift_id", name="uq_labor_shifts_source_source_shift_id"),
    )
    op.create_index(
        "ix_labor_shifts_business_date_location_id", "labor_shifts", ["business_date", "location_id"]
    )
    op.create_index(
        "ix_labor_shifts_team_member_id_business_date", "labor_shifts", ["team_member_id", "business_date"]
    )
    op.create_table(
        "labor_shift_hours",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "shift_id", sa.Integer(), sa.ForeignKey("labor_shifts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("paid_seconds", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_labor_shift_hours_business_date_location_id",
        "labor_shift_hours",
        ["business_date", "location_id"],
    )
    op.create_index("ix_labor_shift_hours_shift_id", "labor_shift_hours", ["shift_id"])
    op.create_table(
        "labor_item_costs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id")),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )
    op.create_index("ix_labor_item_costs_item_effective_date", "labor_item_costs", ["item", "effective_date"])


def downgrade() -> None:
    op.drop_table("labor_item_costs")
    op.drop_table("labor_shift_hours")
    op.drop_table("labor_shifts")
