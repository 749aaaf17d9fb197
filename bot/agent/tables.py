"""The assistant's own state, kept in the same database as the business data: conversations, the exact
messages exchanged with the model, every model call (tokens, cost, latency), every tool call, and the chat
messages front ends took on.

Created by migrations 0004 and 0005 (the provenance columns of ``turns`` by 0010). These tables join
``tools.store.models.Base``'s metadata when this module is imported (``tools`` never imports ``bot``): the
whole schema is that metadata with both imported.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tools.store.models import Base, UtcTime


class Conversation(Base):
    """One conversation: a REPL session, a Slack thread, a chain of ``opsbot ask --conversation``."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcTime)
    updated_at: Mapped[datetime] = mapped_column(UtcTime)


class Turn(Base):
    """One question and how it ended: answered, failed, step_cap, interrupted (or running)."""

    __tablename__ = "turns"
    __table_args__ = (Index("ix_turns_conversation_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    question: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcTime)
    # The provenance check of an answer (migration 0010): figures stated, and the JSON list of those no
    # tool result explains; None for turns that were not answered (or answered before the check existed).
    figures_checked: Mapped[int | None] = mapped_column(Integer)
    unmatched_figures: Mapped[str | None] = mapped_column(Text)


class ConversationMessage(Base):
    """A message exactly as sent to or received from the Messages API (``content`` is its JSON block list).

    ``kind``: question, reply (from the model), tool_results, or repair (written by opsbot to close a turn
    that failed or was killed, so the conversation stays valid for the API)."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    turn_id: Mapped[int | None] = mapped_column(ForeignKey("turns.id"))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcTime)


class ModelCall(Base):
    """One Messages API call (after the SDK's retries): tokens, cost, latency, outcome."""

    __tablename__ = "model_calls"
    __table_args__ = (
        Index("ix_model_calls_turn_id", "turn_id"),
        Index("ix_model_calls_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    step: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(100))
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cache_write_tokens: Mapped[int] = mapped_column(Integer)
    cache_read_tokens: Mapped[int] = mapped_column(Integer)
    cost_microusd: Mapped[int | None] = mapped_column(BigInteger)  # None: the model has no price entry
    attempts: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcTime)


class ToolCallRecord(Base):
    """One tool run the model asked for; ``status`` is running until it finishes (ok or error)."""

    __tablename__ = "tool_calls"
    __table_args__ = (
        UniqueConstraint("conversation_id", "tool_use_id"),
        Index("ix_tool_calls_turn_id", "turn_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    model_call_id: Mapped[int | None] = mapped_column(ForeignKey("model_calls.id"))
    tool_use_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(Text)
    result_chars: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(UtcTime)


class ChatEvent(Base):
    """A chat message a front end took on (created by migration 0005). Unique per platform and message, so
    a re-delivered or doubly delivered message is answered once, even across processes sharing the store."""

    __tablename__ = "chat_events"
    __table_args__ = (UniqueConstraint("platform", "message_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_key: Mapped[str] = mapped_column(String(200))  # Slack: team:channel:ts
    event_id: Mapped[str | None] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(64))
    conversation_id: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UtcTime)
