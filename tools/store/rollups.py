"""Rollups: sales per location, business day, channel and platform (and per local hour); per menu item; per
discount; per payment method; refunds (``rollups_refunds``); the whole business (``rollups_all_locations``).

The sync writer refreshes the (location, day) pairs a batch touched, in the batch's transaction, so the
rollups always agree with ``orders``; the analytics tools read them instead of scanning orders. When the
rollup definitions change, bump ``VERSION`` (or ``ADDED_VERSION`` for the refunds and all-locations ones):
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
    HourlyPayments,
    HourlySales,
    HourlySalesAllChannels,
    MenuItem,
    Order,
    OrderDiscount,
    OrderLineItem,
    Payment,
    StoreMeta,
)
from tools.store.rollups_all_locations import (
    ALL_LOCATIONS_TABLES,
    rebuild_all_locations,
    refresh_all_locations,
)
from tools.store.rollups_refunds import DAILY_REFUNDS, refresh_all_refunds, refresh_refunds

VERSION = "6"  # the definitions of the rollups in _BASE
# The rollups added later — hourly payments, refunds (``rollups_refunds``) and all locations
# (``rollups_all_locations``, built from the others): a change of this version rebuilds only those.
ADDED_VERSION = "2"  # 2: hourly_channel_sales_all_locations (migration 0015)
_BUILT = f"{VERSION}.{ADDED_VERSION}"  # what store_meta's rollups_version records
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
HOURLY_PAYMENTS = HourlyPayments.__table__
_BASE = (  # the rollups VERSION covers, keyed by the orders' (location, business day)
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
_ADDED_BY_DAY = (HOURLY_PAYMENTS,)  # ADDED_VERSION's rollups keyed the same way
_DAY_KEYED = (*_BASE, *_ADDED_BY_DAY)
ROLLUP_TABLES = (*_DAY_KEYED, *ALL_LOCATIONS_TABLES, DAILY_REFUNDS)  # every rollup: business data

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


def _payment_rollup(table, one_day: bool):
    """INSERT … SELECT of payments into ``table`` (daily_payments, or hourly_payments with the hour)."""
    keys = [*_KEYS, *([ORDERS.c.local_hour] if "local_hour" in table.c else []), PAYMENTS.c.method]
    names = ["location_id", "business_date", "channel", "platform"]
    names += [*(["local_hour"] if "local_hour" in table.c else []), "method"]
    return insert(table).from_select(
        [*names, "payments", "amount", "tips"],
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


def _statement(table, one_day: bool, dialect: str):
    """The INSERT … SELECT that fills one of the rollups keyed by (location, day)."""
    if table in (DAILY, HOURLY, HOURLY_ALL):
        return _sales_rollup(table, one_day, dialect)
    if table in (DAILY_ITEMS, HOURLY_ITEMS, ITEMS_ALL, HOURLY_ITEMS_ALL):
        return _item_rollup(table, one_day)
    if table is DAILY_DISCOUNTS:
        return _discount_rollup(one_day)
    return _payment_rollup(table, one_day)


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
    for table in _DAY_KEYED:
        conn.execute(_statement(table, True, conn.dialect.name), params)
    refresh_all_locations(conn, (day for _location, day in chosen))
    refresh_refunds(conn, chosen)


def refresh_all(conn: Connection) -> None:
    """Rebuild every rollup from the stored orders."""
    for table in _BASE:
        conn.execute(delete(table))
        conn.execute(_statement(table, False, conn.dialect.name))
    _rebuild_added(conn)


def _rebuild_added(conn: Connection) -> None:
    """Rebuild the rollups ``ADDED_VERSION`` covers (after the others: some are built from them)."""
    for table in _ADDED_BY_DAY:
        conn.execute(delete(table))
        conn.execute(_statement(table, False, conn.dialect.name))
    rebuild_all_locations(conn)
    refresh_all_refunds(conn)


def ensure_current(engine: Engine) -> bool:
    """Rebuild the rollups if they were built by another version of this module (only the added ones when
    only ``ADDED_VERSION`` changed); True if it did."""
    meta = StoreMeta.__table__
    with engine.begin() as conn:
        built = conn.scalar(select(meta.c.value).where(meta.c.key == "rollups_version"))
        if built == _BUILT:
            return False
        if built is not None and built.split(".")[0] == VERSION:
            _rebuild_added(conn)
        else:
            refresh_all(conn)
        if built is None:
            conn.execute(insert(meta).values(key="rollups_version", value=_BUILT))
        else:
            conn.execute(update(meta).where(meta.c.key == "rollups_version").values(value=_BUILT))
    return True
