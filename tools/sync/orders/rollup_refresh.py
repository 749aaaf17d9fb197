"""Which rollups a write changed: the (location, business day) pairs whose daily rollups the writer recomputes
(``tools.store.rollups.refresh``) in the same transaction — after each batch, or once before a transaction
holding many batches commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from tools.sync.orders.places import WrittenOrder, local_day
from tools.sync.orders.pos_copies import named_copy_days


def touched_by_write(conn: Connection, written: list[WrittenOrder]) -> set[tuple[int, date]]:
    """The (location, business day) pairs whose rollups writing ``written`` changed: where the orders are, and
    where the POS copies they name are (linked copies stop counting on their own day). Where rewritten orders
    used to be is the caller's to add."""
    touched = {(place.location_id, local_day(record, place)) for _, record, place in written}
    return touched | named_copy_days(conn, written)
