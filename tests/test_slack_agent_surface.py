"""The agent surface through the real ``opsbot serve`` (Bolt in HTTP mode) and the fake Slack: Stop ends an
answer and leaves its conversation valid, the Messages tab gets suggested prompts, and feedback clicks are
stored once per person and answer (a bad signature refused before anything is stored), then listed by
``opsbot feedback`` and exported as an evaluation case."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from sqlalchemy import delete, select

from bot.agent.context_budget import tool_results
from bot.agent.tables import Turn
from bot.evaluation.bank import load_bank
from bot.feedback.tables import AnswerFeedback
from bot.slack.app import PROMPTS_TITLE, suggested_prompts
from bot.slack.blocks import FEEDBACK_ACTION, FEEDBACK_MODAL
from bot.slack.responder import STOPPED_NOTE
from tests.conftest import DEMO_FIXTURES
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.slack_api import (
    TEAM,
    FakeSlack,
    direct_message,
    event_callback,
    feedback_click,
    home_opened,
    modal_submitted,
    post_event,
    post_interaction,
    session_stopped,
)
from tests.fixture_oracle import dollars, expected_from_fixtures
from tests.support.cli import opsbot
from tests.support.serve import ServeProcess, slack_http_env
from tests.test_slack_app import OWNER, analyst, new_ts

pytestmark = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
GATE = threading.Event()  # a "slow" question's answer waits for this after its tool call


def question_of_turn(messages: list[dict]) -> str:
    """The newest question the user typed (not a tool result)."""
    for message in reversed(messages):
        texts = [
            b["text"] for b in message["content"] if message["role"] == "user" and b.get("type") == "text"
        ]
        if texts:
            return texts[-1]
    return ""


def slow_analyst(body: dict):
    """``analyst``, except that a "slow" question's answer, after its tool call, waits for ``GATE``."""
    if "slow" in question_of_turn(body["messages"]) and tool_results(body["messages"][-1]):
        assert GATE.wait(60), "the test never opened the gate"
    return analyst(body)


@pytest.fixture(scope="module")
def net_by_day():
    days = expected_from_fixtures(DEMO_FIXTURES).days
    return lambda day, name: days[(name, day)].net


@pytest.fixture
def serve(demo_store, tmp_path_factory):
    engine, _ = demo_store
    with FakeSlack() as slack, FakeAnthropic(slow_analyst) as api:
        env = slack_http_env(
            engine.url.render_as_string(hide_password=False),
            slack,
            api,
            OPSBOT_MODEL_RETRIES="0",
            OPSBOT_SLACK_ALLOWED_USERS=OWNER,
            OPSBOT_LOG_LEVEL="INFO",
        )
        with ServeProcess(env, tmp_path_factory.mktemp("serve")) as server:
            yield server, slack, api, engine


def send(server, event: dict) -> int:
    return post_event(f"{server.url}/slack/events", event_callback(event))[0]


def test_stop_ends_the_answer_and_the_thread_goes_on(serve, net_by_day):
    server, slack, _, engine = serve
    GATE.clear()
    ts = new_ts()
    assert send(server, direct_message(OWNER, "A slow one: net sales on 2026-11-10 by location?", ts)) == 200

    def tool_done(fake: FakeSlack):
        return any(t.get("status") == "complete" for t in fake.tasks("D0DM", ts))

    slack.wait_for(tool_done, what="the finished task")
    (stream,) = [c.args["_ts"] for c in slack.of("chat.startStream", thread_ts=ts)]
    assert send(server, session_stopped(OWNER, "D0DM", ts, streaming=[stream])) == 200
    slack.wait_for(lambda _: f"stop requested in D0DM {ts}" in server.log(), what="the stop to arrive")
    GATE.set()
    calls = slack.answered("D0DM", ts)

    # Slack ended the stream itself: the app does not stop it again, it says so in a message of its own,
    # and takes the session out of processing.
    assert not [c for c in calls if c.method == "chat.stopStream"]
    notes = [c for c in calls if c.method == "chat.postMessage"]
    assert [c.args["markdown_text"] for c in notes] == [STOPPED_NOTE]
    assert calls[-1].method == "agents.sessions.setStatus" and calls[-1].args["status"] == "active"
    with engine.connect() as conn:
        (status, error) = conn.execute(
            select(Turn.status, Turn.error).where(Turn.conversation_id == f"slack:{TEAM}:D0DM:{ts}")
        ).one()
    assert (status, error) == ("interrupted", "stopped by the user")

    # The conversation stays valid: a follow-up is answered from the stopped turn's tool result.
    follow_up = new_ts()
    send(server, direct_message(OWNER, "And Harbor?", follow_up, thread_ts=ts))
    slack.answered("D0DM", ts, answers=2)
    assert (
        slack.replies("D0DM", ts)[-1]["text"]
        == f"Harbor: {dollars(net_by_day(date(2026, 11, 10), 'Harbor'))}."
    )
    assert slack.invalid == []


def test_stop_with_no_answer_running_just_takes_the_session_out_of_processing(serve):
    server, slack, _, _ = serve
    ts = new_ts()
    assert send(server, session_stopped(OWNER, "D0DM", ts)) == 200
    (call,) = slack.wait_for(
        lambda fake: fake.of("agents.sessions.setStatus", thread_ts=ts), what="the status"
    )
    assert call.args["status"] == "active"


def test_the_messages_tab_gets_the_suggested_prompts_without_a_thread(serve):
    server, slack, _, _ = serve
    assert send(server, home_opened(OWNER, tab="home")) == 200
    assert send(server, home_opened(OWNER, channel="D0OWNER", tab="messages")) == 200
    (call,) = slack.wait_for(
        lambda fake: fake.of("assistant.threads.setSuggestedPrompts"), what="the prompts"
    )
    assert {k: v for k, v in call.args.items() if k != "team_id"} == {
        "channel_id": "D0OWNER",
        "title": PROMPTS_TITLE,
        "prompts": suggested_prompts(),
    }


def stored_votes(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(
                    AnswerFeedback.turn_id,
                    AnswerFeedback.user_id,
                    AnswerFeedback.vote,
                    AnswerFeedback.comment,
                ).order_by(AnswerFeedback.user_id)
            )
        ]


def feedback_values(reply: dict) -> tuple[str, str]:
    """The good and bad values of the feedback buttons under an answer (its last block)."""
    actions = reply["blocks"][-1]
    assert actions["type"] == "context_actions"
    (buttons,) = actions["elements"]
    assert buttons["type"] == "feedback_buttons" and buttons["action_id"] == FEEDBACK_ACTION
    return buttons["positive_button"]["value"], buttons["negative_button"]["value"]


def test_feedback_is_stored_once_per_person_and_a_bad_vote_asks_what_was_wrong(serve, tmp_path):
    server, slack, _, engine = serve
    with engine.begin() as conn:
        conn.execute(delete(AnswerFeedback))
    url = f"{server.url}/slack/events"
    ts, other = new_ts(), new_ts()
    send(server, direct_message(OWNER, "Net sales on 2026-11-12 by location?", ts))
    send(server, direct_message(OWNER, "Net sales on 2026-11-13 by location?", other))
    slack.answered("D0DM", ts)
    slack.answered("D0DM", other)
    (reply,) = slack.replies("D0DM", ts)
    good, bad = feedback_values(reply)
    with engine.connect() as conn:
        turn_id, other_turn = (
            conn.execute(
                select(Turn.id).where(Turn.conversation_id == f"slack:{TEAM}:D0DM:{thread}")
            ).scalar_one()
            for thread in (ts, other)
        )
    assert (good, bad) == (f"good:{turn_id}", f"bad:{turn_id}")
    (message_ts,) = [c.args["_ts"] for c in slack.of("chat.startStream", thread_ts=ts)]

    def click(user: str, value: str, thread: str = ts, **options) -> int:
        payload = feedback_click(user, value, channel="D0DM", thread_ts=thread, message_ts=message_ts)
        return post_interaction(url, payload, **options)[0]

    # Two clicks by the owner: one row, the second vote; the bad one opens the "what was wrong?" modal.
    assert click(OWNER, good) == 200
    slack.wait_for(lambda _: stored_votes(engine) == [(turn_id, OWNER, "good", None)], what="the good vote")
    assert click(OWNER, bad) == 200
    slack.wait_for(lambda _: stored_votes(engine) == [(turn_id, OWNER, "bad", None)], what="the bad vote")
    (opened,) = slack.wait_for(lambda fake: fake.of("views.open"), what="the modal")
    view = opened.args["view"]
    assert view["callback_id"] == FEEDBACK_MODAL
    assert json.loads(view["private_metadata"]) == {
        "turn_id": turn_id,
        "conversation_id": f"slack:{TEAM}:D0DM:{ts}",
    }
    sent = modal_submitted(
        OWNER, view, {"comment": {"comment": {"type": "plain_text_input", "value": "Harbor is off"}}}
    )
    assert post_interaction(url, sent)[0] == 200
    slack.wait_for(
        lambda _: stored_votes(engine) == [(turn_id, OWNER, "bad", "Harbor is off")], what="the comment"
    )

    # A vote naming another thread's answer, and an unsigned click, store nothing.
    assert click(OWNER, f"bad:{other_turn}") == 200
    slack.wait_for(
        lambda _: "ignored a feedback click" in server.log(), what="the forged click to be refused"
    )
    assert click("U0MANAGER", good, secret="not-the-signing-secret") == 401
    assert stored_votes(engine) == [(turn_id, OWNER, "bad", "Harbor is off")]
    assert slack.invalid == []
    # As the person running the bot sees it: the vote in `opsbot feedback`, and exported as a bank case.
    database = {"DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    listing = opsbot("feedback", "--bad", cwd=tmp_path, env=database)
    assert listing.returncode == 0, listing.stderr
    assert "Net sales on 2026-11-12 by location?" in listing.stdout and "Harbor is off" in listing.stdout
    assert f"opsbot trace slack:{TEAM}:D0DM:{ts}" in listing.stdout
    exported = opsbot("feedback", "export", str(tmp_path / "bad.yaml"), cwd=tmp_path, env=database)
    assert exported.returncode == 0, exported.stderr
    (case,) = load_bank(tmp_path / "bad.yaml").cases
    assert case.id == f"feedback-{turn_id}" and case.family == "feedback"
    (turn,) = case.turns
    assert turn.ask == "Net sales on 2026-11-12 by location?"
    assert [(c.tool, c.args) for c in turn.calls.values()] == [
        ("sales_report", {"start_date": "2026-11-12", "end_date": "2026-11-12", "group_by": "location"})
    ]
