"""Which Slack events are questions for the bot, and what each one asks: the text without the mention, the
thread it belongs to, and the conversation that thread is."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(\|[^>]*)?>")
_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class Question:
    """One message the bot should answer, in the thread it should answer in."""

    team: str
    channel: str
    channel_type: str  # im, channel, group or mpim
    ts: str  # the message
    thread_ts: str  # the thread's first message (the message itself when it starts one)
    user: str
    text: str
    event_id: str | None
    event_type: str

    @property
    def conversation_id(self) -> str:
        """One Slack thread is one conversation."""
        return conversation_id_for(self.team, self.channel, self.thread_ts)

    @property
    def message_key(self) -> str:
        return f"{self.team}:{self.channel}:{self.ts}"

    @property
    def is_direct(self) -> bool:
        return self.channel_type == "im"


def conversation_id_for(team: str, channel: str, thread_ts: str) -> str:
    return f"slack:{team}:{channel}:{thread_ts}"


def thread_of(conversation_id: str) -> tuple[str, str] | None:
    """The (channel, thread_ts) of a Slack conversation id; None for other ids."""
    if not conversation_id.startswith("slack:"):
        return None
    parts = conversation_id.split(":")
    return (parts[-2], parts[-1]) if len(parts) == 4 else None


def _clean(text: str, bot_user_id: str | None) -> str:
    """The question without the bot's mention and with Slack's escapes undone."""
    if bot_user_id:
        text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    for escaped, plain in _ESCAPES:
        text = text.replace(escaped, plain)
    return " ".join(text.split())


def _unusable(body: dict, event: dict) -> list[str]:
    """The fields a question needs that the event lacks, or holds as something other than a string."""
    wrong = [
        name for name in ("channel", "ts", "user") if not (isinstance(event.get(name), str) and event[name])
    ]
    if not isinstance(event.get("text"), str):  # "" is a message of a file alone
        wrong.append("text")
    wrong += [
        name for name in ("thread_ts", "channel_type", "team") if not isinstance(event.get(name) or "", str)
    ]
    wrong += [name for name in ("team_id", "event_id") if not isinstance(body.get(name) or "", str)]
    return wrong


def _question(body: dict, event: dict, text: str, channel_type: str) -> Question:
    return Question(
        team=body.get("team_id") or event.get("team") or "",
        channel=event["channel"],
        channel_type=channel_type,
        ts=event["ts"],
        thread_ts=event.get("thread_ts") or event["ts"],
        user=event["user"],
        text=text,
        event_id=body.get("event_id"),
        event_type=event["type"],
    )


def _usable(body: dict, event: dict) -> bool:
    """Whether a question can be read from the event; a warning names what is missing when not."""
    wrong = _unusable(body, event)
    if wrong:
        log.warning("ignored a Slack %s event without a usable %s", event.get("type"), ", ".join(wrong))
    return not wrong


def from_mention(body: dict, event: dict, bot_user_id: str | None) -> Question | None:
    """An ``app_mention``: a question in a channel (or a thread in one)."""
    if event.get("bot_id") or event.get("subtype") or not _usable(body, event):
        return None
    return _question(
        body, event, _clean(event.get("text") or "", bot_user_id), event.get("channel_type") or "channel"
    )


def from_message(
    body: dict, event: dict, bot_user_id: str | None, bot_in_thread: Callable[[str], bool]
) -> Question | None:
    """A ``message``: every direct message is a question; in channels, only a reply in a thread the bot is
    already answering in (``bot_in_thread(conversation_id)``) that does not mention it (a mention arrives
    as ``app_mention`` too and is answered from there). Edits, deletions and bots' messages are ignored."""
    if event.get("subtype") or event.get("bot_id") or event.get("user") == bot_user_id:
        return None
    if not _usable(body, event):
        return None
    text = event["text"]
    channel_type = event.get("channel_type") or ""
    if channel_type == "im":
        return _question(body, event, _clean(text, bot_user_id), channel_type)
    if not event.get("thread_ts") or (bot_user_id and f"<@{bot_user_id}" in text):
        return None
    question = _question(body, event, _clean(text, bot_user_id), channel_type)
    return question if bot_in_thread(question.conversation_id) else None
