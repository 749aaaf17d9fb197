"""Square's one ingest path: a batch of Square order payloads parsed and stored — used by the live sync and
the fixtures alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tools.sources.records import OrderRecord
from tools.sources.square.parser import parse_order
from tools.sync.orders.ingest import Adjust, Payload, store_payloads
from tools.sync.orders.writer import OrderWriter, WriteCounts


def store_square_orders(
    writer: OrderWriter,
    payloads: Iterable[Payload],
    *,
    adjust: Adjust | None = None,
    now: datetime | None = None,
) -> WriteCounts:
    """Parse ``(origin, order)`` pairs (orders as SearchOrders returns them) and store them, batch by
    batch; ``now`` (the caller's clock, when it has one) bounds the orders' timestamps."""

    def parse(order: Any) -> OrderRecord:
        return parse_order(order, now=now)

    return store_payloads(writer, payloads, parse, adjust)
