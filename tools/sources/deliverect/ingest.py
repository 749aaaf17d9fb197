"""Deliverect's one ingest path: a batch of Deliverect order bodies parsed and stored — used by the webhook,
the backfill and the fixtures alike. Test orders (``"testOrder": true``) are not sales: each is left out
with a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from tools.sources.deliverect.parser import parse_order
from tools.sources.deliverect.schema import is_test_order
from tools.sources.payload_schema import order_where
from tools.sources.records import OrderRecord
from tools.sync.orders.ingest import Adjust, Payload, store_payloads
from tools.sync.orders.writer import OrderWriter, WriteCounts

log = logging.getLogger(__name__)


def store_deliverect_orders(
    writer: OrderWriter,
    payloads: Iterable[Payload],
    *,
    adjust: Adjust | None = None,
    now: datetime | None = None,
) -> WriteCounts:
    """Parse ``(origin, body)`` pairs (webhook bodies, or orders as the orders API returns them) with the
    store's location currencies and store them, batch by batch; ``now`` (the caller's clock, when it has
    one) bounds the orders' timestamps."""
    currencies = writer.currencies

    def parse(body: Any) -> OrderRecord:
        return parse_order(body, currencies, now=now)

    return store_payloads(writer, _without_test_orders(payloads), parse, adjust)


def _without_test_orders(payloads: Iterable[Payload]) -> Iterator[Payload]:
    for origin, body in payloads:
        if is_test_order(body):
            log.info("Deliverect test %s (%s) is not a sale: not stored", order_where(body, "_id"), origin)
            continue
        yield origin, body
