"""Deliverect's one ingest path: a batch of Deliverect order bodies parsed and stored — used by the webhook,
the backfill and the fixtures alike."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tools.sources.deliverect.parser import parse_order
from tools.sources.records import OrderRecord
from tools.sync.orders.ingest import Adjust, Payload, store_payloads
from tools.sync.orders.writer import OrderWriter, WriteCounts


def store_deliverect_orders(
    writer: OrderWriter, payloads: Iterable[Payload], *, adjust: Adjust | None = None
) -> WriteCounts:
    """Parse ``(origin, body)`` pairs (webhook bodies, or orders as the orders API returns them) with the
    store's location currencies and store them, batch by batch."""
    currencies = writer.currencies

    def parse(body: Any) -> OrderRecord:
        return parse_order(body, currencies)

    return store_payloads(writer, payloads, parse, adjust)
