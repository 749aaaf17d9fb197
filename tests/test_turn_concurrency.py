"""Two ``opsbot ask`` processes on one conversation, on SQLite and PostgreSQL: the second waits for the
first (or is refused after its wait), never dies on the messages' UNIQUE (conversation_id, seq), and a
first process killed with SIGKILL does not keep the conversation locked."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.agent.conversation_store import BUSY, ConversationStore
from bot.agent.scripted_model import say
from bot.agent.tables import ConversationMessage, Turn
from tests.conftest import FIXED_NOW
from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.support.cli import opsbot, opsbot_env
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store

CONVERSATION = re.compile(r"conversation: (c-[0-9a-f]{10})")
WAITING = "waiting for the previous question to be answered"


@pytest.fixture
def store(store_url, small_fixtures):
    """A fresh store (SQLite file or PostgreSQL database) holding the small demo business."""
    engine = open_store(store_url)
    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    yield store_url, engine
    engine.dispose()


class GatedModel:
    """The fake model: "First" is held until ``release`` is set (``started`` says it arrived); any other
    question is answered at once, echoing how many messages came with it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, body: dict):
        question = body["messages"][-1]["content"][-1].get("text", "")
        if question == "First":
            self.started.set()
            self.release.wait(120)
            return say("First answered.")
        return say(f"{question} answered after {len(body['messages']) - 1} messages.")


class Asking:
    """``opsbot ask`` running in the background; its stderr read line by line as it comes."""

    def __init__(self, question: str, conversation: str, env: dict, cwd) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "ask", question, "--conversation", conversation],
            cwd=cwd,
            env=opsbot_env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for_line(self, fragment: str) -> None:
        """Block until a stderr line contains ``fragment`` (fail if the process ends without one)."""
        while True:
            line = self.lines.get(timeout=60)
            self.stderr.append(line)
            if fragment in line:
                return

    def finish(self) -> tuple[int, str, str]:
        """Exit status, stdout and the whole stderr once the process has ended."""
        stdout = self.process.stdout.read()
        self.process.wait(timeout=60)
        self._reader.join(timeout=60)
        while not self.lines.empty():
            self.stderr.append(self.lines.get_nowait())
        return self.process.returncode, stdout, "".join(self.stderr)


def _start_conversation(api, env, tmp_path) -> str:
    first = opsbot("ask", "Hello", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    return CONVERSATION.search(first.stderr).group(1)


def _seqs(engine, conversation: str) -> list[int]:
    m = ConversationMessage
    with engine.connect() as conn:
        return (
            conn.execute(select(m.seq).where(m.conversation_id == conversation).order_by(m.seq))
            .scalars()
            .all()
        )


def test_a_second_question_waits_for_the_first_then_follows_it(store, tmp_path):
    url, engine = store
    model = GatedModel()
    with FakeAnthropic(model) as api:
        env = {"DATABASE_URL": url, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        conversation = _start_conversation(api, env, tmp_path)
        first = Asking("First", conversation, env, tmp_path)
        try:
            assert model.started.wait(60)
            second = Asking("Second", conversation, {**env, "OPSBOT_LOG_LEVEL": "INFO"}, tmp_path)
            second.wait_for_line(WAITING)  # it found the conversation busy and waits
        finally:
            model.release.set()
        assert first.finish()[:2] == (0, "First answered.\n")
        status, stdout, stderr = second.finish()
    assert (status, stdout) == (0, "Second answered after 4 messages.\n"), stderr
    assert "Traceback" not in stderr
    assert _seqs(engine, conversation) == [1, 2, 3, 4, 5, 6]
    with engine.connect() as conn:
        turns = conn.execute(select(Turn.question, Turn.status).order_by(Turn.id)).all()
    assert [tuple(t) for t in turns] == [("Hello", "answered"), ("First", "answered"), ("Second", "answered")]


def test_a_second_question_is_refused_in_one_line_after_its_wait(store, tmp_path):
    url, engine = store
    model = GatedModel()
    with FakeAnthropic(model) as api:
        env = {"DATABASE_URL": url, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        conversation = _start_conversation(api, env, tmp_path)
        first = Asking("First", conversation, env, tmp_path)
        try:
            assert model.started.wait(60)
            # The first question is held until the test releases it: a 0.3 s wait must end in a refusal.
            refused = opsbot(
                "ask",
                "Second",
                "--conversation",
                conversation,
                cwd=tmp_path,
                env={**env, "OPSBOT_MODEL_TIMEOUT": "0.3"},
            )
        finally:
            model.release.set()
        assert first.finish()[:2] == (0, "First answered.\n")
        assert len(api.requests) == 2  # the refused question never reached the model
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        f"opsbot: {BUSY}\nconversation: {conversation}  (follow up with --conversation {conversation})\n"
    )
    assert _seqs(engine, conversation) == [1, 2, 3, 4]
    with engine.connect() as conn:
        assert conn.execute(select(Turn.question).order_by(Turn.id)).scalars().all() == ["Hello", "First"]


def test_a_killed_first_process_leaves_no_lock_and_the_next_question_repairs_the_conversation(
    store, tmp_path
):
    url, engine = store
    model = GatedModel()
    with FakeAnthropic(model) as api:
        env = {"DATABASE_URL": url, "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.url}
        conversation = _start_conversation(api, env, tmp_path)
        first = Asking("First", conversation, env, tmp_path)
        try:
            assert model.started.wait(60)
            second = Asking("Second", conversation, {**env, "OPSBOT_LOG_LEVEL": "INFO"}, tmp_path)
            second.wait_for_line(WAITING)
            first.process.send_signal(signal.SIGKILL)
            assert first.process.wait(timeout=30) == -signal.SIGKILL
            status, stdout, stderr = second.finish()
        finally:
            model.release.set()
        sent = api.requests[-1].body["messages"]
    assert (status, stdout) == (0, "Second answered after 4 messages.\n"), stderr
    assert sent[2]["content"][0]["text"] == "First"
    assert sent[3]["content"][0]["text"].startswith(
        "[opsbot: this question got no answer — the process stopped"
    )
    assert _seqs(engine, conversation) == [1, 2, 3, 4, 5, 6]
    with engine.connect() as conn:
        statuses = conn.execute(select(Turn.status).order_by(Turn.id)).scalars().all()
    assert statuses == ["answered", "interrupted", "answered"]


def test_concurrent_appends_to_one_conversation_never_collide(store):
    """Writers that skip the turn lock still get distinct, gap-free sequence numbers."""
    _, engine = store
    writers = [
        ConversationStore(open_store(engine.url.render_as_string(hide_password=False))) for _ in range(4)
    ]
    writers[0].ensure("c-race", "cli", "race")

    def write(index: int) -> list[int]:
        store = writers[index % len(writers)]
        return [
            store.append("c-race", None, "user", "question", [{"type": "text", "text": "x"}])
            for _ in range(15)
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = [seq for batch in pool.map(write, range(8)) for seq in batch]
    assert sorted(seqs) == list(range(1, 121))
    assert _seqs(engine, "c-race") == list(range(1, 121))
    for writer in writers:
        writer.engine.dispose()
