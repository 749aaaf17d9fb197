"""The sources line under every answer: the real agent with a scripted model on the demo store, each fact
computed independently (dates from FIXED_NOW's calendar, locations from the fixture files, the newest order
per source from the raw payloads), and ``sources_of`` over any JSON."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import text

from bot.agent.answer_sources import AnswerSources, sources_of
from bot.agent.model import ModelError
from bot.agent.scripted_model import ScriptedModel, call, calls, say
from bot.agent.trace_report import render_trace
from bot.application import Application
from bot.commands.ask import _answer_json
from bot.repl import terminal
from bot.repl.piped import run_piped
from bot.repl.session import ReplSession
from bot.settings import load_settings
from tests.agent_harness import agent_on
from tests.conftest import DEMO_FIXTURES, FIXED_NOW
from tests.fixture_oracle import final_deliverect_bodies, gz_lines, utc
from tools.store.freshness import NEWEST_PER_SOURCE, SourceFreshness, data_freshness

TODAY = FIXED_NOW.date()  # Tuesday 24 November 2026
LAST_MONDAY = TODAY - timedelta(days=TODAY.weekday() + 7)
LAST_WEEK = (LAST_MONDAY, LAST_MONDAY + timedelta(days=6))
WEEK_BEFORE = (LAST_MONDAY - timedelta(days=7), LAST_MONDAY - timedelta(days=1))
LAST_SATURDAY = TODAY - timedelta(days=(TODAY.weekday() - 5) % 7 or 7)

LOCATIONS = json.loads((DEMO_FIXTURES / "square" / "locations.json").read_text())["locations"]
ZONE = {loc["name"]: loc["timezone"] for loc in LOCATIONS}
FIRST_ZONE = LOCATIONS[0]["timezone"]  # the business's first location's: freshness is shown in it


@cache
def newest_from_payloads() -> dict[str, datetime]:
    """Each source's newest order time, read from the raw fixture files."""
    square = max(
        utc(order["created_at"])
        for page in gz_lines(DEMO_FIXTURES / "square" / "orders.jsonl.gz")
        for order in page["orders"]
    )
    deliverect = max(utc(body["_created"]) for body in final_deliverect_bodies(DEMO_FIXTURES).values())
    return {"square": square, "deliverect": deliverect}


def shown(moment: datetime) -> str:
    """``Nov 23 00:41`` in the first location's zone."""
    local = moment.astimezone(ZoneInfo(FIRST_ZONE))
    return local.strftime("%b ") + str(local.day) + local.strftime(" %H:%M")


def freshness_text() -> str:
    newest = sorted(newest_from_payloads().items(), key=lambda pair: pair[1], reverse=True)
    return "data to " + ", ".join(f"{shown(moment)} ({source.title()})" for source, moment in newest)


def span(dates: tuple[date, date]) -> str:
    return f"{dates[0].isoformat()} – {dates[1].isoformat()}"


def week_question_model() -> ScriptedModel:
    """Two sales reports (two location filters), a comparison, a labor report and a call that fails."""
    return ScriptedModel(
        [
            calls(
                ("sales_report", {"period": "last week", "locations": ["Harbor", "Uptown"]}),
                ("sales_report", {"period": "last week", "locations": ["Harbor"]}),
                ("compare_periods", {"period": "last week", "locations": ["Uptown"]}),
                ("labor_report", {"period": "last Saturday", "locations": ["Harbor"]}),
                ("order_details", {"order_id": "no-such-order"}),
            ),
            say("Last week Harbor and Uptown did fine."),
        ]
    )


def week_line(*, freshness: bool = True) -> str:
    assert ZONE["Harbor"] == ZONE["Uptown"]
    parts = [
        "Sources: sales_report ×2, compare_periods, labor_report",
        f"{span(LAST_WEEK)} (last week), {span(WEEK_BEFORE)} (previous 7 days), "
        f"{LAST_SATURDAY.isoformat()} (last saturday)",
        "Harbor, Uptown",
        ZONE["Harbor"],
    ]
    return " · ".join(parts + ([freshness_text()] if freshness else []))


def test_the_answer_states_its_tools_periods_locations_zone_and_freshness(demo_store):
    engine, _ = demo_store
    agent = agent_on(engine, week_question_model())
    try:
        answer = agent.answer(None, "How did Harbor and Uptown do last week?")
    finally:
        agent.close()
    assert answer.status == "answered"
    sources = answer.sources
    assert sources is not None
    assert sources.tools == {"sales_report": 2, "compare_periods": 1, "labor_report": 1}  # not the failed one
    assert [(p.start, p.end, p.label) for p in sources.periods] == [
        (*LAST_WEEK, "last week"),
        (*WEEK_BEFORE, "previous 7 days"),
        (LAST_SATURDAY, LAST_SATURDAY, "last saturday"),
    ]
    assert sources.locations == ("Location 2 (Harbor)", "Location 3 (Uptown)")
    assert sources.timezones == (ZONE["Harbor"],)
    assert {f.source: f.newest for f in sources.freshness} == newest_from_payloads()
    assert sources.line() == week_line()

    # opsbot ask --json carries the same facts, and the trace shows the line (no freshness: not stored).
    payload = json.loads(_answer_json(answer))["sources"]
    assert payload["line"] == week_line()
    assert payload["locations"] == ["Location 2 (Harbor)", "Location 3 (Uptown)"]
    trace = render_trace(engine, answer.conversation_id)
    assert trace is not None and f"\n  {week_line(freshness=False)}\n" in trace


def test_every_location_and_both_zones_and_an_answer_without_tools(demo_store):
    engine, _ = demo_store
    model = ScriptedModel(
        [call("top_items", period="last Saturday", limit=3), say("The burger."), say("You're welcome.")]
    )
    agent = agent_on(engine, model)
    try:
        first = agent.answer(None, "Top items last Saturday?")
        thanks = agent.answer(first.conversation_id, "Thanks!")
    finally:
        agent.close()
    zones = ", ".join(sorted(set(ZONE.values())))
    assert first.sources is not None and first.sources.line() == (
        f"Sources: top_items · {LAST_SATURDAY.isoformat()} (last saturday) · all locations · {zones} · "
        f"{freshness_text()}"
    )
    assert thanks.sources is not None and thanks.sources.line() == "Sources: no tool used"
    trace = render_trace(engine, first.conversation_id)
    assert trace is not None and "\n  Sources: no tool used\n" in trace


def test_a_step_capped_turn_has_sources_and_a_failed_one_none(demo_store):
    engine, _ = demo_store
    overloaded = ModelError("overloaded", "The model service is overloaded; try again in a minute.")
    agent = agent_on(
        engine, ScriptedModel([call("business_info"), call("business_info"), overloaded]), max_steps=2
    )
    try:
        capped = agent.answer(None, "Loop forever")
        failed = agent.answer(None, "And now?")
    finally:
        agent.close()
    assert (failed.status, failed.sources) == ("failed", None)
    assert capped.status == "step_cap"
    assert (
        capped.sources is not None
        and capped.sources.line() == f"Sources: business_info ×2 · {freshness_text()}"
    )


def test_the_repl_shows_the_line_under_each_answer_piped_and_on_screen(demo_store):
    engine, _ = demo_store
    app = Application(
        load_settings(env_file=None, environ={}), store=engine, agent=agent_on(engine, week_question_model())
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    assert run_piped(ReplSession(app), ["How did Harbor and Uptown do last week?"], stdout, stderr) == 0
    assert stdout.getvalue() == "Last week Harbor and Uptown did fine.\n"  # stdout: the answer alone
    assert stderr.getvalue().splitlines()[0] == week_line()

    app = Application(
        load_settings(env_file=None, environ={}), store=engine, agent=agent_on(engine, week_question_model())
    )
    session = ReplSession(app)
    console = Console(file=io.StringIO(), width=400, force_terminal=False, record=True)
    try:
        terminal.ask(console, session, "How did Harbor and Uptown do last week?")
    finally:
        session.close()
    screen = [row.rstrip() for row in console.export_text().splitlines()]
    assert screen[screen.index("Last week Harbor and Uptown did fine.") + 1] == week_line()


def test_freshness_is_each_sources_newest_order_read_from_the_index(demo_store):
    engine, _ = demo_store
    found = data_freshness(engine)
    assert {f.source: f.newest for f in found} == newest_from_payloads()
    assert [f.newest for f in found] == sorted((f.newest for f in found), reverse=True)
    if engine.dialect.name == "sqlite":  # index seeks only: no step reads the orders table itself
        sql = str(NEWEST_PER_SOURCE.compile(engine))
        with engine.connect() as conn:
            plan = [row[3] for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql))]
        assert [step for step in plan if step.startswith("SCAN")] == ["SCAN sources", "SCAN sources"], plan
        assert all("ix_orders_source_created_at" in step for step in plan if step.startswith("SEARCH")), plan


def test_an_empty_store_has_no_freshness(engine):
    assert data_freshness(engine) == ()


def test_result_shapes_of_the_tools_that_state_less(call):
    forecast = call("forecast_sales", locations=["Harbor"], days=3)
    first_day = TODAY + timedelta(days=1)  # forecasts start tomorrow
    details = call("order_details", order_id="#101", on_date="2026-11-20", location="Harbor")
    info = call("business_info")
    sources = sources_of([("forecast_sales", forecast), ("order_details", details), ("business_info", info)])
    assert sources.line() == (
        f"Sources: forecast_sales, order_details, business_info · "
        f"{span((first_day, first_day + timedelta(days=2)))} (forecast) · Harbor · {ZONE['Harbor']}"
    )


def test_long_lists_are_cut_with_a_count_of_the_rest():
    calls_made = [(f"tool_number_{n:02d}", {"locations": [f"Location {n} (Place {n})"]}) for n in range(40)]
    line = sources_of(calls_made).line()
    assert len(line) <= 300
    assert line.startswith("Sources: tool_number_00, tool_number_01")
    tools_part, places_part = line.removeprefix("Sources: ").split(" · ")
    shown_tools = tools_part.split(", ")
    assert shown_tools[-1] == f"+{40 - (len(shown_tools) - 1)} more"
    assert places_part.split(", ")[-1].endswith("more") and places_part.startswith("Place 0, Place 1")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=400),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=20), inner, max_size=6),
    max_leaves=40,
)
KEYED = st.dictionaries(
    st.sampled_from(["period", "compared_with", "locations", "location", "timezone", "forecast", "x"]),
    JSON | st.fixed_dictionaries({"start": st.text(max_size=12), "end": st.text(max_size=12), "label": JSON}),
)


@settings(max_examples=300, deadline=None)
@given(
    results=st.lists(st.tuples(st.text(min_size=1, max_size=300), JSON | KEYED), max_size=30),
    zone=st.text(max_size=40),
)
def test_any_json_results_give_a_line_of_at_most_300_characters(results, zone):
    freshness = [SourceFreshness("square", FIXED_NOW)]
    sources = sources_of(results, freshness, shown_in=zone)
    line = sources.line()
    assert isinstance(sources, AnswerSources) and line.startswith("Sources: ") and len(line) <= 300
    assert "\n" not in line
    json.dumps(sources.to_json())


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("last week (Mon 16 Nov 2026 – Sun 22 Nov 2026)", "last week"),
        ("Sat 21 Nov 2026", ""),
        ("Mon 16 Nov 2026 – Sun 22 Nov 2026", ""),
        ("a label of its own", "a label of its own"),
    ],
)
def test_period_labels_keep_their_words_not_their_dates(label, words):
    period = {"start": "2026-11-16", "end": "2026-11-22", "label": label}
    assert [p.label for p in sources_of([("t", {"period": period})]).periods] == [words]
