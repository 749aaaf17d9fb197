"""A first-class fake model for tests, demos and benchmarks: it follows a script of tool calls and answers,
or a function of the request, and records every request it gets. No network, no key.

    model = ScriptedModel([call("sales_report", period="last Saturday"), say("Net sales were …")])
    model = ScriptedModel(lambda request: say(f"{len(request.messages)} messages so far"))
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.agent.context_budget import estimate_tokens
from bot.agent.model import ModelError, ModelReply, ModelRequest, TextSink, Usage


@dataclass(frozen=True)
class ScriptStep:
    """One model reply: an optional thinking block (as the newest models return), optional text, then any
    tool calls (``(name, arguments)`` pairs)."""

    text: str = ""
    tool_calls: tuple[tuple[str, dict], ...] = ()
    thinking: str | None = None

    def content(self, new_id: Callable[[], str], signature: str = "scripted") -> list[dict]:
        """The reply's content blocks as the Messages API returns them (``signature``: the thinking's)."""
        blocks: list[dict] = (
            []
            if self.thinking is None
            else [{"type": "thinking", "thinking": self.thinking, "signature": signature}]
        )
        blocks += [{"type": "text", "text": self.text}] if self.text else []
        blocks += [{"type": "tool_use", "id": new_id(), "name": n, "input": a} for n, a in self.tool_calls]
        return blocks

    @property
    def stop_reason(self) -> str:
        return "tool_use" if self.tool_calls else "end_turn"


def say(text: str) -> ScriptStep:
    """A final answer."""
    return ScriptStep(text=text)


def call(name: str, /, **arguments) -> ScriptStep:
    """One tool call."""
    return ScriptStep(tool_calls=((name, arguments),))


def calls(*pairs: tuple[str, dict], text: str = "") -> ScriptStep:
    """Several tool calls in one reply (the loop runs them concurrently)."""
    return ScriptStep(text=text, tool_calls=tuple(pairs))


Responder = Callable[[ModelRequest], "ScriptStep | ModelError"]


@dataclass
class ScriptedModel:
    """A ``ModelClient`` playing ``script``: a list of steps, ModelErrors and responders, or one responder."""

    script: Iterable[ScriptStep | ModelError | Responder] | Responder
    name: str = "scripted"
    chunk_chars: int = 12
    requests: list[ModelRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._steps = None if callable(self.script) else iter(list(self.script))

    def complete(self, request: ModelRequest, on_text: TextSink) -> ModelReply:
        self.requests.append(request)
        if self._steps is None:
            step = self.script(request)  # type: ignore[operator]
        else:
            step = next(self._steps, None)
            if step is None:
                raise AssertionError(f"the script has no step for request {len(self.requests)}")
            if callable(step) and not isinstance(step, ModelError):
                step = step(request)
        if isinstance(step, ModelError):
            raise step
        for start in range(0, len(step.text), self.chunk_chars):
            on_text(step.text[start : start + self.chunk_chars])
        content = step.content(lambda: f"toolu_scripted_{next(self._ids):04d}")
        return ModelReply(
            content=content,
            stop_reason=step.stop_reason,
            usage=Usage(
                input_tokens=estimate_tokens(request.messages), output_tokens=estimate_tokens(content)
            ),
            model=self.name,
        )
