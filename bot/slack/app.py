"""The Bolt app: which events it listens to and how each reaches the responder. Slack code lives here and in
its neighbours; the agent and the tools know nothing of Slack."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.settings import SlackSettings
from bot.slack.blocks import FEEDBACK_ACTION, FEEDBACK_MODAL
from bot.slack.feedback_actions import record_click, record_comment
from bot.slack.incoming import from_mention, from_message
from bot.slack.responder import SlackResponder
from bot.slack.setup import SlackSetupError, check_settings

log = logging.getLogger(__name__)

MANIFEST = Path(__file__).with_name("manifest.json")  # the Slack app manifest: create the app from it


PROMPTS_TITLE = "Ask about sales, items, locations or delivery:"


def suggested_prompts() -> list[dict]:
    """The prompts offered when someone opens the app's messages tab (the manifest's own)."""
    return json.loads(MANIFEST.read_text())["features"]["agent_view"]["suggested_prompts"]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class _DropTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and, given our client too, warns that it ignores it: noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_DropTokenNotice())


def build_app(settings: SlackSettings, responder: SlackResponder, *, http_mode: bool) -> App:
    """The Bolt app with its listeners; checks the bot token with Slack (``auth.test``) on the way."""
    check_settings(settings, http_mode=http_mode)
    client = WebClient(token=settings.bot_token, base_url=settings.api_url)
    try:
        app = App(
            client=client,
            signing_secret=settings.signing_secret or "",
            request_verification_enabled=http_mode,
            process_before_response=False,  # acknowledge at once; answer on the listener threads
            listener_executor=ThreadPoolExecutor(
                max_workers=settings.workers, thread_name_prefix="opsbot-slack"
            ),
            raise_error_for_unhandled_request=False,
        )
    except Exception as exc:  # Bolt checks the token with auth.test
        raise SlackSetupError(f"Slack rejected SLACK_BOT_TOKEN ({exc}) — check the token in .env") from exc
    register_listeners(app, responder)
    return app


def register_listeners(app: App, responder: SlackResponder) -> None:
    """The listeners of every event the manifest subscribes to, answering through ``responder``."""

    def received(context: BoltContext) -> float:
        return context.get("received_at") or time.perf_counter()

    @app.event("app_mention")
    def on_mention(body: dict, event: dict, context: BoltContext, client: WebClient) -> None:
        question = from_mention(body, event, context.bot_user_id)
        if question is not None:
            responder.handle(question, client, received(context))

    @app.event("message")
    def on_message(body: dict, event: dict, context: BoltContext, client: WebClient) -> None:
        question = from_message(body, event, context.bot_user_id, responder.follows_thread)
        if question is not None:
            responder.handle(question, client, received(context))

    @app.event("app_home_opened")
    def on_home_opened(event: dict, client: WebClient) -> None:
        """The agent experience: prompts in the Messages tab (set on the channel, no thread)."""
        channel = _text(event.get("channel"))
        if event.get("tab") != "messages" or channel is None:
            return
        try:
            client.assistant_threads_setSuggestedPrompts(
                channel_id=channel, title=PROMPTS_TITLE, prompts=suggested_prompts()
            )
        except Exception as exc:
            log.warning("could not set the suggested prompts: %s", exc)

    @app.event("assistant_thread_started")
    def on_thread_started(event: dict, client: WebClient) -> None:
        """The legacy assistant threads: prompts in the new thread."""
        thread = event.get("assistant_thread") if isinstance(event.get("assistant_thread"), dict) else {}
        channel, thread_ts = _text(thread.get("channel_id")), _text(thread.get("thread_ts"))
        if channel is None or thread_ts is None:
            log.warning("ignored an assistant_thread_started event without its channel and thread")
            return
        try:
            client.assistant_threads_setSuggestedPrompts(
                channel_id=channel, thread_ts=thread_ts, title=PROMPTS_TITLE, prompts=suggested_prompts()
            )
        except Exception as exc:
            log.warning("could not set the suggested prompts: %s", exc)

    @app.event("agent_session_stopped")
    def on_session_stopped(body: dict, event: dict, client: WebClient) -> None:
        """Stop pressed in Slack: end that thread's answer."""
        channel, thread_ts = _text(event.get("channel")), _text(event.get("thread_ts"))
        if channel is None or thread_ts is None:
            log.warning("ignored an agent_session_stopped event without its channel and thread")
            return
        streams = event.get("streaming_message_ts")
        team = _text(body.get("team_id")) or ""
        responder.stop(client, team, channel, thread_ts, streams if isinstance(streams, list) else [])

    @app.action(FEEDBACK_ACTION)
    def on_feedback(ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        record_click(responder.app, client, body, action if isinstance(action, dict) else {})

    @app.view(FEEDBACK_MODAL)
    def on_feedback_comment(ack, body: dict) -> None:
        ack()
        record_comment(responder.app, body)

    @app.event("assistant_thread_context_changed")
    def on_context_changed() -> None:
        pass  # the answer does not depend on which channel the user is looking at
