"""Build the one agent the front ends share: store, tools, model and business profile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from bot.agent.conversation_store import ConversationStore
from bot.agent.loop import Agent, AgentConfig, Business
from bot.agent.model import ModelClient
from bot.agent.prompt import stable_system_text
from bot.settings import Settings
from tools.registry import ToolRegistry


def assemble_agent(
    *,
    store_engine: Engine,
    tools_engine: Engine,
    model: ModelClient,
    config: AgentConfig,
    week_start: int = 0,
    today: Callable[[], date] | None = None,
    registry: ToolRegistry | None = None,
) -> Agent:
    """An agent writing conversations through ``store_engine`` and running the installed tools on the
    read-only ``tools_engine`` (``registry``: default, every installed plugin's); ``today`` defaults to the
    business date now in Location 1's timezone."""
    from tools.analytics.business_info import business_profile
    from tools.analytics.scope import business_today
    from tools.registry import ToolContext, default_registry

    profile = business_profile(tools_engine)
    timezone = profile["locations"][0]["timezone"] if profile["locations"] else "UTC"
    current_day = today or (lambda: business_today(tools_engine))
    return Agent(
        model=model,
        registry=registry or default_registry(),
        store=ConversationStore(store_engine),
        context_factory=lambda: ToolContext(engine=tools_engine, today=current_day(), week_start=week_start),
        business=Business(stable_system_text(profile), timezone),
        config=config,
    )


def build_agent(settings: Settings, model: ModelClient | None = None, model_name: str | None = None) -> Agent:
    """The configured agent. ``model`` defaults to Claude through the SDK, which needs ANTHROPIC_API_KEY (a
    ``ModelError`` says how to set it); tests and benchmarks pass a ``ScriptedModel``."""
    from tools.analytics.readonly import open_readonly
    from tools.store.database import open_store

    if model is None:
        from bot.agent.anthropic_model import AnthropicModel

        model = AnthropicModel(settings.model)
    return assemble_agent(
        store_engine=open_store(settings.database_url),
        tools_engine=open_readonly(settings.database_url, settings.query_timeout_seconds),
        model=model,
        config=AgentConfig(
            model=model_name or settings.model.name,
            max_tokens=settings.model.max_tokens,
            max_steps=settings.model.max_steps,
            context_budget_tokens=settings.model.context_budget_tokens,
        ),
        week_start=settings.week_start,
    )
