"""Counted once: linking POS copies to their Deliverect orders.

An order that Deliverect injected into the POS appears twice, as the Deliverect order (with ``posId`` = the
POS order id) and as a POS order whose source is Deliverect. The POS copy gets ``duplicate_of_id`` pointing at
the Deliverect order, whichever of the two arrives first, and analytics count only rows where
``duplicate_of_id`` is NULL. The rule: a POS order is a copy if and only if a Deliverect order names it as its
``posId``; a POS copy whose Deliverect order never arrives still counts. On PostgreSQL the transactions that
can link are serialized by an advisory lock, so the two halves arriving at the same instant from two processes
are still linked.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, bindparam, select, text, update

from tools.sources.records import OrderRecord
from tools.store.models import Order
from tools.sync.orders.places import WrittenOrder

# The POS source, whose orders may be copies of aggregator orders.
POS_SOURCE = "square"

# The advisory lock key that serializes the transactions that can link a POS copy to its aggregator order.
LINKING_LOCK_KEY = "opsbot:link-pos-copies"

ORDERS = Order.__table__


def may_link(record: OrderRecord) -> bool:
    """Whether writing ``record`` can make or need a POS-copy link: a POS order, or an order naming one."""
    return record.source == POS_SOURCE or bool(record.pos_order_id)


def serialize_linking(conn: Connection) -> None:
    """On PostgreSQL, wait until no other transaction that can link POS copies is in flight.

    Without it, a webhook storing a Deliverect order and a Square sync storing its POS copy at the same moment
    each look for the other before either has committed; both commit unlinked and the sale counts twice. Taken
    as the transaction's first statement (so a transaction holding it never waits for one that wants it) and
    released at commit or rollback, it makes the second one's link statements see the first one's rows.
    SQLite already runs one writing transaction at a time."""
    if conn.dialect.name == "postgresql":
        lock = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
        conn.execute(lock, {"key": LINKING_LOCK_KEY})


def link_pos_copies(conn: Connection, written: list[WrittenOrder]) -> None:
    """Mark POS copies of aggregator orders as duplicates, whichever side arrived first."""
    links = [
        {"b_dup": order_id, "b_pos": record.pos_order_id}
        for order_id, record, _ in written
        if record.pos_order_id
    ]
    if links:
        conn.execute(
            update(ORDERS)
            .where(
                ORDERS.c.source == POS_SOURCE,
                ORDERS.c.source_order_id == bindparam("b_pos"),
            )
            .values(duplicate_of_id=bindparam("b_dup")),
            links,
        )
    copies = [order_id for order_id, record, _ in written if record.source == POS_SOURCE]
    if copies:
        aggregator = ORDERS.alias("aggregator")
        conn.execute(
            update(ORDERS)
            .where(ORDERS.c.id.in_(copies))
            .values(
                duplicate_of_id=select(aggregator.c.id)
                .where(
                    aggregator.c.source == "deliverect",
                    aggregator.c.pos_order_id == ORDERS.c.source_order_id,
                )
                .limit(1)
                .scalar_subquery()
            )
        )


def named_copy_days(conn: Connection, written: list[WrittenOrder]) -> set[tuple[int, date]]:
    """The (location, business day) pairs of the POS copies the ``written`` aggregator orders name."""
    pos_ids = [record.pos_order_id for _, record, _ in written if record.pos_order_id]
    if not pos_ids:
        return set()
    return set(
        conn.execute(
            select(ORDERS.c.location_id, ORDERS.c.business_date).where(
                ORDERS.c.source == POS_SOURCE, ORDERS.c.source_order_id.in_(pos_ids)
            )
        ).all()
    )
