"""The refunds rollup: counted refunds per location, refund day and local hour, channel, platform and reason.

A refund counts on its own business day and in its own local hour (in its location's timezone), which SQL
cannot tell on SQLite, so this rollup is computed here from the refund rows of the (location, order day)
pairs a write touched — the same pairs, in the same transaction, as the other rollups (``order_date`` keeps
the order's day so a refresh finds the rows it replaces).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, insert, select, tuple_

from tools.store.models import DailyRefunds, Location, Order, Refund

COUNTED_REFUNDS = ("approved", "completed")
DAILY_REFUNDS = DailyRefunds.__table__
_ORDERS = Order.__table__
_REFUNDS = Refund.__table__
_LOCATIONS = Location.__table__
_PAIRS_PER_STATEMENT = 200  # (location, day) pairs per SELECT: well under every backend's parameter limit


def _refund_rows(conn: Connection, pairs: list[tuple[int, date]] | None) -> list:
    """The counted refunds of the orders of ``pairs`` (None: of every order), with their orders' keys."""
    query = (
        select(
            _ORDERS.c.location_id,
            _ORDERS.c.business_date.label("order_date"),
            _REFUNDS.c.business_date,
            _REFUNDS.c.created_at,
            _ORDERS.c.channel,
            _ORDERS.c.platform,
            _REFUNDS.c.reason,
            _REFUNDS.c.amount,
        )
        .select_from(_REFUNDS.join(_ORDERS, _ORDERS.c.id == _REFUNDS.c.order_id))
        .where(_REFUNDS.c.status.in_(COUNTED_REFUNDS), _ORDERS.c.duplicate_of_id.is_(None))
    )
    if pairs is None:
        return conn.execute(query).all()
    rows: list = []
    for start in range(0, len(pairs), _PAIRS_PER_STATEMENT):
        chunk = pairs[start : start + _PAIRS_PER_STATEMENT]
        rows += conn.execute(
            query.where(tuple_(_ORDERS.c.location_id, _ORDERS.c.business_date).in_(chunk))
        ).all()
    return rows


def _insert_sums(conn: Connection, rows: list) -> None:
    """Add the refund rows up per rollup key and insert the sums."""
    zones = {
        location_id: ZoneInfo(zone)
        for location_id, zone in conn.execute(select(_LOCATIONS.c.id, _LOCATIONS.c.timezone))
    }
    sums: dict[tuple, list[int]] = {}
    for row in rows:
        hour = row.created_at.astimezone(zones[row.location_id]).hour
        key = (
            row.location_id,
            row.order_date,
            row.business_date,
            hour,
            row.channel,
            row.platform or "",
            row.reason or "",
        )
        entry = sums.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += int(row.amount)
    if not sums:
        return
    names = ("location_id", "order_date", "business_date", "local_hour", "channel", "platform", "reason")
    conn.execute(
        insert(DAILY_REFUNDS),
        [
            {**dict(zip(names, key, strict=True)), "refunds": count, "amount": amount}
            for key, (count, amount) in sums.items()
        ],
    )


def refresh_refunds(conn: Connection, pairs: Iterable[tuple[int, date]]) -> None:
    """Recompute the refunds rollup of the orders of the given (location id, order business date) pairs."""
    chosen = sorted(set(pairs))
    if not chosen:
        return
    for start in range(0, len(chosen), _PAIRS_PER_STATEMENT):
        chunk = chosen[start : start + _PAIRS_PER_STATEMENT]
        conn.execute(
            delete(DAILY_REFUNDS).where(
                tuple_(DAILY_REFUNDS.c.location_id, DAILY_REFUNDS.c.order_date).in_(chunk)
            )
        )
    _insert_sums(conn, _refund_rows(conn, chosen))


def refresh_all_refunds(conn: Connection) -> None:
    """Rebuild the refunds rollup from every stored refund."""
    conn.execute(delete(DAILY_REFUNDS))
    _insert_sums(conn, _refund_rows(conn, None))
