"""Square's one ingest path: a batch of Square order payloads parsed and stored — used by the live sync and
the fixtures alike."""

from __future__ import annotations

from collections.abc import Iterable

from tools.sources.square.parser import parse_order
from tools.sync.orders.ingest import Adjust, Payload, store_payloads
from tools.sync.orders.writer import OrderWriter, WriteCounts


def store_square_orders(
    writer: OrderWriter, payloads: Iterable[Payload], *, adjust: Adjust | None = None
) -> WriteCounts:
    """Parse ``(origin, order)`` pairs (orders as SearchOrders returns them) and store them, batch by
    batch."""
    return store_payloads(writer, payloads, parse_order, adjust)
