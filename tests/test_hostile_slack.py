"""The Slack door of the real ``opsbot serve`` under hostile requests: random bodies and headers never get a
5xx, only correctly signed ones reach a listener, and signed events missing what a listener needs are
acknowledged, logged once and answered by nobody; signed feedback clicks of any shape store nothing but a
vote on the answer they are under. OPSBOT_FUZZ_EXAMPLES raises the examples (default 25)."""

from __future__ import annotations

import json
import os
import time
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.agent.scripted_model import say
from bot.agent.tables import Turn
from bot.feedback.tables import AnswerFeedback
from bot.slack.blocks import comment_modal
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.slack_api import (
    TEAM,
    FakeSlack,
    direct_message,
    event_callback,
    feedback_click,
    modal_submitted,
    post_interaction,
    signed_headers,
)
from tests.support.serve import ServeProcess, slack_http_env

EXAMPLES = int(os.environ.get("OPSBOT_FUZZ_EXAMPLES") or 25)  # each example is an HTTP round trip
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
OWNER = "U0OWNER"
pytestmark = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
_ts = iter(range(1, 1_000_000))


@pytest.fixture(scope="module")
def door(demo_store, tmp_path_factory):
    """``opsbot serve`` answering Slack over HTTP for OWNER, with a model that always says "fine"."""
    engine, _ = demo_store
    with FakeSlack() as slack, FakeAnthropic(lambda _body: say("fine")) as api:
        env = slack_http_env(
            engine.url.render_as_string(hide_password=False),
            slack,
            api,
            OPSBOT_SLACK_ALLOWED_USERS=OWNER,
            OPSBOT_LOG_LEVEL="INFO",
        )
        with ServeProcess(env, tmp_path_factory.mktemp("hostile-slack")) as server:
            yield server, slack


def post(server, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"{server.url}/slack/events", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def new_ts() -> str:
    return f"1790500000.{next(_ts):06d}"


def question(text: str = "Net sales yesterday?") -> tuple[dict, str]:
    ts = new_ts()
    return event_callback(direct_message(OWNER, text, ts)), ts


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.sampled_from([b"{", b"payload=%7B", b"payload=5", b"a=1&b=2", b"\xff\xfe{}", b"[1, 2]", b""]),
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=80)
forged = st.fixed_dictionaries(
    {},
    optional={
        "X-Slack-Request-Timestamp": header_text | st.integers(-(10**15), 10**15).map(str),
        "X-Slack-Signature": header_text | st.just("v0=" + "0" * 64),
        "Content-Type": st.sampled_from(
            ["application/json", "application/x-www-form-urlencoded", "text/plain"]
        ),
    },
)


@FUZZ
@given(body=bodies, headers=forged)
def test_an_unsigned_or_forged_request_is_401_before_bolt_sees_it(door, body, headers):
    server, _ = door
    assert post(server, body, headers) == 401


@FUZZ
@given(
    body=bodies, content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", ""])
)
def test_a_signed_request_of_any_body_is_never_a_5xx(door, body, content_type):
    server, _ = door
    headers = signed_headers(body) | {"Content-Type": content_type}
    status = post(server, body, headers)
    try:
        parsed = json.loads(body) if content_type == "application/json" or body.startswith(b"{") else {}
    except ValueError:
        parsed = None
    assert status in (200, 400, 401, 404)
    if not body.strip() or (not isinstance(parsed, dict) and content_type == "application/json"):
        assert status in (400, 401)  # 401: bytes that are not UTF-8 cannot carry Slack's signature


def test_a_good_question_signed_with_another_secret_or_stale_or_of_other_bytes_is_401(door):
    server, slack = door
    for make_headers in (
        lambda body: signed_headers(body, secret="not-the-secret"),
        lambda body: signed_headers(body, timestamp=int(time.time()) - 301),
        lambda body: signed_headers(body + b" "),
        lambda body: {"Content-Type": "application/json"},
    ):
        payload, ts = question()
        body = json.dumps(payload).encode()
        assert post(server, body, make_headers(body)) == 401
    assert post(server, b"\xff\xfe\x00garbage", {"X-Slack-Signature": "v0=zz"}) == 401
    payload, ts = question()
    body = json.dumps(payload).encode()
    assert post(server, body, signed_headers(body)) == 200
    slack.answered("D0DM", ts)  # the one correctly signed question was answered
    log = server.log()
    assert log.count("refused a Slack request without a valid signature") >= 5
    assert "Traceback" not in log


NEEDED = ("channel", "ts", "user", "text")


@FUZZ
@given(field=st.sampled_from(NEEDED), value=st.none() | st.integers() | st.lists(st.integers(), max_size=2))
def test_a_signed_event_without_a_field_a_listener_needs_is_acknowledged_and_ignored(door, field, value):
    server, slack = door
    payload, ts = question()
    payload["event"]["thread_ts"] = ts  # the thread to watch even when ts itself is the field removed
    if value is None:
        del payload["event"][field]
    else:
        payload["event"][field] = value
    # The listener's "ignored a Slack message event without a usable <field>", or the door's "ignored a
    # Slack request Bolt cannot read (…)" when Bolt trips on the field's type while reading the request.
    marker = "ignored a Slack "
    before = server.log().count(marker)
    body = json.dumps(payload).encode()
    assert post(server, body, signed_headers(body)) == 200
    deadline = time.monotonic() + 30
    while server.log().count(marker) == before:
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.02)
    assert slack.in_thread("D0DM", ts) == []


@pytest.mark.parametrize("event", [None, "a string", 5, [], {"no": "type"}])
def test_an_event_callback_whose_event_is_not_an_object_is_acknowledged_with_a_warning(door, event):
    server, _ = door
    payload, _ = question()
    payload["event"] = event
    before = server.log().count("ignored a Slack event callback without an event object with a type")
    body = json.dumps(payload).encode()
    assert post(server, body, signed_headers(body)) == 200
    assert (
        server.log().count("ignored a Slack event callback without an event object with a type") == before + 1
    )


@pytest.fixture(scope="module")
def answered(door, demo_store):
    """One answered question: its turn id, thread and message, for feedback clicks to aim at."""
    server, slack = door
    engine, _ = demo_store
    payload, ts = question("Feedback target?")
    body = json.dumps(payload).encode()
    assert post(server, body, signed_headers(body)) == 200
    slack.answered("D0DM", ts)
    (stream,) = slack.of("chat.startStream", thread_ts=ts)
    with engine.connect() as conn:
        turn_id = conn.execute(
            select(Turn.id).where(Turn.conversation_id == f"slack:{TEAM}:D0DM:{ts}")
        ).scalar_one()
    return turn_id, ts, stream.args["_ts"]


def feedback_rows(engine) -> set[tuple]:
    """Every stored vote, whole (other tests' votes in the shared store too)."""
    columns = (
        AnswerFeedback.id,
        AnswerFeedback.turn_id,
        AnswerFeedback.conversation_id,
        AnswerFeedback.user_id,
    )
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(select(*columns, AnswerFeedback.vote, AnswerFeedback.comment))}


CLICK_PATHS = (
    ("actions",),
    ("actions", 0),
    ("actions", 0, "value"),
    ("actions", 0, "action_id"),
    ("user",),
    ("user", "id"),
    ("container",),
    ("container", "channel_id"),
    ("container", "thread_ts"),
    ("team",),
    ("trigger_id",),
    ("message",),
)
VIEW_PATHS = (("view",), ("view", "private_metadata"), ("view", "state"), ("view", "callback_id"), ("user",))
_sentinels = iter(range(1, 1_000_000))


@FUZZ
@given(path=st.sampled_from(CLICK_PATHS), value=json_values)
def test_a_signed_feedback_click_of_any_shape_is_never_a_5xx_and_never_stores_a_wrong_vote(
    door, demo_store, answered, path, value
):
    server, slack = door
    engine, _ = demo_store
    turn_id, ts, message_ts = answered
    click = feedback_click(OWNER, f"bad:{turn_id}", channel="D0DM", thread_ts=ts, message_ts=message_ts)
    target = click
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    before = feedback_rows(engine)
    status, _, _ = post_interaction(f"{server.url}/slack/events", click)
    assert status in (200, 400, 404)
    # A good click by a new person after it: once that one is stored, the fuzzed one has been handled.
    sentinel = f"U0SENTINEL{next(_sentinels)}"
    good = feedback_click(sentinel, f"good:{turn_id}", channel="D0DM", thread_ts=ts, message_ts=message_ts)
    assert post_interaction(f"{server.url}/slack/events", good)[0] == 200
    slack.wait_for(lambda _: sentinel in server.log() or _voted(engine, sentinel), what="the sentinel vote")
    conversation = f"slack:{TEAM}:D0DM:{ts}"
    # Whatever changed is a vote on this answer, in this thread.
    assert {row[1:3] for row in feedback_rows(engine) - before} <= {(turn_id, conversation)}
    assert "Traceback" not in server.log()


def _voted(engine, user: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(select(AnswerFeedback.id).where(AnswerFeedback.user_id == user)).first() is not None
        )


@FUZZ
@given(path=st.sampled_from(VIEW_PATHS), value=json_values | st.text(max_size=40))
def test_a_signed_feedback_comment_of_any_shape_is_never_a_5xx_and_stores_no_comment_but_the_voters(
    door, demo_store, answered, path, value
):
    server, _ = door
    engine, _ = demo_store
    turn_id, ts, _ = answered
    view = {**comment_modal(turn_id, f"slack:{TEAM}:D0DM:{ts}"), "id": "V0MODAL"}
    sent = modal_submitted(
        "U0NOVOTE", view, {"comment": {"comment": {"type": "plain_text_input", "value": "x"}}}
    )
    target = sent
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert post_interaction(f"{server.url}/slack/events", sent)[0] in (200, 400, 404)
    with engine.connect() as conn:  # U0NOVOTE never voted: no comment can be stored for them
        assert (
            conn.execute(select(AnswerFeedback.id).where(AnswerFeedback.user_id == "U0NOVOTE")).first()
            is None
        )
    assert "Traceback" not in server.log()
