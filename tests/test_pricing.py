"""Prices: every model the installed SDK lists is priced or explicitly unpriced, and costs are exact per band,
per dated price change and per dated model id."""

from __future__ import annotations

import typing
from datetime import date

from anthropic.types.model import Model
from hypothesis import given
from hypothesis import strategies as st

from bot.agent.model import Usage
from bot.agent.model_catalog import facts_for
from bot.agent.pricing import HAIKU_5_5_BAND_LIMIT, UNPRICED, add_cost, alias_of, cost_microusd, price_for


def sdk_models() -> list[str]:
    """The model ids the installed SDK's ``Model`` type lists (its Literal member)."""
    (literal,) = [arg for arg in typing.get_args(Model) if typing.get_origin(arg) is typing.Literal]
    return list(typing.get_args(literal))


def test_every_model_the_sdk_lists_is_priced_or_explicitly_unpriced_and_has_facts():
    models = sdk_models()
    assert "claude-haiku-5-5" in models and len(models) >= 20
    unknown = [m for m in models if price_for(m) is None and alias_of(m) not in UNPRICED]
    assert unknown == [], f"price these models in bot/agent/pricing.py (or list them in UNPRICED): {unknown}"
    assert [m for m in models if facts_for(m) is None] == []
    assert [m for m in models if price_for(m) is None] == ["claude-mythos-5-2", "claude-mythos-preview"]


def test_haiku_5_5_costs_in_each_band():
    # prompt 9,000 tokens: $0.10 in, $0.50 out, $0.125 5-minute write, $0.01 read per million
    assert cost_microusd("claude-haiku-5-5", Usage(1_000, 200, 3_000, 5_000)) == 100 + 100 + 375 + 50
    # prompt 110,000 tokens (cache reads and writes count): every token at $0.50 / $2.50 / $0.625 / $0.05
    assert (
        cost_microusd("claude-haiku-5-5", Usage(50_000, 1_000, 20_000, 40_000))
        == 25_000 + 2_500 + 12_500 + 2_000
    )
    # the band edge: exactly 100,000 is the lower band, one token more is the upper
    assert cost_microusd("claude-haiku-5-5", Usage(100_000, 0)) == 10_000
    assert cost_microusd("claude-haiku-5-5", Usage(100_000, 10, 1, 0)) == 50_026  # 50,000 + 25 + 0.625


def test_flat_prices_dated_ids_and_a_dated_price_change():
    usage = Usage(1_000, 1_000, 1_000, 1_000)
    assert cost_microusd("claude-opus-5-5", usage) == 4_000 + 20_000 + 5_000 + 200
    assert cost_microusd("claude-fable-5-1", usage) == 10_000 + 50_000 + 12_500 + 250
    assert (
        cost_microusd("claude-haiku-4-5-20251001", usage) == cost_microusd("claude-haiku-4-5", usage) == 7_350
    )
    reads = Usage(cache_read_tokens=10_000)
    assert cost_microusd("claude-sonnet-5-5", reads, on=date(2026, 10, 6)) == 2_000
    assert cost_microusd("claude-sonnet-5-5", reads, on=date(2026, 10, 7)) == 1_000
    assert price_for("claude-haiku-5-5").bands[0].price.cache_write_1h == 0.20


def test_unpriced_and_unknown_models_cost_unknown():
    assert cost_microusd("claude-mythos-preview", Usage(10, 10)) is None
    assert cost_microusd("claude-mythos-5-2", Usage(10, 10)) is None
    assert cost_microusd("gpt-4o", Usage(10, 10)) is None
    assert add_cost(5, None) is None and add_cost(None, 5) is None and add_cost(5, 7) == 12


@given(st.integers(0, 150_000), st.integers(0, 5_000), st.integers(0, 150_000), st.integers(0, 150_000))
def test_haiku_5_5_band_follows_the_prompt_size(input_tokens, output_tokens, write, read):
    usage = Usage(input_tokens, output_tokens, write, read)
    low = input_tokens + write + read <= HAIKU_5_5_BAND_LIMIT
    rates = (0.10, 0.50, 0.125, 0.01) if low else (0.50, 2.50, 0.625, 0.05)
    expected = input_tokens * rates[0] + output_tokens * rates[1] + write * rates[2] + read * rates[3]
    assert cost_microusd("claude-haiku-5-5", usage) == round(expected)
