"""Exactly-once posting through the store: a replica claims a post by inserting its ``brief_posts`` row (the
unique key turns a second insert — another replica, or an earlier run — into a conflict), posts, then
records the outcome. A claim whose claimer died before recording (``claimed`` for longer than
``stale_after``) is taken over by a conditional UPDATE, so one replica wins it; a failed post is retried once
by its claimer after ``retry_after`` (by anyone once the failure is ``stale_after`` old).

A crash after Slack accepted the message but before ``posted`` was recorded posts it twice after the
take-over: the window is one UPDATE long."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.insights.tables import BriefPost

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slot:
    """What is posted once: the brief or one alert, for one business date, in one channel."""

    kind: str  # brief | alert
    business_date: date
    channel: str
    key: str  # "brief", or the alert's own key


@dataclass(frozen=True)
class Policy:
    """How long a claim is trusted, and when a failed post is tried again."""

    stale_after: timedelta = timedelta(minutes=10)  # a 'claimed' row this old: its claimer died
    retry_after: timedelta = timedelta(minutes=5)  # back-off before the one retry of a failed post
    max_attempts: int = 2  # claims of one slot (the first, a retry or a take-over) before it stays failed


@dataclass(frozen=True)
class State:
    """A slot's row as the scheduler needs it."""

    id: int
    status: str
    claimed_by: str
    claimed_at: datetime
    attempts: int


def _matches(slot: Slot):
    return and_(
        BriefPost.kind == slot.kind,
        BriefPost.business_date == slot.business_date,
        BriefPost.channel == slot.channel,
        BriefPost.key == slot.key,
    )


def state(engine: Engine, slot: Slot) -> State | None:
    """The slot's row, or None when nobody claimed it yet."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                BriefPost.id, BriefPost.status, BriefPost.claimed_by, BriefPost.claimed_at, BriefPost.attempts
            ).where(_matches(slot))
        ).one_or_none()
    return None if row is None else State(*row)


def claim(
    engine: Engine, slot: Slot, *, claimer: str, now: datetime, late: bool, policy: Policy
) -> int | None:
    """The row id when ``claimer`` now holds the slot and must post it; None when it is someone else's, or
    settled."""
    current = state(engine, slot)
    if current is None:
        try:
            with engine.begin() as conn:
                return conn.execute(
                    insert(BriefPost)
                    .values(
                        kind=slot.kind,
                        business_date=slot.business_date,
                        channel=slot.channel,
                        key=slot.key,
                        status="claimed",
                        claimed_by=claimer,
                        claimed_at=now,
                        attempts=1,
                        late=late,
                    )
                    .returning(BriefPost.id)
                ).scalar_one()
        except IntegrityError:  # another replica inserted it first
            current = state(engine, slot)
            if current is None:
                raise
    if not _may_take(current, claimer, now, policy):
        log.info(
            "%s %s of %s in %s: already %s by %s",
            slot.kind,
            slot.key,
            slot.business_date,
            slot.channel,
            current.status,
            current.claimed_by,
        )
        return None
    stale = now - policy.stale_after
    with engine.begin() as conn:
        taken = conn.execute(
            update(BriefPost)
            .where(
                BriefPost.id == current.id,
                or_(
                    and_(BriefPost.status == "claimed", BriefPost.claimed_at < stale),
                    and_(
                        BriefPost.status == "failed",
                        BriefPost.attempts < policy.max_attempts,
                        or_(
                            and_(
                                BriefPost.claimed_by == claimer,
                                BriefPost.claimed_at <= now - policy.retry_after,
                            ),
                            BriefPost.claimed_at < stale,
                        ),
                    ),
                ),
            )
            .values(
                status="claimed",
                claimed_by=claimer,
                claimed_at=now,
                attempts=BriefPost.attempts + 1,
                late=late,
            )
        ).rowcount
    if taken:
        log.info(
            "%s %s for %s in %s: taken over (was %s)",
            slot.kind,
            slot.key,
            slot.business_date,
            slot.channel,
            current.status,
        )
    return current.id if taken else None


def _may_take(current: State, claimer: str, now: datetime, policy: Policy) -> bool:
    """The UPDATE's condition, checked first on the row read (the UPDATE checks it again, atomically)."""
    look = next_look(current, claimer, policy)
    return look is not None and look <= now


def next_look(current: State | None, claimer: str, policy: Policy) -> datetime | None:
    """When the slot may next be ours to post (None: it is settled — posted, or failed for good)."""
    if current is None or current.status == "posted":
        return None
    if current.status == "claimed":
        return current.claimed_at + policy.stale_after + timedelta(seconds=1)
    if current.attempts >= policy.max_attempts:
        return None
    if current.claimed_by == claimer:
        return current.claimed_at + policy.retry_after
    return current.claimed_at + policy.stale_after + timedelta(seconds=1)


def mark_posted(
    engine: Engine, row_id: int, claimer: str, *, now: datetime, message_ts: str, text: str | None
) -> None:
    """Record the post; a warning when the claim was taken over meanwhile (then it may be posted twice)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(BriefPost)
            .where(BriefPost.id == row_id, BriefPost.claimed_by == claimer, BriefPost.status == "claimed")
            .values(status="posted", posted_at=now, message_ts=message_ts, text=text, error=None)
        ).rowcount
        if not done:
            log.warning("post %d was taken over while it was being posted; recording it anyway", row_id)
            conn.execute(
                update(BriefPost)
                .where(BriefPost.id == row_id, BriefPost.status != "posted")
                .values(status="posted", posted_at=now, message_ts=message_ts, text=text, error=None)
            )


def mark_failed(engine: Engine, row_id: int, claimer: str, *, error: str) -> None:
    """Record a failed post (retried after the back-off while attempts remain)."""
    with engine.begin() as conn:
        conn.execute(
            update(BriefPost)
            .where(BriefPost.id == row_id, BriefPost.claimed_by == claimer, BriefPost.status == "claimed")
            .values(status="failed", error=error[:2000])
        )
