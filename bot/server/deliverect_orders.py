"""``POST /webhooks/deliverect/orders``: Deliverect's order webhook. Verifies the HMAC signature of the raw
body, parses it with the same parser as the fixtures and the backfill, and upserts the order by its
Deliverect ``_id`` — a status update or a cancellation re-sends the same ``_id`` and updates the same row.

Answers: 200 stored (``inserted``, ``updated`` or ``unchanged``); 401 bad or missing signature; 400 not JSON
or not an order; 422 an order for a location the store does not know. Nothing is stored unless 200.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from bot.server.http_server import Endpoint, Request, Response, json_response
from tools.sources import deliverect_parser
from tools.sources.deliverect_webhook import SIGNATURE_HEADER, verify
from tools.sources.records import OrderRecord, PayloadError
from tools.sync.order_writer import OrderWriter, WriteCounts

log = logging.getLogger(__name__)

PATH = "/webhooks/deliverect/orders"


def deliverect_orders_endpoint(engine: Engine, secret: str) -> Endpoint:
    """The webhook endpoint, verifying with ``secret`` (DELIVERECT_WEBHOOK_SECRET)."""

    def receive(request: Request) -> Response:
        if not verify(request.body, request.headers.get(SIGNATURE_HEADER), secret):
            log.warning("Deliverect webhook: bad or missing %s signature; nothing stored", SIGNATURE_HEADER)
            return json_response(401, {"error": f"bad or missing {SIGNATURE_HEADER} signature"})
        try:
            body = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return json_response(400, {"error": f"the body is not JSON: {exc}"})
        # Built per request, so locations and rates synced meanwhile count.
        writer = OrderWriter(engine)
        try:
            record = deliverect_parser.parse_order(body, writer.currencies)
        except PayloadError as exc:
            return json_response(400, {"error": str(exc)})
        counts = _store(engine, writer, record)
        if counts.errors:
            message = counts.errors[0].message
            log.warning("Deliverect webhook: %s", message)
            return json_response(422, {"error": message})
        result = "inserted" if counts.inserted else "updated" if counts.updated else "unchanged"
        log.info("Deliverect order %s (%s): %s", record.source_order_id, record.raw_status, result)
        return json_response(200, {"ok": True, "order": record.source_order_id, "result": result})

    return receive


def _store(engine: Engine, writer: OrderWriter, record: OrderRecord) -> WriteCounts:
    """Upsert one order. Two deliveries of a new order at once can collide on its unique key — the second
    then retries as an update."""
    origin = f"webhook order {record.source_order_id}"
    try:
        return writer.write_batch([(origin, record)])
    except IntegrityError:
        return OrderWriter(engine).write_batch([(origin, record)])
