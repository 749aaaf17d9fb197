"""The votes people give answers, stored with the turn each belongs to: ``record_vote`` (a second click
replaces the first, across processes), ``add_comment`` (what was wrong) and ``votes`` (the listing, newest
first, with each turn's question and answer)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.agent.tables import Turn
from bot.feedback.tables import (
    MAX_CHANNEL_CHARS,
    MAX_COMMENT_CHARS,
    MAX_MESSAGE_TS_CHARS,
    MAX_PLATFORM_CHARS,
    MAX_USER_CHARS,
    VOTES,
    AnswerFeedback,
)

MAX_DAYS = 3650  # the longest look-back ``votes`` takes: ten years
_MAX_ID = 2**31 - 1  # turns.id is an INTEGER: PostgreSQL's int4


class FeedbackError(ValueError):
    """A vote or comment that cannot be stored; the one-line message names the field."""


@dataclass(frozen=True)
class FeedbackRow:
    """One stored vote with the answer it is about: the turn's question and answer, and the conversation
    id ``opsbot trace`` takes."""

    turn_id: int
    conversation_id: str
    user_id: str
    vote: str
    comment: str | None
    platform: str
    channel: str | None
    message_ts: str | None
    created_at: datetime
    updated_at: datetime
    question: str
    answer: str | None


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise FeedbackError("now: expected an aware datetime")
    return now


def _is_clean(text: str) -> bool:
    """No control characters (NUL cannot be stored in PostgreSQL text) and no lone surrogates."""
    return not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def _label(value: object, field: str, limit: int, *, optional: bool = False) -> str | None:
    """``value`` as an identifier of at most ``limit`` characters (None allowed when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise FeedbackError(f"{field}: expected non-empty text")
    if len(value) > limit:
        raise FeedbackError(f"{field}: longer than {limit} characters")
    if not _is_clean(value):
        raise FeedbackError(f"{field}: contains control characters")
    return value


def _turn_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_ID:
        raise FeedbackError(f"turn_id: no turn {value!r}")
    return value


def clean_comment(comment: str) -> str | None:
    """The comment as stored: control characters (but newlines and tabs) and lone surrogates dropped,
    whitespace stripped, cut to ``MAX_COMMENT_CHARS``; None when nothing is left."""
    kept = "".join(
        ch for ch in comment if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()
    return kept[:MAX_COMMENT_CHARS] or None


class FeedbackStore:
    """Votes on answers in the store behind ``engine`` (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _insert(self):
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(AnswerFeedback)

    def record_vote(
        self,
        *,
        turn_id: int,
        conversation_id: str,
        user_id: str,
        vote: str,
        platform: str,
        channel: str | None = None,
        message_ts: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Store ``user_id``'s ``vote`` ("good" or "bad") on the turn; a later vote by the same person
        replaces the earlier one (its comment and first time stay). True when stored; ``FeedbackError``
        for a bad value or a turn that does not exist or is not in ``conversation_id``."""
        if not isinstance(vote, str) or vote not in VOTES:
            raise FeedbackError(f"vote: expected good or bad, got {str(vote)[:20]!r}")
        turn_id = _turn_id(turn_id)
        user = _label(user_id, "user_id", MAX_USER_CHARS)
        platform_name = _label(platform, "platform", MAX_PLATFORM_CHARS)
        where = _label(channel, "channel", MAX_CHANNEL_CHARS, optional=True)
        ts = _label(message_ts, "message_ts", MAX_MESSAGE_TS_CHARS, optional=True)
        if not isinstance(conversation_id, str):
            raise FeedbackError("conversation_id: expected text")
        moment = _now(now)
        statement = self._insert().values(
            turn_id=turn_id,
            conversation_id=conversation_id,
            user_id=user,
            vote=vote,
            platform=platform_name,
            channel=where,
            message_ts=ts,
            created_at=moment,
            updated_at=moment,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[AnswerFeedback.turn_id, AnswerFeedback.user_id],
            set_={"vote": statement.excluded.vote, "updated_at": statement.excluded.updated_at},
        )
        with self.engine.begin() as conn:
            owner = conn.execute(select(Turn.conversation_id).where(Turn.id == turn_id)).scalar_one_or_none()
            if owner is None or owner != conversation_id:
                raise FeedbackError(f"turn_id: no turn {turn_id} in conversation {conversation_id[:200]!r}")
            conn.execute(statement)
        return True

    def add_comment(self, *, turn_id: int, user_id: str, comment: str, now: datetime | None = None) -> bool:
        """Set the comment on ``user_id``'s vote on the turn (cleaned as ``clean_comment`` says; an empty
        one clears it); False when they have no vote on that turn."""
        turn_id = _turn_id(turn_id)
        user = _label(user_id, "user_id", MAX_USER_CHARS)
        if not isinstance(comment, str):
            raise FeedbackError("comment: expected text")
        moment = _now(now)
        f = AnswerFeedback
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(f)
                .where(f.turn_id == turn_id, f.user_id == user)
                .values(comment=clean_comment(comment), updated_at=moment)
            ).rowcount
        return changed > 0

    def votes(
        self, *, days: int | None = 30, bad_only: bool = False, now: datetime | None = None
    ) -> list[FeedbackRow]:
        """The votes given or changed in the last ``days`` days (None: all), newest first, optionally
        only the bad ones."""
        f = AnswerFeedback
        query = select(
            f.turn_id,
            f.conversation_id,
            f.user_id,
            f.vote,
            f.comment,
            f.platform,
            f.channel,
            f.message_ts,
            f.created_at,
            f.updated_at,
            Turn.question,
            Turn.answer,
        ).join(Turn, Turn.id == f.turn_id)
        if days is not None:
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
                raise FeedbackError(f"days: expected a whole number from 1 to {MAX_DAYS}, got {days!r}")
            query = query.where(f.updated_at >= _now(now) - timedelta(days=days))
        if bad_only:
            query = query.where(f.vote == "bad")
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(f.updated_at.desc(), f.id.desc())).all()
        return [FeedbackRow(*row) for row in rows]
