"""Rollups: sales per location, business day, channel and platform (and per local hour); per menu item; per
discount; per payment method; refunds (``rollups_refunds``).

The sync writer refreshes the (location, day) pairs a batch touched, in the batch's transaction, so the
rollups always agree with ``orders``; the analytics tools read them instead of scanning orders. When the
rollup definitions change, bump ``VERSION`` (or ``REFUNDS_VERSION`` for the refunds rollup alone):
``open_store`` then rebuilds them once from the stored orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from tools.sources.records import CANCELED, COMPLETED
from tools.store.models import (
    DailyDiscounts,
    DailyItemSales,
    DailyItemsAllChannels,
    DailyPayments,
    DailySales,
    HourlyItemSales,
    HourlyItemsAllChannels,
    HourlySales,
    HourlySalesAllChannels,
    MenuItem,
    Order,
    OrderDiscount,
    OrderLineItem,
    Payment,
    StoreMeta,
)
from tools.store.rollups_refunds import DAILY_REFUNDS, refresh_all_refunds, refresh_refunds

VERSION = "6"  # the definitions of the rollups keyed by the orders' day
REFUNDS_VERSION = "1"  # the refunds rollup's (``rollups_refunds``): a change rebuilds only that one
_BUILT = f"{VERSION}.{REFUNDS_VERSION}"  # what store_meta's rollups_version records
ORDERS = Order.__table__
LINES = OrderLineItem.__table__
MENU = MenuItem.__table__
DISCOUNTS = OrderDiscount.__table__
DAILY = DailySales.__table__
DAILY_ITEMS = DailyItemSales.__table__
DAILY_DISCOUNTS = DailyDiscounts.__table__
HOURLY = HourlySales.__table__
HOURLY_ITEMS = HourlyItemSales.__table__
DAILY_PAYMENTS = DailyPayments.__table__
PAYMENTS = Payment.__table__
HOURLY_ALL = HourlySalesAllChannels.__table__
ITEMS_ALL = DailyItemsAllChannels.__table__
HOURLY_ITEMS_ALL = HourlyItemsAllChannels.__table__
_DAY_KEYED = (  # the rollups keyed by the orders' (location, business day)
    DAILY,
    HOURLY,
    HOURLY_ALL,
    DAILY_ITEMS,
    HOURLY_ITEMS,
    ITEMS_ALL,
    HOURLY_ITEMS_ALL,
    DAILY_DISCOUNTS,
    DAILY_PAYMENTS,
)
ROLLUP_TABLES = (*_DAY_KEYED, DAILY_REFUNDS)  # every rollup: what a store's business data includes

_PLATFORM = func.coalesce(ORDERS.c.platform, literal(""))
_ITEM = func.coalesce(MENU.c.item_name, LINES.c.item_name)
_KEYS = (ORDERS.c.location_id, ORDERS.c.business_date, ORDERS.c.channel, _PLATFORM)


def _day_filter(one_day: bool) -> list:
    if not one_day:
        return []
    return [ORDERS.c.location_id == bindparam("l"), ORDERS.c.business_date == bindparam("d")]


def counted(orders=ORDERS) -> list:
    """The one definition of a sale: a completed order that is not a POS copy of an aggregator order."""
    return [orders.c.status == COMPLETED, orders.c.duplicate_of_id.is_(None)]


def _counted(one_day: bool):
    return and_(*counted(), *_day_filter(one_day))


def _minutes_to_pickup(dialect: str):
    if dialect == "postgresql":
        return func.extract("epoch", ORDERS.c.pickup_at - ORDERS.c.created_at) / 60.0
    return (func.julianday(ORDERS.c.pickup_at) - func.julianday(ORDERS.c.created_at)) * 1440.0


def _units_of_order():
    """Units on one order's lines (correlated to the order row)."""
    return (
        select(func.coalesce(func.sum(LINES.c.quantity), 0.0))
        .where(LINES.c.order_id == ORDERS.c.id)
        .scalar_subquery()
    )


_KEY_SOURCES = {
    "location_id": ORDERS.c.location_id,
    "business_date": ORDERS.c.business_date,
    "channel": ORDERS.c.channel,
    "platform": _PLATFORM,
    "local_hour": ORDERS.c.local_hour,
    "item": _ITEM,
}


def _keys_of(table) -> tuple[list[str], list]:
    """A rollup's key columns (those of its table among location, day, channel, platform, hour, item) and
    the order/line expressions that fill them."""
    names = [name for name in _KEY_SOURCES if name in table.c]
    return names, [_KEY_SOURCES[name] for name in names]


def _sales_rollup(table, one_day: bool, dialect: str):
    """INSERT … SELECT of the sales measures into ``table`` (daily_sales, or hourly_sales with the hour)."""
    completed = ORDERS.c.status == COMPLETED
    canceled = ORDERS.c.status == CANCELED

    def when(condition, column):
        return func.coalesce(func.sum(case((condition, column), else_=0)), 0)

    with_pickup = and_(completed, ORDERS.c.pickup_at.is_not(None))
    key_names, keys = _keys_of(table)
    measures = {
        "orders": func.sum(case((completed, 1), else_=0)),
        "gross_sales": when(completed, ORDERS.c.gross_sales),
        "discounts": when(completed, ORDERS.c.discounts),
        "net_sales": when(completed, ORDERS.c.net_sales),
        "tax": when(completed, ORDERS.c.tax),
        "tips": when(completed, ORDERS.c.tips),
        "courier_tips": when(completed, ORDERS.c.courier_tips),
        "total_collected": when(completed, ORDERS.c.total_collected),
        "commission": when(completed, ORDERS.c.commission),
        "items_sold": func.coalesce(func.sum(case((completed, _units_of_order()), else_=0.0)), 0.0),
        "canceled_orders": func.sum(case((canceled, 1), else_=0)),
        "canceled_value": when(canceled, ORDERS.c.gross_sales),
        "canceled_net": when(canceled, ORDERS.c.gross_sales - ORDERS.c.discounts),
        "pickup_minutes": func.coalesce(
            func.sum(case((with_pickup, _minutes_to_pickup(dialect)), else_=0.0)), 0.0
        ),
        "pickup_orders": func.sum(case((with_pickup, 1), else_=0)),
    }
    return insert(table).from_select(
        [*key_names, *measures],
        select(*keys, *measures.values())
        .where(
            or_(completed, canceled),
            ORDERS.c.duplicate_of_id.is_(None),
            *_day_filter(one_day),
        )
        .group_by(*keys),
    )


def _item_rollup(table, one_day: bool):
    """INSERT … SELECT of item sales into ``table`` (an item rollup: daily or hourly, by channel or not)."""
    key_names, keys = _keys_of(table)
    return insert(table).from_select(
        [
            *key_names,
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


def _payment_rollup(one_day: bool):
    keys = (*_KEYS, PAYMENTS.c.method)
    return insert(DAILY_PAYMENTS).from_select(
        ["location_id", "business_date", "channel", "platform", "method", "payments", "amount", "tips"],
        select(*keys, func.count(), func.sum(PAYMENTS.c.amount), func.sum(PAYMENTS.c.tip))
        .select_from(PAYMENTS.join(ORDERS, ORDERS.c.id == PAYMENTS.c.order_id))
        .where(_counted(one_day))
        .group_by(*keys),
    )


def _discount_rollup(one_day: bool):
    keys = (*_KEYS, DISCOUNTS.c.name)
    return insert(DAILY_DISCOUNTS).from_select(
        ["location_id", "business_date", "channel", "platform", "name", "times_used", "amount"],
        select(*keys, func.count(), func.sum(DISCOUNTS.c.amount))
        .select_from(DISCOUNTS.join(ORDERS, ORDERS.c.id == DISCOUNTS.c.order_id))
        .where(_counted(one_day))
        .group_by(*keys),
    )


def _statements(conn: Connection, one_day: bool) -> list:
    return [
        *(_sales_rollup(table, one_day, conn.dialect.name) for table in (DAILY, HOURLY, HOURLY_ALL)),
        *(_item_rollup(table, one_day) for table in (DAILY_ITEMS, HOURLY_ITEMS, ITEMS_ALL, HOURLY_ITEMS_ALL)),
        _discount_rollup(one_day),
        _payment_rollup(one_day),
    ]


def refresh(conn: Connection, pairs: Iterable[tuple[int, date]]) -> None:
    """Recompute the rollups of the given (location id, business date) pairs."""
    chosen = sorted(set(pairs))
    params = [{"l": location_id, "d": day} for location_id, day in chosen]
    if not params:
        return
    for table in _DAY_KEYED:
        conn.execute(
            delete(table).where(
                table.c.location_id == bindparam("l"), table.c.business_date == bindparam("d")
            ),
            params,
        )
    for statement in _statements(conn, one_day=True):
        conn.execute(statement, params)
    refresh_refunds(conn, chosen)


def refresh_all(conn: Connection) -> None:
    """Rebuild every rollup from the stored orders."""
    for table in _DAY_KEYED:
        conn.execute(delete(table))
    for statement in _statements(conn, one_day=False):
        conn.execute(statement)
    refresh_all_refunds(conn)


def ensure_current(engine: Engine) -> bool:
    """Rebuild the rollups if they were built by another version of this module (only the refunds rollup
    when only its ``REFUNDS_VERSION`` changed); True if it did."""
    meta = StoreMeta.__table__
    with engine.begin() as conn:
        built = conn.scalar(select(meta.c.value).where(meta.c.key == "rollups_version"))
        if built == _BUILT:
            return False
        if built is not None and built.split(".")[0] == VERSION:
            refresh_all_refunds(conn)
        else:
            refresh_all(conn)
        if built is None:
            conn.execute(insert(meta).values(key="rollups_version", value=_BUILT))
        else:
            conn.execute(update(meta).where(meta.c.key == "rollups_version").values(value=_BUILT))
    return True
