"""Conversations in the SQL store: every message, model call and tool call, written as it happens, so any
failure leaves a conversation that can be repaired and continued (``repair``).

Every write method takes an optional ``conn`` (from ``transaction()``) so that the writes of one step of a
turn — the model call, its reply and the tool calls it starts — commit together in one transaction; without
one each write is its own transaction. The statements are built once, here, and run with their values as
parameters (no statement is rebuilt per write)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, create_engine, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from bot.agent.provenance import Provenance
from bot.agent.tables import (
    Conversation,
    ConversationMessage,
    ModelCall,
    ToolCallRecord,
    Turn,
)
from tools.secret_masking import mask_secrets

log = logging.getLogger(__name__)

INTERRUPTED_TOOL = "interrupted: the tool did not finish (the process stopped or the question was cancelled)"
BUSY = "Still answering the previous question in this conversation — try again when it is done."
LOCK_POLL_SECONDS = 0.05  # how often a waiting turn tries the lock again
APPEND_ATTEMPTS = 20  # SQLite: a message's seq taken by a concurrent writer: read the end again and retry

APPEND_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")

_CONVERSATIONS = Conversation.__table__
_TURNS = Turn.__table__
_MESSAGES = ConversationMessage.__table__
_MODEL_CALLS = ModelCall.__table__
_TOOL_CALLS = ToolCallRecord.__table__


def _conversation_upsert(dialect_insert) -> object:
    """The conversation created if new, else only marked active (its ``updated_at``), in one statement."""
    statement = dialect_insert(_CONVERSATIONS)
    return statement.on_conflict_do_update(
        index_elements=[_CONVERSATIONS.c.id], set_={"updated_at": statement.excluded.updated_at}
    )


UPSERT_CONVERSATION = {
    "sqlite": _conversation_upsert(sqlite.insert),
    "postgresql": _conversation_upsert(postgresql.insert),
}
INSERT_TURN = insert(_TURNS).returning(_TURNS.c.id)
FINISH_TURN = update(_TURNS).where(_TURNS.c.id == bindparam("turn_id"))
# The message's seq is the conversation's next one, read in the same statement as the insert.
NEXT_SEQ = (
    select(func.coalesce(func.max(_MESSAGES.c.seq), 0) + 1)
    .where(_MESSAGES.c.conversation_id == bindparam("of_conversation"))
    .scalar_subquery()
)
APPEND_MESSAGE = insert(_MESSAGES).values(seq=NEXT_SEQ).returning(_MESSAGES.c.seq)
SELECT_MESSAGES = (
    select(
        _MESSAGES.c.seq,
        _MESSAGES.c.role,
        _MESSAGES.c.kind,
        _MESSAGES.c.content,
        _MESSAGES.c.turn_id,
        _TURNS.c.model,
    )
    .select_from(_MESSAGES.outerjoin(_TURNS, _TURNS.c.id == _MESSAGES.c.turn_id))
    .where(_MESSAGES.c.conversation_id == bindparam("conversation_id"))
    .order_by(_MESSAGES.c.seq)
)
INSERT_MODEL_CALL = insert(_MODEL_CALLS).returning(_MODEL_CALLS.c.id)
INSERT_TOOL_CALL = insert(_TOOL_CALLS).returning(_TOOL_CALLS.c.id)
FINISH_TOOL_CALL = update(_TOOL_CALLS).where(
    _TOOL_CALLS.c.id == bindparam("record_id"), _TOOL_CALLS.c.status == "running"
)


class ConversationBusy(Exception):
    """Another turn of the conversation (in this process or another) held it for longer than the wait."""

    def __init__(self) -> None:
        super().__init__(BUSY)


def _now() -> datetime:
    return datetime.now(UTC)


def new_conversation_id() -> str:
    """A short, unguessable id people can paste: ``c-`` and 10 hex digits."""
    return "c-" + secrets.token_hex(5)


@dataclass(frozen=True)
class StoredMessage:
    seq: int
    role: str
    kind: str
    content: list[dict]
    turn_id: int | None
    model: str | None = None  # the model its turn was asked with (None: a message outside any turn)

    def api_message(self) -> dict:
        return {"role": self.role, "content": self.content}


class ConversationStore:
    """Reads and writes the agent's tables; each write commits on its own, or with the others of a
    ``transaction()`` when it is given that transaction's ``conn``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock_engine: Engine | None = None
        self._lock_engine_guard = threading.Lock()

    @contextmanager
    def turn_lock(self, conversation_id: str, wait_seconds: float = 60.0) -> Iterator[None]:
        """One turn at a time per conversation across every process sharing the store; waits up to
        ``wait_seconds`` for a turn in progress, then raises ``ConversationBusy``. Both kinds of lock are
        the operating system's or the server's, so a process killed mid-turn (kill -9) releases its lock
        with it and the next turn proceeds (and repairs the conversation)."""
        lock = self._advisory_lock if self.engine.dialect.name == "postgresql" else self._file_lock
        with lock(conversation_id, _Wait(conversation_id, time.monotonic() + wait_seconds)):
            yield

    @contextmanager
    def _advisory_lock(self, conversation_id: str, wait: _Wait) -> Iterator[None]:
        """PostgreSQL: a session advisory lock, held on a connection of its own for the turn (closing it
        releases the lock, also when the process dies)."""
        with self._lock_engine_guard:
            if self._lock_engine is None:
                self._lock_engine = create_engine(self.engine.url, poolclass=NullPool)
        with self._lock_engine.connect() as conn:
            claim = text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))")
            while not conn.execute(claim, {"key": conversation_id}).scalar_one():
                wait.again()
            conn.commit()
            yield

    @contextmanager
    def _file_lock(self, conversation_id: str, wait: _Wait) -> Iterator[None]:
        """SQLite has no advisory locks, so the turn holds an exclusive ``flock`` on a file of its own next
        to the database (``opsbot.db.turn-locks/<hash of the id>.lock``). ``flock`` belongs to the open
        file, so threads and processes exclude each other alike, and the kernel drops it when the process
        exits however it exits: no stale lock to detect. An in-memory database lives in one process, whose
        agent already serialises its turns."""
        database = self.engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            yield
            return
        folder = Path(database).with_name(Path(database).name + ".turn-locks")
        folder.mkdir(exist_ok=True)
        name = hashlib.sha256(conversation_id.encode()).hexdigest()[:24]
        with open(folder / f"{name}.lock", "a+b") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    wait.again()
            yield  # closing the file releases the lock

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for several writes (pass it as ``conn``); committed when the block ends, rolled
        back when it raises."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _writing(self, conn: Connection | None) -> Iterator[Connection]:
        """``conn`` when the caller's transaction is given, else a transaction of this write's own."""
        if conn is not None:
            yield conn
            return
        with self.engine.begin() as own:
            yield own

    # --- conversations and turns -------------------------------------------------------------------------

    def begin_turn(
        self, conversation_id: str, *, source: str, question: str, model: str, repair_reason: str
    ) -> tuple[int, list[StoredMessage]]:
        """Start a turn: the stored conversation is repaired first (``repair``, with ``repair_reason``) and
        returned as it stood before this question, with the new turn's id; then one transaction creates the
        conversation if it is new (titled by ``question``) or marks it active, starts the turn and stores the
        question."""
        history = self.repair(conversation_id, repair_reason)
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                UPSERT_CONVERSATION[conn.dialect.name],
                {
                    "id": conversation_id,
                    "source": source,
                    "title": question[:200],
                    "created_at": now,
                    "updated_at": now,
                },
            )
            turn_id = self._insert_turn(conn, conversation_id, question, model, now)
            self.append(
                conversation_id, turn_id, "user", "question", [{"type": "text", "text": question}], conn=conn
            )
        return turn_id, history

    def _insert_turn(
        self, conn: Connection, conversation_id: str, question: str, model: str, now: datetime
    ) -> int:
        values = {
            "conversation_id": conversation_id,
            "question": question,
            "model": model,
            "status": "running",
            "started_at": now,
        }
        return conn.execute(INSERT_TURN, values).scalar_one()

    def exists(self, conversation_id: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(select(Conversation.id).where(Conversation.id == conversation_id)).first()
                is not None
            )

    def ensure(self, conversation_id: str | None, source: str, title: str) -> str:
        """The conversation's id, creating it (with ``title`` from its first question) if it is new."""
        conversation_id = conversation_id or new_conversation_id()
        if not self.exists(conversation_id):
            now = _now()
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(Conversation).values(
                            id=conversation_id,
                            source=source,
                            title=title[:200],
                            created_at=now,
                            updated_at=now,
                        )
                    )
            except IntegrityError:  # created at the same moment by another process
                pass
        return conversation_id

    def start_turn(self, conversation_id: str, question: str, model: str) -> int:
        now = _now()
        with self.engine.begin() as conn:
            turn_id = self._insert_turn(conn, conversation_id, question, model, now)
            conn.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(updated_at=now)
            )
        return turn_id

    def finish_turn(
        self,
        turn_id: int,
        status: str,
        answer: str | None,
        error: str | None = None,
        provenance: Provenance | None = None,
        *,
        conn: Connection | None = None,
    ) -> None:
        """Record how the turn ended, with the provenance check of its answer when there is one."""
        values: dict[str, object] = {
            "turn_id": turn_id,
            "status": status,
            "answer": answer,
            "error": None if error is None else mask_secrets(error),
            "finished_at": _now(),
        }
        if provenance is not None:
            values["figures_checked"] = provenance.checked
            values["unmatched_figures"] = json.dumps(provenance.to_json()["unmatched"], ensure_ascii=False)
        with self._writing(conn) as writing:
            writing.execute(FINISH_TURN, values)

    # --- messages ----------------------------------------------------------------------------------------

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        """The conversation's messages in order, each with the model its turn was asked with."""
        with self.engine.connect() as conn:
            rows = conn.execute(SELECT_MESSAGES, {"conversation_id": conversation_id}).all()
        return [StoredMessage(r.seq, r.role, r.kind, json.loads(r.content), r.turn_id, r.model) for r in rows]

    def append(
        self,
        conversation_id: str,
        turn_id: int | None,
        role: str,
        kind: str,
        content: list[dict],
        *,
        conn: Connection | None = None,
    ) -> int:
        """Store one message at the end of the conversation; its sequence number. The turn lock keeps
        writers of one conversation apart; should another writer append anyway, PostgreSQL serialises the
        two on a transaction advisory lock of the conversation, and on SQLite the end is read in the insert
        statement itself (which holds the database's one write lock); should the UNIQUE (conversation_id,
        seq) still refuse an insert of a transaction of its own, it is retried after the new end."""
        values = {
            "conversation_id": conversation_id,
            "of_conversation": conversation_id,
            "turn_id": turn_id,
            "role": role,
            "kind": kind,
            "content": json.dumps(content, ensure_ascii=False),
        }
        if conn is not None:
            return self._append(conn, values)
        attempt = 1
        while True:
            try:
                with self.engine.begin() as own:
                    return self._append(own, values)
            except IntegrityError:
                if attempt == APPEND_ATTEMPTS:
                    raise
                attempt += 1

    def _append(self, conn: Connection, values: dict) -> int:
        if conn.dialect.name == "postgresql":
            conn.execute(APPEND_LOCK, {"key": f"messages:{values['conversation_id']}"})
        return conn.execute(APPEND_MESSAGE, {**values, "created_at": _now()}).scalar_one()

    # --- model and tool calls ----------------------------------------------------------------------------

    def record_model_call(self, *, conn: Connection | None = None, **values) -> int:
        """Store one model call; its id (an ``error`` is stored masked of credentials)."""
        if values.get("error"):
            values["error"] = mask_secrets(values["error"])
        with self._writing(conn) as writing:
            return writing.execute(INSERT_MODEL_CALL, values).scalar_one()

    def start_tool_call(
        self,
        conversation_id: str,
        turn_id: int,
        model_call_id: int | None,
        tool_use: dict,
        *,
        conn: Connection | None = None,
    ) -> int:
        values = {
            "conversation_id": conversation_id,
            "turn_id": turn_id,
            "model_call_id": model_call_id,
            "tool_use_id": tool_use["id"],
            "name": tool_use["name"],
            "arguments": json.dumps(tool_use.get("input") or {}, ensure_ascii=False),
            "status": "running",
            "started_at": _now(),
        }
        with self._writing(conn) as writing:
            return writing.execute(INSERT_TOOL_CALL, values).scalar_one()

    def finish_tool_call(
        self, record_id: int, ok: bool, result: str, seconds: float, *, conn: Connection | None = None
    ) -> None:
        values = {
            "record_id": record_id,
            "status": "ok" if ok else "error",
            "result": result,
            "result_chars": len(result),
            "seconds": seconds,
        }
        with self._writing(conn) as writing:
            writing.execute(FINISH_TOOL_CALL, values)

    def finished_tool_results(
        self, conversation_id: str, tool_use_ids: list[str]
    ) -> dict[str, tuple[str, bool]]:
        """``tool_use_id → (result, is_error)`` for the calls among ``tool_use_ids`` that finished."""
        t = ToolCallRecord
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.tool_use_id, t.status, t.result).where(
                    t.conversation_id == conversation_id,
                    t.tool_use_id.in_(tool_use_ids),
                    t.status != "running",
                )
            ).all()
        return {r.tool_use_id: (r.result or "", r.status != "ok") for r in rows}

    def mark_unfinished_tool_calls(self, conversation_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ToolCallRecord)
                .where(ToolCallRecord.conversation_id == conversation_id, ToolCallRecord.status == "running")
                .values(status="interrupted", result=INTERRUPTED_TOOL, result_chars=len(INTERRUPTED_TOOL))
            )

    def close_unfinished_turns(self, conversation_id: str, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(Turn)
                .where(Turn.conversation_id == conversation_id, Turn.status == "running")
                .values(status="interrupted", error=mask_secrets(error), finished_at=_now())
            )

    # --- repair ------------------------------------------------------------------------------------------

    def repair(self, conversation_id: str, reason: str) -> list[StoredMessage]:
        """Make the stored conversation valid for the API again and return it: every ``tool_use`` gets its
        ``tool_result`` (the real one if the tool finished, else an error saying it was interrupted), and a
        question left without a reply gets a short assistant note saying why, so the next question follows
        an assistant message. Nothing stored is changed or removed; only messages are added."""
        history = self.messages(conversation_id)
        if not history:
            return history
        last = history[-1]
        if last.role == "assistant":
            ids = [b["id"] for b in last.content if b.get("type") == "tool_use"]
            if not ids:
                return history
            finished = self.finished_tool_results(conversation_id, ids)
            self.mark_unfinished_tool_calls(conversation_id)
            blocks = []
            for tool_use_id in ids:
                result, is_error = finished.get(tool_use_id, (INTERRUPTED_TOOL, True))
                block = {"type": "tool_result", "tool_use_id": tool_use_id, "content": result}
                if is_error:
                    block["is_error"] = True
                blocks.append(block)
            self.append(conversation_id, last.turn_id, "user", "repair", blocks)
            last = self.messages(conversation_id)[-1]
        if last.role == "user":
            note = f"[opsbot: this question got no answer — {mask_secrets(reason).rstrip('.')}.]"
            self.append(
                conversation_id, last.turn_id, "assistant", "repair", [{"type": "text", "text": note}]
            )
            self.close_unfinished_turns(conversation_id, reason)
        return self.messages(conversation_id)


class _Wait:
    """The wait of one turn for its conversation's lock: logged once, bounded by ``deadline``."""

    def __init__(self, conversation_id: str, deadline: float) -> None:
        self.conversation_id = conversation_id
        self.deadline = deadline
        self.waited = False

    def again(self) -> None:
        """Sleep before the next try at the lock, or raise ``ConversationBusy`` when the wait is over."""
        if not self.waited:
            self.waited = True
            log.info(
                "conversation %s: waiting for the previous question to be answered", self.conversation_id
            )
        if time.monotonic() >= self.deadline:
            raise ConversationBusy
        time.sleep(LOCK_POLL_SECONDS)


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    source: str
    title: str | None
    created_at: datetime
    updated_at: datetime
    questions: int


class ConversationReader:
    """Read-side queries for traces, usage reports and conversation lists."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _summaries(self, *conditions, limit: int | None = None) -> list[ConversationSummary]:
        c = Conversation
        questions = select(func.count(Turn.id)).where(Turn.conversation_id == c.id).scalar_subquery()
        query = select(c.id, c.source, c.title, c.created_at, c.updated_at, questions).where(*conditions)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(c.updated_at.desc(), c.id).limit(limit)).all()
        return [ConversationSummary(*row) for row in rows]

    def conversations(self, limit: int = 20) -> list[ConversationSummary]:
        """The most recently active conversations first."""
        return self._summaries(limit=limit)

    def conversation(self, conversation_id: str) -> ConversationSummary | None:
        found = self._summaries(Conversation.id == conversation_id)
        return found[0] if found else None

    def turns(self, conversation_id: str) -> list:
        with self.engine.connect() as conn:
            return list(
                conn.execute(select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.id))
            )

    def model_calls(self, conversation_id: str) -> list:
        m = ModelCall
        with self.engine.connect() as conn:
            return list(conn.execute(select(m).where(m.conversation_id == conversation_id).order_by(m.id)))

    def tool_calls(self, conversation_id: str) -> list:
        t = ToolCallRecord
        with self.engine.connect() as conn:
            return list(conn.execute(select(t).where(t.conversation_id == conversation_id).order_by(t.id)))

    def model_calls_since(self, since: datetime) -> list:
        m = ModelCall
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(
                        m.started_at,
                        m.model,
                        m.turn_id,
                        m.input_tokens,
                        m.output_tokens,
                        m.cache_write_tokens,
                        m.cache_read_tokens,
                        m.cost_microusd,
                        m.seconds,
                        m.error,
                    )
                    .where(m.started_at >= since)
                    .order_by(m.started_at)
                )
            )
