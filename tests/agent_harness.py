"""Build agents over the synced demo store for tests, with a fixed today (Tuesday 24 November 2026)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import Engine

from bot.agent.conversation_store import ConversationStore
from bot.agent.factory import assemble_agent
from bot.agent.loop import Agent, AgentConfig
from bot.agent.model import ModelClient
from tests.fakes.messages_api_rules import conversation_problem
from tools.analytics.readonly import open_readonly
from tools.registry import default_registry
from tools.result_tables import parse_result

TODAY = date(2026, 11, 24)


def agent_on(
    engine: Engine, model: ModelClient, *, extra_tools: Iterable[Callable] = (), today: date = TODAY, **config
) -> Agent:
    """An agent on the store behind ``engine`` (conversations written there, tools read-only), with the
    installed tools plus ``extra_tools``, on the business day ``today``."""
    registry = default_registry()
    for function in extra_tools:
        registry.register(function, source="test")
    tools_engine = open_readonly(engine.url.render_as_string(hide_password=False))
    return assemble_agent(
        conversations=ConversationStore(engine),
        tools_engine=tools_engine,
        model=model,
        config=AgentConfig(**{"model": "claude-haiku-4-5", **config}),
        today=lambda: today,
        registry=registry,
    )


def stored_conversation(agent: Agent, conversation_id: str) -> list[dict]:
    """The stored messages as the API would receive them, checked against the API's rules."""
    messages = [m.api_message() for m in agent.store.messages(conversation_id)]
    assert conversation_problem(messages) is None, conversation_problem(messages)
    return messages


def result_of(message: dict, index: int = 0) -> dict:
    """The parsed JSON of a tool_result block in a user message."""
    blocks = [b for b in message["content"] if b.get("type") == "tool_result"]
    return parse_result(blocks[index]["content"])
