"""``GET /healthz``: 200 when the store answers, 503 when it does not (for load balancers, uptime checks)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

from bot.server.http_server import Endpoint, Request, Response, json_response

log = logging.getLogger(__name__)


def health_endpoint(engine: Engine) -> Endpoint:
    def health(_request: Request) -> Response:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: the store is unreachable: %s", exc)
            return json_response(503, {"ok": False, "store": "unreachable"})
        return json_response(200, {"ok": True, "store": "ok"})

    return health
