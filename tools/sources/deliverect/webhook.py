"""Deliverect's order webhook, free of any HTTP framework: the raw body and its signature header in, a status
and a JSON body out. Verifies the HMAC signature of the raw body, then stores the order through the same
ingest function as the backfill and the fixtures, upserting it by its Deliverect ``_id`` — a status update or
a cancellation re-sends the same ``_id`` and updates the same row.

Answers: 200 stored (``inserted``, ``updated`` or ``unchanged``), or a test order left out
(``ignored_test_order``: not a sale, and a 200 so Deliverect does not retry it); 401 bad or missing signature;
400 not JSON, not an object, or nested deeper than any order; 422 an order that fails its declared schema
(``tools.sources.deliverect.schema``) or names a location the store does not know. Every error is one line
naming the field. Nothing is stored unless 200.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from tools.sources.deliverect.ingest import store_deliverect_orders
from tools.sources.deliverect.schema import is_test_order
from tools.sources.deliverect.signature import SIGNATURE_HEADER, verify
from tools.sources.payload_schema import MAX_DEPTH, nests_deeper_than, order_where
from tools.sources.records import OrderRecord
from tools.sync.orders.writer import OrderWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookAnswer:
    """The HTTP status and JSON body to answer a delivery with."""

    status: int
    body: dict[str, Any]


def receive_order(
    engine: Engine, body: bytes, signature: str | None, secret: str, *, now: datetime | None = None
) -> WebhookAnswer:
    """Verify, validate, parse and store one delivery of Deliverect's order webhook; ``signature`` is the
    value of its ``SIGNATURE_HEADER`` (None when missing), ``secret`` DELIVERECT_WEBHOOK_SECRET, ``now`` the
    clock that bounds the order's timestamps (the current time unless given)."""
    if not verify(body, signature, secret):
        log.warning("Deliverect webhook: bad or missing %s signature; nothing stored", SIGNATURE_HEADER)
        return WebhookAnswer(401, {"error": f"bad or missing {SIGNATURE_HEADER} signature"})
    try:
        order = json.loads(body)
    except RecursionError:
        return _refused(400, f"the body nests deeper than {MAX_DEPTH} levels: not an order")
    except ValueError as exc:  # not UTF-8, not JSON, or a number too long to read
        return _refused(400, f"the body is not JSON: {exc}")
    if not isinstance(order, dict):
        return _refused(400, f"order must be an object, got {type(order).__name__}")
    if nests_deeper_than(order, MAX_DEPTH):
        return _refused(400, f"the body nests deeper than {MAX_DEPTH} levels: not an order")
    if is_test_order(order):
        log.info("Deliverect webhook: test %s is not a sale; not stored", order_where(order, "_id"))
        return WebhookAnswer(200, {"ok": True, "result": "ignored_test_order"})
    parsed: list[OrderRecord] = []

    def keep(record: OrderRecord) -> OrderRecord:
        parsed.append(record)
        return record

    # The writer is built per request, so locations and rates synced meanwhile count.
    counts = store_deliverect_orders(
        OrderWriter(engine), [("webhook body", order)], adjust=keep, now=now or datetime.now(UTC)
    )
    if counts.errors:
        return _refused(422, counts.errors[0].message)
    (record,) = parsed
    result = "inserted" if counts.inserted else "updated" if counts.updated else "unchanged"
    log.info("Deliverect order %s (%s): %s", record.source_order_id, record.raw_status, result)
    return WebhookAnswer(200, {"ok": True, "order": record.source_order_id, "result": result})


def _refused(status: int, message: str) -> WebhookAnswer:
    log.warning("Deliverect webhook: %s %s; nothing stored", status, message)
    return WebhookAnswer(status, {"error": message})
