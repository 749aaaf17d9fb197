"""Prices per model, in US dollars per million tokens: the one place to update when Anthropic's change.

Source: Anthropic's pricing page (5-minute cache writes are 1.25× input, cache hits 0.1× input).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.agent.model import Usage


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_write: float
    cache_read: float


def _tier(input_price: float, output_price: float) -> Price:
    return Price(input_price, output_price, input_price * 1.25, input_price * 0.1)


PRICES: dict[str, Price] = {
    "claude-haiku-4-5": _tier(1.0, 5.0),
    "claude-sonnet-4-5": _tier(3.0, 15.0),
    "claude-sonnet-4-6": _tier(3.0, 15.0),
    "claude-opus-4-5": _tier(5.0, 25.0),
    "claude-opus-4-6": _tier(5.0, 25.0),
    "claude-opus-4-7": _tier(5.0, 25.0),
    "claude-opus-4-8": _tier(5.0, 25.0),
}


def price_for(model: str) -> Price | None:
    """The price of ``model``; dated ids (``claude-haiku-4-5-20251001``) use their alias's price."""
    if model in PRICES:
        return PRICES[model]
    base, _, suffix = model.rpartition("-")
    return PRICES.get(base) if suffix.isdigit() and len(suffix) == 8 else None


def cost_microusd(model: str, usage: Usage) -> int | None:
    """What ``usage`` cost on ``model``, in millionths of a dollar; None when the model has no price."""
    price = price_for(model)
    if price is None:
        return None
    return round(
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_write_tokens * price.cache_write
        + usage.cache_read_tokens * price.cache_read
    )


def add_cost(total: int | None, cost: int | None) -> int | None:
    """A running cost total: unknown (None) as soon as one part has no price."""
    return None if total is None or cost is None else total + cost
