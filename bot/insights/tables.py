"""The record of every scheduled post to Slack (the morning brief, each anomaly alert): one row per
(kind, business date, channel, key), so each is posted once across replicas and restarts, and the brief's
message ts and text let a reply in its thread be answered with the brief in context.

Created by migration 0011. Joins ``tools.store.models.Base``'s metadata when imported, like
``bot/agent/tables.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tools.store.models import Base, UtcTime

KINDS = ("brief", "alert")
STATUSES = ("claimed", "posted", "failed")


class BriefPost(Base):
    """One scheduled post: claimed by the replica that inserted the row, then posted or failed.

    ``claimed_at`` is when the current attempt was claimed (a re-claim or a retry moves it); ``attempts``
    counts the posts tried; ``text`` is what was posted (the brief as plain text, or the alert)."""

    __tablename__ = "brief_posts"
    __table_args__ = (
        UniqueConstraint("kind", "business_date", "channel", "key"),
        Index("ix_brief_posts_channel_message_ts", "channel", "message_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # brief | alert
    business_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))  # "brief", or the anomaly's location and measure
    status: Mapped[str] = mapped_column(String(16))  # claimed | posted | failed
    claimed_by: Mapped[str] = mapped_column(String(100))  # host:pid:scheduler of the current attempt
    claimed_at: Mapped[datetime] = mapped_column(UtcTime)
    attempts: Mapped[int] = mapped_column(Integer)
    posted_at: Mapped[datetime | None] = mapped_column(UtcTime)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    late: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)  # the last failed attempt's error
