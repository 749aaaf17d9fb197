"""``opsbot repl`` as a user runs it: the real process in a pseudo-terminal (read through a terminal
emulator), the real SDK talking to the local fake Messages API, the demo store on SQLite."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from bot.agent.context_budget import tool_results
from bot.agent.scripted_model import call, say
from bot.agent.tables import Conversation, Turn
from tests.conftest import DEMO_FIXTURES
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic, Hang
from tests.fakes.messages_api_rules import conversation_problem
from tests.fixture_oracle import dollars, expected_from_fixtures, item_sales_from_fixtures
from tests.support.terminal import UP_ARROW, Terminal

SATURDAY = date(2026, 11, 21)
QUESTION = "What were net sales on 21 November, by location?"


def analyst(body: dict):
    """The fake model: by-location sales for 21 Nov answered as a Markdown table; "And X?" answered from
    that earlier result; a question with "slow" in it is never answered in time."""
    messages = body["messages"]
    results = tool_results(messages[-1])
    if results:
        (result, _), *_ = results
        rows = "\n".join(f"| {row['location']} | {row['net_sales']} |" for row in result["rows"])
        return say(
            f"**Total: {result['totals']['net_sales']}** on {result['period']['start']}.\n\n"
            f"| Location | Net sales |\n|---|---|\n{rows}\n\n- from the POS and delivery orders"
        )
    question = messages[-1]["content"][-1]["text"]
    if "slow" in question:
        return Hang(120)  # only the interrupt ends it, however loaded the machine
    if question.startswith("And "):
        name = question.removeprefix("And ").rstrip("?")
        earlier = [r for m in messages if m["role"] == "user" for r, _ in tool_results(m) if "rows" in r]
        (row,) = [row for row in earlier[-1]["rows"] if row["location"].endswith(f"({name})")]
        return say(f"{name}: **{row['net_sales']}**.")
    return call("sales_report", start_date="2026-11-21", end_date="2026-11-21", group_by="location")


def cancel(term: Terminal) -> str:
    """Ctrl-C until the answer is cancelled: under heavy load a Ctrl-C has been seen not to arrive, and a
    person presses it again (the answer hangs for two minutes, so only a Ctrl-C ends it)."""
    for _attempt in range(3):
        term.interrupt()
        try:
            return term.wait_for_prompt(3, timeout=15)
        except AssertionError:
            continue
    return term.wait_for_prompt(3, timeout=1)


@pytest.fixture
def sqlite_demo(demo_store):
    engine, _ = demo_store
    return engine.url.render_as_string(hide_password=False)


def _table_row(screen: str, name: str) -> str:
    (line,) = [line for line in screen.splitlines() if re.match(rf"^\s*Location \d \({name}\)\s", line)]
    return line


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_a_question_a_cancelled_answer_and_a_follow_up(demo_store, sqlite_demo, tmp_path):
    engine, _ = demo_store
    days = expected_from_fixtures(DEMO_FIXTURES).days
    net = {name: totals.net for (name, day), totals in days.items() if day == SATURDAY}
    with FakeAnthropic(analyst) as api:
        env = {"DATABASE_URL": sqlite_demo, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        with Terminal(["repl"], cwd=tmp_path, env=env) as term:
            screen = term.wait_for_prompt(1)
            assert "Copperline Kitchen · 4 locations" in screen and "ANTHROPIC_API_KEY" not in screen

            term.send_line(QUESTION)
            screen = term.wait_for_prompt(2)
            # The tool call stays as a line; the Markdown is rendered: bold without stars, a real table.
            assert re.search(
                r'^  ✓ sales_report\(start_date="2026-11-21", end_date="2026-11-21", group_by="location"\) · '
                r"\d+\.\d\d s$",
                screen,
                flags=re.M,
            )
            assert f"Total: {dollars(sum(net.values()))} on 2026-11-21." in screen
            for name, cents in net.items():
                row = _table_row(screen, name)
                assert row.split()[-1] == dollars(cents) and "|" not in row
            assert "**" not in screen and "|---|" not in screen and "| Location" not in screen
            assert "• from the POS and delivery orders" in screen

            term.send_line("Why so slow?")
            term.wait_for(r"thinking · [1-9]")  # a second into the wait: the request is in flight
            screen = cancel(term)
            assert "Cancelled. The conversation is kept" in screen

            term.send_line("And Harbor?")
            screen = term.wait_for_prompt(4)
            assert f"Harbor: {dollars(net['Harbor'])}." in screen

            term.send_line("/trace")
            screen = term.wait_for_prompt(5)
            assert "user: Why so slow?" in screen and "· interrupted" in screen
            conversation = re.search(r"^Conversation (c-[0-9a-f]{10}) · repl · started", screen, re.M).group(
                1
            )
            term.send("\x04")  # Ctrl-D
            assert term.wait_exit() == 0

    with engine.connect() as conn:
        assert (
            conn.execute(select(Conversation.title).where(Conversation.id == conversation)).scalar()
            == QUESTION
        )
        statuses = conn.execute(
            select(Turn.status).where(Turn.conversation_id == conversation).order_by(Turn.id)
        ).scalars()
        assert list(statuses) == ["answered", "interrupted", "answered"]
    # The follow-up was sent with the whole conversation, the cancelled question and its note included.
    sent = api.answered[-1].body["messages"]
    assert conversation_problem(sent) is None
    # question, tool call, result, answer; the cancelled question and its note; the follow-up
    assert [m["role"] for m in sent] == ["user", "assistant"] * 3 + ["user"]
    assert sent[4]["content"][0]["text"] == "Why so slow?"
    assert sent[5]["content"][0]["text"].startswith("[opsbot: this question got no answer")
    assert sent[6]["content"][0]["text"] == "And Harbor?"


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_without_an_api_key_the_tool_console_works_and_history_persists(sqlite_demo, tmp_path):
    units = Counter()
    for (_name, day), counter in item_sales_from_fixtures(DEMO_FIXTURES).units.items():
        if day == SATURDAY:
            units.update(counter)
    (best, sold), *_ = units.most_common(1)
    env = {"DATABASE_URL": sqlite_demo}
    command = "/call top_items start_date=2026-11-21 end_date=2026-11-21 limit=1"
    with Terminal(["repl"], cwd=tmp_path, env=env) as term:
        screen = term.wait_for_prompt(1)
        assert "No ANTHROPIC_API_KEY is set" in screen and ".env.example" in screen

        term.send_line(command)
        screen = term.wait_for_prompt(2)
        assert f'"item": "{best}",' in screen and f'"units_sold": {sold},' in screen
        assert re.search(r"^\(top_items · \d+ ms\)$", screen, flags=re.M)

        term.send_line("What sold best?")
        screen = term.wait_for_prompt(3)
        assert "ANTHROPIC_API_KEY is not set, so opsbot cannot ask the model." in screen
        term.send("Two lines:\x1b\r")  # Alt-Enter adds a line
        term.send("the second\\")  # …and so does a line ending in a backslash
        term.send_line("")
        term.send_line("the third")
        screen = term.wait_for_prompt(4)
        assert re.search(r"^› Two lines:\n… the second\n… the third$", screen, flags=re.M), screen
        term.send_line("/quit")
        assert term.wait_exit() == 0

    assert (tmp_path / ".opsbot" / "repl_history").read_text().count(command) == 1
    with Terminal(["repl"], cwd=tmp_path, env=env) as term:
        term.wait_for_prompt(1)
        # Newest first; within the three-line entry ↑ first walks up its lines, then on to older entries.
        for presses, earlier in ((1, "/quit"), (1, "Two lines:"), (3, "What sold best?"), (1, command)):
            term.send(UP_ARROW * presses)
            term.wait_for(f"^› {re.escape(earlier)}$")
        term.send("\r")
        screen = term.wait_for_prompt(2)
        assert screen.count(f'"item": "{best}",') == 1
        term.send("\x04")
        assert term.wait_exit() == 0
