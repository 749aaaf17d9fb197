"""Daily rollups: counted sales per location, business day, channel and platform (and per menu item).

The sync writer refreshes the (location, day) pairs a batch touched, in the batch's transaction, so the
rollups always agree with ``orders``; the analytics tools read them instead of scanning orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, literal, select, update

from tools.sources.records import COMPLETED
from tools.store.models import DailyItemSales, DailySales, MenuItem, Order, OrderLineItem

ORDERS = Order.__table__
LINES = OrderLineItem.__table__
MENU = MenuItem.__table__
DAILY = DailySales.__table__
DAILY_ITEMS = DailyItemSales.__table__

_PLATFORM = func.coalesce(ORDERS.c.platform, literal(""))
_ITEM = func.coalesce(MENU.c.item_name, LINES.c.item_name)


def _counted(one_day: bool):
    conditions = [ORDERS.c.status == COMPLETED, ORDERS.c.duplicate_of_id.is_(None)]
    if one_day:
        conditions += [ORDERS.c.location_id == bindparam("l"), ORDERS.c.business_date == bindparam("d")]
    return and_(*conditions)


def _order_rollup(one_day: bool):
    keys = (ORDERS.c.location_id, ORDERS.c.business_date, ORDERS.c.channel, _PLATFORM)
    return insert(DAILY).from_select(
        [
            "location_id",
            "business_date",
            "channel",
            "platform",
            "orders",
            "gross_sales",
            "discounts",
            "net_sales",
            "tax",
            "tips",
            "total_collected",
            "commission",
            "items_sold",
        ],
        select(
            *keys,
            func.count(),
            func.sum(ORDERS.c.gross_sales),
            func.sum(ORDERS.c.discounts),
            func.sum(ORDERS.c.net_sales),
            func.sum(ORDERS.c.tax),
            func.sum(ORDERS.c.tips),
            func.sum(ORDERS.c.total_collected),
            func.coalesce(func.sum(ORDERS.c.commission), 0),
            literal(0.0),
        )
        .where(_counted(one_day))
        .group_by(*keys),
    )


def _item_rollup(one_day: bool):
    keys = (ORDERS.c.location_id, ORDERS.c.business_date, ORDERS.c.channel, _PLATFORM, _ITEM)
    return insert(DAILY_ITEMS).from_select(
        [
            "location_id",
            "business_date",
            "channel",
            "platform",
            "item",
            "category",
            "quantity",
            "gross_sales",
            "orders",
        ],
        select(
            *keys,
            func.min(LINES.c.category),
            func.sum(LINES.c.quantity),
            func.sum(LINES.c.gross_sales),
            func.count(func.distinct(ORDERS.c.id)),
        )
        .select_from(
            LINES.join(ORDERS, ORDERS.c.id == LINES.c.order_id).outerjoin(
                MENU, MENU.c.id == LINES.c.menu_item_id
            )
        )
        .where(_counted(one_day))
        .group_by(*keys),
    )


def _items_sold(one_day: bool):
    items = DAILY_ITEMS.alias("items")
    total = (
        select(func.coalesce(func.sum(items.c.quantity), 0.0))
        .where(
            items.c.location_id == DAILY.c.location_id,
            items.c.business_date == DAILY.c.business_date,
            items.c.channel == DAILY.c.channel,
            items.c.platform == DAILY.c.platform,
        )
        .scalar_subquery()
    )
    statement = update(DAILY).values(items_sold=total)
    if one_day:
        statement = statement.where(
            DAILY.c.location_id == bindparam("l"), DAILY.c.business_date == bindparam("d")
        )
    return statement


def refresh(conn: Connection, pairs: Iterable[tuple[int, date]]) -> None:
    """Recompute the rollups of the given (location id, business date) pairs."""
    params = [{"l": location_id, "d": day} for location_id, day in sorted(set(pairs))]
    if not params:
        return
    for table in (DAILY, DAILY_ITEMS):
        conn.execute(
            delete(table).where(
                table.c.location_id == bindparam("l"), table.c.business_date == bindparam("d")
            ),
            params,
        )
    conn.execute(_order_rollup(True), params)
    conn.execute(_item_rollup(True), params)
    conn.execute(_items_sold(True), params)


def refresh_all(conn: Connection) -> None:
    """Rebuild every rollup from the stored orders."""
    conn.execute(delete(DAILY))
    conn.execute(delete(DAILY_ITEMS))
    conn.execute(_order_rollup(False))
    conn.execute(_item_rollup(False))
    conn.execute(_items_sold(False))
