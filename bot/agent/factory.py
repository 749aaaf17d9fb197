"""Put an agent together from its parts: the conversation store, the read-only tools engine, the tools, the
model and the business profile."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from sqlalchemy import Engine

from bot.agent.conversation_store import ConversationStore
from bot.agent.loop import Agent, AgentConfig, Business
from bot.agent.model import ModelClient
from bot.agent.prompt import stable_system_text
from tools.analytics.business_info import business_profile
from tools.analytics.calendar_filters import DEFAULT_DAY_PARTS, DayPart
from tools.analytics.scope import business_today
from tools.registry import ToolContext, ToolRegistry, default_registry
from tools.store.freshness import data_freshness


def assemble_agent(
    *,
    conversations: ConversationStore,
    tools_engine: Engine,
    model: ModelClient,
    config: AgentConfig,
    week_start: int = 0,
    day_parts: tuple[DayPart, ...] = DEFAULT_DAY_PARTS,
    options: Mapping[str, str] | None = None,
    today: Callable[[], date] | None = None,
    registry: ToolRegistry | None = None,
) -> Agent:
    """An agent writing to ``conversations`` and running the installed tools on the read-only
    ``tools_engine`` (``registry``: default, every installed plugin's); ``today`` defaults to the business
    date now in Location 1's timezone. Each answer's sources line reads the data's freshness there too."""
    profile = business_profile(tools_engine)
    timezone = profile["locations"][0]["timezone"] if profile["locations"] else "UTC"
    current_day = today or (lambda: business_today(tools_engine))
    return Agent(
        model=model,
        registry=registry or default_registry(),
        store=conversations,
        context_factory=lambda: ToolContext(
            engine=tools_engine,
            today=current_day(),
            week_start=week_start,
            day_parts=day_parts,
            options=options or {},
        ),
        business=Business(stable_system_text(profile), timezone),
        config=config,
        freshness=lambda: data_freshness(tools_engine),
    )
