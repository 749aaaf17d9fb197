"""An unexpected internal error in ``opsbot ask`` (here the store failing to record a model call) is one
masked line on stderr with exit status 1, its traceback goes to the log only, and the conversation's next
question is answered."""

from __future__ import annotations

import logging
import re

import pytest

from bot.agent.conversation_store import ConversationStore
from bot.agent.scripted_model import say
from bot.cli import main
from tests.conftest import FIXED_NOW
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store

CONVERSATION = re.compile(r"conversation: (c-[0-9a-f]{10})")


@pytest.fixture
def env(tmp_path, small_fixtures, monkeypatch):
    """A SQLite store with the small demo, the fake Messages API, and the environment that points at both."""
    url = f"sqlite:///{tmp_path / 'opsbot.db'}"
    engine = open_store(url)
    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    engine.dispose()
    monkeypatch.chdir(tmp_path)
    with FakeAnthropic(lambda body: say(f"{len(body['messages'])} messages.")) as api:
        for name, value in {
            "DATABASE_URL": url,
            "OPSBOT_DATA_DIR": str(tmp_path / "data"),
            "ANTHROPIC_API_KEY": VALID_KEY,
            "ANTHROPIC_BASE_URL": api.url,
        }.items():
            monkeypatch.setenv(name, value)
        yield api


def test_an_internal_error_in_ask_is_one_masked_line_and_the_conversation_continues(
    env, monkeypatch, capsys, caplog
):
    assert main(["ask", "Hello"]) == 0
    conversation = CONVERSATION.search(capsys.readouterr().err).group(1)

    def broken(self, **values):
        raise RuntimeError("could not write to postgresql://ops:hunter2hunter2@db/opsbot\n[SQL: INSERT …]")

    with monkeypatch.context() as patch:
        patch.setattr(ConversationStore, "record_model_call", broken)
        with caplog.at_level(logging.ERROR):
            assert main(["ask", "Sales?", "--conversation", conversation]) == 1
    out, err = capsys.readouterr()
    assert out == "3 messages."  # streamed before the store failed; the reply itself was never stored
    assert err == (
        "opsbot: something went wrong: could not write to postgresql://ops:***@db/opsbot "
        "(the details are in the log)\n"
    )
    logged = [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in logged] == [
        f"turn 2 in conversation {conversation} failed",
        "opsbot ask failed",
    ]
    assert all("RuntimeError: could not write" in r.exc_text for r in logged)
    assert "hunter2hunter2" not in caplog.text

    assert main(["ask", "Again?", "--conversation", conversation]) == 0
    # Hello + answer, Sales? + the repair note, Again?: the failed question left a valid conversation.
    assert capsys.readouterr().out == "5 messages.\n"
