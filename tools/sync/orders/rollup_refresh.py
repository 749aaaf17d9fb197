"""Rollup refresh: the daily rollups of every (location, business day) a transaction changed are recomputed in
that same transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from tools.store import rollups
from tools.sync.orders.places import WrittenOrder, local_day
from tools.sync.orders.pos_copies import named_copy_days


def refresh_after_write(
    conn: Connection, written: list[WrittenOrder], touched: set[tuple[int, date]]
) -> None:
    """Recompute the rollups a batch changed: ``touched`` (where rewritten orders were), where the ``written``
    orders are, and where the POS copies they name are (linked copies stop counting on their own day)."""
    touched |= {(place.location_id, local_day(record, place)) for _, record, place in written}
    touched |= named_copy_days(conn, written)
    rollups.refresh(conn, touched)
