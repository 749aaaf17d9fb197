"""A small JSON-over-HTTP server on 127.0.0.1 for the fake source APIs: it records every request and
queues faults (an HTTP status with the API's error body) per path."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import LoopbackServer


@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any
    status: int = 0


@dataclass(frozen=True)
class Fault:
    """Answer the next request to ``path`` with ``status`` and ``body`` (and ``headers``)."""

    path: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Answer = tuple[int, Any, dict[str, str]]


class JsonApiServer:
    """Subclasses implement ``answer(request) -> (status, json body, headers)``; ``with Fake() as api:``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._faults: list[list] = []  # [fault, requests still to let through first]
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None

    # -- to override -----------------------------------------------------------------------------------

    def answer(self, request: Recorded) -> Answer:
        raise NotImplementedError

    # -- faults and records ----------------------------------------------------------------------------

    def fail(self, fault: Fault, times: int = 1, after: int = 0) -> None:
        """Answer ``times`` requests to the fault's path with it, skipping the next ``after`` requests."""
        with self._lock:
            self._faults.extend([fault, after] for _ in range(times))

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def _take_fault(self, path: str) -> Fault | None:
        """The first due fault for ``path`` (removed); every fault still waiting counts this request."""
        with self._lock:
            pending = [entry for entry in self._faults if entry[0].path == path]
            due = next((entry for entry in pending if entry[1] == 0), None)
            for entry in pending:
                if entry[1] > 0:
                    entry[1] -= 1
            if due is None:
                return None
            self._faults.remove(due)
            return due[0]

    # -- serving ---------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return self._server.url

    def __enter__(self):
        self._server = LoopbackServer(self._handle)
        self._server.start()
        return self

    def __exit__(self, *_exc) -> None:
        assert self._server is not None
        self._server.stop()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        raw = handler.rfile.read(int(handler.headers.get("content-length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        request = Recorded(
            method=handler.command,
            path=split.path,
            query={k: v[-1] for k, v in parse_qs(split.query).items()},
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
        fault = self._take_fault(request.path)
        status, payload, headers = (
            (fault.status, fault.body, fault.headers) if fault else self.answer(request)
        )
        request.status = status
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
