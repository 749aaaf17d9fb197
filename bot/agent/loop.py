"""The agent loop: one question → model calls and tool rounds → an answer. Each step is stored before the
next starts, so whatever happens (an API error after retries, a tool crash, Ctrl-C, the process killed) the
conversation can be repaired and continued. A step is one transaction: the question with its turn; a model
call with its reply and the tool calls it starts (or, for the answer, the turn's end); a tool round's results.

One ``Agent`` serves every front end and many conversations at once; one turn at a time per conversation.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from bot.agent import prompt
from bot.agent.answer_sources import AnswerSources, no_freshness, sources_of, successful_calls
from bot.agent.context_budget import ContextTooLong, estimate_tokens, fit_to_budget, tool_results
from bot.agent.conversation_store import (
    BUSY,
    ConversationBusy,
    ConversationStore,
    StoredMessage,
    new_conversation_id,
)
from bot.agent.events import (
    STOPPED,
    Answer,
    AnswerStopped,
    EventSink,
    ModelCallFinished,
    ModelCallStarted,
    TextDelta,
    ToolFinished,
    ToolStarted,
    TurnStats,
)
from bot.agent.model import ModelClient, ModelError, ModelReply, ModelRequest, Usage
from bot.agent.pricing import add_cost, alias_of, cost_microusd
from bot.agent.provenance import Provenance, check_answer
from tools.registry import ToolContext, ToolRegistry
from tools.secret_masking import mask_secrets
from tools.store.freshness import SourceFreshness

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentConfig:
    model: str
    max_tokens: int = 2048
    max_steps: int = 8
    max_question_chars: int = 4_000  # OPSBOT_MAX_QUESTION_CHARS
    context_budget_tokens: int = 150_000
    tool_workers: int = 4
    effort: str | None = None  # OPSBOT_EFFORT; sent only to models that accept the level
    busy_wait_seconds: float = 60.0  # a question waits this long for the conversation's previous one


@dataclass(frozen=True)
class Business:
    """What the system prompt needs: the stable profile text and Location 1's timezone."""

    stable_system: str
    timezone: str


class Agent:
    """Answers questions in conversations with a model and the tools of ``registry``."""

    def __init__(
        self,
        *,
        model: ModelClient,
        registry: ToolRegistry,
        store: ConversationStore,
        context_factory: Callable[[], ToolContext],
        business: Business,
        config: AgentConfig,
        freshness: Callable[[], tuple[SourceFreshness, ...]] = no_freshness,
    ) -> None:
        """``freshness``: each source's newest stored order, read for every answer's sources line."""
        self.model = model
        self.registry = registry
        self.store = store
        self.context_factory = context_factory
        self.business = business
        self.config = config
        self.freshness = freshness
        self._tool_schemas = registry.schemas()
        self._prefix_tokens = estimate_tokens(self._tool_schemas) + estimate_tokens(business.stable_system)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=config.tool_workers, thread_name_prefix="opsbot-tool")

    def stable_prefix_tokens(self) -> int:
        """Estimated tokens of the cached prefix (tool schemas + stable system block)."""
        return self._prefix_tokens

    def close(self) -> None:
        """Stop the tool worker threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _lock(self, conversation_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(conversation_id, threading.Lock())

    def answer(
        self,
        conversation_id: str | None,
        text: str,
        on_event: EventSink | None = None,
        *,
        source: str = "cli",
        model: str | None = None,
        stop: threading.Event | None = None,
    ) -> Answer:
        """Answer ``text`` in the conversation (a new one when ``conversation_id`` is None or unknown).
        Setting ``stop`` ends the turn at the next streamed piece or step (status ``interrupted``)."""
        text = text.strip()
        if not text:
            raise ValueError("the question is empty")
        conversation_id = conversation_id or new_conversation_id()
        emit = on_event or (lambda _event: None)
        text, cut_note = _within_limit(text, self.config.max_question_chars)
        try:
            with self._turn_lock(conversation_id):
                if cut_note:
                    emit(TextDelta(cut_note + "\n\n"))
                answer = _Turn(self, conversation_id, text, emit, model, stop, source).run()
                return replace(answer, text=f"{cut_note}\n\n{answer.text}") if cut_note else answer
        except ConversationBusy:
            log.info("conversation %s is busy; the question was refused", conversation_id)
            return Answer(conversation_id, None, "busy", BUSY, TurnStats(), error_kind="busy")

    @contextmanager
    def _turn_lock(self, conversation_id: str) -> Iterator[None]:
        """The conversation to this turn alone: this process's lock, then the store's (other processes),
        each waited for up to ``busy_wait_seconds`` before ``ConversationBusy``."""
        deadline = time.monotonic() + self.config.busy_wait_seconds
        lock = self._lock(conversation_id)
        if not lock.acquire(timeout=self.config.busy_wait_seconds):
            raise ConversationBusy
        try:
            with self.store.turn_lock(conversation_id, wait_seconds=max(0.0, deadline - time.monotonic())):
                yield
        finally:
            lock.release()


class _Turn:
    """One question being answered; holds the per-turn state the steps share."""

    def __init__(
        self,
        agent: Agent,
        conversation_id: str,
        question: str,
        emit: EventSink,
        model: str | None,
        stop: threading.Event | None = None,
        source: str = "cli",
    ):
        self.agent = agent
        self.source = source
        self.stop = stop
        self.store = agent.store
        self.conversation_id = conversation_id
        self.question = question
        self.emit = emit
        self.model_name = model or agent.config.model
        self.stats = TurnStats()
        self.tool_names: Counter[str] = Counter()

    def run(self) -> Answer:
        started = time.perf_counter()
        self.turn_id, history = self.store.begin_turn(
            self.conversation_id,
            source=self.source,
            question=self.question,
            model=self.model_name,
            repair_reason="the process stopped before the answer was complete",
        )
        self.messages = _sendable_history(history, self.model_name)
        self.messages_tokens = sum(estimate_tokens(message) for message in self.messages)
        self.first_of_turn = len(self.messages)
        self._add_message({"role": "user", "content": [{"type": "text", "text": self.question}]})
        try:
            answer = self._loop()
        except ModelError as error:
            answer = self._fail(error.kind, error.user_message)
        except ContextTooLong as exc:
            log.warning("conversation %s: %s", self.conversation_id, exc)
            answer = self._fail(
                "context_too_long",
                "This conversation has grown too long for the model; start a new conversation and ask again.",
            )
        except AnswerStopped:
            self.store.repair(self.conversation_id, "the question was stopped")
            self.store.finish_turn(self.turn_id, "interrupted", None, "stopped by the user")
            answer = Answer(
                self.conversation_id, self.turn_id, "interrupted", STOPPED, self.stats, error_kind="stopped"
            )
        except BaseException as exc:  # Ctrl-C, or a bug: keep the conversation valid, then let it propagate
            reason = (
                "the question was cancelled" if isinstance(exc, KeyboardInterrupt) else "an internal error"
            )
            if not isinstance(exc, KeyboardInterrupt):
                log.exception("turn %s in conversation %s failed", self.turn_id, self.conversation_id)
            self.store.repair(self.conversation_id, reason)
            self.store.finish_turn(self.turn_id, "interrupted", None, reason)
            raise
        self.stats.total_seconds = time.perf_counter() - started
        return answer

    def _loop(self) -> Answer:
        context = self.agent.context_factory()
        today_line = prompt.today_text(context.today, self.agent.business.timezone)
        config = self.agent.config
        for step in range(1, config.max_steps + 1):
            self._check_stop()
            call = self._call_model(step, today_line)
            reply = call.reply
            if not reply.tool_uses:
                text = reply.text.strip() or EMPTY_REPLY
                if reply.stop_reason == "max_tokens":
                    text += "\n\n(The answer was cut off at the OPSBOT_MAX_TOKENS limit.)"
                provenance = self._provenance(text, today_line)
                with self.store.transaction() as conn:
                    self._store_reply(call, conn)
                    self.store.finish_turn(self.turn_id, "answered", text, provenance=provenance, conn=conn)
                self._replied(call)
                return Answer(
                    self.conversation_id,
                    self.turn_id,
                    "answered",
                    text,
                    self.stats,
                    provenance=provenance,
                    sources=self._sources(),
                )
            with self.store.transaction() as conn:
                model_call_id = self._store_reply(call, conn)
                records = [
                    self.store.start_tool_call(
                        self.conversation_id, self.turn_id, model_call_id, use, conn=conn
                    )
                    for use in reply.tool_uses
                ]
            self._replied(call)
            self._run_tools(reply, records, context)
        self._check_stop()
        used = ", ".join(f"{name} ×{n}" for name, n in self.tool_names.most_common())
        text = (
            f"I stopped after {config.max_steps} model calls without reaching an answer "
            f"(tools used: {used}). "
            "Try a narrower question, e.g. one location or one period."
        )
        self.store.append(
            self.conversation_id, self.turn_id, "assistant", "repair", [{"type": "text", "text": text}]
        )
        self.store.finish_turn(self.turn_id, "step_cap", text, "step cap reached")
        return Answer(
            self.conversation_id,
            self.turn_id,
            "step_cap",
            text,
            self.stats,
            error_kind="step_cap",
            sources=self._sources(),
        )

    def _sources(self) -> AnswerSources:
        """What this turn's answer rests on: its successful tool calls, and how fresh the data is (none
        stated when it cannot be read: the answer stands without it)."""
        try:
            freshness = self.agent.freshness()
        except Exception:
            log.warning("the data's freshness could not be read", exc_info=True)
            freshness = ()
        calls = successful_calls(self.messages[self.first_of_turn :])
        return sources_of(calls, freshness, shown_in=self.agent.business.timezone)

    def _add_message(self, message: dict) -> None:
        """A message joins the conversation sent, its size estimated once (``messages_tokens``)."""
        self.messages.append(message)
        self.messages_tokens += estimate_tokens(message)

    def _check_stop(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise AnswerStopped

    def _stream_text(self, piece: str) -> None:
        self._check_stop()
        self.emit(TextDelta(piece))

    def _provenance(self, text: str, today_line: str) -> Provenance:
        """The answer's figures checked against every tool result of the conversation (follow-ups quote
        earlier ones), the questions asked and today's line."""
        results: list[object] = []
        context = [today_line]
        for message in self.messages:
            if message["role"] == "user":
                results += [parsed for parsed, _ in tool_results(message)]
                context += [b["text"] for b in message["content"] if b.get("type") == "text"]
        return check_answer(text, results, context=context)

    def _request(self, today_line: str) -> ModelRequest:
        config = self.agent.config
        fixed = self.agent.stable_prefix_tokens() + estimate_tokens(today_line)
        messages, compacted = fit_to_budget(
            self.messages,
            budget_tokens=config.context_budget_tokens,
            fixed_tokens=fixed,
            protected_from=self.first_of_turn,
            messages_tokens=self.messages_tokens,
        )
        self.stats.compacted_results = max(self.stats.compacted_results, compacted)
        return prompt.build_request(
            model=self.model_name,
            max_tokens=config.max_tokens,
            stable_system=self.agent.business.stable_system,
            today_line=today_line,
            tools=self.agent._tool_schemas,
            messages=messages,
            effort=config.effort,
        )

    def _call_model(self, step: int, today_line: str) -> _ModelCall:
        """One model call; a failed one is stored (and its ModelError raised), a reply is returned to be
        stored with what follows from it (``_store_reply``)."""
        request = self._request(today_line)
        self.emit(ModelCallStarted(step, self.model_name))
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        try:
            reply = self.agent.model.complete(request, self._stream_text)
        except ModelError as error:
            seconds = time.perf_counter() - started
            self.stats.model_seconds += seconds
            self._record_call(
                step,
                started_at,
                seconds,
                self.model_name,
                Usage(),
                0,
                error.attempts,
                error=f"{error.kind}: {error.detail or error.user_message}",
            )
            raise
        seconds = time.perf_counter() - started
        self.stats.model_seconds += seconds
        cost = cost_microusd(reply.model, reply.usage)
        return _ModelCall(step, started_at, seconds, reply, cost, _sendable(reply.content))

    def _store_reply(self, call: _ModelCall, conn: Connection) -> int:
        """Store a model call and its reply in the step's transaction ``conn``; the call's id."""
        reply = call.reply
        model_call_id = self._record_call(
            call.step,
            call.started_at,
            call.seconds,
            reply.model,
            reply.usage,
            call.cost,
            reply.attempts,
            request_id=reply.request_id,
            stop_reason=reply.stop_reason,
            conn=conn,
        )
        self.store.append(self.conversation_id, self.turn_id, "assistant", "reply", call.content, conn=conn)
        return model_call_id

    def _replied(self, call: _ModelCall) -> None:
        """A stored reply joins the conversation, the turn's figures and the events."""
        reply = call.reply
        self._add_message({"role": "assistant", "content": call.content})
        self.stats.model_calls += 1
        self.stats.usage += reply.usage
        self.stats.cost_microusd = add_cost(self.stats.cost_microusd, call.cost)
        self.emit(ModelCallFinished(call.step, reply.usage, call.seconds, reply.stop_reason))

    def _record_call(
        self,
        step: int,
        started_at: datetime,
        seconds: float,
        model: str,
        usage: Usage,
        cost: int | None,
        attempts: int,
        **outcome,
    ) -> int:
        """Store one model call (``outcome``: request_id and stop_reason, or error; and the step's
        transaction ``conn`` when there is one)."""
        return self.store.record_model_call(
            conversation_id=self.conversation_id,
            turn_id=self.turn_id,
            step=step,
            model=model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cost_microusd=cost,
            attempts=attempts,
            seconds=seconds,
            started_at=started_at,
            **outcome,
        )

    def _run_tools(self, reply: ModelReply, records: list[int], context: ToolContext) -> None:
        """Run the reply's tool calls (stored as started: ``records``), concurrently when several, store each
        result as it finishes, then the tool_result message in the order of the calls. A single call's
        result and the message are one transaction."""
        started = time.perf_counter()
        uses = reply.tool_uses
        for use in uses:
            self.tool_names[use["name"]] += 1
            activity = self.agent.registry.activity_of(use["name"])
            self.emit(ToolStarted(use["id"], use["name"], use.get("input") or {}, activity))

        def run(use: dict, record_id: int, conn: Connection | None = None) -> dict:
            result = self.agent.registry.call(use["name"], use.get("input"), context)
            payload = result.to_json() if result.ok else mask_secrets(result.to_json())
            self.store.finish_tool_call(record_id, result.ok, payload, result.seconds, conn=conn)
            self.emit(
                ToolFinished(
                    use["id"],
                    use["name"],
                    use.get("input") or {},
                    result.seconds,
                    result.ok,
                    result.error,
                    len(payload),
                )
            )
            block = {"type": "tool_result", "tool_use_id": use["id"], "content": payload}
            if not result.ok:
                block["is_error"] = True
            return block

        if len(uses) == 1:
            with self.store.transaction() as conn:
                blocks = [run(uses[0], records[0], conn)]
                self.store.append(
                    self.conversation_id, self.turn_id, "user", "tool_results", blocks, conn=conn
                )
        else:
            futures = [self.agent._pool.submit(run, use, rid) for use, rid in zip(uses, records, strict=True)]
            blocks = [future.result() for future in futures]
            self.store.append(self.conversation_id, self.turn_id, "user", "tool_results", blocks)
        self._add_message({"role": "user", "content": blocks})
        self.stats.tool_calls += len(uses)
        self.stats.tool_seconds += time.perf_counter() - started

    def _fail(self, kind: str, sentence: str) -> Answer:
        self.store.repair(self.conversation_id, sentence)
        self.store.finish_turn(self.turn_id, "failed", None, sentence)
        return Answer(self.conversation_id, self.turn_id, "failed", sentence, self.stats, error_kind=kind)


EMPTY_REPLY = "(The model returned an empty answer.)"


@dataclass(frozen=True)
class _ModelCall:
    """A model call that returned a reply, not yet stored: when it started, how long it took, its cost."""

    step: int
    started_at: datetime
    seconds: float
    reply: ModelReply
    cost: int | None
    content: list[dict]  # the reply as it is stored and sent back (``_sendable``)


def _within_limit(text: str, limit: int) -> tuple[str, str | None]:
    """The question as sent (at most ``limit`` characters, with a line telling the model it was cut) and the
    note for the user, or ``text`` and None when it fits."""
    if len(text) <= limit:
        return text, None
    note = f"(Your message was {len(text):,} characters long; I read the first {limit:,}.)"
    kept = text[:limit].rstrip()
    return f"{kept}\n\n[opsbot: the message was cut from {len(text):,} to {limit:,} characters]", note


THINKING_BLOCKS = ("thinking", "redacted_thinking")


def _sendable_history(history: list[StoredMessage], model: str) -> list[dict]:
    """The stored conversation as ``model`` may receive it: thinking blocks go back unchanged to the model
    that wrote them, and are left out of turns another model answered (the newest models' thinking blocks
    are bound to the model and conversation that produced them, so another model would refuse them)."""
    messages = []
    for stored in history:
        message = stored.api_message()
        thinking = stored.role == "assistant" and any(
            block.get("type") in THINKING_BLOCKS for block in message["content"]
        )
        if thinking and stored.turn_id is not None:
            answered_by = stored.model
            if answered_by and alias_of(answered_by) != alias_of(model):
                kept = [block for block in message["content"] if block.get("type") not in THINKING_BLOCKS]
                message = {**message, "content": _sendable(kept)}
        messages.append(message)
    return messages


def _sendable(content: list[dict]) -> list[dict]:
    """The reply as it can be sent back: the API refuses empty text blocks and empty messages, so a
    conversation holding them could never continue."""
    kept = [block for block in content if not (block.get("type") == "text" and not block.get("text"))]
    return kept or [{"type": "text", "text": EMPTY_REPLY}]
