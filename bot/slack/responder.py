"""Answers one Slack question in its thread: claim the message (once), check who may ask, mark the agent
session as processing at once (titled with the question; the legacy status line where the workspace has no
agent sessions), run the agent, stream each tool call as a task of the plan and then the answer, and close
it with its tables, its sources line and feedback buttons; always end with a message and the session made
active again — an error is one sentence in the thread, the details in the log. Stop in Slack
(``agent_session_stopped``) ends the answer the way Ctrl-C does in the REPL."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.messages.chunk import PlanUpdateChunk, TaskUpdateChunk
from slack_sdk.web.chat_stream import ChatStream

from bot.agent.events import (
    Answer,
    Event,
    ModelCallStarted,
    TextDelta,
    ToolFinished,
    ToolStarted,
    format_arguments,
)
from bot.application import Application
from bot.insights.thread_context import brief_context, with_brief_context
from bot.settings import SlackSettings
from bot.slack.blocks import feedback_block, sources_block
from bot.slack.charts import asks_for_a_chart, chart_alt_text, chart_data, render_png
from bot.slack.formatting import (
    FIRST_STATUS,
    LOADING_MESSAGES,
    TableSieve,
    table_csv,
    task_title,
    tool_status,
)
from bot.slack.incoming import Question, conversation_id_for, thread_of

log = logging.getLogger(__name__)

STREAM_BUFFER_CHARS = 120  # text gathered before each chat.appendStream call…
FLUSH_SECONDS = 0.5  # …unless this long has passed since the last one (the first text goes out at once)
MESSAGE_CHARS = 30_000  # a longer answer continues in a new message
SOURCE = "slack"  # conversations started here
PLATFORM = "slack"  # the chat platform of the messages claimed
REFUSED_USER = (
    "Sorry, I'm not set up to answer your questions. Ask the person who runs opsbot to give you access."
)
REFUSED_CHANNEL = (
    "Sorry, I don't answer questions in this channel. Ask the person who runs opsbot to add it, "
    "or send me a direct message."
)
EMPTY_QUESTION = (
    "Hi! Ask me about the business, e.g. *What was my top-selling item last Saturday?* or "
    "*How much did Uber Eats take in commission last month?*"
)
INTERNAL_ERROR = "Something went wrong while answering; the details are in the bot's log. Please try again."
STOPPED_NOTE = ":black_square_for_stop: _Stopped. Ask again whenever you like._"
PLAN_WORKING = "Looking up the numbers"
TASK_TEXT_CHARS = 256  # a task's details and output
SESSION_TITLE_CHARS = 200
# agents.sessions.* errors saying this app or workspace has no agent sessions: use the legacy status
NO_SESSIONS = {
    "unknown_method",
    "missing_scope",
    "not_allowed_token_type",
    "feature_not_enabled",
    "not_an_agent",
}


class AgentSessions:
    """Whether the workspace has agent sessions: assumed until Slack says otherwise, then the legacy
    assistant-thread status is used for the rest of the process."""

    def __init__(self) -> None:
        self.supported = True

    def unsupported(self, error: str) -> None:
        if self.supported:
            log.info("no agent sessions here (%s): using the assistant thread status instead", error)
        self.supported = False


class RunningAnswers:
    """The answers this process is giving, by conversation (a second question in a thread waits for the
    first): what Stop reaches."""

    def __init__(self) -> None:
        self._replies: dict[str, list[ThreadReply]] = {}
        self._lock = threading.Lock()

    def add(self, conversation_id: str, reply: ThreadReply) -> None:
        with self._lock:
            self._replies.setdefault(conversation_id, []).append(reply)

    def remove(self, conversation_id: str, reply: ThreadReply) -> None:
        with self._lock:
            replies = self._replies.get(conversation_id, [])
            if reply in replies:
                replies.remove(reply)
            if not replies:
                self._replies.pop(conversation_id, None)

    def of(self, conversation_id: str) -> list[ThreadReply]:
        with self._lock:
            return list(self._replies.get(conversation_id, []))


class SlackResponder:
    """Shared by every listener thread, over the application's one agent (it answers many conversations at
    once)."""

    def __init__(self, app: Application, settings: SlackSettings) -> None:
        self.app = app
        self.settings = settings
        self.sessions = AgentSessions()
        self.running = RunningAnswers()

    def refusal(self, question: Question) -> str | None:
        """Why this person or channel gets no answer (None: they may ask)."""
        if self.settings.allowed_users and question.user not in self.settings.allowed_users:
            return REFUSED_USER
        channels = self.settings.allowed_channels
        if channels and not question.is_direct and question.channel not in channels:
            return REFUSED_CHANNEL
        return None

    def follows_thread(self, conversation_id: str) -> bool:
        """Whether a thread reply that does not mention the bot is for it: the bot answers in that thread
        already, or the thread is a morning brief it posted."""
        if self.app.conversations.exists(conversation_id):
            return True
        thread = thread_of(conversation_id)
        return thread is not None and brief_context(self.app.store, *thread) is not None

    def question_for_model(self, question: Question) -> str:
        """The question as the model gets it: the first one in a morning brief's thread carries the brief."""
        if question.thread_ts == question.ts or self.app.conversations.exists(question.conversation_id):
            return question.text
        brief = brief_context(self.app.store, question.channel, question.thread_ts)
        if brief is None:
            return question.text
        return with_brief_context(brief, question.text, self.app.settings.model.max_question_chars)

    def handle(self, question: Question, client: WebClient, received: float | None = None) -> None:
        """Answer ``question`` unless it was already taken on; never raises."""
        received = received or time.perf_counter()
        if not self.app.claim_chat_event(
            PLATFORM,
            message_key=question.message_key,
            event_id=question.event_id,
            event_type=question.event_type,
            user_id=question.user,
            conversation_id=question.conversation_id,
        ):
            log.info(
                "message %s was already taken on (%s); skipped", question.message_key, question.event_type
            )
            return
        reply = ThreadReply(client, question, self.sessions)
        refusal = self.refusal(question)
        if refusal is not None:
            log.warning("refused %s in %s (not in the allowed lists)", question.user, question.channel)
            reply.post(refusal)
            return
        if not question.text:
            reply.post(EMPTY_QUESTION)
            return
        self.running.add(question.conversation_id, reply)
        try:
            reply.begin(question.text)
            log.info(
                "status for %s shown %.0f ms after receipt",
                question.message_key,
                (time.perf_counter() - received) * 1e3,
            )
            answer = self.app.agent().answer(
                question.conversation_id,
                self.question_for_model(question),
                reply.on_event,
                source=SOURCE,
                stop=reply.stop_requested,
            )
        except Exception:  # model errors come back as failed answers: this is a bug or a broken store
            log.exception("answering %s failed", question.message_key)
            reply.fail(INTERNAL_ERROR)
        else:
            reply.finish(answer)
        finally:
            self.running.remove(question.conversation_id, reply)
            reply.end()

    def stop(self, client: WebClient, team: str, channel: str, thread_ts: str, streams: list[str]) -> bool:
        """Stop pressed in a thread: end the answer running there (True), or, when none is (it finished, or
        runs in another replica), just take the session out of processing."""
        replies = self.running.of(conversation_id_for(team, channel, thread_ts))
        for reply in replies:
            reply.request_stop(streams)
        if replies:
            log.info("stop requested in %s %s", channel, thread_ts)
            return True
        ThreadReply.end_session(client, channel, thread_ts, self.sessions)
        return False


class ThreadReply:
    """The bot's side of one question's thread: the session status, the plan of tool calls, the streamed
    answer, the closing message."""

    def __init__(
        self,
        client: WebClient,
        question: Question,
        sessions: AgentSessions | None = None,
    ) -> None:
        self.client = client
        self.question = question
        self.sessions = sessions or AgentSessions()
        self.stop_requested = threading.Event()
        self._stopped_by_slack: set[str] = set()  # streams Slack itself ended when Stop was pressed
        self._session = False  # the question's agent session was set processing
        self._tasks: dict[str, str] = {}  # tool call id → its task title
        self._failed_tasks = 0
        self._tool_seconds = 0.0
        self.sieve = TableSieve()
        self._stream: ChatStream | None = None
        self._stream_chars = 0
        self._last_flush = 0.0
        self._streamed_any = False  # text went into a message
        self._text_seen = False  # the model streamed text (even if all of it was a table)
        self._separate = False
        self._lock = threading.Lock()  # tool events come from worker threads

    # --- the session and its status -------------------------------------------------------------------------

    def begin(self, title: str) -> None:
        """Show at once that the question is being worked on: the agent session set processing (and titled
        with the question when the session is new), else the legacy status line."""
        q = self.question
        if self.sessions.supported:
            try:
                self.client.agents_sessions_setStatus(
                    channel_id=q.channel,
                    thread_ts=q.thread_ts,
                    status="processing",
                    title=" ".join(title.split())[:SESSION_TITLE_CHARS] or None,
                    initiator_user_id=q.user,
                )
                self._session = True
                return
            except SlackApiError as exc:
                error = str(exc.response.get("error") or "")
                if error in NO_SESSIONS:
                    self.sessions.unsupported(error)
                else:
                    log.warning("could not set the agent session in %s: %s", q.channel, error or exc)
            except Exception as exc:
                log.warning("could not set the agent session in %s: %s", q.channel, exc)
        self.set_status(FIRST_STATUS, LOADING_MESSAGES)

    def end(self) -> None:
        """The question is done: the session back to active, or the legacy status cleared."""
        if self._session:
            self.end_session(self.client, self.question.channel, self.question.thread_ts, self.sessions)
        else:
            self.clear_status()

    @staticmethod
    def end_session(client: WebClient, channel: str, thread_ts: str, sessions: AgentSessions) -> None:
        if not sessions.supported:
            return
        try:
            client.agents_sessions_setStatus(channel_id=channel, thread_ts=thread_ts, status="active")
        except Exception as exc:  # a status is a nicety
            log.warning("could not make the agent session in %s active: %s", channel, exc)

    def request_stop(self, stopped_streams: list[str]) -> None:
        """Stop pressed: the agent ends at its next step; streams Slack already ended are not touched."""
        with self._lock:
            self._stopped_by_slack.update(ts for ts in stopped_streams if isinstance(ts, str))
        self.stop_requested.set()

    def set_status(self, status: str, loading_messages: list[str] | None = None) -> None:
        try:
            self.client.assistant_threads_setStatus(
                channel_id=self.question.channel,
                thread_ts=self.question.thread_ts,
                status=status,
                loading_messages=loading_messages,
            )
        except Exception as exc:  # a status is a nicety: never let it stop the answer
            log.warning("could not set the status in %s: %s", self.question.channel, exc)

    def clear_status(self) -> None:
        self.set_status("")

    # --- the streamed answer -------------------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, TextDelta):
                self._text_seen = True
                shown = self.sieve.feed(event.text)
                if shown:
                    if self._separate:
                        shown, self._separate = "\n\n" + shown, False
                    self._append(shown)
            elif isinstance(event, ModelCallStarted) and self._streamed_any:
                self._separate = True  # the next step's text starts a new paragraph
            elif isinstance(event, ToolStarted):
                self._task_started(event)
            elif isinstance(event, ToolFinished):
                self._task_finished(event)

    # --- the plan: one task per tool call ------------------------------------------------------------------

    def _task_started(self, event: ToolStarted) -> None:
        title = task_title(event.name, event.activity, event.arguments)
        self._tasks[event.call_id] = title
        chunks = [] if len(self._tasks) > 1 else [PlanUpdateChunk(title=f"{PLAN_WORKING}…")]
        details = f"{event.name}({format_arguments(event.arguments)})"
        chunks.append(
            TaskUpdateChunk(id=event.call_id, title=title, status="in_progress", details=_task_text(details))
        )
        self._chunks(chunks)
        if not self._session:
            self.set_status(tool_status(event.name, event.activity))

    def _task_finished(self, event: ToolFinished) -> None:
        title = self._tasks.get(event.call_id) or task_title(event.name, None, event.arguments)
        self._tool_seconds += event.seconds
        if event.ok:
            status, output = "complete", f"done in {event.seconds:.2f} s"
        else:
            self._failed_tasks += 1
            status, output = "error", f"failed: {event.error or 'the tool failed'}"
            log.info("tool %s failed in %s: %s", event.name, self.question.message_key, event.error)
        self._chunks(
            [TaskUpdateChunk(id=event.call_id, title=title, status=status, output=_task_text(output))]
        )

    def _plan_done(self) -> list:
        """The plan's closing title: how many steps it took."""
        if not self._tasks:
            return []
        steps = len(self._tasks)
        failed = f", {self._failed_tasks} failed" if self._failed_tasks else ""
        title = f"Looked up the numbers: {steps} step{'s' if steps != 1 else ''}{failed}"
        return [PlanUpdateChunk(title=title)]

    def _chunks(self, chunks: list) -> None:
        """Send ``chunks`` now (after any text gathered so far), starting the stream if need be."""
        try:
            self._open_stream()
            assert self._stream is not None
            self._stream.append(chunks=chunks)
            self._last_flush = time.monotonic()
        except Exception as exc:  # the plan is a nicety: the answer still comes
            log.warning("could not show a task in %s: %s", self.question.message_key, exc)

    def _open_stream(self) -> None:
        if self._stream is None:
            q = self.question
            self._stream = self.client.chat_stream(
                channel=q.channel,
                thread_ts=q.thread_ts,
                recipient_team_id=q.team or None,
                recipient_user_id=q.user,
                task_display_mode="plan",
                buffer_size=STREAM_BUFFER_CHARS,
            )
            self._stream_chars = 0

    def _append(self, text: str) -> None:
        if self._stream is not None and self._stream_chars + len(text) > MESSAGE_CHARS:
            self._stream.stop()
            self._stream = None
        self._open_stream()
        assert self._stream is not None
        now = time.monotonic()
        flush = bool(text) and (self._stream_chars == 0 or now - self._last_flush > FLUSH_SECONDS)
        if self._stream.append(markdown_text=text, chunks=[] if flush else None) is not None:
            self._last_flush = now
        self._stream_chars += len(text)
        self._streamed_any = True

    def finish(self, answer: Answer) -> None:
        """Close the stream with the rest of the text, the tables, the sources line and the feedback
        buttons, or say why there is no answer."""
        with self._lock:
            if answer.error_kind == "stopped":
                self._close_stopped()
                return
            if not answer.ok and answer.status != "step_cap":
                self._close(self._after_streamed(f":warning: {answer.text}"))
                return
            if not self._text_seen:  # the reply was not streamed (e.g. the loop's own note)
                self._text_seen = True
                tail = self.sieve.feed(answer.text) + self.sieve.finish()
            else:
                tail = self.sieve.finish()
                if answer.status == "step_cap":
                    tail += "\n\n" + answer.text
            if answer.untraced:
                tail += f"\n\n_{answer.untraced}_"
            blocks, fallback = self.sieve.blocks_and_fallback()
            if fallback:  # after the mark: the table note stays next to the tables
                tail += "\n\n" + fallback
            if not self._streamed_any:
                tail = tail.lstrip("\n")
            if answer.sources is not None:
                blocks.append(sources_block(answer.sources.line()))
            if answer.turn_id is not None:
                blocks.append(feedback_block(answer.turn_id))
            self._close(tail, blocks)
            for number, rows in enumerate(self.sieve.oversized(), 1):
                self._attach_csv(rows, f"opsbot-table-{number}.csv")
            if self.sieve.tables and asks_for_a_chart(self.question.text):
                self._attach_chart(self.sieve.tables[0])

    def _attach_csv(self, rows: list[list[str]], filename: str) -> None:
        """A table too big for Slack's table block, whole, as a CSV file in the thread (files_upload_v2)."""
        try:
            self.client.files_upload_v2(
                channel=self.question.channel,
                thread_ts=self.question.thread_ts,
                filename=filename,
                title=f"{rows[0][0]} … ({len(rows) - 1} rows)",
                content=table_csv(rows),
            )
        except Exception:
            log.exception("could not attach %s in %s", filename, self.question.message_key)

    def _attach_chart(self, rows: list[list[str]]) -> None:
        """The answer's first table drawn as a PNG chart in the thread (files_upload_v2), when asked for."""
        data = chart_data(rows)
        if data is None:
            log.info("no chart for %s: its table has no numbers to draw", self.question.message_key)
            return
        try:
            self.client.files_upload_v2(
                channel=self.question.channel,
                thread_ts=self.question.thread_ts,
                filename="opsbot-chart.png",
                title=data.title,
                alt_txt=chart_alt_text(data),
                file=render_png(data),
            )
        except Exception:
            log.exception("could not attach the chart in %s", self.question.message_key)

    def fail(self, sentence: str) -> None:
        with self._lock:
            self._close(self._after_streamed(f":warning: {sentence}"))

    def _close_stopped(self) -> None:
        """The answer was stopped: its stream closed with a note (or the note on its own when Slack ended
        the stream already)."""
        if self._stream is not None and self._stream.ts in self._stopped_by_slack:
            self._stream = None
            self.post(STOPPED_NOTE)
            return
        self._close(self._after_streamed(STOPPED_NOTE))

    def _after_streamed(self, text: str) -> str:
        return "\n\n" + text if self._streamed_any else text

    def _close(self, text: str, blocks: list[dict] | None = None) -> None:
        """The last part of the answer: the open stream stopped with it, or a message of its own."""
        try:
            if self._stream is None and not blocks:
                if text.strip():
                    self.post(text.strip())
                return
            if self._stream is None:
                self._append("")
            assert self._stream is not None
            self._stream.stop(
                markdown_text=text or None, blocks=blocks or None, chunks=self._plan_done() or None
            )
        except Exception:
            log.exception("could not finish the answer in %s", self.question.message_key)
            self.post(f":warning: {INTERNAL_ERROR}")
        finally:
            self._stream = None

    def post(self, text: str) -> None:
        """A plain message in the thread."""
        try:
            self.client.chat_postMessage(
                channel=self.question.channel, thread_ts=self.question.thread_ts, markdown_text=text
            )
        except Exception:
            log.exception("could not post in %s", self.question.message_key)


def _task_text(text: str) -> str:
    """A task's details or output within Slack's limit."""
    text = " ".join(text.split())
    return text if len(text) <= TASK_TEXT_CHARS else text[: TASK_TEXT_CHARS - 1] + "…"
