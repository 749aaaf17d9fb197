"""``opsbot ask``, ``trace`` and ``usage`` as a user runs them: a real subprocess, the real SDK, the local
fake Messages API. Includes the process killed with SIGKILL in the middle of a tool call."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import date

import pytest
from sqlalchemy import select, text

from bot.agent.context_budget import tool_results
from bot.agent.scripted_model import call, say
from bot.agent.tables import ToolCallRecord, Turn
from bot.settings import DEFAULT_MODEL
from tests.conftest import DEMO_FIXTURES, FIXED_NOW
from tests.fakes.anthropic_server import OVERLOADED, VALID_KEY, FakeAnthropic
from tests.fixture_oracle import dollars, expected_from_fixtures
from tests.support.cli import opsbot, opsbot_env
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store

SATURDAY = date(2026, 11, 21)
CONVERSATION = re.compile(r"conversation: (c-[0-9a-f]{10})")


def analyst(body: dict):
    """The fake model: by-location sales for 21 Nov, then answers follow-ups from that earlier result."""
    messages = body["messages"]
    results = tool_results(messages[-1])
    if results:
        (result, _), *_ = results
        return say(f"Net sales on {result['period']['start']}: {result['totals']['net_sales']}.")
    question = messages[-1]["content"][-1]["text"]
    if question.startswith("And "):
        name = question.removeprefix("And ").rstrip("?")
        earlier = [r for m in messages if m["role"] == "user" for r, _ in tool_results(m) if "rows" in r]
        (row,) = [row for row in earlier[-1]["rows"] if row["location"].endswith(f"({name})")]
        return say(f"{name}: {row['net_sales']}.")
    return call("sales_report", start_date="2026-11-21", end_date="2026-11-21", group_by="location")


@pytest.fixture
def sqlite_demo(demo_store):
    engine, _ = demo_store
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_ask_then_follow_up_then_trace_and_usage(sqlite_demo, tmp_path):
    days = expected_from_fixtures(DEMO_FIXTURES).days
    net = {name: t.net for (name, d), t in days.items() if d == SATURDAY}
    with FakeAnthropic(analyst) as api:
        env = {"DATABASE_URL": sqlite_demo, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        first = opsbot("ask", "What were net sales on 21 November, by location?", cwd=tmp_path, env=env)
        assert first.returncode == 0, first.stderr
        assert first.stdout == f"Net sales on 2026-11-21: {dollars(sum(net.values()))}.\n"
        assert "⚠" not in first.stderr  # both figures (the day and the amount) are in the tool result
        conversation = CONVERSATION.search(first.stderr).group(1)

        follow_up = opsbot("ask", "And Harbor?", "--conversation", conversation, cwd=tmp_path, env=env)
        assert follow_up.returncode == 0, follow_up.stderr
        assert follow_up.stdout == f"Harbor: {dollars(net['Harbor'])}.\n"
        assert CONVERSATION.search(follow_up.stderr).group(1) == conversation
        assert len(api.requests) == 3 and len(api.requests[2].body["messages"]) == 5

        as_json = opsbot(
            "ask", "And Sunset?", "--conversation", conversation, "--json", cwd=tmp_path, env=env
        )
        payload = json.loads(as_json.stdout)
        assert payload["status"] == "answered" and payload["answer"] == f"Sunset: {dollars(net['Sunset'])}."
        assert payload["usage"]["model_calls"] == 1 and payload["usage"]["cache_read_tokens"] > 0
        assert payload["provenance"] == {"checked": 1, "unmatched": []}

    trace = opsbot("trace", conversation, cwd=tmp_path, env=env)
    assert trace.returncode == 0, trace.stderr
    out = trace.stdout
    assert out.startswith(f"Conversation {conversation} · cli · started ")
    assert "3 question(s)" in out
    assert "  user: What were net sales on 21 November, by location?" in out
    assert (
        '    tool sales_report(start_date="2026-11-21", end_date="2026-11-21", group_by="location") · ok · '
        in out
    )
    assert f"  answer: Harbor: {dollars(net['Harbor'])}." in out
    reads = [int(n.replace(",", "")) for n in re.findall(r"cache read ([\d,]+)", out)]
    assert len(reads) == 4 and reads[0] == 0 and all(n > 0 for n in reads[1:])
    assert re.search(rf"model call 1 · {DEFAULT_MODEL} · [\d.]+ s · in [\d,]+ \+ cache write [\d,]+", out)

    usage = opsbot("usage", cwd=tmp_path, env=env)
    assert usage.returncode == 0
    assert usage.stdout.splitlines()[1].split()[:4] == ["day", "(UTC)", "model", "questions"]
    assert re.search(rf"^\d{{4}}-\d\d-\d\d  {DEFAULT_MODEL} ", usage.stdout, flags=re.M), usage.stdout


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_ask_failures_are_one_line_with_a_non_zero_exit(sqlite_demo, tmp_path):
    with FakeAnthropic() as api:
        env = {
            "DATABASE_URL": sqlite_demo,
            "ANTHROPIC_API_KEY": VALID_KEY,
            "ANTHROPIC_BASE_URL": api.url,
            "OPSBOT_MODEL_RETRIES": "0",
        }
        api.queue(OVERLOADED)
        failed = opsbot("ask", "Sales yesterday?", cwd=tmp_path, env=env)
        assert failed.returncode == 1
        assert failed.stdout == ""
        assert "opsbot: The model service is overloaded; try again in a minute.\n" in failed.stderr
        assert "Traceback" not in failed.stderr
        conversation = CONVERSATION.search(failed.stderr).group(1)
        api.queue(say("Now it works."))
        again = opsbot("ask", "Try again", "--conversation", conversation, cwd=tmp_path, env=env)
        assert (again.returncode, again.stdout) == (0, "Now it works.\n")

        unknown = opsbot("ask", "hi", "--conversation", "c-0000000000", cwd=tmp_path, env=env)
        assert unknown.returncode == 2 and "no conversation 'c-0000000000'" in unknown.stderr

    no_key = opsbot("ask", "hi", cwd=tmp_path, env={"DATABASE_URL": sqlite_demo})
    assert no_key.returncode == 2
    assert no_key.stderr.startswith("opsbot: ANTHROPIC_API_KEY is not set") and ".env" in no_key.stderr
    assert "Traceback" not in no_key.stderr


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_ask_marks_figures_no_tool_returned_on_stderr_and_in_json(sqlite_demo, tmp_path):
    with FakeAnthropic() as api:
        env = {"DATABASE_URL": sqlite_demo, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        api.queue(say("Up 15% on last week, about $1,234 more."))
        plain = opsbot("ask", "How did we do?", cwd=tmp_path, env=env)
        assert (plain.returncode, plain.stdout) == (0, "Up 15% on last week, about $1,234 more.\n")
        assert plain.stderr.startswith("⚠ 2 of 2 figures not found in the tool results: 15%, $1,234\n")
        api.queue(say("Up 15% on last week."))
        as_json = opsbot("ask", "How did we do?", "--json", cwd=tmp_path, env=env)
        assert json.loads(as_json.stdout)["provenance"] == {"checked": 1, "unmatched": ["15%"]}


@pytest.mark.postgres
def test_a_process_killed_during_a_tool_call_leaves_a_conversation_that_continues(
    postgres_server, small_fixtures, tmp_path
):
    url = postgres_server.create_database(f"t_kill_{uuid.uuid4().hex[:8]}")
    engine = open_store(url)
    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    locker = engine.connect()

    def responder(body: dict):
        if len(body["messages"]) == 1:
            # Hold the tables the tool reads, so the tool call is still running when the process is killed.
            locker.begin()
            locker.execute(text("LOCK TABLE daily_sales, orders IN ACCESS EXCLUSIVE MODE"))
            return call("sales_report", period="last week")
        return say("Still here.")

    with FakeAnthropic(responder) as api:
        env = {"DATABASE_URL": url, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "ask", "How did last week go?"],
            cwd=tmp_path,
            env=opsbot_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            running = None
            while running is None and time.monotonic() < deadline:
                with engine.connect() as conn:
                    running = conn.execute(
                        select(ToolCallRecord).where(ToolCallRecord.status == "running")
                    ).first()
                time.sleep(0.1)
            assert running is not None, "the tool call never started"
            time.sleep(0.3)
            assert process.poll() is None
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
            locker.rollback()
            locker.close()
        assert process.returncode == -signal.SIGKILL
        with engine.connect() as conn:
            (turn,) = conn.execute(select(Turn)).all()
        assert turn.status == "running"  # as the killed process left it

        again = opsbot(
            "ask", "Are you still there?", "--conversation", turn.conversation_id, cwd=tmp_path, env=env
        )
        assert (again.returncode, again.stdout) == (0, "Still here.\n"), again.stderr
        sent = api.requests[-1].body["messages"]
        assert api.requests[-1].status == 200
        assert sent[0]["content"][0]["text"] == "How did last week go?"
        (result,) = sent[2]["content"]
        assert result["tool_use_id"] == sent[1]["content"][0]["id"] and result["is_error"] is True
        assert result["content"].startswith("interrupted: the tool did not finish")
        assert sent[3]["content"][0]["text"].startswith(
            "[opsbot: this question got no answer — the process stopped"
        )

    trace = opsbot("trace", turn.conversation_id, cwd=tmp_path, env=env)
    assert "· interrupted" in trace.stdout and "── Question 2" in trace.stdout
    with engine.connect() as conn:
        statuses = conn.execute(select(Turn.status).order_by(Turn.id)).scalars().all()
    assert statuses == ["interrupted", "answered"]
    engine.dispose()
