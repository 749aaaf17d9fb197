"""A local fake of Anthropic's Messages API for wire tests: real HTTP on 127.0.0.1, the real JSON and SSE
(chunked) formats, the real error bodies, and the real API's refusal of a conversation with an unanswered
``tool_use``. Replies come from a queue of actions (a ``ScriptStep`` or a fault) or from a responder function
of the request body; every request is recorded with its headers.

Faults: ``Fault`` (an HTTP error status with Anthropic's error body), ``Hang`` (no answer for a while),
``CutStream`` (the connection drops mid-answer), ``StreamError`` (an SSE ``error`` event mid-stream).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from bot.agent.context_budget import estimate_tokens
from bot.agent.scripted_model import ScriptStep
from tests.fakes.loopback import LoopbackServer
from tests.fakes.messages_api_rules import request_problem, thinking_signature

VALID_KEY = "sk-ant-test-key"


@dataclass(frozen=True)
class Fault:
    status: int
    error_type: str
    message: str = "fault injected by the test"
    retry_after_ms: int | None = 20


@dataclass(frozen=True)
class Hang:
    seconds: float
    then: ScriptStep = field(default_factory=lambda: ScriptStep(text="(late)"))


@dataclass(frozen=True)
class CutStream:
    text_before_cut: str = "Net sales were"


@dataclass(frozen=True)
class StreamError:
    error_type: str = "overloaded_error"
    text_before: str = ""


OVERLOADED = Fault(529, "overloaded_error", "Overloaded")
RATE_LIMITED = Fault(
    429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"
)
SERVER_ERROR = Fault(500, "api_error", "Internal server error")

Action = ScriptStep | Fault | Hang | CutStream | StreamError


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict
    status: int = 0

    @property
    def retry_count(self) -> int:
        return int(self.headers.get("x-stainless-retry-count", "0"))


@dataclass
class FakeAnthropic:
    """``with FakeAnthropic(responder) as api: … api.url …``; ``api.queue(...)`` scripts the next replies."""

    responder: Callable[[dict], Action] | None = None
    model: str | None = None
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.actions: deque[Action] = deque()
        self._ids = itertools.count(1)
        self._cached: set[str] = set()
        self._lock = threading.Lock()
        self.server = LoopbackServer(self._handle)
        self.url = self.server.url

    def __enter__(self) -> FakeAnthropic:
        self.server.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.stop()

    def queue(self, *actions: Action) -> None:
        self.actions.extend(actions)

    @property
    def answered(self) -> list[RecordedRequest]:
        """The requests that got a 200."""
        return [r for r in self.requests if r.status == 200]

    # --- one request ---------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length)
        record = RecordedRequest(handler.path, {k.lower(): v for k, v in handler.headers.items()}, {})
        with self._lock:
            self.requests.append(record)
        try:
            record.body = json.loads(raw)
        except ValueError:
            return self._error(
                handler, record, Fault(400, "invalid_request_error", "invalid JSON body", None)
            )
        path = handler.path.split("?")[0]
        if path not in ("/v1/messages", "/v1/messages/count_tokens"):
            return self._error(
                handler, record, Fault(404, "not_found_error", f"Not found: {handler.path}", None)
            )
        if VALID_KEY not in (record.headers.get("x-api-key"), record.headers.get("authorization", "")[7:]):
            return self._error(handler, record, Fault(401, "authentication_error", "invalid x-api-key", None))
        if not record.headers.get("anthropic-version"):
            return self._error(
                handler,
                record,
                Fault(400, "invalid_request_error", "anthropic-version header is required", None),
            )
        counting = path.endswith("/count_tokens")
        problem = request_problem(record.body, counting=counting)
        if problem:
            return self._error(handler, record, Fault(400, "invalid_request_error", problem, None))
        if counting:
            return self._json(handler, record, 200, {"input_tokens": self.count_of(record.body)})
        with self._lock:
            action = self.actions.popleft() if self.actions else None
        if action is None:
            if self.responder is None:
                unscripted = Fault(
                    400, "invalid_request_error", "fake API: no reply scripted for this request", None
                )
                return self._error(handler, record, unscripted)
            action = self.responder(record.body)
        if isinstance(action, Fault):
            return self._error(handler, record, action)
        if isinstance(action, Hang):
            time.sleep(action.seconds)
            action = action.then
        try:
            if record.body.get("stream"):
                self._stream(handler, record, action)
            elif isinstance(action, ScriptStep):
                self._json(handler, record, 200, self._message(record.body, action))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _send_headers(self, handler, status: int, content_type: str, extra: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("content-type", content_type)
        handler.send_header("request-id", f"req_fake_{next(self._ids):06d}")
        for key, value in (extra or {}).items():
            handler.send_header(key, value)

    def _json(
        self, handler, record: RecordedRequest, status: int, payload: dict, extra: dict | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        record.status = status
        self._send_headers(handler, status, "application/json", extra)
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _error(self, handler, record: RecordedRequest, fault: Fault) -> None:
        extra = {"x-should-retry": "true"} if fault.status in (429, 500, 529) else {"x-should-retry": "false"}
        if fault.retry_after_ms is not None:
            extra["retry-after-ms"] = str(fault.retry_after_ms)
        body = {"type": "error", "error": {"type": fault.error_type, "message": fault.message}}
        self._json(handler, record, fault.status, body, extra)

    # --- replies -------------------------------------------------------------------------------------------

    @staticmethod
    def count_of(body: dict) -> int:
        """The fake's deterministic token count of a request body (what count_tokens answers)."""
        return estimate_tokens(
            json.dumps([body.get("tools"), body.get("system") or [], body.get("messages")])
        )

    def _usage(self, body: dict, content: list[dict]) -> dict:
        """Token counts like the API's: the prefix up to the system breakpoint is written once, then read."""
        system = body.get("system") or []
        cacheable = 0
        if isinstance(system, list) and system and "cache_control" in system[0]:
            prefix = json.dumps([body.get("tools"), system[0]], sort_keys=True)
            cacheable = estimate_tokens(prefix)
            key = hashlib.sha256(prefix.encode()).hexdigest()
            with self._lock:
                hit = key in self._cached
                self._cached.add(key)
        total = self.count_of(body)
        return {
            "input_tokens": max(1, total - cacheable),
            "output_tokens": estimate_tokens(content),
            "cache_creation_input_tokens": 0 if not cacheable or hit else cacheable,
            "cache_read_input_tokens": cacheable if cacheable and hit else 0,
        }

    def _message(self, body: dict, step: ScriptStep) -> dict:
        model = self.model or body["model"]
        content = step.content(lambda: f"toolu_fake_{next(self._ids):06d}", thinking_signature(model))
        return {
            "id": f"msg_fake_{next(self._ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": step.stop_reason,
            "stop_sequence": None,
            "usage": self._usage(body, content),
        }

    @staticmethod
    def _stream_thinking(send: Callable[[str, dict], None], index: int, block: dict) -> None:
        """A thinking block as the API streams it: thinking deltas, then its signature."""
        start = {"type": "thinking", "thinking": "", "signature": ""}
        send("content_block_start", {"type": "content_block_start", "index": index, "content_block": start})
        for at in range(0, len(block["thinking"]), 16):
            delta = {"type": "thinking_delta", "thinking": block["thinking"][at : at + 16]}
            send("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        delta = {"type": "signature_delta", "signature": block["signature"]}
        send("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})

    def _stream(self, handler, record: RecordedRequest, action: Action) -> None:
        record.status = 200
        self._send_headers(handler, 200, "text/event-stream; charset=utf-8", {"transfer-encoding": "chunked"})
        handler.end_headers()

        def send(event: str, data: dict) -> None:
            chunk = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
            handler.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
            handler.wfile.flush()

        if isinstance(action, CutStream | StreamError):
            text = action.text_before_cut if isinstance(action, CutStream) else action.text_before
            step = ScriptStep(text=text)
        else:
            step = action
        message = self._message(record.body, step)
        usage = message["usage"]
        start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
        send("message_start", {"type": "message_start", "message": start})
        send("ping", {"type": "ping"})
        if isinstance(action, StreamError) and not message["content"]:
            send("error", {"type": "error", "error": {"type": action.error_type, "message": "Overloaded"}})
            handler.wfile.write(b"0\r\n\r\n")
            return
        for index, block in enumerate(message["content"]):
            if block["type"] == "thinking":
                self._stream_thinking(send, index, block)
            elif block["type"] == "text":
                send(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
                for at in range(0, len(block["text"]), 16):
                    piece = block["text"][at : at + 16]
                    send(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "text_delta", "text": piece},
                        },
                    )
            else:
                send(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": {**block, "input": {}}},
                )
                arguments = json.dumps(block["input"])
                for at in range(0, len(arguments), 20):
                    send(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": arguments[at : at + 20]},
                        },
                    )
            if isinstance(action, CutStream):
                handler.wfile.flush()
                handler.connection.shutdown(2)  # drop the connection before the stream's end
                handler.close_connection = True
                return
            if isinstance(action, StreamError):
                send(
                    "error", {"type": "error", "error": {"type": action.error_type, "message": "Overloaded"}}
                )
                handler.wfile.write(b"0\r\n\r\n")
                return
            send("content_block_stop", {"type": "content_block_stop", "index": index})
        send(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
        send("message_stop", {"type": "message_stop"})
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
