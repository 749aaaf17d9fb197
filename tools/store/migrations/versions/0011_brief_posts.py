"""brief_posts: each scheduled Slack post (the morning brief, each anomaly alert) claimed once per kind,
business date, channel and key, with its message ts and text

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brief_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brief_posts")),
        sa.UniqueConstraint(
            "kind",
            "business_date",
            "channel",
            "key",
            name=op.f("uq_brief_posts_kind_business_date_channel_key"),
        ),
    )
    op.create_index("ix_brief_posts_channel_message_ts", "brief_posts", ["channel", "message_ts"])


def downgrade() -> None:
    op.drop_index("ix_brief_posts_channel_message_ts", table_name="brief_posts")
    op.drop_table("brief_posts")
