"""The agent through the real ``anthropic`` SDK against a local fake Messages API (real HTTP, JSON and SSE):
exact payloads, streaming, injected faults, and conversations that continue after every one of them."""

from __future__ import annotations

import json
import re

import anthropic
import pytest

from bot.agent.anthropic_model import AnthropicModel
from bot.agent.context_budget import tool_results
from bot.agent.model import ModelError
from bot.agent.scripted_model import ScriptStep, call, say
from bot.settings import ModelSettings
from tests.agent_harness import agent_on, stored_conversation
from tests.conftest import BLOCKED_ATTEMPTS, NetworkGuardError
from tests.fakes.anthropic_server import (
    OVERLOADED,
    RATE_LIMITED,
    SERVER_ERROR,
    VALID_KEY,
    CutStream,
    FakeAnthropic,
    Fault,
    Hang,
    StreamError,
)

sqlite_only = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)


def claude(api: FakeAnthropic, **overrides) -> AnthropicModel:
    settings = {
        "api_key": VALID_KEY,
        "base_url": api.url,
        "max_retries": 2,
        "timeout_seconds": 10.0,
        **overrides,
    }
    return AnthropicModel(ModelSettings(**settings))


@pytest.fixture
def api():
    with FakeAnthropic() as fake:
        yield fake


@sqlite_only
def test_the_exact_request_the_sdk_sends_and_the_streamed_answer(demo_store, api):
    engine, _ = demo_store
    api.queue(say("Hello from the fake API, streamed in pieces."), say("Hello again."))
    pieces = []
    agent = agent_on(engine, claude(api))
    answer = agent.answer(None, "hi", lambda e: pieces.append(getattr(e, "text", None)))
    assert answer.ok and answer.text == "Hello from the fake API, streamed in pieces."
    assert [p for p in pieces if p] == ["Hello from the f", "ake API, streame", "d in pieces."]
    (request,) = api.requests[:1]
    assert request.path == "/v1/messages"
    assert request.headers["authorization"] == f"Bearer {VALID_KEY}"  # how the 2.x SDK sends an API key
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", request.headers["anthropic-version"])
    body = request.body
    assert set(body) == {"model", "max_tokens", "system", "tools", "messages", "stream"}
    assert (body["model"], body["max_tokens"], body["stream"]) == ("claude-haiku-4-5", 2048, True)
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}
    ]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["system"][1] == {
        "type": "text",
        "text": "Today is Tuesday 2026-11-24 (America/New_York, Location 1's timezone).",
    }
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][0] == {**agent.registry.schemas()[0]}
    stats = answer.stats
    assert stats.usage.cache_write_tokens > 0 and stats.usage.cache_read_tokens == 0
    second = agent.answer(answer.conversation_id, "again")  # same prefix: read from the cache
    assert second.stats.usage.cache_read_tokens == stats.usage.cache_write_tokens


@sqlite_only
def test_a_tool_round_trip_over_the_wire(demo_store, api):
    engine, _ = demo_store

    def analyst(body):
        results = tool_results(body["messages"][-1])
        if not results:
            return call("sales_report", start_date="2026-11-21", end_date="2026-11-21")
        (result, _), *_ = results
        return say(f"Net sales on {result['period']['start']}: {result['totals']['net_sales']}.")

    api.responder = analyst
    answer = agent_on(engine, claude(api)).answer(None, "Net sales last Saturday?")
    assert answer.ok and answer.text.startswith("Net sales on 2026-11-21: $")
    tool_use = api.requests[1].body["messages"][1]["content"][0]
    assert tool_use["type"] == "tool_use" and tool_use["input"] == {
        "start_date": "2026-11-21",
        "end_date": "2026-11-21",
    }
    result = api.requests[1].body["messages"][2]["content"][0]
    assert result["tool_use_id"] == tool_use["id"]
    assert json.loads(result["content"])["totals"]["net_sales"] in answer.text


@sqlite_only
@pytest.mark.parametrize(
    ("faults", "retries", "sentence", "attempts"),
    [
        ([OVERLOADED] * 3, 2, "The model service is overloaded; try again in a minute.", 3),
        ([RATE_LIMITED] * 2, 1, "The model service is rate-limiting this API key; try again in a minute.", 2),
        ([SERVER_ERROR] * 3, 2, "The model service had an internal error; try again shortly.", 3),
        ([StreamError("overloaded_error")], 0, "The model service is overloaded; try again in a minute.", 1),
        (
            [CutStream("Net sales were")],
            2,
            "The connection to the model service broke off in the middle of the answer; try again.",
            1,
        ),
        ([Hang(3.0)], 0, "The model service did not answer within 0.5 s; try again.", 1),
        (
            [Fault(400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum", None)],
            2,
            "The model service rejected the request: prompt is too long: 250000 tokens > 200000 maximum",
            1,
        ),
    ],
    ids=["529", "429", "500", "sse-error", "stream-cut", "timeout", "400"],
)
def test_a_failure_after_retries_is_one_sentence_and_the_conversation_continues(
    demo_store, api, faults, retries, sentence, attempts
):
    engine, _ = demo_store
    agent = agent_on(engine, claude(api, max_retries=retries, timeout_seconds=0.5))
    api.queue(call("business_info"), *faults)  # the fault hits the call after a tool round
    failed = agent.answer(None, "Which locations do I have?")
    assert (failed.status, failed.text) == ("failed", sentence)
    after_tool = [r for r in api.requests if len(r.body["messages"]) == 3]
    assert len(after_tool) == attempts
    assert [r.retry_count for r in after_tool] == list(range(attempts))
    stored_conversation(agent, failed.conversation_id)  # valid for the API

    api.queue(say("All four are open."))
    again = agent.answer(failed.conversation_id, "Try again")
    assert again.ok and again.text == "All four are open."
    last = api.requests[-1]
    assert last.status == 200  # the fake API (which enforces tool_use/tool_result pairing) accepted it
    assert last.body["messages"][0]["content"][0]["text"] == "Which locations do I have?"
    assert [m["role"] for m in last.body["messages"]] == ["user", "assistant", "user", "assistant", "user"]


@sqlite_only
def test_a_rate_limit_that_clears_is_retried_invisibly(demo_store, api):
    engine, _ = demo_store
    api.queue(RATE_LIMITED, say("Done."))
    agent = agent_on(engine, claude(api))
    answer = agent.answer(None, "Anything")
    assert answer.ok and answer.text == "Done."
    assert [(r.status, r.retry_count) for r in api.requests] == [(429, 0), (200, 1)]
    from bot.agent.conversation_store import ConversationReader

    (call_row,) = ConversationReader(engine).model_calls(answer.conversation_id)
    assert call_row.attempts == 2 and call_row.error is None


@sqlite_only
def test_a_bad_api_key_is_named(demo_store, api):
    engine, _ = demo_store
    agent = agent_on(engine, claude(api, api_key="sk-ant-wrong"))
    answer = agent.answer(None, "hello")
    assert answer.text == "The model service rejected the API key; check ANTHROPIC_API_KEY in .env."
    assert [r.status for r in api.requests] == [401]


def test_a_missing_key_is_explained_before_any_call():
    with pytest.raises(ModelError, match="ANTHROPIC_API_KEY is not set") as caught:
        AnthropicModel(ModelSettings(api_key=None))
    assert ".env" in caught.value.user_message


def test_the_fake_api_refuses_an_unanswered_tool_use_like_the_real_one(api):
    client = anthropic.Anthropic(api_key=VALID_KEY, base_url=api.url, max_retries=0)
    dangling = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "x", "input": {}}]},
        {"role": "user", "content": "and?"},
    ]
    with pytest.raises(anthropic.BadRequestError, match="`tool_use` ids were found without `tool_result`"):
        client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=dangling)


def test_no_test_can_reach_the_real_api():
    client = anthropic.Anthropic(
        api_key="sk-ant-real-looking", base_url="https://api.anthropic.com", max_retries=0
    )
    before = len(BLOCKED_ATTEMPTS)
    with pytest.raises(anthropic.APIConnectionError) as caught:
        client.messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    chain, error = [], caught.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(e, NetworkGuardError) for e in chain)
    assert BLOCKED_ATTEMPTS[before:] == ["api.anthropic.com"]


def test_script_steps_become_the_api_content_blocks():
    step = ScriptStep(text="Checking.", tool_calls=(("sales_report", {"period": "today"}),))
    ids = iter(["toolu_a"])
    assert step.content(lambda: next(ids)) == [
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_a", "name": "sales_report", "input": {"period": "today"}},
    ]
    assert step.stop_reason == "tool_use"


@sqlite_only
def test_an_unknown_model_is_named_in_the_error(demo_store, api):
    engine, _ = demo_store
    api.queue(Fault(404, "not_found_error", "model: claude-nonexistent", None))
    answer = agent_on(engine, claude(api)).answer(None, "hi", model="claude-nonexistent")
    assert answer.text == (
        "The model 'claude-nonexistent' is not available to this API key; check OPSBOT_MODEL."
    )
    assert api.requests[0].body["model"] == "claude-nonexistent"


def test_the_base_url_comes_from_the_settings_only():
    # conftest sets ANTHROPIC_BASE_URL in this process; the settings object is the only reader of it.
    default = AnthropicModel(ModelSettings(api_key=VALID_KEY, base_url=None))
    assert str(default.client.base_url).rstrip("/") == "https://api.anthropic.com"
    gateway = AnthropicModel(ModelSettings(api_key=VALID_KEY, base_url="http://127.0.0.1:8080"))
    assert str(gateway.client.base_url).rstrip("/") == "http://127.0.0.1:8080"
