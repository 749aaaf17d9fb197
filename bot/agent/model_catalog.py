"""What opsbot needs to know about each model besides its price: the context window, the minimum
cacheable prompt length, the ``output_config.effort`` levels it accepts and its default, its latency.

Read on 2026-12-01 from the official pages:
- https://platform.claude.com/docs/en/models/overview (latency: Haiku 5.5 "Fastest", Sonnet 5.5 "Fast",
  Opus 5.5 and Fable 5.2 "Moderate"; context windows; default effort high, medium for Opus 5.5 and Haiku 5.5)
- https://platform.claude.com/docs/en/build-with-claude/effort (the levels; ``max`` on Fable 5, Mythos 5,
  Opus 5, Opus 4.8, Mythos Preview, Opus 4.7, Opus 4.6, Sonnet 5, Sonnet 4.6; ``xhigh`` on Fable 5, Mythos 5,
  Opus 5, Opus 4.8, Opus 4.7, Sonnet 5; Opus 4.5 up to ``high``; no effort on Haiku 4.5)
- https://platform.claude.com/docs/en/models/haiku-5-5/overview ("adaptive thinking with the effort
  parameter"; the five levels low … max per Vercel's and Apidog's launch notes, third-party hints)
- https://platform.claude.com/docs/en/build-with-claude/prompt-caching ("Cache limitations": 512 tokens for
  Opus 5, Fable 5 and Mythos 5; 1,024 for Opus 4.8, Sonnet 5, Sonnet 4.6, Sonnet 4.5; 2,048 for Mythos Preview
  and Opus 4.7; 4,096 for Opus 4.6, Opus 4.5 and Haiku 4.5)
The minimum cacheable length of the 5.1, 5.2 and 5.5 models is not in any version of the caching
page read for this catalog: it is None (unknown) here, and ``opsbot prompt-size`` says so instead of
assuming one.
Fable 5.1 and Mythos 5.1 keep Fable 5's 512 per LiteLLM's launch note (a third-party hint). The effort
levels of Fable 5.1/5.2, Mythos 5.1/5.2, Opus 5.5 and Sonnet 5.5 follow their predecessors (every level),
as their pages describe no change.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.agent.pricing import alias_of
from bot.settings import EFFORT_LEVELS

_NO_XHIGH = ("low", "medium", "high", "max")
_UP_TO_HIGH = ("low", "medium", "high")


@dataclass(frozen=True)
class ModelFacts:
    """One model's limits and options, as the docs state them."""

    context_window: int
    min_cacheable_tokens: int | None  # None: not published in the docs read
    effort_levels: tuple[str, ...]  # empty: the model takes no effort option
    default_effort: str | None
    latency: str  # the docs' comparative latency: Fastest, Fast, Moderate, Slower ("—": not stated)


def _latest(min_cacheable: int | None, default_effort: str, latency: str) -> ModelFacts:
    return ModelFacts(1_000_000, min_cacheable, EFFORT_LEVELS, default_effort, latency)


CATALOG: dict[str, ModelFacts] = {
    "claude-fable-5-2": _latest(None, "high", "Moderate"),
    "claude-mythos-5-2": _latest(None, "high", "Moderate"),
    "claude-haiku-5-5": _latest(None, "medium", "Fastest"),
    "claude-sonnet-5-5": _latest(None, "high", "Fast"),
    "claude-fable-5-1": _latest(512, "high", "Slower"),
    "claude-opus-5-5": _latest(None, "medium", "Moderate"),
    "claude-mythos-5-1": _latest(512, "high", "Slower"),
    "claude-sonnet-5": _latest(1024, "high", "Fast"),
    "claude-fable-5": _latest(512, "high", "Slower"),
    "claude-mythos-5": _latest(512, "high", "Slower"),
    "claude-opus-5": _latest(512, "high", "Moderate"),
    "claude-opus-4-8": _latest(1024, "high", "Moderate"),
    "claude-opus-4-7": _latest(2048, "high", "Moderate"),
    "claude-mythos-preview": ModelFacts(1_000_000, 2048, _NO_XHIGH, "high", "—"),
    "claude-opus-4-6": ModelFacts(1_000_000, 4096, _NO_XHIGH, "high", "Moderate"),
    "claude-sonnet-4-6": ModelFacts(1_000_000, 1024, _NO_XHIGH, "high", "Fast"),
    "claude-haiku-4-5": ModelFacts(200_000, 4096, (), None, "Fastest"),
    "claude-opus-4-5": ModelFacts(200_000, 4096, _UP_TO_HIGH, "high", "Moderate"),
}


def facts_for(model: str) -> ModelFacts | None:
    """The facts of ``model`` (dated ids use their alias's); None for a model the catalog does not know."""
    return CATALOG.get(model) or CATALOG.get(alias_of(model))


def supports_effort(model: str, level: str) -> bool:
    """Whether ``model`` accepts ``output_config.effort = level`` (False for a model the catalog lacks)."""
    facts = facts_for(model)
    return facts is not None and level in facts.effort_levels
