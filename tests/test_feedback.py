"""Answer feedback on SQLite and PostgreSQL: votes stored once per person and answer (a second click
replaces the first, also when two processes click at once), forged turns refused with nothing stored,
comments, the listing, ``opsbot feedback`` and its export to the evaluation bank, which ``load_bank`` reads
and ``opsbot eval --model scripted`` runs. The voted turns are answered by the real agent with a scripted
model on the demo store."""

from __future__ import annotations

import json
import threading
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from bot.agent.scripted_model import ScriptedModel, call, say
from bot.agent.tables import ToolCallRecord, Turn
from bot.cli import main
from bot.evaluation.bank import CallSpec, load_bank
from bot.feedback.export import Export, write_bank
from bot.feedback.store import FeedbackError, FeedbackStore
from bot.feedback.tables import AnswerFeedback
from tests.agent_harness import agent_on
from tools.store.database import open_store

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
Q1 = "What were net sales last week?"
A1 = "Net sales last week were $84,815.83 on 2,666 orders."
Q2 = "Split that by location."
A2 = "Downtown led with $24,283.50 on 781 orders."
Q3 = "Thanks!"
A3 = "You're welcome."


@pytest.fixture
def demo(demo_store):
    """The demo store with no votes in it yet (other tests of this file leave theirs)."""
    engine, _ = demo_store
    with engine.begin() as conn:
        conn.execute(delete(AnswerFeedback))
    return engine


def converse(engine, steps: list, questions: list[str]) -> tuple[str, list[int]]:
    """A new conversation answered by the real agent playing ``steps``: its id and its turns' ids."""
    agent = agent_on(engine, ScriptedModel(steps))
    try:
        conversation_id = None
        turn_ids = []
        for question in questions:
            answer = agent.answer(conversation_id, question, source="slack")
            assert answer.ok, answer.text
            conversation_id = answer.conversation_id
            turn_ids.append(answer.turn_id)
        return conversation_id, turn_ids
    finally:
        agent.close()


@pytest.fixture
def talk(demo):
    """A three-question conversation: sales last week, the same by location, then thanks (no tool)."""
    steps = [
        call("sales_report", period="last week"),
        say(A1),
        call("sales_report", period="last week", group_by=["location"]),
        say(A2),
        say(A3),
    ]
    conversation_id, turns = converse(demo, steps, [Q1, Q2, Q3])
    return demo, conversation_id, turns


def stored(engine) -> list[tuple]:
    f = AnswerFeedback
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(
                    f.turn_id, f.conversation_id, f.user_id, f.vote, f.comment, f.created_at, f.updated_at
                ).order_by(f.id)
            )
        ]


# --- the store ----------------------------------------------------------------------------------------------


def test_a_second_click_replaces_the_first_and_keeps_the_comment(talk):
    engine, conversation, (first, _, _) = talk
    store = FeedbackStore(engine)
    later = NOW + timedelta(minutes=3)
    assert store.record_vote(
        turn_id=first, conversation_id=conversation, user_id="U1", vote="good", platform="slack", now=NOW
    )
    assert store.add_comment(turn_id=first, user_id="U1", comment="  the total looks off \n", now=NOW)
    assert store.record_vote(
        turn_id=first,
        conversation_id=conversation,
        user_id="U1",
        vote="bad",
        platform="slack",
        channel="C1",
        message_ts="1.2",
        now=later,
    )
    assert stored(engine) == [(first, conversation, "U1", "bad", "the total looks off", NOW, later)]


def test_two_people_two_rows(talk):
    engine, conversation, (first, second, _) = talk
    store = FeedbackStore(engine)
    for user, turn, vote in (("U1", first, "good"), ("U2", first, "bad"), ("U1", second, "bad")):
        store.record_vote(
            turn_id=turn, conversation_id=conversation, user_id=user, vote=vote, platform="slack", now=NOW
        )
    assert stored(engine) == [
        (first, conversation, "U1", "good", None, NOW, NOW),
        (first, conversation, "U2", "bad", None, NOW, NOW),
        (second, conversation, "U1", "bad", None, NOW, NOW),
    ]


def test_a_forged_turn_or_another_conversations_turn_stores_nothing(talk):
    engine, conversation, (first, _, _) = talk
    other, (other_turn,) = converse(engine, [say("Hello.")], ["Hi"])
    store = FeedbackStore(engine)
    with engine.connect() as conn:
        missing = conn.execute(select(func.max(Turn.id))).scalar_one() + 1
    attempts = [
        (other_turn, conversation, "turn_id: no turn"),  # a real turn, but not this conversation's
        (first, other, "turn_id: no turn"),
        (missing, conversation, "turn_id: no turn"),
        (2**40, conversation, "turn_id: no turn"),
        (-1, conversation, "turn_id: no turn"),
        (True, conversation, "turn_id: no turn"),
    ]
    for turn_id, conversation_id, message in attempts:
        with pytest.raises(FeedbackError) as raised:
            store.record_vote(
                turn_id=turn_id, conversation_id=conversation_id, user_id="U1", vote="bad", platform="slack"
            )
        assert str(raised.value).startswith(message)
        assert "\n" not in str(raised.value)
    assert stored(engine) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vote", "meh", "vote: expected good or bad, got 'meh'"),
        ("vote", "GOOD", "vote: expected good or bad, got 'GOOD'"),
        ("user_id", "", "user_id: expected non-empty text"),
        ("user_id", "   ", "user_id: expected non-empty text"),
        ("user_id", "U" * 65, "user_id: longer than 64 characters"),
        ("user_id", "U1\x00", "user_id: contains control characters"),
        ("platform", "p" * 17, "platform: longer than 16 characters"),
        ("channel", "C" * 65, "channel: longer than 64 characters"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(talk, field, value, message):
    engine, conversation, (first, _, _) = talk
    values = {"turn_id": first, "conversation_id": conversation, "user_id": "U1", "vote": "bad"}
    values |= {"platform": "slack", field: value}
    with pytest.raises(FeedbackError, match="^" + message.replace("(", r"\(") + "$"):
        FeedbackStore(engine).record_vote(**values)
    assert stored(engine) == []


def test_a_comment_needs_a_vote_and_is_cut_to_2000_characters(talk):
    engine, conversation, (first, second, _) = talk
    store = FeedbackStore(engine)
    assert not store.add_comment(turn_id=first, user_id="U1", comment="wrong week")
    store.record_vote(
        turn_id=first, conversation_id=conversation, user_id="U1", vote="bad", platform="slack", now=NOW
    )
    assert not store.add_comment(turn_id=second, user_id="U1", comment="not this one")
    assert not store.add_comment(turn_id=first, user_id="U2", comment="nor this person")
    assert store.add_comment(turn_id=first, user_id="U1", comment="  " + "x" * 2500, now=NOW)
    assert stored(engine)[0][4] == "x" * 2000
    assert store.add_comment(turn_id=first, user_id="U1", comment=" \n ", now=NOW)  # empty: cleared
    assert stored(engine)[0][4] is None


def test_votes_newest_first_filtered_by_days_and_bad(talk):
    engine, conversation, (first, second, _) = talk
    store = FeedbackStore(engine)
    clicks = [
        ("U1", first, "good", NOW - timedelta(days=40)),
        ("U2", first, "bad", NOW - timedelta(days=2)),
        ("U1", second, "bad", NOW - timedelta(hours=1)),
        ("U3", second, "good", NOW - timedelta(days=6, hours=23)),
    ]
    for user, turn, vote, when in clicks:
        store.record_vote(
            turn_id=turn, conversation_id=conversation, user_id=user, vote=vote, platform="slack", now=when
        )
    store.add_comment(turn_id=second, user_id="U1", comment="Uptown is missing", now=NOW - timedelta(hours=1))

    def listed(**filters) -> list[tuple]:
        return [(r.user_id, r.turn_id, r.vote) for r in store.votes(now=NOW, **filters)]

    assert listed() == [("U1", second, "bad"), ("U2", first, "bad"), ("U3", second, "good")]
    assert listed(days=7) == listed()
    assert listed(days=2) == [("U1", second, "bad"), ("U2", first, "bad")]
    assert listed(days=1) == [("U1", second, "bad")]
    assert listed(days=None) == [*listed(), ("U1", first, "good")]
    assert listed(bad_only=True) == [("U1", second, "bad"), ("U2", first, "bad")]
    (row, *_) = store.votes(now=NOW)
    assert (row.question, row.answer, row.conversation_id) == (Q2, A2, conversation)
    assert (row.comment, row.platform) == ("Uptown is missing", "slack")


def test_two_processes_clicking_at_once_leave_one_row(talk):
    """Eight clients, each with its own engine (as separate processes have), vote on one answer at the
    same moment: no error, one row, holding one of their votes."""
    engine, conversation, (first, _, _) = talk
    url = engine.url.render_as_string(hide_password=False)
    clients = [open_store(url) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    errors: list[BaseException] = []

    def click(index: int) -> None:
        try:
            barrier.wait(30)
            FeedbackStore(clients[index]).record_vote(
                turn_id=first,
                conversation_id=conversation,
                user_id="U1",
                vote="good" if index % 2 else "bad",
                platform="slack",
                now=NOW + timedelta(seconds=index),
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=click, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for client in clients:
        client.dispose()
    assert errors == []
    ((turn, owner, user, vote, comment, created, updated),) = stored(engine)
    assert (turn, owner, user, comment) == (first, conversation, "U1", None)
    index = round((updated - NOW).total_seconds())
    assert vote == ("good" if index % 2 else "bad")
    clicked = {NOW + timedelta(seconds=i) for i in range(len(clients))}
    assert created in clicked and updated in clicked  # the first click's time, and the last one's


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    vote=st.one_of(st.sampled_from(["good", "bad"]), st.text(max_size=8)),
    user=st.one_of(st.text(max_size=70), st.text(alphabet="UW0123ABCD", min_size=1, max_size=70)),
    comment=st.one_of(st.text(max_size=40), st.text(min_size=1995, max_size=2050)),
)
def test_any_text_is_stored_right_or_refused_with_a_feedback_error(talk, vote, user, comment):
    engine, conversation, (first, _, _) = talk
    with engine.begin() as conn:
        conn.execute(delete(AnswerFeedback))
    store = FeedbackStore(engine)
    valid = vote in ("good", "bad") and bool(user.strip()) and len(user) <= 64 and not _has_control(user)
    try:
        store.record_vote(
            turn_id=first, conversation_id=conversation, user_id=user, vote=vote, platform="slack", now=NOW
        )
        commented = store.add_comment(turn_id=first, user_id=user, comment=comment, now=NOW)
    except FeedbackError as error:
        assert not valid, error
        assert "\n" not in str(error)
        assert stored(engine) == []
        return
    assert valid and commented
    ((turn, owner, who, what, said, *_),) = stored(engine)
    assert (turn, owner, who, what) == (first, conversation, user, vote)
    if not _has_control(comment):
        assert said == (comment.strip()[:2000] or None)
    else:
        assert said is None or (len(said) <= 2000 and "\x00" not in said)


# --- opsbot feedback ---------------------------------------------------------------------------------------


@pytest.fixture
def cli(talk, tmp_path, monkeypatch):
    """``bot.cli.main`` on the demo store, in a folder without a .env."""
    engine, _, _ = talk
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OPSBOT_DATA_DIR", str(tmp_path / "data"))
    return talk


def test_opsbot_feedback_lists_the_votes(cli, capsys):
    engine, conversation, (first, second, _) = cli
    store = FeedbackStore(engine)
    recent = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    store.record_vote(
        turn_id=first, conversation_id=conversation, user_id="U1", vote="good", platform="slack", now=recent
    )
    later = recent + timedelta(minutes=30)
    store.record_vote(
        turn_id=second, conversation_id=conversation, user_id="U2", vote="bad", platform="slack", now=later
    )
    store.add_comment(turn_id=second, user_id="U2", comment="Uptown\nis missing", now=later)
    old = recent - timedelta(days=10)
    store.record_vote(
        turn_id=second, conversation_id=conversation, user_id="U3", vote="bad", platform="slack", now=old
    )
    assert main(["feedback", "--days", "7"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 votes in the last 7 days (1 good, 1 bad):",
        "",
        f"{later:%Y-%m-%d %H:%M} UTC · 👎 bad · U2 (slack)",
        f"  question: {Q2}",
        f"  answer: {A2}",
        "  comment: Uptown is missing",
        f"  trace: opsbot trace {conversation}",
        "",
        f"{recent:%Y-%m-%d %H:%M} UTC · 👍 good · U1 (slack)",
        f"  question: {Q1}",
        f"  answer: {A1}",
        f"  trace: opsbot trace {conversation}",
    ]
    assert main(["feedback", "--bad"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 bad votes in the last 30 days (2 bad):"
    assert [line for line in lines if "UTC ·" in line] == [
        f"{later:%Y-%m-%d %H:%M} UTC · 👎 bad · U2 (slack)",
        f"{old:%Y-%m-%d %H:%M} UTC · 👎 bad · U3 (slack)",
    ]


def test_a_long_answer_is_cut_to_300_characters(cli, capsys):
    engine, _, _ = cli
    long_answer = "Net sales by day: " + ", ".join(f"day {n} was ${n},000.00" for n in range(1, 40))
    conversation, (turn,) = converse(engine, [say(long_answer)], ["Net sales by day?"])
    FeedbackStore(engine).record_vote(
        turn_id=turn, conversation_id=conversation, user_id="U1", vote="bad", platform="slack"
    )
    assert main(["feedback"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  answer: ")]
    assert line == f"  answer: {long_answer[:300]}…"


def test_no_votes_is_one_line(cli, capsys):
    assert main(["feedback", "--days", "7"]) == 0
    assert capsys.readouterr().out == "No votes in the last 7 days.\n"
    assert main(["feedback", "--bad"]) == 0
    assert capsys.readouterr().out == "No bad votes in the last 30 days.\n"


@pytest.mark.parametrize("days", ["0", "-3", "99999999999", "seven"])
@pytest.mark.parametrize("command", [["feedback"], ["feedback", "export", "out.yaml"]])
def test_bad_days_are_an_argparse_error(cli, capsys, command, days):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--days", days])
    assert exited.value.code == 2
    error = capsys.readouterr().err.splitlines()[-1]
    prefix = "opsbot feedback export" if "export" in command else "opsbot feedback"
    assert error == (
        f"{prefix}: error: argument --days: expected a whole number of days from 1 to 3650, got {days!r}"
    )


# --- opsbot feedback export --------------------------------------------------------------------------------


def stored_calls(engine, turn_id: int) -> dict[str, CallSpec]:
    """The tool calls a turn made, read from the store, named c1, c2… in order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(ToolCallRecord.name, ToolCallRecord.arguments)
            .where(ToolCallRecord.turn_id == turn_id)
            .order_by(ToolCallRecord.id)
        ).all()
    return {f"c{n}": CallSpec(name, json.loads(arguments)) for n, (name, arguments) in enumerate(rows, 1)}


def test_export_writes_the_bad_votes_as_cases_eval_runs(cli, capsys, tmp_path):
    engine, conversation, (first, second, third) = cli
    store = FeedbackStore(engine)
    for user, turn, vote in (("U1", first, "good"), ("U2", second, "bad"), ("U3", third, "bad")):
        store.record_vote(
            turn_id=turn, conversation_id=conversation, user_id=user, vote=vote, platform="slack"
        )
    store.add_comment(turn_id=second, user_id="U2", comment="Uptown is missing")
    target = tmp_path / "feedback.yaml"
    target.write_text("old contents\n")

    assert main(["feedback", "export", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"Wrote 1 case(s) to {target}; check their expected facts, then run",
        f"  opsbot eval --bank {target}",
    ]
    assert captured.err.splitlines() == [
        f"opsbot feedback export: skipped the bad vote on turn {third} ({conversation}): it made no tool call"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "feedback.yaml"]  # no temporary left
    text = target.read_text()
    assert text.startswith("# Evaluation cases exported from answers voted bad")

    bank = load_bank(target)
    (case,) = bank.cases
    assert (case.id, case.family) == (f"feedback-{second}", "feedback")
    assert [turn.ask for turn in case.turns] == [Q1, Q2]
    assert [turn.calls for turn in case.turns] == [stored_calls(engine, first), stored_calls(engine, second)]
    assert case.turns[1].calls == {
        "c1": CallSpec("sales_report", {"period": "last week", "group_by": ["location"]})
    }
    assert [[fact.label for fact in turn.expect] for turn in case.turns] == [
        ["c1.totals.net_sales", "c1.totals.orders", "c1.totals.gross_sales"],
        ["c1.rows.0.location", "c1.rows.0.net_sales", "c1.rows.0.orders"],
    ]
    assert "NEEDS A HUMAN CHECK" in case.note
    assert "What was wrong: U2: Uptown is missing" in case.note
    assert f"The answer voted bad: {A2}" in case.note
    assert f"opsbot trace {conversation}" in case.note

    report = tmp_path / "report"
    eval_args = ["eval", "--bank", str(target), "--model", "scripted", "--today", "2026-11-24"]
    assert main([*eval_args, "--report", str(report)]) == 0
    (model,) = json.loads((report / "report.json").read_text())["models"]
    outcomes = [(q["case_id"], q["turn"], q["correct"]) for q in model["questions"]]
    assert outcomes == [(f"feedback-{second}", 1, True), (f"feedback-{second}", 2, True)]


def test_export_into_a_missing_directory_is_one_line_and_exit_2(cli, capsys, tmp_path):
    engine, conversation, (first, _, _) = cli
    FeedbackStore(engine).record_vote(
        turn_id=first, conversation_id=conversation, user_id="U1", vote="bad", platform="slack"
    )
    target = tmp_path / "nowhere" / "feedback.yaml"
    assert main(["feedback", "export", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"opsbot feedback export: no directory {str(tmp_path / 'nowhere')!r} to write 'feedback.yaml' in\n"
    )
    assert not target.parent.exists()


def test_export_with_no_bad_votes_writes_nothing(cli, capsys, tmp_path):
    engine, conversation, (first, _, _) = cli
    FeedbackStore(engine).record_vote(
        turn_id=first, conversation_id=conversation, user_id="U1", vote="good", platform="slack"
    )
    target = Path(tmp_path / "feedback.yaml")
    assert main(["feedback", "export", str(target), "--days", "3"]) == 0
    assert capsys.readouterr().out == "No bad votes to export in the last 3 days: nothing written.\n"
    assert not target.exists()


@settings(max_examples=80, deadline=None)
@given(note=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_note_survives_the_written_yaml(tmp_path_factory, note):
    """The bank file carries every note (a comment, an answer) exactly, whatever characters it holds."""
    target = tmp_path_factory.mktemp("bank") / "feedback.yaml"
    turn = {"ask": Q1, "calls": {"c1": {"tool": "sales_report"}}, "expect": ["c1.totals.net_sales"]}
    case = {"id": "feedback-1", "family": "feedback", "note": note, "turns": [turn]}
    write_bank(target, Export({"version": 1, "cases": [case]}), now=NOW)
    (loaded,) = load_bank(target).cases
    assert loaded.note == note
