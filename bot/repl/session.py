"""One REPL session's state, independent of how it is drawn: the application (its agent built in the
background so the prompt is up at once), the demo still loading on a first run, the current conversation
and model, and the tool console."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.agent.conversation_store import new_conversation_id
from bot.agent.events import Answer, EventSink
from bot.agent.loop import Agent
from bot.agent.trace_report import dollars
from bot.application import Application
from bot.services.tool_console import call_tool
from tools.registry import ToolResult

if TYPE_CHECKING:
    from bot.repl.demo_load import DemoLoad

SOURCE = "repl"


class AgentLoader:
    """Builds the agent on a background thread (importing the SDK takes over a second); ``get`` waits."""

    def __init__(self, build: Callable[[], Agent]) -> None:
        self._build_agent = build
        self._agent: Agent | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        threading.Thread(target=self._build, name="opsbot-agent-loader", daemon=True).start()

    def _build(self) -> None:
        try:
            self._agent = self._build_agent()
        except BaseException as exc:  # handed to the thread that asks for the agent
            self._error = exc
        finally:
            self._done.set()

    def get(self) -> Agent:
        """The agent, once built; re-raises what stopped it from being built (e.g. a ``ModelError``)."""
        while not self._done.wait(0.1):  # a short wait keeps Ctrl-C responsive
            pass
        if self._error is not None:
            raise self._error
        assert self._agent is not None
        return self._agent

    def close(self) -> None:
        if self._done.is_set() and self._agent is not None:
            self._agent.close()


class ReplSession:
    """What the terminal and piped front ends share: ask, start over, resume, and the tool console."""

    def __init__(self, app: Application, demo: DemoLoad | None = None) -> None:
        """The application's agent is built in the background when it can answer (an API key is set);
        ``demo``: the demo business loading in the background (the first run), which questions and tool
        calls wait for."""
        self.app = app
        self.demo = demo
        self.settings = app.settings
        self.conversation_id: str | None = None
        self.model_name = app.settings.model.name
        self.show_usage = False
        self.last_answer: Answer | None = None
        self.listed: list[str] = []  # conversation ids in the order /history last showed them
        self._loader = AgentLoader(app.agent) if app.can_answer else None

    @property
    def can_answer(self) -> bool:
        """False when no model is configured (no API key): only the tool console works."""
        return self._loader is not None

    def ask(self, question: str, on_event: EventSink) -> Answer:
        """Answer ``question`` in the current conversation (a new one on the first question). Raises
        ``ModelError`` when there is no model to ask, ``KeyboardInterrupt`` when cancelled — the stored
        conversation stays valid either way."""
        agent = self._loader.get() if self._loader is not None else self.app.agent()  # no key: ModelError
        self.wait_for_demo()
        if self.conversation_id is None:  # chosen here so a cancelled first question can be followed up
            self.conversation_id = new_conversation_id()
        answer = agent.answer(self.conversation_id, question, on_event, source=SOURCE, model=self.model_name)
        self.conversation_id = answer.conversation_id
        self.last_answer = answer
        return answer

    def conversation_exists(self, conversation_id: str) -> bool:
        """Whether ``conversation_id`` is a stored conversation."""
        return self.app.conversations.exists(conversation_id)

    def wait_for_demo(self) -> None:
        """Return once the demo (if it is loading) has finished; a short wait keeps Ctrl-C responsive."""
        while self.demo is not None and not self.demo.wait(0.1):
            pass

    def close(self) -> None:
        if self._loader is not None:
            self._loader.close()

    # --- the tool console ----------------------------------------------------------------------------------

    def call_tool(self, name: str, pairs: list[str]) -> ToolResult:
        """Run one tool like ``opsbot call`` (today = the business date now), once the demo is in."""
        self.wait_for_demo()
        return call_tool(self.app.registry, self.app.tool_context(), name, pairs)


def usage_line(answer: Answer) -> str:
    """``2 model calls · 1 tool call · 9,438 tokens in (7,320 cached) / 118 out · $0.0034 · 2.3 s``."""
    stats = answer.stats
    usage = stats.usage
    tokens_in = usage.input_tokens + usage.cache_write_tokens + usage.cache_read_tokens
    return " · ".join(
        [
            f"{stats.model_calls} model call{'s' * (stats.model_calls != 1)}",
            f"{stats.tool_calls} tool call{'s' * (stats.tool_calls != 1)}",
            f"{tokens_in:,} tokens in ({usage.cache_read_tokens:,} cached) / {usage.output_tokens:,} out",
            dollars(stats.cost_microusd),
            f"{stats.total_seconds:.1f} s",
        ]
    )
