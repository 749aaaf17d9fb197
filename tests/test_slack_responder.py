"""The Slack pieces in-process: which events are questions, the table sieve, and the responder with the
scripted model and the real ``WebClient`` talking to the fake Slack Web API."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk import WebClient

from bot.agent.context_budget import tool_results
from bot.agent.scripted_model import ScriptedModel, call, say
from bot.application import Application
from bot.settings import SlackSettings, load_settings
from bot.slack import responder as responder_module
from bot.slack.formatting import (
    FIRST_STATUS,
    LOADING_MESSAGES,
    TableSieve,
    table_block,
    table_csv,
    task_title,
)
from bot.slack.incoming import from_mention, from_message
from bot.slack.responder import EMPTY_QUESTION, STOPPED_NOTE, SlackResponder
from bot.slack.setup import access_summary
from tests.agent_harness import agent_on
from tests.fakes.slack_api import (
    BOT_TOKEN,
    BOT_USER,
    TEAM,
    FakeSlack,
    channel_message,
    direct_message,
    mention,
)

sqlite_only = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
BODY = {"team_id": TEAM, "event_id": "Ev1"}


def sieve(text: str, piece: int = 5) -> tuple[str, TableSieve]:
    table_sieve = TableSieve()
    shown = "".join(table_sieve.feed(text[i : i + piece]) for i in range(0, len(text), piece))
    return shown + table_sieve.finish(), table_sieve


def test_the_sieve_lifts_tables_out_and_leaves_other_pipes_alone():
    table = "| Item | Units |\n|:---|---:|\n| **Fries** | 12 |\n| Pizza | 9 |\n"
    text = f"Top **items**:\n\n{table}\nA | B is not a table."
    shown, found = sieve(text)
    assert shown == "Top **items**:\n\n_(table below)_\n\nA | B is not a table."
    assert found.tables == [[["Item", "Units"], ["Fries", "12"], ["Pizza", "9"]]]
    assert table_block(found.tables[0])["column_settings"] == [{"align": "left"}, {"align": "right"}]

    shown, found = sieve("| not | a table |\n| just pipes |\nafter")
    assert shown == "| not | a table |\n| just pipes |\nafter" and found.tables == []

    two = "| a | b |\n|---|---|\n| 1 | 2 |\n\nand\n\n| c |\n|---|\n| 3 |"
    shown, found = sieve(two, piece=1)
    blocks, fallback = found.blocks_and_fallback()
    assert shown == "_(table below)_\n\nand\n\n"
    assert blocks == [table_block([["a", "b"], ["1", "2"]])]
    assert fallback == "```\nc\n-\n3\n```"


def test_which_events_are_questions():
    assert from_mention(BODY, mention("U1", "sales  yesterday &amp; today?", "1.1"), BOT_USER).text == (
        "sales yesterday & today?"
    )
    dm = from_message(BODY, direct_message("U1", "hi there", "2.1"), BOT_USER, lambda _c: False)
    assert (dm.conversation_id, dm.thread_ts, dm.is_direct) == (f"slack:{TEAM}:D0DM:2.1", "2.1", True)
    in_thread = direct_message("U1", "and then?", "2.5", thread_ts="2.1")
    assert from_message(BODY, in_thread, BOT_USER, lambda _c: False).conversation_id == dm.conversation_id

    edited = {**direct_message("U1", "x", "3.1"), "subtype": "message_changed"}
    from_bot = {**direct_message("U2", "x", "3.2"), "bot_id": "B9"}
    top_level = channel_message("U1", "lunch?", "3.3")
    mentioned = channel_message("U1", f"<@{BOT_USER}> sales?", "3.4", thread_ts="3.0")
    elsewhere = channel_message("U1", "and Harbor?", "3.5", thread_ts="3.0")
    for event in (edited, from_bot, top_level, mentioned):
        assert from_message(BODY, event, BOT_USER, lambda _c: True) is None
    assert from_message(BODY, elsewhere, BOT_USER, lambda _c: False) is None  # a thread the bot is not in
    known = f"slack:{TEAM}:C0SALES:3.0"
    assert from_message(BODY, elsewhere, BOT_USER, lambda c: c == known).text == "and Harbor?"


def test_the_access_line_at_start_is_loud_when_anyone_may_ask():
    assert "ANYONE in the Slack workspace" in access_summary(SlackSettings())
    limited = access_summary(SlackSettings(allowed_users=frozenset({"U2", "U1"})))
    assert limited == (
        "Slack access: users U1, U2; channels any channel the app is in (direct messages: the allowed users)."
    )


def test_who_may_ask():
    settings = SlackSettings(allowed_users=frozenset({"U1"}), allowed_channels=frozenset({"C1"}))
    responder = SlackResponder(None, settings)  # type: ignore[arg-type]
    asked = from_mention(BODY, mention("U1", "hi", "1.1", channel="C1"), BOT_USER)
    assert responder.refusal(asked) is None
    assert responder.refusal(from_mention(BODY, mention("U1", "hi", "1.2", channel="C2"), BOT_USER))
    assert responder.refusal(from_mention(BODY, mention("U2", "hi", "1.3", channel="C1"), BOT_USER))
    dm = from_message(BODY, direct_message("U1", "hi", "1.4"), BOT_USER, lambda _c: False)
    assert responder.refusal(dm) is None  # direct messages: the user list only


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def ask(engine, slack: FakeSlack, script, text: str, ts: str) -> None:
    agent = agent_on(engine, ScriptedModel(script))
    responder = SlackResponder(
        Application(load_settings(env_file=None, environ={}), store=engine, agent=agent), SlackSettings()
    )
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    question = from_message(BODY | {"event_id": f"Ev{ts}"}, direct_message("U1", text, ts), BOT_USER, bool)
    responder.handle(question, client)
    agent.close()


@sqlite_only
def test_a_table_too_long_for_a_block_is_cut_and_attached_whole_as_csv(demo_store, slack):
    engine, _ = demo_store
    rows = [["Day", "Orders"]] + [[f"Day {n}", str(n)] for n in range(1, 151)]
    markdown = "Daily orders:\n\n| Day | Orders |\n|---|---|\n" + "\n".join(
        f"| {d} | {o} |" for d, o in rows[1:]
    )
    ask(engine, slack, [say(markdown)], "Orders per day, all of them?", "5.1")
    (reply,) = slack.replies("D0DM", "5.1")
    assert reply["blocks"][0] == table_block(rows[:100])
    assert reply["text"].endswith(
        "_(A table was too long to show whole: the first 99 rows are shown, and the whole table is attached "
        "as CSV.)_"
    )
    (upload,) = slack.of("files.getUploadURLExternal")
    assert upload.args["filename"] == "opsbot-table-1.csv"
    (complete,) = slack.of("files.completeUploadExternal")
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == ("D0DM", "5.1")
    assert slack.uploads[complete.args["files"][0]["id"]].decode() == table_csv(rows)


@sqlite_only
def test_an_empty_question_a_step_cap_and_a_long_answer(demo_store, slack, monkeypatch):
    engine, _ = demo_store
    ask(engine, slack, [], "   ", "6.1")
    assert slack.replies("D0DM", "6.1") == [{"text": EMPTY_QUESTION, "blocks": []}]

    looping = [call("business_info")] * 2
    agent = agent_on(engine, ScriptedModel(looping), max_steps=2)
    responder = SlackResponder(
        Application(load_settings(env_file=None, environ={}), store=engine, agent=agent), SlackSettings()
    )
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    responder.handle(from_message(BODY, direct_message("U1", "loop?", "6.2"), BOT_USER, bool), client)
    (reply,) = slack.replies("D0DM", "6.2")
    assert reply["text"].startswith("I stopped after 2 model calls without reaching an answer")

    monkeypatch.setattr(responder_module, "MESSAGE_CHARS", 400)
    paragraph = "Sales were steady all week, with the usual Saturday peak. " * 3
    ask(engine, slack, [say("\n\n".join([paragraph] * 4))], "Tell me at length", "6.3")
    replies = slack.replies("D0DM", "6.3")
    assert len(replies) == 2 and "".join(r["text"] for r in replies) == "\n\n".join([paragraph] * 4)


@pytest.mark.postgres
def test_one_turn_at_a_time_per_conversation_across_stores(postgres_server):
    from bot.agent.conversation_store import ConversationStore
    from tools.store.database import open_store

    url = postgres_server.create_database("t_turn_lock")
    first, second = ConversationStore(open_store(url)), ConversationStore(open_store(url))
    order: list[str] = []
    held = threading.Event()

    def hold() -> None:
        with first.turn_lock("slack:T:C:1"):
            held.set()
            time.sleep(0.5)
            order.append("first done")

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    with second.turn_lock("slack:T:C:2"):
        order.append("other conversation")  # not blocked
    with second.turn_lock("slack:T:C:1"):
        order.append("second")
    holder.join()
    assert order == ["other conversation", "first done", "second"]


@sqlite_only
def test_an_answer_with_figures_no_tool_returned_is_marked_under_it_and_a_clean_one_is_not(demo_store, slack):
    engine, _ = demo_store
    seen = []

    def quoting(request):
        (result, _), *_ = tool_results(request.messages[-1])
        seen.append(result["totals"]["net_sales"])
        return say(f"Net sales on 21 Nov: {seen[0]}.")

    script = [call("sales_report", start_date="2026-11-21", end_date="2026-11-21"), quoting]
    ask(engine, slack, script, "Sales on 21 November?", "7.1")
    (clean,) = slack.replies("D0DM", "7.1")
    assert clean["text"] == f"Net sales on 21 Nov: {seen[0]}."

    ask(engine, slack, [say("About 15% up, or $1,234.")], "Against the week before?", "7.2")
    (marked,) = slack.replies("D0DM", "7.2")
    assert marked["text"] == (
        "About 15% up, or $1,234.\n\n_⚠ 2 of 2 figures not found in the tool results: 15%, $1,234_"
    )


@sqlite_only
def test_without_agent_sessions_the_legacy_status_shows_and_a_failed_tool_is_a_task_in_error(demo_store):
    engine, _ = demo_store
    script = [call("sales_report", period="the day after never"), say("That period is not one I know.")]
    with FakeSlack(agent_sessions=False) as slack:
        ask(engine, slack, script, "Sales on the day after never?", "8.1")
        calls = slack.in_thread("D0DM", "8.1")
        statuses = [c.args["status"] for c in calls if c.method == "assistant.threads.setStatus"]
        assert statuses == [FIRST_STATUS, "is adding up sales…", ""]
        first = next(c for c in calls if c.method == "assistant.threads.setStatus")
        assert first.args["loading_messages"] == LOADING_MESSAGES
        assert [c.args["status"] for c in slack.of("agents.sessions.setStatus")] == [
            "processing"
        ]  # tried once
        started, finished = [t for t in slack.tasks("D0DM", "8.1") if t["type"] == "task_update"]
        assert (started["status"], finished["status"]) == ("in_progress", "error")
        assert started["title"] == finished["title"] == "Adding up sales for the day after never"
        assert finished["output"].startswith("failed: ") and "period" in finished["output"]
        assert slack.tasks("D0DM", "8.1")[-1] == {
            "type": "plan_update",
            "title": "Looked up the numbers: 1 step, 1 failed",
        }
        (reply,) = slack.replies("D0DM", "8.1")
        assert reply["text"] == "That period is not one I know."
        assert slack.invalid == []


def test_task_titles_name_the_period_the_locations_and_the_breakdown():
    assert task_title("sales_report", "adding up sales", {"period": "last week", "location": "Harbor"}) == (
        "Adding up sales for last week at Harbor"
    )
    assert (
        task_title(
            "compare_locations",
            "comparing locations",
            {"start_date": "2026-11-01", "end_date": "2026-11-07", "locations": ["Harbor", "Uptown"]},
        )
        == "Comparing locations for 2026-11-01 to 2026-11-07 at Harbor, Uptown"
    )
    assert task_title("odd_tool", None, {"period": True, "location": {"x": 1}}) == "Running odd_tool"
    assert len(task_title("t", "x", {"period": "p" * 500})) == 120


@sqlite_only
def test_stop_while_slack_keeps_the_stream_closes_it_with_the_note(demo_store, slack):
    engine, _ = demo_store
    gate = threading.Event()

    def after_the_tool(_request):
        assert gate.wait(30)
        return say("Net sales were fine.")

    agent = agent_on(engine, ScriptedModel([call("business_info"), after_the_tool]))
    responder = SlackResponder(
        Application(load_settings(env_file=None, environ={}), store=engine, agent=agent), SlackSettings()
    )
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    question = from_message(
        BODY | {"event_id": "Ev9.1"}, direct_message("U1", "Stop me?", "9.1"), BOT_USER, bool
    )
    answering = threading.Thread(target=responder.handle, args=(question, client))
    answering.start()
    slack.wait_for(lambda fake: any(t.get("status") == "complete" for t in fake.tasks("D0DM", "9.1")))
    assert responder.stop(client, TEAM, "D0DM", "9.1", []) is True
    gate.set()
    answering.join(30)
    agent.close()
    calls = slack.in_thread("D0DM", "9.1")
    assert [c.method for c in calls][-2:] == ["chat.stopStream", "agents.sessions.setStatus"]
    stop = calls[-2].args
    assert stop["chunks"] == [
        {"type": "markdown_text", "text": STOPPED_NOTE},
        {"type": "plan_update", "title": "Looked up the numbers: 1 step"},
    ]
    assert "blocks" not in stop  # a stopped answer has no sources or feedback buttons
    assert not slack.of("chat.postMessage") and slack.invalid == []
    assert responder.stop(client, TEAM, "D0DM", "9.1", []) is False  # nothing runs there any more
