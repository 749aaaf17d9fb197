"""The morning brief's schedule: posted at the local post time on both sides of a DST change, a missed morning
posted once late, exactly once with two replicas racing on one PostgreSQL, a crashed claim taken over and
posted once, a failed post retried once, alerts once per key, the settings' checks, and a reply in the
brief's thread answered with the brief in context. Every clock is a fake one: no test waits for real time."""

from __future__ import annotations

import re
import sys
import threading
import types
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk import WebClient
from sqlalchemy import Engine, insert, select

from bot.agent.scripted_model import ScriptedModel, say
from bot.application import Application
from bot.insights import wiring
from bot.insights.schedule import BriefScheduler, Posted
from bot.insights.tables import BriefPost
from bot.insights.thread_context import CONTEXT_INTRO, brief_context, with_brief_context
from bot.settings import BriefSettings, SettingsError, load_settings
from bot.slack.incoming import from_message
from bot.slack.responder import SlackResponder
from tests.agent_harness import agent_on
from tests.fakes.slack_api import BOT_TOKEN, BOT_USER, TEAM, FakeSlack, channel_message
from tests.payloads import TEST_LOCATIONS
from tools.registry import Param, ToolRegistry
from tools.store.database import open_store
from tools.sync.reference_writer import upsert_locations

BRIEF_CHANNEL, ALERT_CHANNEL = "C0BRIEF", "C0ALERTS"
sqlite_only = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def app_on(engine: Engine, **env: str) -> Application:
    """An application on ``engine`` whose Location 1 is in America/New_York (TEST_LOCATIONS)."""
    upsert_locations(engine, TEST_LOCATIONS)
    environ = {"OPSBOT_BRIEF_CHANNEL": BRIEF_CHANNEL, **env}
    return Application(load_settings(env_file=None, environ=environ), store=engine)


class SteppingClock:
    """Jumps to each deadline the scheduler waits for, at once; past ``end`` it stops the scheduler."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.time, self.end = start, end
        self.waits: list[datetime] = []

    def now(self) -> datetime:
        return self.time

    def wait_until(self, deadline: datetime, stop: threading.Event) -> None:
        self.waits.append(deadline)
        if deadline > self.end:
            stop.set()
        else:
            self.time = max(self.time, deadline)


class FixedClock:
    """A clock a test sets by hand (for ``tick``)."""

    def __init__(self, time: datetime) -> None:
        self.time = time

    def now(self) -> datetime:
        return self.time

    def wait_until(self, deadline: datetime, stop: threading.Event) -> None:
        raise AssertionError("tick() never waits")


@dataclass
class Poster:
    """The injected post functions: record each call with the clock's time; fail as told."""

    clock: object
    failures: list[BaseException] = field(default_factory=list)  # raised by the next brief posts, in turn
    briefs: list[tuple[str, date, bool, datetime]] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, channel: str, day: date, late: bool) -> Posted:
        with self.lock:
            self.briefs.append((channel, day, late, self.clock.now()))
            if self.failures:
                raise self.failures.pop(0)
            return Posted(f"1791000000.{len(self.briefs):06d}", f"Brief of {day}")

    def post_alert(self, channel: str, text: str) -> str:
        with self.lock:
            self.alerts.append((channel, text))
            return f"1792000000.{len(self.alerts):06d}"


class Crash(BaseException):
    """The process dies mid-post (not an error the scheduler could catch and record)."""


def rows(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    BriefPost.kind,
                    BriefPost.business_date,
                    BriefPost.channel,
                    BriefPost.key,
                    BriefPost.status,
                    BriefPost.attempts,
                    BriefPost.late,
                ).order_by(BriefPost.id)
            )
        ]


# --- the schedule ----------------------------------------------------------------------------------------


@sqlite_only
def test_the_brief_goes_out_at_0730_new_york_time_on_both_sides_of_the_dst_change(engine):
    """New York falls back on 2026-11-01: 07:30 is 11:30 UTC before (EDT) and 12:30 UTC after (EST)."""
    clock = SteppingClock(utc(2026, 10, 30, 4, 0), end=utc(2026, 11, 3, 13, 0))  # 00:00 EDT, 30 Oct
    poster = Poster(clock)
    BriefScheduler(app_on(engine), clock, poster.post).run()
    assert poster.briefs == [
        (BRIEF_CHANNEL, date(2026, 10, 29), False, utc(2026, 10, 30, 11, 30)),
        (BRIEF_CHANNEL, date(2026, 10, 30), False, utc(2026, 10, 31, 11, 30)),
        (BRIEF_CHANNEL, date(2026, 10, 31), False, utc(2026, 11, 1, 12, 30)),
        (BRIEF_CHANNEL, date(2026, 11, 1), False, utc(2026, 11, 2, 12, 30)),
        (BRIEF_CHANNEL, date(2026, 11, 2), False, utc(2026, 11, 3, 12, 30)),
    ]
    assert clock.waits[:3] == [utc(2026, 10, 30, 11, 30), utc(2026, 10, 31, 11, 30), utc(2026, 11, 1, 12, 30)]
    assert [r[4] for r in rows(engine)] == ["posted"] * 5


@sqlite_only
def test_a_custom_post_time_in_the_spring_forward_gap_is_posted_an_hour_later_by_the_clock(engine):
    """02:30 does not exist in New York on 2026-03-08: it is posted at 03:30 EDT (07:30 UTC)."""
    clock = SteppingClock(utc(2026, 3, 8, 5, 0), end=utc(2026, 3, 9, 12, 0))  # 00:00 EST, 8 March
    poster = Poster(clock)
    BriefScheduler(app_on(engine, OPSBOT_BRIEF_TIME="2:30"), clock, poster.post).run()
    assert [(day, at) for _, day, _, at in poster.briefs] == [
        (date(2026, 3, 7), utc(2026, 3, 8, 7, 30)),
        (date(2026, 3, 8), utc(2026, 3, 9, 6, 30)),  # 02:30 EDT
    ]


@sqlite_only
def test_started_after_the_post_time_it_posts_once_marked_late_and_a_restart_does_not_post_again(engine):
    app = app_on(engine)
    clock = FixedClock(utc(2026, 11, 24, 15, 42))  # 10:42 in New York
    poster = Poster(clock)
    wake = BriefScheduler(app, clock, poster.post).tick(clock.now())
    assert poster.briefs == [(BRIEF_CHANNEL, date(2026, 11, 23), True, utc(2026, 11, 24, 15, 42))]
    assert wake == utc(2026, 11, 25, 12, 30)  # tomorrow's 07:30 EST
    clock.time = utc(2026, 11, 24, 16, 0)
    assert BriefScheduler(app, clock, poster.post).tick(clock.now()) == wake  # restarted: nothing to do
    assert len(poster.briefs) == 1
    assert rows(engine) == [("brief", date(2026, 11, 23), BRIEF_CHANNEL, "brief", "posted", 1, True)]
    with engine.connect() as conn:
        ts, text = conn.execute(select(BriefPost.message_ts, BriefPost.text)).one()
    assert (ts, text) == ("1791000000.000001", "Brief of 2026-11-23")

    early = FixedClock(utc(2026, 11, 25, 11, 0))  # 06:00: before the time, no late post
    assert BriefScheduler(app, early, poster.post).tick(early.now()) == utc(2026, 11, 25, 12, 30)
    assert len(poster.briefs) == 1


@sqlite_only
def test_within_five_minutes_of_the_time_a_post_is_not_late(engine):
    clock = FixedClock(utc(2026, 11, 24, 12, 34))  # 07:34
    poster = Poster(clock)
    BriefScheduler(app_on(engine), clock, poster.post).tick(clock.now())
    assert [late for *_, late, _ in poster.briefs] == [False]


@pytest.mark.postgres
def test_two_replicas_on_one_postgresql_post_each_brief_and_alert_exactly_once(postgres_server):
    url = postgres_server.create_database("t_brief_race")
    engines = [open_store(url), open_store(url)]
    try:
        upsert_locations(engines[0], TEST_LOCATIONS)
        apps = [
            Application(
                load_settings(env_file=None, environ={"OPSBOT_BRIEF_CHANNEL": BRIEF_CHANNEL}), store=e
            )
            for e in engines
        ]
        clock = FixedClock(utc(2026, 11, 2, 12, 31))
        poster = Poster(clock)
        found = [("Location 1 (Test NY)|net_sales", "net sales down"), ("Location 2 (Test LA)|orders", "few")]
        schedulers = [
            BriefScheduler(app, clock, poster.post, alerts=lambda _d: found, post_alert=poster.post_alert)
            for app in apps
        ]
        for day in range(5):
            clock.time = utc(2026, 11, 2 + day, 12, 31)
            assert race(schedulers, clock.time) == []
        assert [day for _, day, _, _ in poster.briefs] == [date(2026, 11, 1 + n) for n in range(5)]
        assert sorted(poster.alerts) == sorted([(BRIEF_CHANNEL, text) for _, text in found] * 5)
        assert len(rows(engines[0])) == 15 and {r[4] for r in rows(engines[0])} == {"posted"}
    finally:
        for engine in engines:
            engine.dispose()


def race(schedulers: list[BriefScheduler], now: datetime) -> list[BaseException]:
    """Every scheduler's tick at ``now`` at once, each on its own thread; what they raised."""
    barrier = threading.Barrier(len(schedulers))
    errors: list[BaseException] = []

    def tick(scheduler: BriefScheduler) -> None:
        barrier.wait(10)
        try:
            scheduler.tick(now)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


@sqlite_only
def test_a_claim_whose_claimer_crashed_is_taken_over_after_ten_minutes_and_posted_once(engine):
    app = app_on(engine)
    crashed = FixedClock(utc(2026, 11, 24, 12, 30))
    dying = Poster(crashed, failures=[Crash()])
    with pytest.raises(Crash):
        BriefScheduler(app, crashed, dying.post).tick(crashed.now())
    assert rows(engine) == [("brief", date(2026, 11, 23), BRIEF_CHANNEL, "brief", "claimed", 1, False)]

    clock = SteppingClock(utc(2026, 11, 24, 12, 33), end=utc(2026, 11, 24, 20, 0))
    other = Poster(clock)
    BriefScheduler(app, clock, other.post).run()  # another replica, or the restarted process
    assert clock.waits[0] == utc(2026, 11, 24, 12, 40, 1)  # the claim is stale 10 minutes after it was taken
    assert other.briefs == [(BRIEF_CHANNEL, date(2026, 11, 23), True, utc(2026, 11, 24, 12, 40, 1))]
    assert rows(engine) == [("brief", date(2026, 11, 23), BRIEF_CHANNEL, "brief", "posted", 2, True)]


@sqlite_only
def test_a_failed_post_is_retried_once_after_the_back_off_and_then_left_failed(engine):
    app = app_on(engine)
    clock = SteppingClock(utc(2026, 11, 24, 12, 0), end=utc(2026, 11, 25, 13, 0))
    poster = Poster(clock, failures=[RuntimeError("Slack said no"), RuntimeError("still no")])
    BriefScheduler(app, clock, poster.post).run()
    assert [(day, at) for _, day, _, at in poster.briefs] == [
        (date(2026, 11, 23), utc(2026, 11, 24, 12, 30)),
        (date(2026, 11, 23), utc(2026, 11, 24, 12, 35)),  # the retry, five minutes on
        (date(2026, 11, 24), utc(2026, 11, 25, 12, 30)),  # the next day's, as usual
    ]
    assert [r[4:6] for r in rows(engine)] == [("failed", 2), ("posted", 1)]
    with engine.connect() as conn:
        assert conn.execute(select(BriefPost.error).order_by(BriefPost.id)).scalars().first() == (
            "RuntimeError: still no"
        )

    clock = SteppingClock(utc(2026, 11, 26, 12, 0), end=utc(2026, 11, 26, 14, 0))
    poster = Poster(clock, failures=[RuntimeError("once")])
    BriefScheduler(app, clock, poster.post).run()
    assert [at for *_, at in poster.briefs] == [utc(2026, 11, 26, 12, 30), utc(2026, 11, 26, 12, 35)]
    assert rows(engine)[-1][4:6] == ("posted", 2)


@sqlite_only
def test_alerts_follow_the_brief_once_per_key_in_the_alert_channel(engine):
    app = app_on(engine, OPSBOT_ALERT_CHANNEL=ALERT_CHANNEL)
    clock = FixedClock(utc(2026, 11, 24, 12, 30))
    poster = Poster(clock)
    asked: list[date] = []
    found = {
        date(2026, 11, 23): [
            ("Location 2 (Test LA)|orders", "orders down"),
            ("Location 1 (Test NY)|refunds", "x"),
        ]
    }

    def alerts(day: date) -> list[tuple[str, str]]:
        asked.append(day)
        return found.get(day, [])

    order: list[str] = []
    first = BriefScheduler(app, clock, poster.post, alerts=alerts, post_alert=poster.post_alert)
    first.post = lambda *a: (order.append("brief"), poster.post(*a))[1]
    first.post_alert = lambda *a: (order.append("alert"), poster.post_alert(*a))[1]
    first.tick(clock.now())
    clock.time = utc(2026, 11, 24, 14, 0)
    BriefScheduler(app, clock, poster.post, alerts=alerts, post_alert=poster.post_alert).tick(clock.now())
    first.tick(clock.now())
    assert order == ["brief", "alert", "alert"]
    assert poster.alerts == [(ALERT_CHANNEL, "orders down"), (ALERT_CHANNEL, "x")]
    assert asked == [date(2026, 11, 23)] * 2  # each scheduler reads the day's alerts once
    with engine.connect() as conn:
        stored = conn.execute(
            select(BriefPost.key, BriefPost.channel, BriefPost.message_ts, BriefPost.text)
            .where(BriefPost.kind == "alert")
            .order_by(BriefPost.id)
        ).all()
    assert [tuple(r) for r in stored] == [
        ("Location 2 (Test LA)|orders", ALERT_CHANNEL, "1792000000.000001", "orders down"),
        ("Location 1 (Test NY)|refunds", ALERT_CHANNEL, "1792000000.000002", "x"),
    ]


class BlockingClock:
    """06:00 in New York; waits until the scheduler is stopped, noting each deadline."""

    def __init__(self) -> None:
        self.waiting = threading.Event()
        self.deadlines: list[datetime] = []

    def now(self) -> datetime:
        return utc(2026, 11, 24, 11, 0)

    def wait_until(self, deadline: datetime, stop: threading.Event) -> None:
        self.deadlines.append(deadline)
        self.waiting.set()
        stop.wait()


@sqlite_only
def test_the_thread_starts_and_stops_cleanly(engine):
    clock = BlockingClock()
    scheduler = BriefScheduler(app_on(engine), clock, Poster(clock).post).start()
    assert clock.waiting.wait(10) and scheduler.running
    scheduler.stop(10)
    assert not scheduler.running


# --- settings ---------------------------------------------------------------------------------------------


def test_the_brief_settings_default_to_no_brief_at_0730():
    brief = load_settings(env_file=None, environ={}).brief
    assert brief == BriefSettings() and (brief.channel, brief.alerts_to) == (None, None)
    assert f"{brief.post_time:%H:%M}" == "07:30"
    given_ = load_settings(
        env_file=None, environ={"OPSBOT_BRIEF_CHANNEL": " C0BRIEF ", "OPSBOT_BRIEF_TIME": "6:05"}
    ).brief
    assert (given_.channel, given_.alerts_to, f"{given_.post_time:%H:%M}") == ("C0BRIEF", "C0BRIEF", "06:05")
    alerts = load_settings(
        env_file=None, environ={"OPSBOT_BRIEF_CHANNEL": "C0BRIEF", "OPSBOT_ALERT_CHANNEL": "G0OPS"}
    ).brief
    assert alerts.alerts_to == "G0OPS"


@pytest.mark.parametrize(
    "value", ["7.30", "24:00", "07:60", "7:5", "07:30:00", "seven", "-1:30", "０７:３０"]
)
def test_a_bad_brief_time_is_one_line_naming_the_variable(value):
    with pytest.raises(SettingsError) as error:
        load_settings(env_file=None, environ={"OPSBOT_BRIEF_TIME": value})
    assert str(error.value).startswith(f"OPSBOT_BRIEF_TIME={value!r} is not a time of day — use HH:MM")


@pytest.mark.parametrize("name", ["OPSBOT_BRIEF_CHANNEL", "OPSBOT_ALERT_CHANNEL"])
def test_a_channel_name_instead_of_an_id_is_refused(name):
    with pytest.raises(SettingsError, match=f"^{name}='#general' is not a Slack channel id"):
        load_settings(env_file=None, environ={name: "#general"})


VALID_TIME = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]")


@given(st.text(max_size=60))
def test_any_brief_time_text_is_a_time_or_one_line_naming_the_variable(text):
    try:
        settings = load_settings(env_file=None, environ={"OPSBOT_BRIEF_TIME": text})
    except SettingsError as exc:
        message = str(exc)
        assert message.startswith("OPSBOT_BRIEF_TIME=") and "\n" not in message
        assert not VALID_TIME.fullmatch(text.strip())
    else:
        stripped = text.strip()
        if not stripped:
            assert f"{settings.brief.post_time:%H:%M}" == "07:30"
        else:
            assert VALID_TIME.fullmatch(stripped)
            hours, minutes = stripped.split(":")
            assert (settings.brief.post_time.hour, settings.brief.post_time.minute) == (
                int(hours),
                int(minutes),
            )


# --- a reply in the brief's thread --------------------------------------------------------------------------

BRIEF_TS = "1791000000.000042"
BRIEF_TEXT = "Morning brief — Monday 23 November 2026\nNet sales $12,345.00 (−8.1 % against the usual Monday)"
BODY = {"team_id": TEAM, "event_id": "Ev1"}


def record_brief(engine: Engine) -> None:
    now = utc(2026, 11, 24, 12, 30)
    with engine.begin() as conn:
        conn.execute(
            insert(BriefPost).values(
                kind="brief",
                business_date=date(2026, 11, 23),
                channel=BRIEF_CHANNEL,
                key="brief",
                status="posted",
                claimed_by="test",
                claimed_at=now,
                attempts=1,
                posted_at=now,
                message_ts=BRIEF_TS,
                late=False,
                text=BRIEF_TEXT,
            )
        )


@sqlite_only
def test_a_reply_in_the_briefs_thread_is_answered_with_the_brief_in_its_first_question(engine):
    upsert_locations(engine, TEST_LOCATIONS)
    record_brief(engine)
    assert brief_context(engine, BRIEF_CHANNEL, BRIEF_TS) == BRIEF_TEXT
    assert brief_context(engine, BRIEF_CHANNEL, "1791000000.000001") is None
    assert brief_context(engine, "C0OTHER", BRIEF_TS) is None
    model = ScriptedModel([say("Harbor had fewer dinner orders."), say("Uptown was steady.")])
    agent = agent_on(engine, model)
    app = Application(load_settings(env_file=None, environ={}), store=engine, agent=agent)
    responder = SlackResponder(app, app.settings.slack)
    with FakeSlack() as slack:
        client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
        for n, text in enumerate(["Why was Harbor down?", "And Uptown?"], 1):
            event = channel_message(
                "U1", text, f"1793000000.00000{n}", channel=BRIEF_CHANNEL, thread_ts=BRIEF_TS
            )
            question = from_message(BODY | {"event_id": f"Ev{n}"}, event, BOT_USER, responder.follows_thread)
            assert question is not None  # no mention needed: the bot posted the thread's first message
            responder.handle(question, client)
        elsewhere = channel_message("U1", "hm?", "1793000000.000009", channel=BRIEF_CHANNEL, thread_ts="1.2")
        assert from_message(BODY, elsewhere, BOT_USER, responder.follows_thread) is None
        replies = slack.replies(BRIEF_CHANNEL, BRIEF_TS)
    agent.close()
    first, second = (request.messages for request in model.requests)
    assert first[-1]["content"][-1]["text"] == (
        f"Context — the morning brief this thread replies to:\n{BRIEF_TEXT}\n\nQuestion: Why was Harbor down?"
    )
    assert second[-1]["content"][-1]["text"] == "And Uptown?"
    assert len(second) == 3  # the brief's question and its answer came along
    assert [r["text"] for r in replies] == ["Harbor had fewer dinner orders.", "Uptown was steady."]


def test_a_long_brief_is_shortened_so_the_question_stays_whole():
    question = "What happened at Harbor?"
    framed = with_brief_context("x" * 10_000, question, 1_000)
    assert len(framed) == 1_000 and framed.startswith(CONTEXT_INTRO + "\nxxx")
    assert framed.endswith("x…\n\nQuestion: What happened at Harbor?")
    assert with_brief_context("brief", "q" * 990, 1_000) == "q" * 990  # no room for the brief: the question


# --- the wiring (the real brief comes from bot.insights.brief and bot.insights.post) ------------------------


@dataclass
class StubBrief:
    day: date

    def text(self) -> str:
        return f"Brief of {self.day}"


def stub_brief_modules(monkeypatch, posted: list) -> None:
    """bot.insights.brief / bot.insights.post as their contract describes them, posting nothing real."""
    brief_module, post_module = types.ModuleType("bot.insights.brief"), types.ModuleType("bot.insights.post")
    brief_module.brief_for = lambda _app, day: StubBrief(day)

    def post_brief(client: WebClient, channel: str, brief: StubBrief) -> str:
        response = client.chat_postMessage(channel=channel, text=brief.text())
        posted.append((channel, brief.day))
        return response["ts"]

    post_module.post_brief = post_brief
    monkeypatch.setitem(sys.modules, "bot.insights.brief", brief_module)
    monkeypatch.setitem(sys.modules, "bot.insights.post", post_module)


@sqlite_only
def test_the_wiring_posts_the_built_brief_notes_lateness_in_its_thread_and_alerts_high_anomalies(
    engine, monkeypatch
):
    posted: list = []
    stub_brief_modules(monkeypatch, posted)
    app = app_on(engine)

    def anomalies(
        start_date: Annotated[str | None, Param("first day")] = None,
        end_date: Annotated[str | None, Param("last day")] = None,
    ) -> dict:
        """Stub of the anomalies tool (its contract's result shape)."""
        return {
            "anomalies": [
                {"location": "Location 2 (Harbor)", "day": f"{start_date} (Sat)", "measure": "net_sales",
                 "label": "net sales", "value": "$1,204.50", "expected": "$2,310.00", "change_percent": -47.9,
                 "score": -6.2, "severity": "high", "cause": "no orders 14:00–16:00 (usually 31)"},
                {"location": "Location 1 (Downtown)", "day": f"{start_date} (Sat)", "measure": "orders",
                 "label": "orders", "value": "80", "expected": "100", "change_percent": -20.0, "score": -3.7,
                 "severity": "medium", "cause": None},
            ]
        }  # fmt: skip

    registry = ToolRegistry()
    registry.register(anomalies, source="test")
    with FakeSlack() as slack:
        client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
        post = wiring.brief_poster(app, client)
        assert post is not None
        result = post(BRIEF_CHANNEL, date(2026, 11, 21), True)
        alerts = wiring.anomaly_alerts(app, registry)(date(2026, 11, 21))
        sent = wiring.alert_poster(client)(ALERT_CHANNEL, alerts[0][1])
        calls = slack.of("chat.postMessage")
    assert posted == [(BRIEF_CHANNEL, date(2026, 11, 21))]
    brief_call, note_call, alert_call = calls
    assert note_call.args["thread_ts"] == brief_call.args["_ts"] == result.ts
    assert re.fullmatch(r"\(late: posted at \d\d:\d\d\)", note_call.args["text"])
    assert result.text == f"{note_call.args['text']}\nBrief of 2026-11-21"
    assert alerts == [
        (
            "Location 2 (Harbor)|net_sales",
            ":rotating_light: *Location 2 (Harbor)*, 2026-11-21 (Sat): net sales $1,204.50, "
            "expected $2,310.00 (-47.9 %) — no orders 14:00–16:00 (usually 31)",
        )
    ]
    assert (alert_call.args["channel"], alert_call.args["text"], sent.ts) == (
        ALERT_CHANNEL,
        alerts[0][1],
        alert_call.args["_ts"],
    )


@sqlite_only
def test_the_schedule_starts_only_with_a_channel_and_a_token(engine, monkeypatch):
    upsert_locations(engine, TEST_LOCATIONS)

    def app_with(**env: str) -> Application:
        return Application(load_settings(env_file=None, environ=env), store=engine)

    assert wiring.start_brief_schedule(app_with(SLACK_BOT_TOKEN=BOT_TOKEN)) is None
    assert wiring.start_brief_schedule(app_with(OPSBOT_BRIEF_CHANNEL=BRIEF_CHANNEL)) is None
    configured = {"OPSBOT_BRIEF_CHANNEL": BRIEF_CHANNEL, "SLACK_BOT_TOKEN": BOT_TOKEN}

    stub_brief_modules(monkeypatch, [])
    clock = BlockingClock()
    monkeypatch.setattr(wiring, "SystemClock", lambda: clock)
    scheduler = wiring.start_brief_schedule(app_with(**configured))
    assert scheduler is not None and clock.waiting.wait(10) and scheduler.running
    assert clock.deadlines == [utc(2026, 11, 24, 12, 30)]  # 07:30 in New York, on the day of the clock
    scheduler.stop(10)
    assert not scheduler.running
