"""Prices per model, in US dollars per million tokens: the one place to update when Anthropic's change.

Read on 2026-12-01 from the official pages (third-party pages were used only as hints, marked below):
- https://platform.claude.com/docs/en/about-claude/pricing (the model price table: base input, 5-minute and
  1-hour cache writes, cache hits and refreshes, output)
- https://platform.claude.com/docs/en/models/overview (Fable 5.2 at $8 / $40, Haiku 5.5 "from $0.10 / $0.50")
- https://platform.claude.com/docs/en/models/haiku-5-5/overview (two bands: prompts up to 100,000 tokens and
  prompts over 100,000 tokens; every token of a request, output included, is billed at its band's rate)
- https://platform.claude.com/docs/en/models/opus-5-5/overview, .../sonnet-5-5/overview,
  .../sonnet-5/overview, .../opus-5/overview, .../fable-5/overview, .../fable-5-1/overview
Not on the official pages read for this table; taken from third-party price trackers that cite the pricing
page: Fable 5.2's cache prices ($10 / $16 writes, $0.20 reads — the same 1.25× / 2× / 0.025× of input as
Fable 5.1), Haiku 5.5's cache prices per band, and the cut of Sonnet 5.5's cache reads from $0.20 to $0.10
on 2026-10-07.
Claude Mythos 5.2 and Claude Mythos Preview have no public price (limited, invitation-only releases): they are
in ``UNPRICED`` and their cost shows as unknown rather than a guess.

A request's band is chosen from its prompt size: input + cache write + cache read tokens, which ``Usage``
holds per call. opsbot writes only 5-minute cache entries, so ``cache_write`` prices its cache writes; the
1-hour price is kept for completeness (``opsbot prompt-size`` and the evaluation harness compare with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.agent.model import Usage


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens of each kind, for one band of one model."""

    input: float
    output: float
    cache_write: float  # 5-minute cache write
    cache_write_1h: float
    cache_read: float  # cache hits and refreshes


@dataclass(frozen=True)
class Band:
    """The price of requests whose prompt is at most ``up_to_prompt_tokens`` (None: no upper limit)."""

    up_to_prompt_tokens: int | None
    price: Price


@dataclass(frozen=True)
class ModelPrice:
    """A model's price from ``effective_from`` on: one band, or several by prompt size (smallest first)."""

    bands: tuple[Band, ...]
    effective_from: date = date.min

    def for_prompt(self, prompt_tokens: int) -> Price:
        """The price of a request whose prompt is ``prompt_tokens`` long."""
        for band in self.bands:
            if band.up_to_prompt_tokens is None or prompt_tokens <= band.up_to_prompt_tokens:
                return band.price
        return self.bands[-1].price


def _flat(
    input_price: float, output: float, write_5m: float, write_1h: float, read: float, since: date = date.min
) -> ModelPrice:
    return ModelPrice((Band(None, Price(input_price, output, write_5m, write_1h, read)),), since)


_OPUS_4_5_TO_5 = _flat(5.0, 25.0, 6.25, 10.0, 0.50)
_FABLE_5 = _flat(10.0, 50.0, 12.50, 20.0, 1.0)
_FABLE_5_1 = _flat(10.0, 50.0, 12.50, 20.0, 0.25)
_SONNET_4 = _flat(3.0, 15.0, 3.75, 6.0, 0.30)
HAIKU_5_5_BAND_LIMIT = 100_000

# Each model's prices, oldest first; the one in force on a day is the last whose effective_from is not later.
PRICES: dict[str, tuple[ModelPrice, ...]] = {
    "claude-fable-5-2": (_flat(8.0, 40.0, 10.0, 16.0, 0.20),),
    "claude-haiku-5-5": (
        ModelPrice(
            (
                Band(HAIKU_5_5_BAND_LIMIT, Price(0.10, 0.50, 0.125, 0.20, 0.01)),
                Band(None, Price(0.50, 2.50, 0.625, 1.00, 0.05)),
            )
        ),
    ),
    "claude-sonnet-5-5": (
        _flat(2.0, 10.0, 2.50, 4.0, 0.20),
        _flat(2.0, 10.0, 2.50, 4.0, 0.10, since=date(2026, 10, 7)),
    ),
    "claude-fable-5-1": (_FABLE_5_1,),
    "claude-mythos-5-1": (
        _FABLE_5_1,
    ),  # the pricing page lists it (limited availability) at Fable 5.1's price
    "claude-opus-5-5": (_flat(4.0, 20.0, 5.0, 8.0, 0.20),),
    "claude-sonnet-5": (_flat(2.0, 10.0, 2.50, 4.0, 0.20),),
    "claude-fable-5": (_FABLE_5,),
    "claude-mythos-5": (_FABLE_5,),  # "shares Claude Fable 5's specifications and pricing"
    "claude-opus-5": (_OPUS_4_5_TO_5,),
    "claude-opus-4-8": (_OPUS_4_5_TO_5,),
    "claude-opus-4-7": (_OPUS_4_5_TO_5,),
    "claude-opus-4-6": (_OPUS_4_5_TO_5,),
    "claude-opus-4-5": (_OPUS_4_5_TO_5,),
    "claude-sonnet-4-6": (_SONNET_4,),
    "claude-sonnet-4-5": (_SONNET_4,),
    "claude-haiku-4-5": (_flat(1.0, 5.0, 1.25, 2.0, 0.10),),
}

# Models the SDK lists that have no public price: their cost is unknown (None), never invented.
UNPRICED: dict[str, str] = {
    "claude-mythos-5-2": "a limited release with no price on the pricing page",
    "claude-mythos-preview": "an invitation-only research preview with no public price",
}


def alias_of(model: str) -> str:
    """The alias of a dated id (``claude-haiku-4-5-20251001`` → ``claude-haiku-4-5``), else ``model``."""
    base, _, suffix = model.rpartition("-")
    return base if suffix.isdigit() and len(suffix) == 8 else model


def price_for(model: str, on: date | None = None) -> ModelPrice | None:
    """The price of ``model`` in force on ``on`` (default: today, UTC); dated ids use their alias's price;
    None when the model has no public price or is unknown."""
    history = PRICES.get(model) or PRICES.get(alias_of(model))
    if not history:
        return None
    day = on or datetime.now(UTC).date()
    in_force = [price for price in history if price.effective_from <= day]
    return in_force[-1] if in_force else history[0]


def prompt_tokens(usage: Usage) -> int:
    """The prompt size that picks a request's price band: input plus cache writes plus cache reads."""
    return usage.input_tokens + usage.cache_write_tokens + usage.cache_read_tokens


def cost_microusd(model: str, usage: Usage, on: date | None = None) -> int | None:
    """What one call's ``usage`` cost on ``model``, in millionths of a dollar; None when it has no price."""
    model_price = price_for(model, on)
    if model_price is None:
        return None
    price = model_price.for_prompt(prompt_tokens(usage))
    return round(
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_write_tokens * price.cache_write
        + usage.cache_read_tokens * price.cache_read
    )


def add_cost(total: int | None, cost: int | None) -> int | None:
    """A running cost total: unknown (None) as soon as one part has no price."""
    return None if total is None or cost is None else total + cost
