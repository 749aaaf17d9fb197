"""What a click on an answer's feedback buttons does: the vote stored with the answer's turn (a second
click replaces the first; replicas share it through the store), and for a bad vote a modal asking what was
wrong, whose reply is stored with the vote. Every id comes from Slack's signed payload and is checked
against the thread the buttons are in, so a forged value stores nothing."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.application import Application
from bot.slack.blocks import COMMENT_ACTION, COMMENT_BLOCK, comment_modal, parse_vote
from bot.slack.incoming import conversation_id_for

log = logging.getLogger(__name__)
PLATFORM = "slack"


@dataclass(frozen=True)
class Vote:
    """One click, read from a ``block_actions`` payload."""

    turn_id: int
    vote: str  # good | bad
    user: str
    conversation_id: str
    channel: str
    message_ts: str | None
    trigger_id: str | None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def vote_of(body: dict, action: dict) -> Vote | None:
    """The vote a feedback click carries; None (with a warning) when the payload lacks what it needs."""
    parsed = parse_vote(action.get("value"))
    container = _dict(body.get("container"))
    message = _dict(body.get("message"))
    user = _text(_dict(body.get("user")).get("id"))
    team = _text(_dict(body.get("team")).get("id")) or _text(_dict(body.get("user")).get("team_id")) or ""
    channel = _text(container.get("channel_id")) or _text(_dict(body.get("channel")).get("id"))
    thread_ts = _text(container.get("thread_ts")) or _text(message.get("thread_ts"))
    if parsed is None or user is None or channel is None or thread_ts is None:
        log.warning("ignored a feedback click without a usable vote, user, channel or thread")
        return None
    vote, turn_id = parsed
    return Vote(
        turn_id=turn_id,
        vote=vote,
        user=user,
        conversation_id=conversation_id_for(team, channel, thread_ts),
        channel=channel,
        message_ts=_text(container.get("message_ts")) or _text(message.get("ts")),
        trigger_id=_text(body.get("trigger_id")),
    )


def record_click(app: Application, client: WebClient, body: dict, action: dict) -> bool:
    """Store the click's vote; for a bad one, open the "what was wrong?" modal. True when stored."""
    vote = vote_of(body, action)
    if vote is None:
        return False
    try:
        app.feedback.record_vote(
            turn_id=vote.turn_id,
            conversation_id=vote.conversation_id,
            user_id=vote.user,
            vote=vote.vote,
            platform=PLATFORM,
            channel=vote.channel,
            message_ts=vote.message_ts,
        )
    except ValueError as exc:  # FeedbackError: not this thread's answer, or a malformed field
        log.warning("ignored a feedback click: %s", exc)
        return False
    log.info("%s voted %s on turn %d", vote.user, vote.vote, vote.turn_id)
    if vote.vote == "bad" and vote.trigger_id:
        try:
            client.views_open(
                trigger_id=vote.trigger_id, view=comment_modal(vote.turn_id, vote.conversation_id)
            )
        except Exception as exc:  # the vote is stored; the comment is optional
            log.warning("could not open the feedback modal: %s", exc)
    return True


def record_comment(app: Application, body: dict) -> bool:
    """Store what the modal says was wrong, on the sender's own vote; True when stored."""
    view = _dict(body.get("view"))
    user = _text(_dict(body.get("user")).get("id"))
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        meta = {}
    turn_id = meta.get("turn_id") if isinstance(meta, dict) else None
    values = _dict(_dict(view.get("state")).get("values"))
    comment = _text(_dict(_dict(values.get(COMMENT_BLOCK)).get(COMMENT_ACTION)).get("value"))
    if not (isinstance(turn_id, int) and not isinstance(turn_id, bool) and user):
        log.warning("ignored a feedback comment without its turn or user")
        return False
    if comment is None or not comment.strip():
        return False
    try:
        stored = app.feedback.add_comment(turn_id=turn_id, user_id=user, comment=comment)
    except ValueError as exc:
        log.warning("ignored a feedback comment: %s", exc)
        return False
    if not stored:
        log.warning("ignored a feedback comment from %s on turn %s: no vote of theirs there", user, turn_id)
    return stored
