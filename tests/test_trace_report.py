"""``opsbot usage`` and ``opsbot trace`` renderings, on a store with known rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.agent.context_budget import tool_results
from bot.agent.conversation_store import ConversationStore
from bot.agent.scripted_model import ScriptedModel, call, say
from bot.agent.trace_report import render_trace, render_usage
from tests.agent_harness import agent_on

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def _call(store, conversation, turn, step, model, tokens, cost, started, error=None):
    return store.record_model_call(
        conversation_id=conversation,
        turn_id=turn,
        step=step,
        model=model,
        stop_reason=None if error else "end_turn",
        input_tokens=tokens[0],
        output_tokens=tokens[1],
        cache_write_tokens=tokens[2],
        cache_read_tokens=tokens[3],
        cost_microusd=cost,
        attempts=1 if error is None else 3,
        seconds=0.5,
        error=error,
        started_at=started,
    )


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_usage_sums_tokens_and_cost_per_day_and_model(engine):
    store = ConversationStore(engine)
    conversation = store.ensure(None, "test", "usage")
    turn = store.start_turn(conversation, "q", "claude-haiku-4-5")
    day1, day2 = datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 24, 9, tzinfo=UTC)
    _call(store, conversation, turn, 1, "claude-haiku-4-5", (100, 10, 4000, 0), 5150, day1)
    _call(store, conversation, turn, 2, "claude-haiku-4-5", (200, 20, 0, 4000), 700, day1)
    _call(
        store, conversation, turn, 3, "claude-haiku-4-5", (0, 0, 0, 0), 0, day2, error="overloaded: HTTP 529"
    )
    report = render_usage(engine, days=7, now=NOW).splitlines()
    assert report[0] == "Model usage since 2026-11-18"
    assert report[2].split() == [
        "2026-11-23",
        "claude-haiku-4-5",
        "1",
        "2",
        "0",
        "300",
        "4,000",
        "4,000",
        "30",
        "0.50s",
        "$0.0059",
    ]
    assert report[3].split()[:5] == ["2026-11-24", "claude-haiku-4-5", "1", "1", "1"]
    assert report[-1] == "Total cost: $0.0059"
    assert (
        render_usage(engine, days=1, now=datetime(2026, 12, 30, tzinfo=UTC))
        == "No model calls since 2026-12-30."
    )


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_trace_shows_failed_calls_with_their_attempts_and_an_unknown_id_is_none(engine):
    store = ConversationStore(engine)
    conversation = store.ensure("c-trace00001", "test", "trace")
    turn = store.start_turn(conversation, "How was Monday?", "claude-haiku-4-5")
    _call(
        store, conversation, turn, 1, "claude-haiku-4-5", (0, 0, 0, 0), 0, NOW, error="overloaded: HTTP 529"
    )
    store.finish_turn(turn, "failed", None, "The model service is overloaded; try again in a minute.")
    trace = render_trace(engine, conversation)
    assert "── Question 1 · " in trace and " · failed · model claude-haiku-4-5" in trace
    assert "  model call 1 · failed after 0.50 s · 3 attempts · overloaded: HTTP 529" in trace
    assert "  error: The model service is overloaded; try again in a minute." in trace
    assert render_trace(engine, "c-nothere000") is None


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_trace_shows_the_provenance_verdict_of_each_answer(demo_store):
    engine, _ = demo_store

    def quoting(request):
        (result, _), *_ = tool_results(request.messages[-1])
        totals = result["totals"]
        return say(f"Net sales {totals['net_sales']}, {totals['orders']:,} orders, tips {totals['tips']}.")

    script = [call("sales_report", period="last Saturday"), quoting, say("That is $1,234 and 15% more.")]
    agent = agent_on(engine, ScriptedModel(script))
    first = agent.answer(None, "Sales last Saturday?")
    agent.answer(first.conversation_id, "And compared with a week before?")
    agent.close()
    trace = render_trace(engine, first.conversation_id)
    assert "  provenance: all 3 figures found in the tool results" in trace.splitlines()
    assert "  provenance: 2 of 2 figures not found in the tool results: $1,234, 15%" in trace.splitlines()
    assert trace.index("all 3 figures") < trace.index("── Question 2") < trace.index("2 of 2 figures")
