"""Deliverect's order webhook, free of any HTTP framework: the raw body and its signature header in, a status
and a JSON body out. Verifies the HMAC signature of the raw body, then stores the order through the same
ingest function as the backfill and the fixtures, upserting it by its Deliverect ``_id`` — a status update or
a cancellation re-sends the same ``_id`` and updates the same row.

Answers: 200 stored (``inserted``, ``updated`` or ``unchanged``); 401 bad or missing signature; 400 not JSON
or not an order; 422 an order for a location the store does not know. Nothing is stored unless 200.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from tools.sources.deliverect.ingest import store_deliverect_orders
from tools.sources.deliverect.signature import SIGNATURE_HEADER, verify
from tools.sources.records import OrderRecord
from tools.sync.orders.writer import OrderWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookAnswer:
    """The HTTP status and JSON body to answer a delivery with."""

    status: int
    body: dict[str, Any]


def receive_order(engine: Engine, body: bytes, signature: str | None, secret: str) -> WebhookAnswer:
    """Verify, parse and store one delivery of Deliverect's order webhook; ``signature`` is the value of its
    ``SIGNATURE_HEADER`` (None when missing), ``secret`` DELIVERECT_WEBHOOK_SECRET."""
    if not verify(body, signature, secret):
        log.warning("Deliverect webhook: bad or missing %s signature; nothing stored", SIGNATURE_HEADER)
        return WebhookAnswer(401, {"error": f"bad or missing {SIGNATURE_HEADER} signature"})
    try:
        order = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return WebhookAnswer(400, {"error": f"the body is not JSON: {exc}"})
    parsed: list[OrderRecord] = []

    def keep(record: OrderRecord) -> OrderRecord:
        parsed.append(record)
        return record

    # The writer is built per request, so locations and rates synced meanwhile count.
    counts = store_deliverect_orders(OrderWriter(engine), [("webhook body", order)], adjust=keep)
    if not parsed:
        return WebhookAnswer(400, {"error": counts.errors[0].message})
    if counts.errors:
        message = counts.errors[0].message
        log.warning("Deliverect webhook: %s", message)
        return WebhookAnswer(422, {"error": message})
    (record,) = parsed
    result = "inserted" if counts.inserted else "updated" if counts.updated else "unchanged"
    log.info("Deliverect order %s (%s): %s", record.source_order_id, record.raw_status, result)
    return WebhookAnswer(200, {"ok": True, "order": record.source_order_id, "result": result})
