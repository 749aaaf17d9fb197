"""The Slack app manifest in the repository agrees with the code: every event it subscribes to has a
listener, every listener's event is subscribed, and the scopes cover the Web API methods the app calls."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.slack.app import MANIFEST, register_listeners, suggested_prompts

# The bot scope each Web API method the app calls needs (docs.slack.dev/reference/methods).
SCOPE_FOR = {
    "chat_postMessage": "chat:write",
    "chat_stream": "chat:write",
    "assistant_threads_setStatus": "chat:write",
    "assistant_threads_setSuggestedPrompts": "assistant:write",
    "agents_sessions_setStatus": "chat:write",
    "files_upload_v2": "files:write",
    "views_open": None,  # answers an interaction (its trigger_id): no scope
}


class RecordingApp:
    """Stands in for the Bolt app to see which events the listeners are registered for."""

    def __init__(self) -> None:
        self.events: set[str] = set()
        self.interactions: set[str] = set()

    def event(self, name: str):
        self.events.add(name)
        return lambda function: function

    def action(self, action_id: str):
        self.interactions.add(action_id)
        return lambda function: function

    def view(self, callback_id: str):
        self.interactions.add(callback_id)
        return lambda function: function


class _Responder:
    engine = None


def test_the_manifest_subscribes_to_exactly_the_events_the_app_listens_to():
    manifest = json.loads(MANIFEST.read_text())
    subscribed = {name.split(".")[0] for name in manifest["settings"]["event_subscriptions"]["bot_events"]}
    app = RecordingApp()
    register_listeners(app, _Responder())  # type: ignore[arg-type]
    assert app.events == subscribed
    # Direct messages, and thread replies in public and private channels and group DMs.
    assert {"message.im", "message.channels", "message.groups", "message.mpim"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    # The feedback buttons and their modal need interactivity; Stop needs agent_session_stopped.
    assert app.interactions == {"opsbot_feedback", "opsbot_feedback_comment"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert {"agent_session_stopped", "app_home_opened"} <= subscribed


def test_the_scopes_cover_every_web_api_method_the_app_calls():
    scopes = set(json.loads(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])
    code = "".join(path.read_text() for path in Path(MANIFEST).parent.glob("*.py"))
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", code))
    assert called == set(SCOPE_FOR), "a new Web API method: add its scope to SCOPE_FOR and the manifest"
    assert {SCOPE_FOR[method] for method in called} - {None} <= scopes
    assert {"app_mentions:read", "im:history", "channels:history", "groups:history", "mpim:history"} <= scopes
    assert [p["title"] for p in suggested_prompts()][:2] == ["Yesterday's sales", "Top seller"]
