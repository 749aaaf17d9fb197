"""Two real `opsbot serve` processes on one PostgreSQL store, both configured to post the morning brief to
the fake Slack Web API, both started after the post time: the brief is posted once (late), by one of them."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.insights.tables import BriefPost
from tests.conftest import _new_store_url
from tests.fakes.slack_api import FakeSlack
from tests.support.cli import opsbot_env
from tests.test_serve_live_sources import free_port, wait_for
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store

CHANNEL = "C0BRIEF01"


@pytest.fixture
def postgres_url(request, tmp_path) -> str:
    return _new_store_url("postgres", tmp_path, request)


def test_two_servers_on_one_postgres_post_the_brief_once(postgres_url, small_fixtures, tmp_path):
    engine = open_store(postgres_url)
    sync_fixtures(engine, small_fixtures, now=datetime.now(UTC))  # anchored: yesterday has orders
    processes, logs = [], []
    with FakeSlack() as slack:
        env = opsbot_env(
            {
                "DATABASE_URL": postgres_url,
                "ANTHROPIC_API_KEY": "sk-ant-test-not-used",  # no question is asked here
                "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
                "SLACK_BOT_TOKEN": "xoxb-test-token",
                "SLACK_SIGNING_SECRET": "test-signing-secret",
                "SLACK_API_URL": slack.api_url,
                "OPSBOT_BRIEF_CHANNEL": CHANNEL,
                "OPSBOT_BRIEF_TIME": "00:00",  # long past: each server finds the morning missed
                "OPSBOT_LOG_LEVEL": "INFO",
            }
        )
        try:
            for replica in range(2):
                log = tmp_path / f"serve-{replica}.log"
                logs.append(log)
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
                         "--port", str(free_port())],
                        cwd=tmp_path,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=log.open("w"),
                    )
                )  # fmt: skip

            def settled(log) -> bool:
                text = log.read_text()
                return "posted the brief brief" in text or "brief brief of" in text

            wait_for(lambda: all(settled(log) for log in logs), timeout=90)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=30)
        briefs = [call for call in slack.of("chat.postMessage") if call.args.get("blocks")]
        notes = [call for call in slack.of("chat.postMessage") if call.args.get("thread_ts")]
    texts = [log.read_text() for log in logs]
    assert sum("posted the brief brief" in text for text in texts) == 1, texts
    assert sum("already posted" in text or "already claimed" in text for text in texts) == 1, texts
    assert len(briefs) == 1 and briefs[0].args["channel"] == CHANNEL
    assert [note.args["thread_ts"] for note in notes] == [briefs[0].args["_ts"]]
    assert notes[0].args["text"].startswith("(late: posted at ")
    with engine.connect() as conn:
        rows = conn.execute(select(BriefPost.kind, BriefPost.status, BriefPost.late, BriefPost.channel)).all()
    engine.dispose()
    assert [tuple(row) for row in rows if row[0] == "brief"] == [("brief", "posted", True, CHANNEL)]
    assert all(process.returncode == 0 for process in processes)
    assert not any("Traceback" in text for text in texts)
