"""The Slack app as Slack drives it: the real ``opsbot serve`` (Bolt in HTTP mode) receives signed Events API
requests over HTTP, its WebClient talks to the local fake Slack Web API, the model is the local fake
Messages API, the data the synced demo store. Expected figures come from the fixture oracle."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.agent.context_budget import tool_results
from bot.agent.scripted_model import call, say
from bot.agent.tables import ChatEvent, Conversation, Turn
from bot.slack.responder import REFUSED_CHANNEL, REFUSED_USER
from tests.conftest import DEMO_FIXTURES
from tests.fakes.anthropic_server import OVERLOADED, FakeAnthropic
from tests.fakes.slack_api import (
    BOT_USER,
    TEAM,
    FakeSlack,
    channel_message,
    direct_message,
    event_callback,
    mention,
    post_event,
)
from tests.fixture_oracle import dollars, expected_from_fixtures
from tests.support.serve import ServeProcess, slack_http_env
from tests.test_answer_sources import ZONE, freshness_text

pytestmark = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)

OWNER, MANAGER, STRANGER = "U0OWNER", "U0MANAGER", "U0STRANGER"
LOCATIONS = ("Downtown", "Harbor", "Uptown", "Sunset")
_ts = iter(range(100, 10_000))
FOOTNOTE = (
    "Completed orders only: canceled and failed orders, and the POS copies of delivery orders, are left out "
    "of every figure here."
)


def new_ts() -> str:
    """A fresh message ts for each event a test sends."""
    return f"1790000000.{next(_ts):06d}"


def analyst(body: dict):
    """The fake model: net sales by location on the date in the question, answered with a table; "And X?"
    from the earlier result in the thread; a question about "overload" always meets an overloaded API."""
    messages = body["messages"]
    results = tool_results(messages[-1])
    if results:
        (result, _), *_ = results
        rows = "\n".join(f"| {row['location']} | {row['net_sales']} |" for row in result["rows"])
        return say(
            f"Net sales on {result['period']['start']}: **{result['totals']['net_sales']}**. {FOOTNOTE}\n\n"
            f"| Location | Net sales |\n|---|---|\n{rows}"
        )
    question = messages[-1]["content"][-1]["text"]
    if "overload" in question:
        return OVERLOADED
    if question.startswith("And "):
        name = question.removeprefix("And ").rstrip("?")
        earlier = [r for m in messages if m["role"] == "user" for r, _ in tool_results(m) if "rows" in r]
        (row,) = [row for row in earlier[-1]["rows"] if row["location"].endswith(f"({name})")]
        return say(f"{name}: {row['net_sales']}.")
    day = re.search(r"\d{4}-\d\d-\d\d", question).group(0)
    return call("sales_report", start_date=day, end_date=day, group_by="location")


@pytest.fixture(scope="module")
def net_by_day():
    days = expected_from_fixtures(DEMO_FIXTURES).days
    return lambda day: {name: days[(name, day)].net for name in LOCATIONS}


@pytest.fixture
def slack_bot(demo_store, tmp_path_factory):
    """The fake Slack and model, and a real ``opsbot serve`` over the demo store."""
    engine, _ = demo_store
    with FakeSlack() as slack, FakeAnthropic(analyst) as api:
        env = slack_http_env(
            engine.url.render_as_string(hide_password=False),
            slack,
            api,
            OPSBOT_MODEL_RETRIES="0",
            OPSBOT_SLACK_ALLOWED_USERS=f"{OWNER},{MANAGER}," + ",".join(f"U0CROWD{n:02d}" for n in range(20)),
            OPSBOT_SLACK_ALLOWED_CHANNELS="C0SALES",
            OPSBOT_LOG_LEVEL="INFO",
        )
        with ServeProcess(env, tmp_path_factory.mktemp("serve")) as server:
            yield server, slack, api, engine


def send(server, event: dict, **options) -> tuple[int, str, float]:
    return post_event(f"{server.url}/slack/events", event_callback(event), **options)


def table_block(rows: list[list[str]]) -> dict:
    return {
        "type": "table",
        "column_settings": [{"align": "left"}, {"align": "right"}],
        "rows": [[{"type": "raw_text", "text": cell} for cell in row] for row in rows],
    }


def questions_sent(api: FakeAnthropic, text: str) -> int:
    """How many model conversations started with ``text`` as their newest question."""
    return sum(
        1
        for r in api.answered
        if r.body["messages"][-1]["role"] == "user"
        and r.body["messages"][-1]["content"][-1].get("text") == text
    )


def test_a_direct_message_gets_a_session_a_plan_of_its_tool_calls_then_the_answer(slack_bot, net_by_day):
    server, slack, _, engine = slack_bot
    net = net_by_day(date(2026, 11, 21))
    ts = new_ts()
    question = "What were net sales on 2026-11-21, by location?"
    status, body, _ = send(server, direct_message(OWNER, question, ts))
    assert (status, body) == (200, "")
    calls = slack.answered("D0DM", ts)
    methods = [c.method for c in calls]
    # At once: the agent session set processing, titled with the question.
    assert methods[0] == "agents.sessions.setStatus" and calls[0].args == {
        "channel_id": "D0DM",
        "thread_ts": ts,
        "status": "processing",
        "title": question,
        "initiator_user_id": OWNER,
        "team_id": TEAM,  # Bolt's client names the workspace
    }
    # Then the plan: the tool call as a task, in progress, then done; then the text; the session active.
    assert methods[1:3] == ["chat.startStream", "chat.appendStream"] and methods[-2:] == [
        "chat.stopStream",
        "agents.sessions.setStatus",
    ]
    assert set(methods[3:-2]) <= {"chat.appendStream"} and len(methods) >= 6  # the text streamed in pieces
    start = calls[1].args
    assert (start["thread_ts"], start["recipient_user_id"], start["recipient_team_id"]) == (ts, OWNER, TEAM)
    assert start["task_display_mode"] == "plan"
    plan, started = start["chunks"]
    title = "Adding up sales for 2026-11-21 by location"
    assert plan == {"type": "plan_update", "title": "Looking up the numbers…"}
    assert started == {
        "type": "task_update",
        "id": started["id"],
        "title": title,
        "status": "in_progress",
        "details": 'sales_report(start_date="2026-11-21", end_date="2026-11-21", group_by="location")',
    }
    (finished,) = calls[2].args["chunks"]
    assert (finished["id"], finished["title"], finished["status"]) == (started["id"], title, "complete")
    assert re.fullmatch(r"done in \d+\.\d\d s", finished["output"])
    assert calls[-2].args["chunks"][-1] == {"type": "plan_update", "title": "Looked up the numbers: 1 step"}
    assert calls[-1].args == {"channel_id": "D0DM", "thread_ts": ts, "status": "active", "team_id": TEAM}
    (reply,) = slack.replies("D0DM", ts)
    total = dollars(sum(net.values()))
    assert reply["text"] == f"Net sales on 2026-11-21: **{total}**. {FOOTNOTE}\n\n"  # the table is a block
    expected_rows = [["Location", "Net sales"]] + [
        [f"Location {n} ({name})", dollars(net[name])] for n, name in enumerate(LOCATIONS, 1)
    ]
    table, sources, feedback = reply["blocks"]
    assert table == table_block(expected_rows)
    zones = sorted(set(ZONE.values()))
    line = f"Sources: sales_report · 2026-11-21 · all locations · {', '.join(zones)} · {freshness_text()}"
    assert sources == {"type": "context", "elements": [{"type": "plain_text", "text": line, "emoji": False}]}
    with engine.connect() as conn:
        turn_id = conn.execute(
            select(Turn.id).where(Turn.conversation_id == f"slack:{TEAM}:D0DM:{ts}")
        ).scalar_one()
    (buttons,) = feedback["elements"]
    assert feedback["type"] == "context_actions" and buttons["type"] == "feedback_buttons"
    assert (buttons["positive_button"]["value"], buttons["negative_button"]["value"]) == (
        f"good:{turn_id}",
        f"bad:{turn_id}",
    )
    assert slack.invalid == []


def test_asked_for_a_chart_the_answer_table_is_uploaded_as_a_png_chart_in_the_thread(slack_bot, net_by_day):
    server, slack, _, _ = slack_bot
    net = net_by_day(date(2026, 11, 16))
    ts = new_ts()
    send(server, direct_message(OWNER, "Chart net sales on 2026-11-16 by location", ts))
    calls = slack.answered("D0DM", ts)
    methods = [c.method for c in calls]
    assert methods[-3:] == ["chat.stopStream", "files.completeUploadExternal", "agents.sessions.setStatus"]
    (upload,) = slack.of("files.getUploadURLExternal")
    (complete,) = slack.of("files.completeUploadExternal")
    assert upload.args["filename"] == "opsbot-chart.png"
    assert upload.args["alt_txt"] == "Net sales by location: " + ", ".join(
        f"Location {n} ({name}) {dollars(net[name])}" for n, name in enumerate(LOCATIONS, 1)
    )
    (shared,) = complete.args["files"]
    assert (complete.args["channel_id"], complete.args["thread_ts"], shared["title"]) == (
        "D0DM",
        ts,
        "Net sales by location",
    )
    png = slack.uploads[shared["id"]]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int(upload.args["length"]) == len(png)


def test_a_mention_is_answered_in_its_thread_and_a_follow_up_there_continues_it(slack_bot, net_by_day):
    server, slack, api, engine = slack_bot
    net = net_by_day(date(2026, 11, 14))
    root = new_ts()
    send(server, mention(OWNER, "net sales on 2026-11-14 by location?", root))
    send(server, channel_message(OWNER, f"<@{BOT_USER}> net sales on 2026-11-14 by location?", root))
    slack.answered("C0SALES", root)
    assert questions_sent(api, "net sales on 2026-11-14 by location?") == 1  # the mention, without "<@…>"
    (reply,) = slack.replies("C0SALES", root)
    assert reply["text"].startswith(f"Net sales on 2026-11-14: **{dollars(sum(net.values()))}**.")

    follow_up = new_ts()
    send(server, channel_message(MANAGER, "And Harbor?", follow_up, thread_ts=root))
    slack.answered("C0SALES", root, answers=2)  # its stream stopped, not merely started
    assert slack.replies("C0SALES", root)[1]["text"] == f"Harbor: {dollars(net['Harbor'])}."
    request = next(
        r for r in api.answered if r.body["messages"][-1]["content"][-1].get("text") == "And Harbor?"
    )
    assert len(request.body["messages"]) == 5  # the whole thread: question, tool call, result, answer, this
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(Conversation.source).where(Conversation.id == f"slack:{TEAM}:C0SALES:{root}")
            ).scalar_one()
            == "slack"
        )

    chatter = new_ts()  # a top-level channel message without a mention is not for the bot
    send(server, channel_message(OWNER, "lunch at noon?", chatter))
    time.sleep(0.5)
    assert slack.in_thread("C0SALES", chatter) == []


def test_retries_and_the_mention_message_pair_are_answered_once(slack_bot):
    server, slack, api, engine = slack_bot
    ts = new_ts()
    event = event_callback(direct_message(OWNER, "Net sales on 2026-11-07?", ts))
    url = f"{server.url}/slack/events"
    assert post_event(url, event)[0] == 200
    assert post_event(url, event, retry=1)[0] == 200
    assert post_event(url, event, retry=2)[0] == 200
    root = new_ts()
    pair = [
        mention(MANAGER, "Net sales on 2026-11-08?", root),
        channel_message(MANAGER, "Net sales on 2026-11-08?", root),
    ]
    threads = [threading.Thread(target=send, args=(server, e)) for e in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.answered("D0DM", ts)
    slack.answered("C0SALES", root)
    time.sleep(0.5)  # time for a second answer, were one coming
    assert len(slack.replies("D0DM", ts)) == 1 and len(slack.replies("C0SALES", root)) == 1
    assert questions_sent(api, "Net sales on 2026-11-07?") == 1
    assert questions_sent(api, "Net sales on 2026-11-08?") == 1
    with engine.connect() as conn:
        keys = [f"{TEAM}:D0DM:{ts}", f"{TEAM}:C0SALES:{root}"]
        assert conn.execute(select(func.count()).where(ChatEvent.message_key.in_(keys))).scalar() == 2


def test_people_and_channels_not_allowed_get_a_polite_refusal_and_nothing_is_queried(slack_bot):
    server, slack, api, engine = slack_bot
    ts, root = new_ts(), new_ts()
    send(server, direct_message(STRANGER, "Net sales on 2026-11-02?", ts, channel="D0STRANGER"))
    send(server, mention(OWNER, "Net sales on 2026-11-03?", root, channel="C0RANDOM"))
    slack.wait_for(lambda fake: fake.replies("D0STRANGER", ts) and fake.replies("C0RANDOM", root))
    assert slack.replies("D0STRANGER", ts) == [{"text": REFUSED_USER, "blocks": []}]
    assert slack.replies("C0RANDOM", root) == [{"text": REFUSED_CHANNEL, "blocks": []}]
    assert [c.method for c in slack.in_thread("D0STRANGER", ts)] == ["chat.postMessage"]  # no status either
    assert (
        questions_sent(api, "Net sales on 2026-11-02?")
        == questions_sent(api, "Net sales on 2026-11-03?")
        == 0
    )
    with engine.connect() as conn:
        ids = [f"slack:{TEAM}:D0STRANGER:{ts}", f"slack:{TEAM}:C0RANDOM:{root}"]
        assert conn.execute(select(func.count()).where(Conversation.id.in_(ids))).scalar() == 0


def test_a_bad_signature_gets_401_and_nothing_runs(slack_bot):
    server, slack, api, engine = slack_bot
    ts = new_ts()
    event = event_callback(direct_message(OWNER, "Net sales on 2026-11-04?", ts))
    status, _, _ = post_event(f"{server.url}/slack/events", event, secret="not-the-secret")
    assert status == 401
    unsigned = urllib.request.Request(
        f"{server.url}/slack/events", data=json.dumps(event).encode(), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=10)
    assert refused.value.code == 401
    time.sleep(0.5)
    assert slack.in_thread("D0DM", ts) == [] and questions_sent(api, "Net sales on 2026-11-04?") == 0
    with engine.connect() as conn:
        key = f"{TEAM}:D0DM:{ts}"
        assert conn.execute(select(func.count()).where(ChatEvent.message_key == key)).scalar() == 0


def test_a_model_failure_ends_with_one_sentence_and_a_cleared_status(slack_bot):
    server, slack, _, _ = slack_bot
    ts = new_ts()
    send(server, direct_message(OWNER, "Why the overload on 2026-11-05?", ts))
    calls = slack.answered("D0DM", ts)
    assert slack.replies("D0DM", ts) == [
        {"text": ":warning: The model service is overloaded; try again in a minute.", "blocks": []}
    ]
    assert calls[-1].method == "agents.sessions.setStatus" and calls[-1].args["status"] == "active"


def test_the_url_verification_challenge_and_the_health_check(slack_bot):
    server, _, _, _ = slack_bot
    challenge = {
        "token": "legacy",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    status, body, _ = post_event(f"{server.url}/slack/events", challenge)
    assert status == 200 and json.loads(body) == {"challenge": challenge["challenge"]}
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
        assert json.loads(response.read()) == {"ok": True, "store": "ok"}


def test_twenty_threads_at_once_each_get_their_own_answer(slack_bot, net_by_day):
    server, slack, _, _ = slack_bot
    asked = {}
    for n in range(20):
        day = date(2026, 11, 1 + n)
        asked[f"D0CROWD{n:02d}"] = (f"U0CROWD{n:02d}", day, new_ts())
    statuses = []

    def ask(channel: str, user: str, day: date, ts: str) -> None:
        statuses.append(send(server, direct_message(user, f"Net sales on {day}?", ts, channel=channel))[0])

    senders = [threading.Thread(target=ask, args=(channel, *asked[channel])) for channel in asked]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert statuses == [200] * 20
    for channel, (_user, day, ts) in asked.items():
        slack.answered(channel, ts)
        (reply,) = slack.replies(channel, ts)
        total = dollars(sum(net_by_day(day).values()))
        assert reply["text"].startswith(f"Net sales on {day}: **{total}**."), (channel, reply["text"])
