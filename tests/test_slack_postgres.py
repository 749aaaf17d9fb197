"""Two ``opsbot serve`` processes behind one "load balancer", sharing one PostgreSQL store: a message
delivered to both (a retry landing on the other process) is answered once, and a thread's follow-up sent to
the other process continues the same conversation."""

from __future__ import annotations

import threading
import uuid

import pytest

from bot.agent.scripted_model import say
from tests.conftest import FIXED_NOW
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.slack_api import (
    FakeSlack,
    direct_message,
    event_callback,
    post_event,
)
from tests.support.serve import ServeProcess, slack_http_env
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store


def counter(body: dict):
    """Says how many questions the conversation it was sent holds."""
    questions = sum(1 for m in body["messages"] if m["role"] == "user")
    return say(f"Question {questions} of this thread.")


@pytest.mark.postgres
def test_two_processes_answer_each_message_once_and_share_the_thread(
    postgres_server, small_fixtures, tmp_path
):
    url = postgres_server.create_database(f"t_slack_{uuid.uuid4().hex[:8]}")
    engine = open_store(url)
    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    engine.dispose()
    with FakeSlack() as slack, FakeAnthropic(counter) as api:
        env = slack_http_env(url, slack, api)
        with ServeProcess(env, tmp_path) as first, ServeProcess(env, tmp_path) as second:
            root = "1790000500.000001"
            event = event_callback(direct_message("U0OWNER", "How are we doing?", root))
            senders = [
                threading.Thread(target=post_event, args=(f"{server.url}/slack/events", event))
                for server in (first, second)
            ]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            slack.answered("D0DM", root)
            follow_up = event_callback(
                direct_message("U0OWNER", "And now?", "1790000500.000002", thread_ts=root)
            )
            assert post_event(f"{second.url}/slack/events", follow_up)[0] == 200
            slack.answered("D0DM", root, answers=2)  # its stream stopped, not merely started
    assert [reply["text"] for reply in slack.replies("D0DM", root)] == [
        "Question 1 of this thread.",
        "Question 2 of this thread.",
    ]
    assert len(api.answered) == 2
