"""The newer request options through the real SDK against the fake Messages API: OPSBOT_EFFORT sent only to
models that take the level, thinking blocks sent back to the model that wrote them and left out for another,
and token counting."""

from __future__ import annotations

import logging

import anthropic
import pytest

from bot.agent import prompt
from bot.agent.anthropic_model import AnthropicModel
from bot.agent.model import ModelError
from bot.agent.scripted_model import ScriptStep, say
from bot.settings import ModelSettings, SettingsError, load_settings
from tests.agent_harness import agent_on, stored_conversation
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic

sqlite_only = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)


def claude(api: FakeAnthropic, key: str = VALID_KEY) -> AnthropicModel:
    return AnthropicModel(ModelSettings(api_key=key, base_url=api.url, max_retries=0, timeout_seconds=10.0))


@pytest.fixture
def api():
    with FakeAnthropic() as fake:
        yield fake


def test_opsbot_effort_is_validated_with_one_line_naming_the_variable():
    assert load_settings(env_file=None, environ={}).model.effort is None
    assert load_settings(env_file=None, environ={"OPSBOT_EFFORT": " XHigh "}).model.effort == "xhigh"
    with pytest.raises(SettingsError) as error:
        load_settings(env_file=None, environ={"OPSBOT_EFFORT": "extreme"})
    assert (
        str(error.value) == "OPSBOT_EFFORT='extreme' — use low, medium, high, xhigh or max, or leave it unset"
    )


def test_effort_is_left_out_for_a_model_without_that_level_and_logged_once(caplog, monkeypatch):
    monkeypatch.setattr(prompt, "_EFFORT_NOT_SENT", set())  # once per process: start from none logged

    def request(model: str, effort: str):
        return prompt.build_request(
            model=model,
            max_tokens=10,
            stable_system="s",
            today_line="t",
            tools=[],
            messages=[],
            effort=effort,
        )

    assert request("claude-haiku-5-5", "xhigh").api_kwargs()["output_config"] == {"effort": "xhigh"}
    assert request("claude-opus-4-5-20251101", "high").effort == "high"
    with caplog.at_level(logging.WARNING, logger="bot.agent.prompt"):
        for _ in range(3):
            assert "output_config" not in request("claude-opus-4-6", "xhigh").api_kwargs()
            assert request("claude-haiku-4-5", "low").effort is None
    assert [r.getMessage() for r in caplog.records] == [
        "OPSBOT_EFFORT=xhigh is not sent to claude-opus-4-6: the model does not accept that effort level",
        "OPSBOT_EFFORT=low is not sent to claude-haiku-4-5: the model does not accept that effort level",
    ]


@sqlite_only
def test_the_effort_reaches_the_api_only_where_the_model_takes_it(demo_store, api):
    engine, _ = demo_store
    api.queue(say("One."), say("Two."))
    agent = agent_on(engine, claude(api), effort="low")
    agent.answer(None, "hi", model="claude-haiku-5-5")
    agent.answer(None, "hi", model="claude-haiku-4-5")
    first, second = (r.body for r in api.answered)
    assert (first["model"], first["output_config"]) == ("claude-haiku-5-5", {"effort": "low"})
    assert second["model"] == "claude-haiku-4-5" and "output_config" not in second


def test_the_fake_refuses_an_effort_level_the_api_does_not_know(api):
    client = anthropic.Anthropic(api_key=VALID_KEY, base_url=api.url, max_retries=0)
    with pytest.raises(anthropic.BadRequestError, match=r"output_config\.effort: Input should be 'low'"):
        client.messages.create(
            model="claude-haiku-5-5",
            max_tokens=10,
            messages=[{"role": "user", "content": "x"}],
            output_config={"effort": "extreme"},
        )


@sqlite_only
def test_thinking_blocks_go_back_to_their_model_and_are_left_out_for_another(demo_store, api):
    engine, _ = demo_store
    agent = agent_on(engine, claude(api))
    api.queue(
        ScriptStep(thinking="Checking the locations first.", tool_calls=(("business_info", {}),)),
        ScriptStep(thinking="", text="Four locations."),
        say("Still four."),
        say("Four, on Opus."),
    )
    first = agent.answer(None, "How many locations?", model="claude-sonnet-5-5")
    assert first.text == "Four locations."
    thinking = {
        "type": "thinking",
        "thinking": "Checking the locations first.",
        "signature": "fake-signature:claude-sonnet-5-5",
    }
    assert api.answered[1].body["messages"][1]["content"][0] == thinking  # sent back unchanged in the turn

    same = agent.answer(first.conversation_id, "Sure?", model="claude-sonnet-5-5")
    assert same.text == "Still four." and api.answered[2].body["messages"][1]["content"][0] == thinking

    other = agent.answer(first.conversation_id, "And on Opus?", model="claude-opus-5-5")
    assert other.ok and other.text == "Four, on Opus."
    sent = api.answered[3].body["messages"]
    assert [b["type"] for m in sent if m["role"] == "assistant" for b in m["content"]] == [
        "tool_use",
        "text",
        "text",
    ]
    stored = stored_conversation(agent, first.conversation_id)  # the store keeps every block
    assert stored[1]["content"][0] == thinking


def test_the_fake_refuses_another_models_thinking_block(api):
    client = anthropic.Anthropic(api_key=VALID_KEY, base_url=api.url, max_retries=0)
    foreign = {"type": "thinking", "thinking": "x", "signature": "fake-signature:claude-sonnet-5-5"}
    messages = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": [foreign, {"type": "text", "text": "b"}]},
        {"role": "user", "content": "c"},
    ]
    with pytest.raises(anthropic.BadRequestError, match="not produced by claude-opus-5-5"):
        client.messages.create(model="claude-opus-5-5", max_tokens=10, messages=messages)


def test_count_tokens_is_the_apis_count_with_the_same_checks(api):
    request = prompt.build_request(
        model="claude-haiku-5-5",
        max_tokens=100,
        stable_system="You are opsbot.",
        today_line="Today is Tuesday.",
        tools=[{"name": "t", "description": "d", "input_schema": {"type": "object"}}],
        messages=[{"role": "user", "content": "How many?"}],
        effort="low",
    )
    assert claude(api).count_tokens(request) == FakeAnthropic.count_of(api.requests[0].body) > 0
    (recorded,) = api.requests
    assert recorded.path == "/v1/messages/count_tokens" and recorded.status == 200
    assert "max_tokens" not in recorded.body and recorded.body["output_config"] == {"effort": "low"}
    with pytest.raises(ModelError) as error:
        claude(api, key="sk-ant-wrong").count_tokens(request)
    assert error.value.kind == "auth" and api.requests[-1].status == 401
