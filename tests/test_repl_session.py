"""The REPL's session and slash commands in-process with the scripted model, and the answer view's
rendering of streamed Markdown and tool lines."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rich.console import Console

from bot.agent.context_budget import tool_results
from bot.agent.events import ModelCallFinished, ModelCallStarted, TextDelta, ToolFinished, ToolStarted
from bot.agent.model import Usage
from bot.agent.scripted_model import ScriptedModel, call, say
from bot.application import Application
from bot.repl.answer_view import AnswerView, split_settled
from bot.repl.commands import QUIT, run_command
from bot.repl.session import ReplSession
from bot.settings import load_settings
from tests.agent_harness import agent_on, stored_conversation
from tests.conftest import DEMO_FIXTURES
from tests.fixture_oracle import dollars, expected_from_fixtures, sums
from tests.test_answer_sources import ZONE, freshness_text

SATURDAY = date(2026, 11, 21)
LOCATIONS = ("Downtown", "Harbor", "Uptown", "Sunset")
sqlite_only = pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)


class Recorded:
    """An ``Output`` that keeps what the commands showed."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def info(self, text: str) -> None:
        self.shown.append(("info", text))

    def error(self, text: str) -> None:
        self.shown.append(("error", text))

    def block(self, text: str, language: str | None = None) -> None:
        self.shown.append((language or "block", text))

    def note(self, text: str) -> None:
        self.shown.append(("note", text))

    def take(self) -> list[tuple[str, str]]:
        shown, self.shown = self.shown, []
        return shown


def analyst(request):
    """Sales for Saturday 21 Nov by location, then answers follow-ups with the message count it saw."""
    results = tool_results(request.messages[-1])
    if results:
        (result, _), *_ = results
        return say(f"Net sales: {result['totals']['net_sales']}.")
    question = request.messages[-1]["content"][-1]["text"]
    if question.startswith("Again"):
        return say(f"{len(request.messages)} messages so far.")
    return call("sales_report", start_date="2026-11-21", end_date="2026-11-21", group_by="location")


@pytest.fixture
def session(demo_store, tmp_path):
    engine, _ = demo_store
    model = ScriptedModel(analyst)
    settings = load_settings(env_file=None, environ={"OPSBOT_DATA_DIR": str(tmp_path)})
    repl = ReplSession(Application(settings, store=engine, agent=agent_on(engine, model)))
    repl.model_requests = model.requests  # type: ignore[attr-defined]
    yield repl
    repl.close()


@sqlite_only
def test_new_history_resume_and_a_follow_up_in_the_resumed_conversation(session):
    out = Recorded()
    saturday = sums(
        expected_from_fixtures(DEMO_FIXTURES).days,
        {"Downtown", "Harbor", "Uptown", "Sunset"},
        SATURDAY,
        SATURDAY,
    )[1]
    first = session.ask("Sales on Saturday 21 November?", lambda _event: None)
    assert first.ok and first.text == f"Net sales: {dollars(saturday)}."
    first_id = session.conversation_id

    run_command(session, "/new", out)
    assert session.conversation_id is None
    assert out.take() == [("info", "New conversation: the next question starts it.")]
    second = session.ask("Sales on Saturday 21 November, again?", lambda _event: None)
    assert second.conversation_id != first_id

    run_command(session, "/history", out)
    ((kind, listing),) = out.take()
    lines = listing.splitlines()
    assert kind == "block" and session.listed[:2] == [second.conversation_id, first_id]
    assert lines[0].startswith(f"*  1  {second.conversation_id}  ")
    assert lines[0].endswith("repl    1 q  Sales on Saturday 21 November, again?")
    assert lines[1].startswith(f"   2  {first_id}  ")

    run_command(session, "/resume 2", out)
    assert session.conversation_id == first_id
    assert out.take() == [
        ("info", f"Resumed {first_id} (1 question)."),
        ("block", f"Last question: Sales on Saturday 21 November?\nAnswer: Net sales: {dollars(saturday)}."),
    ]
    follow_up = session.ask("Again, how many messages?", lambda _event: None)
    assert follow_up.conversation_id == first_id
    assert follow_up.text == "5 messages so far."  # question, tool call, result, answer, this question
    stored_conversation(session._loader.get(), first_id)

    run_command(session, f"/resume {first_id[:6]}", out)  # a prefix shared by others is refused
    run_command(session, f"/resume {first_id}", out)
    run_command(session, "/resume 99", out)
    run_command(session, "/resume c-nothere", out)
    shown = out.take()
    assert shown[-2:] == [
        ("error", f"no conversation number 99 — /history lists 1 to {len(session.listed)}"),
        ("error", "no conversation 'c-nothere' — /history lists them"),
    ]
    assert ("info", f"Resumed {first_id} (2 questions).") in shown


@sqlite_only
def test_model_usage_trace_and_tool_console_commands(session):
    out = Recorded()
    run_command(session, "/trace", out)
    assert out.take() == [("info", "Nothing to trace yet: this conversation has no questions.")]

    run_command(session, "/model claude-sonnet-4-6", out)
    run_command(session, "/model my-own-model", out)
    assert out.take() == [
        ("info", "Model for the next questions: claude-sonnet-4-6."),
        (
            "info",
            "Model for the next questions: my-own-model (no price known for it, so its cost shows as $?).",
        ),
    ]
    run_command(session, "/model claude-sonnet-4-6", out)
    run_command(session, "/usage on", out)
    assert session.show_usage
    session.ask("Sales on Saturday 21 November?", lambda _event: None)
    assert {request.model for request in session.model_requests} == {"claude-sonnet-4-6"}
    out.take()

    run_command(session, "/usage", out)
    (last, table) = out.take()
    assert last[1].startswith("Last answer: 2 model calls · 1 tool call · ")
    assert table[0] == "block" and "claude-sonnet-4-6" not in table[1]  # the scripted model names itself
    run_command(session, "/usage sometimes", out)
    assert out.take() == [("error", "Use /usage, /usage on or /usage off.")]

    run_command(session, "/trace", out)
    ((kind, trace),) = out.take()
    assert kind == "block" and trace.startswith(f"Conversation {session.conversation_id} · repl · started ")

    run_command(session, "/call top_items start_date=2026-11-21 end_date=2026-11-21 limit=1", out)
    (result, timing) = out.take()
    assert result[0] == "json" and '"rank": 1' in result[1] and timing[0] == "note"
    run_command(session, "/call no_such_tool", out)
    run_command(session, '/call sales_report period="last', out)
    run_command(session, "/call sales_report locations=Nowhere", out)
    run_command(session, "/call sales_report justaword", out)
    shown = out.take()
    assert shown[0][0] == "error" and shown[0][1].startswith("unknown tool 'no_such_tool'")
    assert shown[1] == ("error", "cannot read the arguments: No closing quotation")
    assert shown[2][0] == "error" and shown[2][1].startswith("error: unknown location 'Nowhere' — known:")
    assert shown[4] == ("error", "argument 'justaword' is not key=value")
    assert run_command(session, "/exit", out) == QUIT
    assert run_command(session, "/what", out) is None
    assert out.take() == [("error", "unknown command /what — /help lists them")]


def test_split_settled_keeps_code_fences_and_unfinished_blocks_growing():
    assert split_settled("One.\n\nTwo") == ("One.\n\n", "Two")
    assert split_settled("One.\n\n") == ("One.\n\n", "")
    assert split_settled("One.\n") == ("", "One.\n")
    fenced = "Intro\n\n```\na\n\nb\n"
    assert split_settled(fenced) == ("Intro\n\n", "```\na\n\nb\n")
    closed = fenced + "```\n\nAfter"
    assert split_settled(closed) == (fenced + "```\n\n", "After")
    assert split_settled("| a |\n|---|\n| 1 |\n\n") == ("| a |\n|---|\n| 1 |\n\n", "")


def test_the_answer_view_prints_rendered_blocks_and_tool_lines_in_order():
    file = io.StringIO()
    console = Console(file=file, width=60, force_terminal=False, color_system=None)
    streamed = "Let me look.\n\n**Top item**: Fries\n\n| item | units |\n|---|---|\n| Fries | 12 |\n\n- done"
    with AnswerView(console) as view:
        view(ModelCallStarted(1, "m"))
        view(TextDelta(streamed[:14]))  # the text before the tool call
        view(ModelCallFinished(1, Usage(), 0.1, "tool_use"))
        view(ToolStarted("t1", "top_items", {"period": "yesterday"}))
        view(ToolFinished("t1", "top_items", {"period": "yesterday"}, 0.04, True, None, 120))
        view(ToolStarted("t2", "sales_report", {"locations": ["Nowhere"]}))
        view(
            ToolFinished(
                "t2", "sales_report", {"locations": ["Nowhere"]}, 0.01, False, "unknown location", 30
            )
        )
        view(ModelCallStarted(2, "m"))
        for start in range(14, len(streamed), 7):
            view(TextDelta(streamed[start : start + 7]))
    assert view.wrote_text
    lines = [line.rstrip() for line in file.getvalue().splitlines()]
    assert lines == [
        "Let me look.",
        "",
        '  ✓ top_items(period="yesterday") · 0.04 s',
        '  ✗ sales_report(locations=["Nowhere"]) · unknown location',
        "",
        "Top item: Fries",
        "",
        " item   units",
        " ────────────",
        " Fries  12",
        "",
        " • done",
    ]


@sqlite_only
def test_piped_mode_survives_a_failing_question_and_goes_on(demo_store, tmp_path):
    from bot.repl.piped import run_piped

    engine, _ = demo_store

    def flaky(request):
        if request.messages[-1]["content"][-1]["text"] == "boom":
            raise RuntimeError("the disk is on fire")
        return say(f"{len(request.messages)} messages so far.")

    settings = load_settings(env_file=None, environ={"OPSBOT_DATA_DIR": str(tmp_path)})
    repl = ReplSession(Application(settings, store=engine, agent=agent_on(engine, ScriptedModel(flaky))))
    stdout, stderr = io.StringIO(), io.StringIO()
    assert run_piped(repl, ["boom\n", "still there?\n"], stdout, stderr) == 1
    assert stderr.getvalue().splitlines()[0] == (
        "opsbot: something went wrong: the disk is on fire (the details are in the log)"
    )
    # The failed question and its note stay in the conversation; the next one continues it.
    assert stdout.getvalue() == "3 messages so far.\n"


@sqlite_only
def test_the_terminal_marks_an_answer_whose_figures_are_not_all_in_the_tool_results(demo_store, tmp_path):
    from bot.repl.terminal import ask

    engine, _ = demo_store
    script = [
        call("sales_report", start_date="2026-11-21", end_date="2026-11-21"),
        lambda request: say(f"Net sales: {tool_results(request.messages[-1])[0][0]['totals']['net_sales']}."),
        say("Up $1,234 on the week before."),
    ]
    settings = load_settings(env_file=None, environ={"OPSBOT_DATA_DIR": str(tmp_path)})
    repl = ReplSession(Application(settings, store=engine, agent=agent_on(engine, ScriptedModel(script))))
    file = io.StringIO()
    console = Console(file=file, width=100, force_terminal=False, color_system=None)
    ask(console, repl, "Sales on Saturday 21 November?")
    first = [line.rstrip() for line in file.getvalue().splitlines() if line.strip()]
    ask(console, repl, "And against the week before?")
    second = [line.rstrip() for line in file.getvalue().splitlines() if line.strip()][len(first) :]
    repl.close()
    net = dollars(sums(expected_from_fixtures(DEMO_FIXTURES).days, set(LOCATIONS), SATURDAY, SATURDAY)[1])
    answered = first.index(f"Net sales: {net}.")
    assert not any("⚠" in line for line in first)
    zones = ", ".join(sorted(set(ZONE.values())))
    # Under the answer, dimmed: its sources line (wrapped to the console's width).
    assert " ".join(first[answered + 1 :]) == (
        f"Sources: sales_report · 2026-11-21 · all locations · {zones} · {freshness_text()}"
    )
    assert second == [
        "Up $1,234 on the week before.",
        "⚠ 1 of 1 figure not found in the tool results: $1,234",
        "Sources: no tool used",
    ]
