"""``opsbot slack`` (Socket Mode): clear errors for missing tokens, and the real process connecting to the
fake Slack (``apps.connections.open``, then the WebSocket), acknowledging an event and answering it, and
acknowledging a feedback click on the answer and storing it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.agent.scripted_model import say
from bot.agent.tables import Turn
from bot.feedback.tables import AnswerFeedback
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack, direct_message, feedback_click
from tests.support.cli import opsbot, opsbot_env


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "opsbot: SLACK_APP_TOKEN is not set (or is not an xapp- token)"),
        (
            {"SLACK_APP_TOKEN": "xoxb-wrong-kind"},
            "opsbot: SLACK_APP_TOKEN is not set (or is not an xapp- token)",
        ),
        ({"SLACK_APP_TOKEN": APP_TOKEN}, "opsbot: ANTHROPIC_API_KEY is not set"),
        (
            {"SLACK_APP_TOKEN": APP_TOKEN, "ANTHROPIC_API_KEY": VALID_KEY},
            "opsbot: SLACK_BOT_TOKEN is not set — put the app's Bot User OAuth Token (xoxb-…) in .env",
        ),
    ],
)
def test_missing_tokens_are_one_clear_line(env, message, tmp_path, small_fixtures):
    result = opsbot(
        "slack", cwd=tmp_path, env={"OPSBOT_FIXTURES_DIR": str(small_fixtures), **env}, timeout=180
    )
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_socket_mode_connects_acknowledges_and_answers(demo_store, tmp_path):
    engine, _ = demo_store
    with FakeSlack() as slack, FakeAnthropic(lambda _body: say("Hello from Socket Mode.")) as api:
        env = {
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "ANTHROPIC_API_KEY": VALID_KEY,
            "ANTHROPIC_BASE_URL": api.url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": slack.api_url,
        }
        log = (tmp_path / "slack.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "slack"],
            cwd=tmp_path,
            env=opsbot_env(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            peer = slack.wait_for(lambda fake: fake.sockets and fake.sockets[-1], what="the WebSocket")
            assert [c.method for c in slack.calls[:2]] == ["auth.test", "apps.connections.open"]
            peer.send_events_api(direct_message("U0OWNER", "Are you there?", "1790000001.000001"), "env-1")
            slack.answered("D0DM", "1790000001.000001")
            (reply,) = slack.replies("D0DM", "1790000001.000001")
            assert reply["text"] == "Hello from Socket Mode."
            assert {"envelope_id": "env-1"} in peer.received

            # A click on the answer's 👎 arrives as an interactive envelope: acknowledged, and stored.
            conversation = f"slack:{TEAM}:D0DM:1790000001.000001"
            with engine.connect() as conn:
                turn_id = conn.execute(
                    select(Turn.id).where(Turn.conversation_id == conversation)
                ).scalar_one()
            assert reply["blocks"][-1]["elements"][0]["negative_button"]["value"] == f"bad:{turn_id}"
            (stream,) = slack.of("chat.startStream", thread_ts="1790000001.000001")
            click = feedback_click(
                "U0OWNER",
                f"bad:{turn_id}",
                channel="D0DM",
                thread_ts="1790000001.000001",
                message_ts=stream.args["_ts"],
            )
            peer.send_interactive(click, "env-2")

            def stored(_fake):
                with engine.connect() as conn:
                    return (
                        conn.execute(select(AnswerFeedback.vote).where(AnswerFeedback.turn_id == turn_id))
                        .scalars()
                        .all()
                    )

            assert slack.wait_for(stored, what="the vote") == ["bad"]
            assert any(r.get("envelope_id") == "env-2" for r in peer.received)
            slack.wait_for(lambda fake: fake.of("views.open"), what="the modal")
            assert slack.invalid == []
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()
