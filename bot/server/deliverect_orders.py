"""``POST /webhooks/deliverect/orders``: Deliverect's order webhook on the bot's HTTP server — an adapter from
its Request and Response to ``tools.sources.deliverect.webhook.receive_order``, which verifies, parses and
stores the order and chooses the answer (200, 400, 401 or 422)."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.server.http_server import Endpoint, Request, Response, json_response
from tools.sources.deliverect.signature import SIGNATURE_HEADER
from tools.sources.deliverect.webhook import receive_order

PATH = "/webhooks/deliverect/orders"


def deliverect_orders_endpoint(engine: Engine, secret: str) -> Endpoint:
    """The webhook endpoint, verifying with ``secret`` (DELIVERECT_WEBHOOK_SECRET)."""

    def receive(request: Request) -> Response:
        answer = receive_order(engine, request.body, request.headers.get(SIGNATURE_HEADER), secret)
        return json_response(answer.status, answer.body)

    return receive
