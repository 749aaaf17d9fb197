"""The Block Kit under an answer, built through slack_sdk's models so the SDK's checks run: the table, the
sources line, the feedback buttons, and the "what was wrong?" modal a bad vote opens."""

from __future__ import annotations

import json
import re

from slack_sdk.models.blocks import (
    ContextActionsBlock,
    ContextBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    RawTextObject,
    TableBlock,
)
from slack_sdk.models.blocks.basic_components import TableBlockColumnSettings
from slack_sdk.models.views import View

FEEDBACK_ACTION = "opsbot_feedback"  # the feedback buttons' action_id
FEEDBACK_MODAL = "opsbot_feedback_comment"  # the modal's callback_id
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "comment"
COMMENT_CHARS = 2000
CONTEXT_CHARS = 3000  # a context block's text object
VOTES = ("good", "bad")
_VOTE_VALUE = re.compile(r"(good|bad):([1-9][0-9]{0,17})")


def table_block(rows: list[list[str]], numeric: list[bool]) -> dict:
    """A ``table`` block of ``rows`` (header first); ``numeric`` columns are right-aligned."""
    return TableBlock(
        rows=[[RawTextObject(text=cell or " ").to_dict() for cell in row] for row in rows],
        column_settings=[TableBlockColumnSettings(align="right" if n else "left") for n in numeric],
    ).to_dict()


def sources_block(line: str) -> dict:
    """The answer's sources line as a context block (plain text: nothing in it is formatting)."""
    return ContextBlock(elements=[PlainTextObject(text=line[:CONTEXT_CHARS], emoji=False)]).to_dict()


def feedback_block(turn_id: int) -> dict:
    """Good / bad buttons for the answer of ``turn_id`` (the value carries the vote and the turn)."""
    buttons = FeedbackButtonsElement(
        action_id=FEEDBACK_ACTION,
        positive_button=FeedbackButtonObject(
            text="👍", accessibility_label="This answer was good", value=f"good:{turn_id}"
        ),
        negative_button=FeedbackButtonObject(
            text="👎", accessibility_label="This answer was wrong", value=f"bad:{turn_id}"
        ),
    )
    return ContextActionsBlock(block_id=f"opsbot-feedback-{turn_id}", elements=[buttons]).to_dict()


def parse_vote(value: object) -> tuple[str, int] | None:
    """``("bad", 42)`` from a feedback button's value; None for anything else."""
    match = _VOTE_VALUE.fullmatch(value) if isinstance(value, str) else None
    return (match.group(1), int(match.group(2))) if match else None


def comment_modal(turn_id: int, conversation_id: str) -> dict:
    """The modal asking what was wrong with an answer voted bad."""
    return View(
        type="modal",
        callback_id=FEEDBACK_MODAL,
        private_metadata=json.dumps({"turn_id": turn_id, "conversation_id": conversation_id}),
        title=PlainTextObject(text="What was wrong?"),
        submit=PlainTextObject(text="Send"),
        close=PlainTextObject(text="Skip"),
        blocks=[
            InputBlock(
                block_id=COMMENT_BLOCK,
                label=PlainTextObject(text="What was wrong with the answer? (optional)"),
                element=PlainTextInputElement(
                    action_id=COMMENT_ACTION, multiline=True, max_length=COMMENT_CHARS
                ),
                optional=True,
            )
        ],
    ).to_dict()
