"""The votes people give answers: one row per (turn, person), so a second click replaces the first and
replicas sharing the store see the same vote.

Created by migration 0012. Joins ``tools.store.models.Base``'s metadata when imported, like
``bot/agent/tables.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tools.store.models import Base, UtcTime

VOTES = ("good", "bad")
MAX_COMMENT_CHARS = 2000
MAX_USER_CHARS = 64
MAX_PLATFORM_CHARS = 16
MAX_CHANNEL_CHARS = 64
MAX_MESSAGE_TS_CHARS = 32


class AnswerFeedback(Base):
    """One person's vote on one answer (a turn), with their optional comment on what was wrong.

    ``created_at`` is the first click, ``updated_at`` the latest (a changed vote or a comment moves it);
    ``channel`` and ``message_ts`` say where the answer was shown (Slack), when known."""

    __tablename__ = "answer_feedback"
    __table_args__ = (
        UniqueConstraint("turn_id", "user_id"),
        Index("ix_answer_feedback_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    conversation_id: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(MAX_USER_CHARS))
    vote: Mapped[str] = mapped_column(String(8))  # good | bad
    comment: Mapped[str | None] = mapped_column(Text)  # at most MAX_COMMENT_CHARS
    platform: Mapped[str] = mapped_column(String(MAX_PLATFORM_CHARS))  # slack
    channel: Mapped[str | None] = mapped_column(String(MAX_CHANNEL_CHARS))
    message_ts: Mapped[str | None] = mapped_column(String(MAX_MESSAGE_TS_CHARS))
    created_at: Mapped[datetime] = mapped_column(UtcTime)
    updated_at: Mapped[datetime] = mapped_column(UtcTime)
