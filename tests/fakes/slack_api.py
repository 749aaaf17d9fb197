"""A local fake of Slack for the app's tests: the Web API (``/api/<method>``, form or JSON bodies, bearer
token, Slack's ``{"ok": false, "error": …}`` answers) recording every call, with realistic replies —
``chat.startStream`` returns the new message's ``ts``, ``files.getUploadURLExternal`` an upload URL on this
server — and helpers to send signed Events API requests and interactions the way Slack does.

Every block, streaming chunk and view the app sends is read back through slack_sdk's own models (and the
documented limits the models do not check); what does not survive is refused with ``invalid_blocks`` and kept
in ``FakeSlack.invalid``. ``FakeSlack(agent_sessions=False)`` is a workspace without agent sessions
(``agents.sessions.*`` answer ``unknown_method``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import socket
import struct
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode

from slack_sdk.models.blocks import Block
from slack_sdk.models.messages.chunk import Chunk
from slack_sdk.models.views import View

from tests.fakes.loopback import LoopbackServer

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEAM"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"

# Required arguments per method, as Slack checks them.
REQUIRED = {
    "chat.postMessage": ("channel",),
    "chat.startStream": ("channel", "thread_ts"),
    "chat.appendStream": ("channel", "ts"),
    "chat.stopStream": ("channel", "ts"),
    "assistant.threads.setStatus": ("channel_id", "thread_ts", "status"),
    "assistant.threads.setSuggestedPrompts": ("channel_id", "thread_ts", "prompts"),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
    "agents.sessions.setStatus": ("channel_id", "status"),
    "agents.sessions.rename": ("channel_id", "title"),
    "views.open": ("trigger_id", "view"),
    "chat.postEphemeral": ("channel", "user"),
}
SESSION_STATUSES = ("active", "processing", "suspended", "closed")
TASK_STATUSES = ("pending", "in_progress", "complete", "error")
TASK_TEXT_CHARS = 256  # a task's details and output (Slack's limit)
SESSION_TITLE_CHARS = 200


@dataclass
class Call:
    method: str
    args: dict
    at: float  # time.perf_counter() when it arrived


@dataclass
class FakeSlack:
    """``with FakeSlack() as slack: … slack.api_url …``; ``slack.calls`` holds every Web API call."""

    calls: list[Call] = field(default_factory=list)
    agent_sessions: bool = True  # False: a workspace where agents.sessions.* are unknown methods
    invalid: list[str] = field(default_factory=list)  # what failed the SDK models' checks, per call

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.uploads: dict[str, bytes] = {}
        self.sockets: list[SocketPeer] = []  # Socket Mode connections, newest last
        self.server = LoopbackServer(
            lambda handler: self._socket_mode(handler) if handler.command == "GET" else self._handle(handler)
        )
        self.url = self.server.url
        self.api_url = f"{self.url}/api/"

    def __enter__(self) -> FakeSlack:
        self.server.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.stop()

    # --- reading what the app did --------------------------------------------------------------------------

    def of(self, method: str, **matching) -> list[Call]:
        """The calls of ``method`` whose arguments include ``matching``."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and all(c.args.get(k) == v for k, v in matching.items())
            ]

    def in_thread(self, channel: str, thread_ts: str) -> list[Call]:
        """Every call about one thread, in order (statuses, messages, streams and their appends)."""
        with self._lock:
            calls = list(self.calls)
        streams = {
            c.args.get("_ts")
            for c in calls
            if c.method == "chat.startStream" and c.args.get("thread_ts") == thread_ts
        }
        return [
            c
            for c in calls
            if (c.args.get("channel") == channel or c.args.get("channel_id") == channel)
            and (c.args.get("thread_ts") == thread_ts or c.args.get("ts") in streams)
        ]

    def replies(self, channel: str, thread_ts: str) -> list[dict]:
        """The bot's messages in a thread as Slack shows them: ``{"text": …, "blocks": […]}`` each, a
        streamed message assembled from its start, appends and stop."""
        messages: dict[str, dict] = {}
        for call in self.in_thread(channel, thread_ts):
            if call.method == "chat.postMessage":
                text = call.args.get("markdown_text") or call.args.get("text") or ""
                messages[call.args["_ts"]] = {"text": text, "blocks": call.args.get("blocks") or []}
            elif call.method in ("chat.startStream", "chat.appendStream", "chat.stopStream"):
                ts = call.args.get("_ts") or call.args["ts"]
                message = messages.setdefault(ts, {"text": "", "blocks": []})
                message["text"] += call.args.get("markdown_text") or ""
                for chunk in call.args.get("chunks") or []:
                    if chunk.get("type") == "markdown_text":
                        message["text"] += chunk["text"]
                message["blocks"] += call.args.get("blocks") or []
        return list(messages.values())

    def tasks(self, channel: str, thread_ts: str) -> list[dict]:
        """Every ``task_update`` and ``plan_update`` chunk streamed into a thread, in order."""
        return [
            chunk
            for call in self.in_thread(channel, thread_ts)
            if call.method in ("chat.startStream", "chat.appendStream", "chat.stopStream")
            for chunk in call.args.get("chunks") or []
            if chunk.get("type") in ("task_update", "plan_update")
        ]

    def answered(self, channel: str, thread_ts: str, timeout: float = 30, answers: int = 1) -> list[Call]:
        """Wait until the app is done with ``answers`` questions in a thread (its last act on each is
        clearing the status, after the streamed reply is stopped); the calls."""

        def done(fake: FakeSlack):
            calls = fake.in_thread(channel, thread_ts)
            ended = [c for c in calls if is_answer_end(c)]
            return calls if len(ended) >= answers else None

        return self.wait_for(done, timeout, what=f"the answer in {channel} {thread_ts}")

    def wait_for(self, predicate, timeout: float = 30, what: str = "the expected Slack calls"):
        """Wait until ``predicate(self)`` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; calls: {[c.method for c in self.calls]}")
            time.sleep(0.02)

    # --- serving --------------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        at = time.perf_counter()
        raw = handler.rfile.read(int(handler.headers.get("content-length") or 0))
        if handler.path.startswith("/upload/"):
            file_id = handler.path.rsplit("/", 1)[-1]
            self.uploads[file_id] = raw
            return self._send(handler, 200, f"OK - {len(raw)}".encode(), "text/plain")
        method = handler.path.split("?")[0].removeprefix("/api/")
        args = self._arguments(handler, raw)
        token = (handler.headers.get("authorization") or "").removeprefix("Bearer ") or args.get("token")
        call = Call(method, args, at)
        with self._lock:
            self.calls.append(call)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return self._json(handler, {"ok": False, "error": "invalid_auth"})
        missing = [name for name in REQUIRED.get(method, ()) if args.get(name) in (None, "", [])]
        if method == "assistant.threads.setStatus" and args.get("status") == "":
            missing.remove("status")  # an empty status clears it
        if missing:
            return self._json(handler, {"ok": False, "error": "invalid_arguments", "missing": missing})
        problems = model_problems(method, args)
        if problems:
            with self._lock:
                self.invalid += [f"{method}: {problem}" for problem in problems]
            return self._json(handler, {"ok": False, "error": "invalid_blocks", "errors": problems})
        self._json(handler, self._reply(method, args))

    @staticmethod
    def _arguments(handler: BaseHTTPRequestHandler, raw: bytes) -> dict:
        if "application/json" in (handler.headers.get("content-type") or ""):
            return json.loads(raw or b"{}")
        args: dict = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        for name in ("blocks", "chunks", "prompts", "files", "loading_messages", "view"):
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        return args

    def _next_ts(self) -> str:
        return f"1791000000.{next(self._ts):06d}"  # the bot's messages; the tests' own start 1790

    def _reply(self, method: str, args: dict) -> dict:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://copperline.slack.com/",
                "team": "Copperline Kitchen",
                "user": "opsbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.startStream"):
            to_channel = method == "chat.startStream" and not args["channel"].startswith("D")
            if to_channel and not (args.get("recipient_user_id") and args.get("recipient_team_id")):
                return {"ok": False, "error": "missing_recipient_user_id"}
            ts = args["_ts"] = self._next_ts()
            message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}
        if method in ("chat.appendStream", "chat.stopStream"):
            if method == "chat.appendStream" and not (args.get("markdown_text") or args.get("chunks")):
                return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        if method.startswith("assistant.threads."):
            return {"ok": True}
        if method.startswith("agents.sessions."):
            if not self.agent_sessions:
                return {"ok": False, "error": "unknown_method"}
            if method == "agents.sessions.setStatus":
                return {"ok": True, "status": args["status"], "title": args.get("title") or ""}
            return {"ok": True, "title": args["title"]}
        if method == "views.open":
            return {"ok": True, "view": {**args["view"], "id": f"V{next(self._ts):08d}"}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {
                "ok": True,
                "files": [{"id": f["id"], "title": f.get("title", "")} for f in args["files"]],
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.server.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _socket_mode(self, handler: BaseHTTPRequestHandler) -> None:
        """The Socket Mode WebSocket (RFC 6455): handshake, ``hello``, then envelopes both ways."""
        key = handler.headers.get("sec-websocket-key")
        if handler.path.split("?")[0] != "/socket" or not key:
            return self._send(handler, 404, b"not found", "text/plain")
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        handler.send_response(101, "Switching Protocols")
        handler.send_header("Upgrade", "websocket")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Sec-WebSocket-Accept", accept)
        handler.end_headers()
        handler.wfile.flush()
        peer = SocketPeer(handler.connection)
        with self._lock:
            self.sockets.append(peer)
        peer.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0OPSBOT"}})
        peer.serve()
        handler.close_connection = True

    def _json(self, handler, payload: dict) -> None:
        self._send(handler, 200, json.dumps(payload).encode(), "application/json; charset=utf-8")

    @staticmethod
    def _send(handler, status: int, body: bytes, content_type: str) -> None:
        handler.send_response(status)
        handler.send_header("content-type", content_type)
        handler.send_header("content-length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def is_answer_end(call: Call) -> bool:
    """The app's last act on a question: the legacy status cleared, or the agent session made active."""
    if call.method == "assistant.threads.setStatus":
        return call.args.get("status") == ""
    return call.method == "agents.sessions.setStatus" and call.args.get("status") == "active"


def _same(built: object, sent: object) -> bool:
    return json.loads(json.dumps(built)) == json.loads(json.dumps(sent))


def model_problems(method: str, args: dict) -> list[str]:
    """Why the call's blocks, chunks or view are not what slack_sdk's models build (empty: they are), and
    the documented limits those models leave unchecked."""
    problems: list[str] = []
    for block in args.get("blocks") or []:
        try:
            parsed = Block.parse(block)
            if parsed is None or not _same(parsed.to_dict(), block):
                problems.append(f"block {block.get('type')!r} is not one slack_sdk's models build")
        except Exception as exc:
            problems.append(f"block {block.get('type')!r}: {exc}")
    for chunk in args.get("chunks") or []:
        try:
            parsed_chunk = Chunk.parse(chunk)
            if parsed_chunk is None or not _same(parsed_chunk.to_dict(), chunk):
                problems.append(f"chunk {chunk.get('type')!r} is not one slack_sdk's models build")
                continue
        except Exception as exc:
            problems.append(f"chunk {chunk.get('type')!r}: {exc}")
            continue
        if chunk["type"] == "task_update":
            if chunk.get("status") not in TASK_STATUSES or not chunk.get("title"):
                problems.append(
                    f"task {chunk.get('id')!r} has no title or the status {chunk.get('status')!r}"
                )
            for name in ("details", "output"):
                if len(chunk.get(name) or "") > TASK_TEXT_CHARS:
                    problems.append(f"task {chunk.get('id')!r}: {name} over {TASK_TEXT_CHARS} characters")
    if isinstance(args.get("view"), dict):
        try:
            if not _same(View(**args["view"]).to_dict(), args["view"]):
                problems.append("the view is not one slack_sdk's models build")
        except Exception as exc:
            problems.append(f"view: {exc}")
    if method == "agents.sessions.setStatus":
        if args.get("status") not in SESSION_STATUSES:
            problems.append(f"session status {args.get('status')!r}")
        if len(args.get("title") or "") > SESSION_TITLE_CHARS:
            problems.append(f"session title over {SESSION_TITLE_CHARS} characters")
    if method == "chat.stopStream" and args.get("session_status") not in (None, *SESSION_STATUSES):
        problems.append(f"session status {args.get('session_status')!r}")
    return problems


WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketPeer:
    """Slack's end of one Socket Mode connection: sends envelopes, keeps what the app sends back (acks)."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.received: list[dict] = []
        self._send_lock = threading.Lock()

    def send_json(self, payload: dict) -> None:
        self._send_frame(0x1, json.dumps(payload).encode())

    def send_events_api(self, event: dict, envelope_id: str) -> None:
        """An Events API event as Socket Mode delivers it."""
        self.send_json(
            {
                "envelope_id": envelope_id,
                "payload": event_callback(event),
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )

    def send_interactive(self, payload: dict, envelope_id: str) -> None:
        """An interaction (a button click, a modal submitted) as Socket Mode delivers it."""
        self.send_json(
            {
                "envelope_id": envelope_id,
                "payload": payload,
                "type": "interactive",
                "accepts_response_payload": True,
            }
        )

    def _send_frame(self, opcode: int, data: bytes) -> None:
        size = len(data)
        if size < 126:
            header = struct.pack(">BB", 0x80 | opcode, size)
        elif size < 65536:
            header = struct.pack(">BBH", 0x80 | opcode, 126, size)
        else:
            header = struct.pack(">BBQ", 0x80 | opcode, 127, size)
        with self._send_lock:
            self.connection.sendall(header + data)

    def _read_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.connection.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def serve(self) -> None:
        """Read the app's frames until it goes away: keep text frames, answer pings."""
        try:
            while True:
                first, second = self._read_exact(2)
                opcode, size = first & 0x0F, second & 0x7F
                if size == 126:
                    (size,) = struct.unpack(">H", self._read_exact(2))
                elif size == 127:
                    (size,) = struct.unpack(">Q", self._read_exact(8))
                mask = self._read_exact(4) if second & 0x80 else b"\0\0\0\0"
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read_exact(size)))
                if opcode == 0x1:
                    self.received.append(json.loads(data))
                elif opcode == 0x9:
                    self._send_frame(0xA, data)
                elif opcode == 0x8:
                    return
        except (ConnectionError, OSError):
            return


# --- the Events API side: what Slack sends to the app ------------------------------------------------------

_event_ids = itertools.count(1)


def event_callback(event: dict, event_id: str | None = None) -> dict:
    """An Events API ``event_callback`` envelope around ``event``."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0OPSBOT",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }


def signed_headers(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack signs a request with: ``v0=`` HMAC-SHA256 of ``v0:<timestamp>:<body>``."""
    stamp = str(timestamp or int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def post_event(url: str, payload: dict, *, secret: str = SIGNING_SECRET, retry: int | None = None) -> tuple:
    """POST a signed Events API request; ``(status, body text, seconds)``."""
    body = json.dumps(payload).encode()
    headers = signed_headers(body, secret)
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return _post(url, body, headers)


def post_interaction(url: str, payload: dict, *, secret: str = SIGNING_SECRET) -> tuple:
    """POST a signed interaction the way Slack sends one (a form with the JSON in ``payload``)."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed_headers(body, secret) | {"Content-Type": "application/x-www-form-urlencoded"}
    return _post(url, body, headers)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), time.perf_counter() - started


def _message(
    kind: str, channel_type: str | None, user: str, text: str, ts: str, channel: str, thread_ts
) -> dict:
    event = {"type": kind, "channel": channel, "user": user, "text": text, "ts": ts}
    if channel_type:
        event["channel_type"] = channel_type
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(
    user: str, text: str, ts: str, channel: str = "D0DM", thread_ts: str | None = None
) -> dict:
    """A ``message`` event in a DM (``message.im``)."""
    return _message("message", "im", user, text, ts, channel, thread_ts)


def mention(user: str, text: str, ts: str, channel: str = "C0SALES", thread_ts: str | None = None) -> dict:
    """An ``app_mention`` of the bot."""
    return _message("app_mention", None, user, f"<@{BOT_USER}> {text}", ts, channel, thread_ts)


def channel_message(
    user: str, text: str, ts: str, channel: str = "C0SALES", thread_ts: str | None = None
) -> dict:
    """A ``message`` event in a public channel (``message.channels``)."""
    return _message("message", "channel", user, text, ts, channel, thread_ts)


def session_stopped(user: str, channel: str, thread_ts: str, streaming: list[str] | None = None) -> dict:
    """An ``agent_session_stopped`` event: the user pressed Stop (``streaming``: the streams Slack ended)."""
    return {
        "type": "agent_session_stopped",
        "channel": channel,
        "user": user,
        "thread_ts": thread_ts,
        "streaming_message_ts": streaming or [],
        "event_ts": f"{time.time():.6f}",
    }


def home_opened(user: str, channel: str = "D0DM", tab: str = "messages") -> dict:
    """An ``app_home_opened`` event: the user opened the app's Messages (or Home) tab."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }


def _interaction(kind: str, user: str) -> dict:
    """What every interaction payload carries: its type, the workspace, the user, the app, a trigger."""
    return {
        "type": kind,
        "team": {"id": TEAM, "domain": "copperline"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0OPSBOT",
        "token": "legacy-verification-token",
        "trigger_id": f"{next(_event_ids)}.trigger",
    }


def feedback_click(
    user: str,
    value: str,
    *,
    channel: str,
    thread_ts: str,
    message_ts: str,
    action_id: str = "opsbot_feedback",
) -> dict:
    """A ``block_actions`` payload: ``user`` pressed a feedback button (``value``) under a bot message."""
    return {
        **_interaction("block_actions", user),
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
            "thread_ts": thread_ts,
        },
        "channel": {"id": channel},
        "message": {"type": "message", "ts": message_ts, "thread_ts": thread_ts, "user": BOT_USER},
        "actions": [
            {
                "type": "feedback_buttons",
                "action_id": action_id,
                "block_id": "opsbot-feedback",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def modal_submitted(user: str, view: dict, values: dict) -> dict:
    """A ``view_submission`` payload: ``user`` sent the modal ``view`` (as opened) with ``values``
    (``{block_id: {action_id: {"type": …, "value": …}}}``)."""
    return {
        **_interaction("view_submission", user),
        "view": {**view, "id": "V0MODAL", "state": {"values": values}},
    }
