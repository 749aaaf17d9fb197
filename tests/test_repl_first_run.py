"""The REPL's first run in a fresh folder: the prompt is up while the demo loads behind it (its progress on
the prompt's right), and questions and tool calls typed meanwhile wait for the load and are answered from
the loaded demo."""

from __future__ import annotations

import json
import threading

from sqlalchemy import create_engine, func, select

import bot.repl.demo_load as demo_load
from bot.agent.context_budget import tool_results
from bot.agent.scripted_model import call, say
from bot.application import Application
from bot.repl.demo_load import DemoLoad
from bot.repl.session import ReplSession
from bot.repl.terminal import loading_status
from bot.settings import load_settings
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.support.terminal import Terminal
from tools.store.models import Order

WEEK = {"start_date": "2026-11-02", "end_date": "2026-11-08"}


def weekly_orders(body: dict):
    """The fake model: the week's sales report, answered with its order count."""
    results = tool_results(body["messages"][-1])
    if results:
        (result, _), *_ = results
        return say(f"The week had {result['totals']['orders']} orders.")
    return call("sales_report", **WEEK)


def stored_orders(url: str) -> int:
    """The store's counted orders (completed, not a POS copy)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        counted = Order.duplicate_of_id.is_(None) & (Order.status == "completed")
        count = conn.scalar(select(func.count()).select_from(Order).where(counted))
    engine.dispose()
    return int(count or 0)


def test_a_tool_call_made_while_the_demo_loads_waits_for_it(tmp_path, small_fixtures, monkeypatch):
    settings = load_settings(
        env_file=None,
        environ={
            "OPSBOT_DATA_DIR": str(tmp_path),
            "OPSBOT_FIXTURES_DIR": str(small_fixtures),
            "OPSBOT_DEMO_ANCHOR": "false",
        },
    )
    app = Application(settings)
    release = threading.Event()
    sync = demo_load.sync_fixture_folder

    def held_sync(*args, **kwargs):  # the load stays at its start until the test lets it go
        kwargs["progress"]("square orders", 0.42, 10)
        release.wait(30)
        return sync(*args, **kwargs)

    monkeypatch.setattr(demo_load, "sync_fixture_folder", held_sync)
    demo = DemoLoad(app)
    session = ReplSession(app, demo)
    assert session.demo is demo and not demo.done
    for _ in range(100):
        if demo.percent:
            break
        demo.wait(0.01)
    assert 0 < demo.percent < 100 and loading_status(session) == f"loading the demo… {demo.percent}%"

    answered: list = []
    asker = threading.Thread(target=lambda: answered.append(session.call_tool("sales_report", [
        f"{name}={value}" for name, value in WEEK.items()
    ])))  # fmt: skip
    asker.start()
    asker.join(0.5)
    assert asker.is_alive() and not answered  # waiting for the demo
    release.set()
    asker.join(60)
    (result,) = answered
    assert result.ok and demo.ok and demo.done and demo.percent == 100
    url = app.store.url.render_as_string(hide_password=False)
    assert result.content["totals"]["orders"] == stored_orders(url) > 0
    assert loading_status(session) == "demo loaded"
    assert demo.outcome().startswith(f"The demo is loaded: {demo.orders:,} orders of Copperline Kitchen in ")
    assert "Done in" in demo.report()
    session.close()
    app.close()


def test_a_load_that_fails_says_so_with_the_sync_report(tmp_path, small_fixtures, monkeypatch):
    settings = load_settings(env_file=None, environ={"OPSBOT_DATA_DIR": str(tmp_path)})
    app = Application(settings)

    def broken_sync(*_args, **_kwargs):
        raise OSError("the disk is full")

    monkeypatch.setattr(demo_load, "sync_fixture_folder", broken_sync)
    demo = DemoLoad(app, small_fixtures)
    assert demo.wait(30) and not demo.ok
    assert demo.outcome() == "The demo did not load completely — the sync report:"
    assert "the disk is full" in demo.report()
    app.close()


def test_first_run_in_a_terminal_the_prompt_is_up_and_a_question_typed_at_once_is_answered_from_the_demo(
    tmp_path, small_fixtures
):
    env = {"OPSBOT_FIXTURES_DIR": str(small_fixtures), "OPSBOT_DEMO_ANCHOR": "false"}
    with FakeAnthropic(weekly_orders) as api:
        env_key = {**env, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        with Terminal(["repl"], cwd=tmp_path, env=env_key) as term:
            screen = term.wait_for_prompt(1)
            assert "First run: loading the demo business — Copperline Kitchen" in screen
            assert "Copperline Kitchen · the demo is loading in the background" in screen
            term.send_line("How many orders last week?")
            screen = term.wait_for_prompt(2)
            term.send("\x04")
            assert term.wait_exit() == 0
    url = f"sqlite:///{tmp_path / '.opsbot' / 'opsbot.db'}"
    orders = stored_orders(url)
    assert orders > 0
    assert f"The week had {orders} orders." in screen
    assert "The demo is loaded: " in screen and "orders of Copperline Kitchen in " in screen

    with Terminal(["repl"], cwd=tmp_path, env=env) as term:
        screen = term.wait_for_prompt(1)
        assert "First run" not in screen and "loading" not in screen
        term.send_line("/call business_info")
        term.wait_for(r"Copperline Kitchen\"")
        term.wait_for_prompt(2)
        term.send("/quit\r")
        assert term.wait_exit() == 0
    assert json.dumps("Copperline Kitchen") in term.text()
