"""A reply in the morning brief's thread is a question about the brief: the first question of that thread's
conversation is sent to the model with the brief's text in front of it."""

from __future__ import annotations

from sqlalchemy import Engine, select

from bot.insights.tables import BriefPost

CONTEXT_INTRO = "Context — the morning brief this thread replies to:"
MIN_CONTEXT_CHARS = 200  # less room than this for the brief: the question goes alone


def brief_context(store: Engine, channel: str, thread_ts: str) -> str | None:
    """The text of the brief posted as ``thread_ts`` in ``channel``; None when that message is no brief."""
    with store.connect() as conn:
        return conn.execute(
            select(BriefPost.text)
            .where(
                BriefPost.channel == channel,
                BriefPost.message_ts == thread_ts,
                BriefPost.kind == "brief",
                BriefPost.status == "posted",
            )
            .limit(1)
        ).scalar_one_or_none()


def with_brief_context(brief: str, question: str, limit: int) -> str:
    """The first question of a brief's thread as the model gets it, within ``limit`` characters (the brief
    is shortened to fit; the question is kept whole)."""
    head, tail = f"{CONTEXT_INTRO}\n", f"\n\nQuestion: {question}"
    room = limit - len(head) - len(tail)
    if room < MIN_CONTEXT_CHARS:
        return question
    brief = brief.strip()
    if len(brief) > room:
        brief = brief[: room - 1].rstrip() + "…"
    return head + brief + tail
