"""A question longer than OPSBOT_MAX_QUESTION_CHARS is answered about its first part: the model gets the cut
text and a line saying it was cut, the answer begins with a note for the user — in the agent, through
``opsbot ask`` and through Slack over HTTP."""

from __future__ import annotations

import json

import pytest

from bot.agent.events import TextDelta
from bot.agent.scripted_model import ScriptedModel, say
from tests.agent_harness import agent_on
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.fakes.slack_api import FakeSlack, direct_message, event_callback, post_event
from tests.support.cli import opsbot
from tests.support.serve import ServeProcess, slack_http_env

pytestmark = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
LONG = "How did we do? " + "and also " * 11_110 + "done."  # 100,010 characters


def note(length: int, limit: int) -> str:
    return f"(Your message was {length:,} characters long; I read the first {limit:,}.)"


def sent(limit: int) -> str:
    return (
        LONG[:limit].rstrip()
        + f"\n\n[opsbot: the message was cut from {len(LONG):,} to {limit:,} characters]"
    )


def last_question(body_or_messages) -> str:
    message = body_or_messages[-1]
    return "".join(block["text"] for block in message["content"] if block["type"] == "text")


def test_the_agent_cuts_a_long_question_and_the_answer_says_so(demo_store):
    engine, _ = demo_store
    model = ScriptedModel([say("Fine.")])
    agent = agent_on(engine, model, max_question_chars=300)
    events = []
    try:
        answer = agent.answer(None, LONG, events.append)
    finally:
        agent.close()
    assert last_question(model.requests[0].messages) == sent(300)
    assert answer.text == f"{note(len(LONG), 300)}\n\nFine."
    assert next(e.text for e in events if isinstance(e, TextDelta)) == note(len(LONG), 300) + "\n\n"
    (stored,) = [m for m in agent.store.messages(answer.conversation_id) if m.kind == "question"]
    assert stored.content == [{"type": "text", "text": sent(300)}]
    short = agent_on(engine, ScriptedModel([say("Fine.")]), max_question_chars=300)
    try:
        assert short.answer(None, "How did we do?").text == "Fine."
    finally:
        short.close()


def test_opsbot_ask_answers_a_100_kb_question_about_its_first_part(demo_store, tmp_path):
    engine, _ = demo_store
    with FakeAnthropic(lambda _body: say("Fine.")) as api:
        env = {
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "ANTHROPIC_API_KEY": VALID_KEY,
            "ANTHROPIC_BASE_URL": api.url,
        }
        result = opsbot("ask", LONG, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{note(len(LONG), 4_000)}\n\nFine.\n"
    assert last_question(api.answered[0].body["messages"]) == sent(4_000)


def test_slack_answers_a_100_kb_message_about_its_first_part(demo_store, tmp_path):
    engine, _ = demo_store
    with FakeSlack() as slack, FakeAnthropic(lambda _body: say("Fine.")) as api:
        env = slack_http_env(engine.url.render_as_string(hide_password=False), slack, api)
        with ServeProcess(env, tmp_path) as server:
            ts = "1790600000.000001"
            status, _, _ = post_event(
                f"{server.url}/slack/events", event_callback(direct_message("U0A", LONG, ts))
            )
            assert status == 200
            slack.answered("D0DM", ts)
            (reply,) = slack.replies("D0DM", ts)
    assert reply["text"].startswith(note(len(LONG), 4_000))
    assert reply["text"].rstrip().endswith("Fine.")
    assert last_question(api.answered[0].body["messages"]) == sent(4_000)
    assert json.dumps(api.answered[0].body).count("and also") < 600
