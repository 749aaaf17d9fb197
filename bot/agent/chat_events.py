"""Each chat message is answered once: the first delivery claims it with a row in ``chat_events`` (unique
per platform and message), so a chat platform's retries and double deliveries (Slack's ``app_mention`` and
``message`` for one mention) are dropped — across every process that shares the store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from bot.agent.tables import ChatEvent


def claim_chat_event(
    engine: Engine,
    platform: str,
    *,
    message_key: str,
    event_id: str | None,
    event_type: str,
    user_id: str | None,
    conversation_id: str | None,
) -> bool:
    """True for the first delivery of message ``message_key`` (Slack: ``team:channel:ts``), False after."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(ChatEvent).values(
                    platform=platform,
                    message_key=message_key[:200],
                    event_id=event_id,
                    event_type=event_type[:32],
                    user_id=user_id,
                    conversation_id=conversation_id,
                    received_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        return False
    return True
