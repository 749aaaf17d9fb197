"""Square's one ingest path: a batch of Square order payloads parsed and stored — used by the live sync and
the fixtures alike."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from tools.sources.records import OrderRecord, PayloadError
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


def parsed_square_orders(payloads: Iterable[Payload], now: datetime | None = None) -> Iterator[Payload]:
    """What ``store_square_orders`` parses, parsed ahead (in another process: part of a fixture folder's
    pages): ``(origin, record)``, or ``(origin, PayloadError)`` for an order that does not parse.
    ``store_parsed_orders`` stores them."""
    for origin, order in payloads:
        if isinstance(order, PayloadError):
            yield origin, order
            continue
        try:
            yield origin, parse_order(order, now=now)
        except PayloadError as exc:
            yield origin, exc
