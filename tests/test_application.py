"""The one application object per process: ``opsbot serve`` and ``opsbot slack`` open the store (and check
its migrations) once and the read-only tools engine once, however many integrations they serve; each part
is built once, and chat messages are claimed once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

import bot.application
import tools.store.database
from bot.application import Application
from bot.commands.serve import build_routes
from bot.settings import load_settings
from bot.slack.runtime import build_slack_app
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.slack_api import FakeSlack
from tests.support.serve import slack_http_env


@pytest.fixture
def opened(monkeypatch) -> Counter:
    """Counts of store engines created, migration checks and read-only engines opened, from here on."""
    counts: Counter = Counter()

    def counting(name: str, function):
        def counted(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)

        return counted

    monkeypatch.setattr(
        tools.store.database,
        "create_store_engine",
        counting("store", tools.store.database.create_store_engine),
    )
    monkeypatch.setattr(
        tools.store.database, "head_revision", counting("migration check", tools.store.database.head_revision)
    )
    monkeypatch.setattr(bot.application, "open_readonly", counting("readonly", bot.application.open_readonly))
    return counts


@pytest.fixture
def integrations(tmp_path):
    """Settings with Slack (the fake Web API), the fake Messages API and the Deliverect webhook on."""
    with FakeSlack() as slack, FakeAnthropic() as api:
        environ = slack_http_env(
            f"sqlite:///{tmp_path / 'opsbot.db'}", slack, api, DELIVERECT_WEBHOOK_SECRET="s"
        )
        yield load_settings(env_file=None, environ=environ)


def test_serve_with_slack_and_deliverect_opens_each_engine_once(integrations, opened):
    app = Application(integrations)
    try:
        routes = build_routes(app)
    finally:
        app.close()
    paths = routes.paths()
    assert len(paths) == 3 and {"GET /healthz", "POST /slack/events"} < set(paths)  # and Deliverect's
    assert opened == {"store": 1, "migration check": 1, "readonly": 1}


def test_slack_over_socket_mode_opens_each_engine_once(integrations, opened):
    app = Application(integrations)
    try:
        build_slack_app(app, http_mode=False)
        app.conversations.exists("c-none")
        app.tool_context()
    finally:
        app.close()
    assert opened == {"store": 1, "migration check": 1, "readonly": 1}


def test_each_part_is_built_once_even_when_threads_ask_at_once(integrations):
    app = Application(integrations)
    agents = []
    threads = [threading.Thread(target=lambda: agents.append(app.agent())) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(agents) == 4 and all(agent is agents[0] for agent in agents)
        assert agents[0].store is app.conversations
        assert agents[0].registry is app.registry
    finally:
        app.close()


def test_a_chat_message_is_claimed_once(integrations):
    app = Application(integrations)
    claim = {"event_id": "Ev1", "event_type": "message", "user_id": "U1", "conversation_id": None}
    try:
        assert app.claim_chat_event("slack", message_key="T1:C1:1.1", **claim) is True
        assert app.claim_chat_event("slack", message_key="T1:C1:1.1", **claim) is False
        assert app.claim_chat_event("other", message_key="T1:C1:1.1", **claim) is True
    finally:
        app.close()
