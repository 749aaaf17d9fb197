"""What the loop tells a front end while it works (``on_event``), and what it returns (``Answer``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.agent.answer_sources import AnswerSources
from bot.agent.model import Usage
from bot.agent.provenance import Provenance


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer text, as the model streams it."""

    text: str


@dataclass(frozen=True)
class ModelCallStarted:
    step: int
    model: str


@dataclass(frozen=True)
class ModelCallFinished:
    step: int
    usage: Usage
    seconds: float
    stop_reason: str | None


@dataclass(frozen=True)
class ToolStarted:
    call_id: str
    name: str
    arguments: dict
    activity: str | None = None  # the tool's own phrase for what it is doing ("adding up sales")


@dataclass(frozen=True)
class ToolFinished:
    call_id: str
    name: str
    arguments: dict
    seconds: float
    ok: bool
    error: str | None
    result_chars: int


Event = TextDelta | ModelCallStarted | ModelCallFinished | ToolStarted | ToolFinished
EventSink = Callable[[Event], None]


@dataclass
class TurnStats:
    """Where one question's time and tokens went."""

    model_calls: int = 0
    tool_calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_microusd: int | None = 0
    model_seconds: float = 0.0
    tool_seconds: float = 0.0  # wall time of the tool rounds (parallel calls overlap)
    total_seconds: float = 0.0
    compacted_results: int = 0

    @property
    def overhead_seconds(self) -> float:
        """The agent's own time: everything but waiting for the model and running tools."""
        return max(0.0, self.total_seconds - self.model_seconds - self.tool_seconds)


@dataclass(frozen=True)
class Answer:
    """How a question ended. ``status``: answered, failed, step_cap, interrupted or busy (refused: another
    question of the conversation was still being answered; no turn is stored, ``turn_id`` is None);
    ``text`` is what to show (the answer, or the one-sentence error); ``provenance``: the check of an
    answer's figures against the conversation's tool results; ``sources`` (answered and step_cap turns):
    what the answer rests on — this turn's successful tool calls and the data's freshness."""

    conversation_id: str
    turn_id: int | None
    status: str
    text: str
    stats: TurnStats
    error_kind: str | None = None
    provenance: Provenance | None = None
    sources: AnswerSources | None = None

    @property
    def ok(self) -> bool:
        return self.status == "answered"

    @property
    def untraced(self) -> str | None:
        """The front ends' brief mark for an answer whose figures are not all in the tool results ("⚠ 2 of 7
        figures not found in the tool results: $1,234, 15%"); None when there is nothing to mark."""
        if self.provenance is None or self.provenance.clean:
            return None
        return f"⚠ {self.provenance.summary()}"


class AnswerStopped(BaseException):
    """Raised inside a turn when its ``stop`` event is set (Slack's Stop button): like Ctrl-C, it is not an
    ``Exception``, so nothing on the way (the model client's error mapping, a tool) mistakes it for a
    failure; the loop closes the turn as interrupted and returns its ``Answer``."""


STOPPED = "Stopped — ask again whenever you like."


def format_arguments(arguments: dict) -> str:
    """``period="last Saturday", limit=1`` — tool arguments on one line, for progress lines and traces."""
    return ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in arguments.items())
