"""The HTTP server behind ``opsbot serve``: a small route table on a threading HTTP server. Each endpoint
(Slack events, the Deliverect order webhook, the health check) is a function of a ``Request`` that returns
a ``Response``; the server only reads bodies, routes and writes answers."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Endpoint = Callable[[Request], Response]


def json_response(status: int, payload: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(payload).encode(), "application/json", headers or {})


class Routes:
    """``(method, path)`` → endpoint; one exact path per endpoint."""

    def __init__(self) -> None:
        self._endpoints: dict[tuple[str, str], Endpoint] = {}

    def add(self, method: str, path: str, endpoint: Endpoint) -> None:
        key = (method.upper(), path)
        if key in self._endpoints:
            raise ValueError(f"{method} {path} is already served")
        self._endpoints[key] = endpoint

    def paths(self) -> list[str]:
        return sorted(f"{method} {path}" for method, path in self._endpoints)

    def dispatch(self, request: Request) -> Response:
        endpoint = self._endpoints.get((request.method, request.path))
        if endpoint is not None:
            return endpoint(request)
        if any(path == request.path for _, path in self._endpoints):
            return json_response(405, {"error": f"{request.method} is not allowed on {request.path}"})
        return json_response(404, {"error": f"nothing is served at {request.path}"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # Slack delivers bursts; the default backlog of 5 drops connections


class HttpServer:
    """``server = HttpServer(routes, host, port); server.start()`` … ``server.stop()``; port 0 picks one."""

    def __init__(self, routes: Routes, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes = routes

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "opsbot"
            # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and the
            # client's delayed ACK hold the body back ~40 ms on a kept-alive connection.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args) -> None:
                log.debug("%s %s", self.address_string(), format % args)

            def do_GET(self) -> None:
                _handle(self, routes)

            do_POST = do_GET
            do_PUT = do_GET
            do_DELETE = do_GET

        self._server = _Server((host, port), Handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> HttpServer:
        """Serve on a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="opsbot-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handle(handler: BaseHTTPRequestHandler, routes: Routes) -> None:
    split = urlsplit(handler.path)
    length = handler.headers.get("content-length")
    try:
        size = int(length or 0)
    except ValueError:
        size = -1
    if size < 0 or size > MAX_BODY_BYTES:
        # The body is not read, so the connection cannot carry another request: say so before closing it.
        refusal = {"error": f"bad or too large body (at most {MAX_BODY_BYTES:,} bytes)"}
        _write(handler, json_response(413 if size > 0 else 400, refusal, {"connection": "close"}))
        handler.close_connection = True
        return
    body = handler.rfile.read(size) if size else b""
    request = Request(
        method=handler.command,
        path=split.path,
        query=parse_qs(split.query),
        headers={name.lower(): value for name, value in handler.headers.items()},
        body=body,
    )
    try:
        response = routes.dispatch(request)
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        response = json_response(500, {"error": "internal error; see the server log"})
    _write(handler, response)


def _write(handler: BaseHTTPRequestHandler, response: Response) -> None:
    try:
        handler.send_response(response.status)
        handler.send_header("content-type", response.content_type)
        handler.send_header("content-length", str(len(response.body)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(response.body)
    except (BrokenPipeError, ConnectionResetError):
        pass
