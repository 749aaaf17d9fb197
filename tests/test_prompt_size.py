"""``opsbot prompt-size`` as a user runs it: counted by the fake Messages API's count_tokens through the real
SDK when a key is set (exact figures from the fake's deterministic counts), an estimate without one."""

from __future__ import annotations

import pytest

from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.support.cli import opsbot


@pytest.fixture
def sqlite_demo(demo_store):
    engine, _ = demo_store
    return engine.url.render_as_string(hide_password=False)


def money(microusd: float) -> str:
    return f"${round(microusd) / 1_000_000:.6f}"


def haiku_5_5(input_tokens: int, output: int, write: int = 0, read: int = 0) -> int:
    """One call on Haiku 5.5 at its lower band (prompts up to 100,000 tokens), by hand."""
    assert input_tokens + write + read <= 100_000
    return round(input_tokens * 0.10 + output * 0.50 + write * 0.125 + read * 0.01)


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_prompt_size_counts_with_the_api_and_prices_one_question(sqlite_demo, tmp_path):
    with FakeAnthropic() as api:
        env = {"DATABASE_URL": sqlite_demo, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        run = opsbot("prompt-size", cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    with_prefix, bare, first, second = api.requests
    assert {r.path for r in api.requests} == {"/v1/messages/count_tokens"} and bare.body.get("tools") == []
    prefix = FakeAnthropic.count_of(with_prefix.body) - FakeAnthropic.count_of(bare.body)
    c1, c2 = FakeAnthropic.count_of(first.body), FakeAnthropic.count_of(second.body)
    result = second.body["messages"][-1]["content"][0]["content"]
    assert 1_400 <= len(result) <= 1_600
    tools = len(with_prefix.body["tools"])
    unknown = "unknown (the model's minimum is not published)"
    without = haiku_5_5(c1, 60) + haiku_5_5(c2, 180)
    cold = haiku_5_5(0, 60, write=c1) + haiku_5_5(0, 180, write=c2 - c1, read=c1)
    warm = haiku_5_5(0, 60, write=c1 - prefix, read=prefix) + haiku_5_5(0, 180, write=c2 - c1, read=c1)
    assumed = " (assuming the breakpoints engage)"
    assert run.stdout.splitlines() == [
        "Model: claude-haiku-5-5 · effort: the model's default (medium)",
        "Counted by: the API's messages.count_tokens",
        f"Stable prefix ({tools} tool schemas + the stable system block): {prefix:,} tokens",
        "Minimum cacheable prompt on claude-haiku-5-5: not published in the docs read",
        f"Prefix breakpoint: {unknown}",
        f"Conversation breakpoint at the question: {c1:,} tokens, {unknown}",
        f"Conversation breakpoint after the first tool round: {c2:,} tokens, {unknown}",
        f"One question: 2 model calls, one {len(result):,}-character tool result, 60 + 180 output tokens "
        "(thinking not counted):",
        f"  without caching:                                    {money(without)}",
        f"  with caching, prefix not yet cached:                {money(cold)}{assumed}",
        f"  with caching, prefix cached by an earlier question: {money(warm)}{assumed}",
    ]
    assert warm < cold < without


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_prompt_size_without_a_key_is_an_estimate_and_judges_a_published_minimum(sqlite_demo, tmp_path):
    env = {"DATABASE_URL": sqlite_demo, "OPSBOT_MODEL": "claude-haiku-4-5"}
    run = opsbot("prompt-size", cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Model: claude-haiku-4-5 · effort: the model's default (none)"
    assert lines[1] == (
        "Counted by: an estimate (~3.5 characters per token); set ANTHROPIC_API_KEY to count with the API"
    )
    assert lines[3] == "Minimum cacheable prompt on claude-haiku-4-5: 4,096 tokens"
    prefix = int(lines[2].rsplit(": ", 1)[1].removesuffix(" tokens").replace(",", ""))
    sign, verdict = ("≥", "engages") if prefix >= 4_096 else ("<", "does not engage")
    assert lines[4] == f"Prefix breakpoint: {verdict} ({prefix:,} {sign} 4,096)"
    assert "(assuming" not in run.stdout
