"""Each Slack message is answered once: the first delivery claims it with a row in ``chat_events`` (unique
per message), so Slack's retries and the double delivery of a mention (``app_mention`` and ``message``) are
dropped — across every process that shares the store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from tools.store.conversation_models import ChatEvent

PLATFORM = "slack"


def claim_message(
    engine: Engine,
    *,
    message_key: str,
    event_id: str | None,
    event_type: str,
    user_id: str | None,
    conversation_id: str | None,
) -> bool:
    """True for the first delivery of the message ``message_key`` (``team:channel:ts``), False after."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(ChatEvent).values(
                    platform=PLATFORM,
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
