"""The one application object per process: the settings, the store (opened and migrated once), the read-only
engine the tools run on, the tool registry, the conversation store, chat-message de-duplication, the answers'
votes and the agent. Every front end (the REPL, ``opsbot ask``/``call``/``tools``, Slack, ``opsbot serve``)
is handed one and talks to it, never to tables. Each part is built on first use, once, from any thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import Engine

from bot.agent.chat_events import claim_chat_event
from bot.agent.conversation_store import ConversationReader, ConversationStore
from bot.agent.factory import assemble_agent
from bot.agent.loop import Agent, AgentConfig
from bot.agent.model import ModelClient
from bot.agent.trace_report import render_trace, render_usage
from bot.feedback.store import FeedbackStore
from bot.settings import Settings
from tools.analytics.readonly import open_readonly
from tools.analytics.scope import business_today
from tools.registry import ToolContext, ToolRegistry, default_registry
from tools.store.database import open_store
from tools.store.summary import StoreSummary, summarize

T = TypeVar("T")


class _Once(Generic[T]):
    """A value built on the first ``get``, once, even when several threads ask at the same time."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._built = False
        self._value: T | None = None

    def get(self) -> T:
        """The value, built now if it is not yet."""
        with self._lock:
            if not self._built:
                self._value = self._build()
                self._built = True
            return self._value  # type: ignore[return-value]

    def built(self) -> T | None:
        """The value when it has been built, else None (never builds)."""
        with self._lock:
            return self._value if self._built else None


class Application:
    """Everything a front end needs, built once per process from ``settings``."""

    def __init__(
        self, settings: Settings, *, store: Engine | None = None, agent: Agent | None = None
    ) -> None:
        """``store``: an already opened store engine, ``agent``: answer with this one (tests); by default
        both are built from ``settings`` on first use (the agent needs ANTHROPIC_API_KEY)."""
        self.settings = settings
        self._store = _Once(lambda: store or open_store(settings.database_url))
        self._tools_engine = _Once(
            lambda: open_readonly(
                self.store.url.render_as_string(hide_password=False), self.settings.query_timeout_seconds
            )
        )
        self._registry = _Once(default_registry)
        self._conversations = _Once(lambda: ConversationStore(self.store))
        self._feedback = _Once(lambda: FeedbackStore(self.store))
        self._agent = _Once(lambda: agent or self._build_agent())
        self._injected_agent = agent is not None
        self._owns_store = store is None

    @property
    def store(self) -> Engine:
        """The read-write store, opened (and migrated) on first use."""
        return self._store.get()

    @property
    def tools_engine(self) -> Engine:
        """The read-only engine every tool call runs on."""
        return self._tools_engine.get()

    @property
    def registry(self) -> ToolRegistry:
        """The tools of every installed plugin, loaded once."""
        return self._registry.get()

    @property
    def conversations(self) -> ConversationStore:
        """The stored conversations, written by the agent and read by the front ends."""
        return self._conversations.get()

    @property
    def feedback(self) -> FeedbackStore:
        """The votes people give answers (and their comments), stored with each answer's turn."""
        return self._feedback.get()

    @property
    def history(self) -> ConversationReader:
        """Read-only views of the stored conversations (listings, turns, usage)."""
        return ConversationReader(self.store)

    def summary(self) -> StoreSummary:
        """What the store holds now: the business, its locations and their orders."""
        return summarize(self.store)

    def tool_context(self, today: date | None = None) -> ToolContext:
        """A context for one tool call on the read-only engine; ``today`` defaults to the business date."""
        engine = self.tools_engine
        return ToolContext(
            engine=engine,
            today=today or business_today(engine),
            week_start=self.settings.week_start,
            day_parts=self.settings.day_parts,
            options=self.settings.plugin_options,
        )

    @property
    def can_answer(self) -> bool:
        """False when no model is configured (no API key): only the tools work."""
        return self._injected_agent or bool(self.settings.model.api_key)

    def agent(self) -> Agent:
        """The one agent of this process, built on first use; raises ``ModelError`` (no API key) saying what
        to set. It answers with any model name given to ``Agent.answer(model=…)``."""
        return self._agent.get()

    def _build_agent(self) -> Agent:
        # Imported here: the anthropic SDK takes ~1.8 s to import (python -X importtime), and the REPL shows
        # its prompt before the agent is built on a background thread.
        from bot.agent.anthropic_model import AnthropicModel

        return self.agent_with(AnthropicModel(self.settings.model))  # without an API key it raises first

    def agent_with(self, model: ModelClient, today: Callable[[], date] | None = None) -> Agent:
        """A new agent answering with ``model`` on this process's store, tools and settings (``today``:
        the business date by default)."""
        model_settings = self.settings.model
        return assemble_agent(
            conversations=self.conversations,
            tools_engine=self.tools_engine,
            model=model,
            config=AgentConfig(
                model=model_settings.name,
                max_tokens=model_settings.max_tokens,
                max_steps=model_settings.max_steps,
                max_question_chars=model_settings.max_question_chars,
                context_budget_tokens=model_settings.context_budget_tokens,
                effort=model_settings.effort,
                busy_wait_seconds=model_settings.timeout_seconds,
            ),
            week_start=self.settings.week_start,
            day_parts=self.settings.day_parts,
            options=self.settings.plugin_options,
            today=today,
            registry=self.registry,
        )

    def claim_chat_event(
        self,
        platform: str,
        *,
        message_key: str,
        event_id: str | None,
        event_type: str,
        user_id: str | None,
        conversation_id: str | None,
    ) -> bool:
        """True for the first delivery of a chat message, False for every later one (across processes)."""
        return claim_chat_event(
            self.store,
            platform,
            message_key=message_key,
            event_id=event_id,
            event_type=event_type,
            user_id=user_id,
            conversation_id=conversation_id,
        )

    def trace(self, conversation_id: str) -> str | None:
        """A conversation's questions, model calls, tool calls and answers as text; None when unknown."""
        return render_trace(self.store, conversation_id)

    def usage(self, days: int = 30) -> str:
        """Tokens and cost per day and model over the last ``days`` days, as a table."""
        return render_usage(self.store, days=days)

    def close(self) -> None:
        """Stop the agent's workers and close the engines that were opened."""
        agent = self._agent.built()
        if agent is not None:
            agent.close()
        tools_engine = self._tools_engine.built()
        if tools_engine is not None:
            tools_engine.dispose()
        store = self._store.built()
        if store is not None and self._owns_store:
            store.dispose()
