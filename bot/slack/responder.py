"""Answers one Slack question in its thread: claim the message (once), check who may ask, show a status at
once, run the agent, stream the answer (tables as blocks under it), and always end with a message and a
cleared status — an error is one sentence in the thread, the details in the log."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.web.chat_stream import ChatStream

from bot.agent.events import Answer, Event, ModelCallStarted, TextDelta, ToolFinished, ToolStarted
from bot.application import Application
from bot.insights.thread_context import brief_context, with_brief_context
from bot.settings import SlackSettings
from bot.slack.charts import asks_for_a_chart, chart_alt_text, chart_data, render_png
from bot.slack.formatting import FIRST_STATUS, LOADING_MESSAGES, TableSieve, table_csv, tool_status
from bot.slack.incoming import Question, thread_of

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


class SlackResponder:
    """Shared by every listener thread, over the application's one agent (it answers many conversations at
    once)."""

    def __init__(self, app: Application, settings: SlackSettings) -> None:
        self.app = app
        self.settings = settings

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
        reply = ThreadReply(client, question)
        refusal = self.refusal(question)
        if refusal is not None:
            log.warning("refused %s in %s (not in the allowed lists)", question.user, question.channel)
            reply.post(refusal)
            return
        if not question.text:
            reply.post(EMPTY_QUESTION)
            return
        reply.set_status(FIRST_STATUS, LOADING_MESSAGES)
        log.info(
            "status for %s shown %.0f ms after receipt",
            question.message_key,
            (time.perf_counter() - received) * 1e3,
        )
        try:
            answer = self.app.agent().answer(
                question.conversation_id, self.question_for_model(question), reply.on_event, source=SOURCE
            )
        except Exception:  # model errors come back as failed answers: this is a bug or a broken store
            log.exception("answering %s failed", question.message_key)
            reply.fail(INTERNAL_ERROR)
        else:
            reply.finish(answer)
        finally:
            reply.clear_status()


class ThreadReply:
    """The bot's side of one question's thread: status, the streamed answer, the closing message."""

    def __init__(self, client: WebClient, question: Question) -> None:
        self.client = client
        self.question = question
        self.sieve = TableSieve()
        self._stream: ChatStream | None = None
        self._stream_chars = 0
        self._last_flush = 0.0
        self._streamed_any = False  # text went into a message
        self._text_seen = False  # the model streamed text (even if all of it was a table)
        self._separate = False
        self._lock = threading.Lock()  # tool events come from worker threads

    # --- status --------------------------------------------------------------------------------------------

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
                self.set_status(tool_status(event.name, event.activity))
            elif isinstance(event, ToolFinished) and not event.ok:
                log.info("tool %s failed in %s: %s", event.name, self.question.message_key, event.error)

    def _append(self, text: str) -> None:
        if self._stream is not None and self._stream_chars + len(text) > MESSAGE_CHARS:
            self._stream.stop()
            self._stream = None
        if self._stream is None:
            q = self.question
            self._stream = self.client.chat_stream(
                channel=q.channel,
                thread_ts=q.thread_ts,
                recipient_team_id=q.team or None,
                recipient_user_id=q.user,
                buffer_size=STREAM_BUFFER_CHARS,
            )
            self._stream_chars = 0
        now = time.monotonic()
        flush = bool(text) and (self._stream_chars == 0 or now - self._last_flush > FLUSH_SECONDS)
        if self._stream.append(markdown_text=text, chunks=[] if flush else None) is not None:
            self._last_flush = now
        self._stream_chars += len(text)
        self._streamed_any = True

    def finish(self, answer: Answer) -> None:
        """Close the stream with the rest of the text and the tables, or say why there is no answer."""
        with self._lock:
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
            self._stream.stop(markdown_text=text or None, blocks=blocks or None)
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
