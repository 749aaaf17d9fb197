"""The agent loop with the in-process scripted model, over the synced demo store: tool round trips,
parallel calls, corrections after a tool error, the step cap, follow-ups, failures that leave the
conversation valid, and what is recorded. Expected figures come from the fixture oracle."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Annotated

import pytest
from sqlalchemy import select

from bot.agent.context_budget import estimate_tokens, tool_results
from bot.agent.conversation_store import INTERRUPTED_TOOL
from bot.agent.events import ModelCallFinished, ModelCallStarted, TextDelta, ToolFinished, ToolStarted
from bot.agent.model import ModelError, Usage
from bot.agent.pricing import cost_microusd
from bot.agent.scripted_model import ScriptedModel, call, calls, say
from bot.agent.tables import ModelCall, ToolCallRecord, Turn
from tests.agent_harness import agent_on, result_of, stored_conversation
from tests.conftest import DEMO_FIXTURES
from tests.fixture_oracle import dollars, expected_from_fixtures, sums
from tools.registry import Param

LAST_SATURDAY = date(2026, 11, 21)
LOCATIONS = ("Downtown", "Harbor", "Uptown", "Sunset")
sqlite_only = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def days():
    return expected_from_fixtures(DEMO_FIXTURES).days


def saturday_net(days, names=LOCATIONS) -> int:
    """Net sales of ``names`` on Saturday 21 November, from the oracle."""
    return sums(days, names, LAST_SATURDAY, LAST_SATURDAY)[1]


def answer_from_last_result(request):
    """A model that reads the newest tool result and states its net sales and period."""
    (result, is_error), *_ = tool_results(request.messages[-1])
    assert not is_error, result
    period = result["period"]
    return say(f"Net sales {period['start']}–{period['end']}: {result['totals']['net_sales']}.")


def test_one_tool_round_trip_answers_with_the_tool_numbers(demo_store, days):
    engine, _ = demo_store
    model = ScriptedModel([call("sales_report", period="last Saturday"), answer_from_last_result])
    agent = agent_on(engine, model)
    events = []
    answer = agent.answer(None, "What were net sales last Saturday?", events.append)

    net = saturday_net(days)
    assert answer.ok and answer.text == f"Net sales 2026-11-21–2026-11-21: {dollars(net)}."
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == answer.text
    kinds = [type(e) for e in events if not isinstance(e, TextDelta)]
    assert kinds == [
        ModelCallStarted,
        ModelCallFinished,
        ToolStarted,
        ToolFinished,
        ModelCallStarted,
        ModelCallFinished,
    ]
    started = next(e for e in events if isinstance(e, ToolStarted))
    assert (started.name, started.arguments) == ("sales_report", {"period": "last Saturday"})

    history = stored_conversation(agent, answer.conversation_id)
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    assert result_of(history[2])["totals"]["net_sales"] == dollars(net)
    assert [m.kind for m in agent.store.messages(answer.conversation_id)] == [
        "question",
        "reply",
        "tool_results",
        "reply",
    ]
    # The second request carries the whole turn so far; only the newest block is marked for caching.
    second = model.requests[1]
    assert [m["role"] for m in second.messages] == ["user", "assistant", "user"]
    assert second.messages[-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in json.dumps(second.messages[:-1])
    with engine.connect() as conn:
        turn = conn.execute(select(Turn).where(Turn.id == answer.turn_id)).one()
        tools = conn.execute(select(ToolCallRecord).where(ToolCallRecord.turn_id == answer.turn_id)).all()
        calls_made = conn.execute(select(ModelCall).where(ModelCall.turn_id == answer.turn_id)).all()
    assert (turn.status, turn.answer) == ("answered", answer.text)
    assert [(t.name, t.status, json.loads(t.arguments)) for t in tools] == [
        ("sales_report", "ok", {"period": "last Saturday"})
    ]
    assert [c.step for c in calls_made] == [1, 2]
    assert answer.stats.model_calls == 2 and answer.stats.tool_calls == 1


@sqlite_only
def test_the_request_has_a_cacheable_stable_prefix_and_todays_date_after_it(demo_store):
    engine, _ = demo_store
    model = ScriptedModel([say("Hello.")])
    agent = agent_on(engine, model)
    agent.answer(None, "hi")
    request = model.requests[0]
    stable, today = request.system
    assert stable["cache_control"] == {"type": "ephemeral"} and "cache_control" not in today
    assert today["text"] == "Today is Tuesday 2026-11-24 (America/New_York, Location 1's timezone)."
    assert "Every number you state comes from a tool result" in stable["text"]
    assert "- Location 3: Uptown, America/New_York, USD" in stable["text"]
    assert "- Location 4: Sunset, America/Los_Angeles, USD" in stable["text"]
    assert "Today" not in stable["text"] and "2026-11-24" not in stable["text"]  # no date in the cached part
    assert request.tools[-1]["cache_control"] == {"type": "ephemeral"}
    assert all("cache_control" not in tool for tool in request.tools[:-1])
    assert {t["name"] for t in request.tools} >= {"sales_report", "top_items", "compare_locations"}
    assert request.model == "claude-haiku-4-5" and request.max_tokens == 2048


@sqlite_only
def test_parallel_tool_calls_run_concurrently_and_return_in_order(demo_store, days):
    engine, _ = demo_store
    barrier = threading.Barrier(2, timeout=10)

    def rendezvous(label: Annotated[str, Param("A label echoed back.")]) -> dict:
        """Waits until a second call is running at the same time (fails if calls run one by one)."""
        barrier.wait()
        return {"label": label}

    model = ScriptedModel(
        [
            calls(
                ("sales_report", {"period": "last Saturday", "locations": ["Location 1"]}),
                ("rendezvous", {"label": "a"}),
                ("rendezvous", {"label": "b"}),
                ("sales_report", {"period": "last Saturday", "locations": ["Location 3"]}),
            ),
            say("done"),
        ]
    )
    agent = agent_on(engine, model, extra_tools=[rendezvous])
    answer = agent.answer(None, "Compare Location 1 and 3 last Saturday")
    assert answer.ok
    results = model.requests[1].messages[-1]["content"]
    uses = model.requests[1].messages[-2]["content"]
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses if u["type"] == "tool_use"]
    parsed = [json.loads(r["content"]) for r in results]
    assert [p.get("label") for p in parsed[1:3]] == ["a", "b"]
    assert parsed[0]["totals"]["net_sales"] == dollars(saturday_net(days, {"Downtown"}))
    assert parsed[3]["totals"]["net_sales"] == dollars(saturday_net(days, {"Uptown"}))


@sqlite_only
def test_a_tool_error_goes_back_to_the_model_which_corrects_its_arguments(demo_store, days):
    engine, _ = demo_store

    def correct(request):
        (error, is_error), *_ = tool_results(request.messages[-1])
        assert is_error and "Airport" in error["error"] and "Harbor" in error["error"]
        return call("sales_report", period="last Saturday", locations=["Harbor"])

    model = ScriptedModel(
        [
            call("sales_report", period="last Saturday", locations=["Airport"]),
            correct,
            answer_from_last_result,
        ]
    )
    agent = agent_on(engine, model)
    answer = agent.answer(None, "Harbor last Saturday?")
    assert answer.text.endswith(dollars(saturday_net(days, {"Harbor"})) + ".")
    with engine.connect() as conn:
        statuses = conn.execute(
            select(ToolCallRecord.status)
            .where(ToolCallRecord.turn_id == answer.turn_id)
            .order_by(ToolCallRecord.id)
        ).scalars()
        assert list(statuses) == ["error", "ok"]


@sqlite_only
def test_the_step_cap_ends_a_runaway_loop_honestly_and_the_conversation_continues(demo_store):
    engine, _ = demo_store
    model = ScriptedModel([call("business_info")] * 3 + [say("Fine now.")])
    agent = agent_on(engine, model, max_steps=3)
    answer = agent.answer(None, "Loop forever")
    assert answer.status == "step_cap" and not answer.ok
    assert answer.text.startswith("I stopped after 3 model calls without reaching an answer (tools used: ")
    assert "business_info ×3" in answer.text
    assert len(model.requests) == 3
    follow_up = agent.answer(answer.conversation_id, "Try again")
    assert follow_up.ok and follow_up.text == "Fine now."
    history = stored_conversation(agent, answer.conversation_id)
    assert history[-2] == {"role": "user", "content": [{"type": "text", "text": "Try again"}]}


@sqlite_only
def test_a_follow_up_sees_the_earlier_tool_result(demo_store, days):
    engine, _ = demo_store

    def from_memory(request):
        """'And Harbor?': answered from the first question's result, which must be in the request."""
        earlier = [
            result
            for message in request.messages
            if message["role"] == "user"
            for result, _ in tool_results(message)
            if "by_location" in result or "rows" in result
        ]
        assert earlier, "the earlier tool result is not in the follow-up request"
        (harbor,) = [row for row in earlier[0]["rows"] if row["location"].endswith("(Harbor)")]
        return say(f"Harbor: {harbor['net_sales']} on {earlier[0]['period']['start']}.")

    model = ScriptedModel(
        [
            call("sales_report", period="last Saturday", group_by="location"),
            say("Here are last Saturday's sales by location."),
            from_memory,
        ]
    )
    agent = agent_on(engine, model)
    first = agent.answer(None, "Sales by location last Saturday?")
    second = agent.answer(first.conversation_id, "And Harbor?")
    assert second.text == f"Harbor: {dollars(saturday_net(days, {'Harbor'}))} on 2026-11-21."
    assert [m["role"] for m in model.requests[2].messages] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]


@sqlite_only
def test_a_model_failure_is_one_sentence_and_the_conversation_continues(demo_store):
    engine, _ = demo_store
    overloaded = ModelError("overloaded", "The model service is overloaded; try again in a minute.")
    model = ScriptedModel([call("business_info"), overloaded, say("Back again.")])
    agent = agent_on(engine, model)
    failed = agent.answer(None, "What locations do I have?")
    assert (failed.status, failed.text) == (
        "failed",
        "The model service is overloaded; try again in a minute.",
    )
    history = stored_conversation(agent, failed.conversation_id)
    assert history[0]["content"][0]["text"] == "What locations do I have?"  # the user's words are kept
    assert history[-1]["content"][0]["text"] == (
        "[opsbot: this question got no answer — The model service is overloaded; try again in a minute.]"
    )
    again = agent.answer(failed.conversation_id, "Try again please")
    assert again.ok and again.text == "Back again."
    assert model.requests[-1].messages[0]["content"][0]["text"] == "What locations do I have?"
    with engine.connect() as conn:
        turns = conn.execute(
            select(Turn.status, Turn.error)
            .where(Turn.conversation_id == failed.conversation_id)
            .order_by(Turn.id)
        ).all()
        errors = (
            conn.execute(select(ModelCall.error).where(ModelCall.turn_id == failed.turn_id)).scalars().all()
        )
    assert [t.status for t in turns] == ["failed", "answered"]
    assert errors[-1].startswith("overloaded:")


@sqlite_only
def test_ctrl_c_during_a_tool_keeps_the_conversation_valid(demo_store):
    engine, _ = demo_store

    def interrupted_tool() -> dict:
        """Behaves like Ctrl-C arriving while the tool runs."""
        raise KeyboardInterrupt

    model = ScriptedModel([call("interrupted_tool"), say("Answered after the interruption.")])
    agent = agent_on(engine, model, extra_tools=[interrupted_tool])
    conversation = agent.store.ensure(None, "test", "ctrl-c")
    with pytest.raises(KeyboardInterrupt):
        agent.answer(conversation, "Start something slow")
    history = stored_conversation(agent, conversation)
    assert history[2]["content"][0]["is_error"] is True
    assert history[2]["content"][0]["content"].startswith("interrupted:")
    assert (
        history[3]["content"][0]["text"]
        == "[opsbot: this question got no answer — the question was cancelled.]"
    )
    assert agent.answer(conversation, "Go on").text == "Answered after the interruption."
    with engine.connect() as conn:
        status = conn.execute(
            select(ToolCallRecord.status).where(ToolCallRecord.conversation_id == conversation)
        )
        assert list(status.scalars()) == ["interrupted"]


@sqlite_only
def test_a_turn_cut_off_by_a_killed_process_is_repaired_on_the_next_question(demo_store):
    engine, _ = demo_store
    agent = agent_on(engine, ScriptedModel([say("Recovered.")]))
    conversation = agent.store.ensure(None, "test", "killed")
    turn = agent.store.start_turn(conversation, "slow question", "claude-haiku-4-5")
    agent.store.append(conversation, turn, "user", "question", [{"type": "text", "text": "slow question"}])
    use_done = {"type": "tool_use", "id": "toolu_done", "name": "business_info", "input": {}}
    use_killed = {
        "type": "tool_use",
        "id": "toolu_killed",
        "name": "sales_report",
        "input": {"period": "today"},
    }
    agent.store.append(conversation, turn, "assistant", "reply", [use_done, use_killed])
    done = agent.store.start_tool_call(conversation, turn, None, use_done)
    agent.store.start_tool_call(conversation, turn, None, use_killed)
    agent.store.finish_tool_call(done, True, '{"business":"Copperline Kitchen"}', 0.01)
    # … and here the process died.
    assert agent.answer(conversation, "Are you there?").text == "Recovered."
    sent = agent.model.requests[0].messages
    assert sent[2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_done", "content": '{"business":"Copperline Kitchen"}'},
        {
            "type": "tool_result",
            "tool_use_id": "toolu_killed",
            "content": INTERRUPTED_TOOL,
            "is_error": True,
        },
    ]
    assert sent[3]["content"][0]["text"].startswith(
        "[opsbot: this question got no answer — the process stopped"
    )
    with engine.connect() as conn:
        assert conn.execute(select(Turn.status).where(Turn.id == turn)).scalar() == "interrupted"


@sqlite_only
def test_usage_and_cost_are_recorded_per_model_call(demo_store):
    engine, _ = demo_store
    model = ScriptedModel([call("business_info"), say("Four locations.")], name="claude-haiku-4-5")
    agent = agent_on(engine, model)
    answer = agent.answer(None, "How many locations?")
    with engine.connect() as conn:
        rows = conn.execute(
            select(ModelCall).where(ModelCall.turn_id == answer.turn_id).order_by(ModelCall.step)
        ).all()
    assert len(rows) == 2
    for row in rows:
        usage = Usage(row.input_tokens, row.output_tokens, row.cache_write_tokens, row.cache_read_tokens)
        assert row.input_tokens > 0 and row.cost_microusd == cost_microusd("claude-haiku-4-5", usage)
    assert answer.stats.cost_microusd == sum(r.cost_microusd for r in rows)
    assert answer.stats.total_seconds >= answer.stats.model_seconds + answer.stats.tool_seconds


def test_prices_come_from_one_table():
    usage = Usage(input_tokens=1000, output_tokens=100, cache_write_tokens=2000, cache_read_tokens=5000)
    assert cost_microusd("claude-haiku-4-5", usage) == 1000 + 500 + 2500 + 500
    assert cost_microusd("claude-haiku-4-5-20251001", usage) == 4500
    assert cost_microusd("claude-sonnet-4-6", usage) == 3 * 4500
    assert cost_microusd("some-local-model", usage) is None


@sqlite_only
def test_an_empty_question_is_refused_before_anything_is_stored(demo_store):
    engine, _ = demo_store
    agent = agent_on(engine, ScriptedModel([]))
    with pytest.raises(ValueError, match="the question is empty"):
        agent.answer(None, "   ")


@sqlite_only
def test_a_long_conversation_stays_within_the_budget_without_losing_words(demo_store):
    engine, _ = demo_store
    budget = 13_000  # the stable prefix (~6,700 tokens with the labor plugin) + 20 short turns: results cut
    turns = 20

    def analyst(request):
        results = tool_results(request.messages[-1])
        if results:
            (result, _), *_ = results
            assert "rows" in result  # the current question's result is never shortened
            return say(f"Answer {len(request.messages) // 4 + 1}: {result['totals']['net_sales']}.")
        return call("sales_report", period="last week", group_by="day")

    model = ScriptedModel(analyst)
    agent = agent_on(engine, model, context_budget_tokens=budget)
    conversation = None
    answers = []
    for number in range(1, turns + 1):
        answer = agent.answer(conversation, f"Question {number}: how did last week go, day by day?")
        conversation = answer.conversation_id
        answers.append(answer)
    assert all(a.ok for a in answers)
    assert answers[-1].stats.compacted_results > 0

    last = model.requests[-1]
    sent = json.dumps(last.messages)
    for number in range(1, turns + 1):  # every question and every answer is still in the request
        assert f"Question {number}: how did last week go" in sent
    for answer in answers[:-1]:
        assert answer.text in sent
    shortened = [
        block["content"]
        for message in last.messages
        for block in message["content"]
        if block.get("type") == "tool_result"
        and block["content"].startswith("[Earlier result of sales_report(")
    ]
    assert shortened and all("Call the tool again for the full figures." in s for s in shortened)
    assert estimate_tokens(last.messages) + agent.stable_prefix_tokens() <= budget
    # The store keeps every full result; only the copy sent was shortened.
    stored = stored_conversation(agent, conversation)
    assert all(
        block["content"].startswith("{")
        for message in stored
        for block in message["content"]
        if block.get("type") == "tool_result"
    )


@sqlite_only
def test_a_conversation_too_long_even_when_shortened_asks_for_a_new_one(demo_store):
    engine, _ = demo_store
    agent = agent_on(engine, ScriptedModel([say("never sent")]), context_budget_tokens=3_000)
    answer = agent.answer(None, "hello")
    assert answer.status == "failed" and answer.error_kind == "context_too_long"
    assert (
        answer.text
        == "This conversation has grown too long for the model; start a new conversation and ask again."
    )
    stored_conversation(agent, answer.conversation_id)


@sqlite_only
def test_an_empty_reply_is_stored_so_that_the_conversation_can_continue(demo_store):
    engine, _ = demo_store
    model = ScriptedModel([say(""), say("Second time lucky.")])
    agent = agent_on(engine, model)
    empty = agent.answer(None, "Say nothing")
    assert empty.ok and empty.text == "(The model returned an empty answer.)"
    assert agent.answer(empty.conversation_id, "Now say something").text == "Second time lucky."
    assert stored_conversation(agent, empty.conversation_id)[1]["content"] == [
        {"type": "text", "text": "(The model returned an empty answer.)"}
    ]


@sqlite_only
def test_each_answer_is_checked_against_every_tool_result_of_the_conversation_and_stored(demo_store):
    engine, _ = demo_store

    def quoting(request):
        (result, _), *_ = tool_results(request.messages[-1])
        totals = result["totals"]
        return say(f"On {result['period']['start']}: {totals['net_sales']} from {totals['orders']:,} orders.")

    def invents(request):
        earlier = [r for m in request.messages if m["role"] == "user" for r, _ in tool_results(m)]
        totals = earlier[-1]["totals"]
        return say(f"Net sales {totals['net_sales']} plus tips {totals['tips']} make $99,999.99.")

    model = ScriptedModel([call("sales_report", period="last Saturday"), quoting, invents])
    agent = agent_on(engine, model)
    first = agent.answer(None, "Sales last Saturday?")
    follow_up = agent.answer(first.conversation_id, "With tips?")

    assert first.provenance is not None and first.provenance.to_json() == {"checked": 3, "unmatched": []}
    assert first.untraced is None
    assert follow_up.provenance is not None  # the earlier turn's result explains the two quoted amounts
    assert follow_up.provenance.to_json() == {"checked": 3, "unmatched": ["$99,999.99"]}
    assert follow_up.untraced == "⚠ 1 of 3 figures not found in the tool results: $99,999.99"
    with engine.connect() as conn:
        stored = conn.execute(
            select(Turn.figures_checked, Turn.unmatched_figures)
            .where(Turn.conversation_id == first.conversation_id)
            .order_by(Turn.id)
        ).all()
    assert [tuple(row) for row in stored] == [(3, "[]"), (3, '["$99,999.99"]')]
