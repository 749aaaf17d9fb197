"""The all-locations rollups: the every-channel hourly sales, daily items and hourly items rollups summed over
the locations, and the hourly sales split by channel and platform summed the same way, for questions about
the whole business (a tenth of the rows to read for ten locations, so their cost does not grow with the
number of locations).

They are built from those per-location rollups, not from the orders (sums add up exactly: an order belongs
to one location), for every business day a refresh touched, right after them in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from tools.store.models import (
    DailyItemsAllChannels,
    DailyItemsAllLocations,
    HourlyChannelSalesAllLocations,
    HourlyItemsAllChannels,
    HourlyItemsAllLocations,
    HourlySales,
    HourlySalesAllChannels,
    HourlySalesAllLocations,
)

SALES_MEASURES = (  # the summed measures of every sales rollup (tools.analytics reads these too)
    "orders",
    "gross_sales",
    "discounts",
    "net_sales",
    "tax",
    "tips",
    "courier_tips",
    "total_collected",
    "commission",
    "items_sold",
    "canceled_orders",
    "canceled_value",
    "canceled_net",
    "pickup_minutes",
    "pickup_orders",
)
_ITEM_MEASURES = ("quantity", "gross_sales", "orders")
# all-locations rollup ← the per-location rollup it sums, its keys besides the day, its summed measures
SOURCES = (
    (HourlySalesAllLocations.__table__, HourlySalesAllChannels.__table__, ("local_hour",), SALES_MEASURES),
    (
        HourlyChannelSalesAllLocations.__table__,
        HourlySales.__table__,
        ("local_hour", "channel", "platform"),
        SALES_MEASURES,
    ),
    (DailyItemsAllLocations.__table__, DailyItemsAllChannels.__table__, ("item",), _ITEM_MEASURES),
    (
        HourlyItemsAllLocations.__table__,
        HourlyItemsAllChannels.__table__,
        ("local_hour", "item"),
        _ITEM_MEASURES,
    ),
)
ALL_LOCATIONS_TABLES = tuple(target for target, _source, _keys, _measures in SOURCES)


def _summed(target, source, keys: tuple[str, ...], measures: tuple[str, ...], one_day: bool):
    """INSERT … SELECT of ``source`` summed over its locations into ``target``."""
    grouping = [source.c.business_date, *(source.c[k] for k in keys)]
    columns = [*grouping]
    names = ["business_date", *keys]
    if "item" in keys:  # an item's category: the first one, as in the per-location rollups
        columns.append(func.min(source.c.category))
        names.append("category")
    columns += [func.sum(source.c[m]) for m in measures]
    query = select(*columns).group_by(*grouping)
    if one_day:
        query = query.where(source.c.business_date == bindparam("d"))
    return insert(target).from_select([*names, *measures], query)


def refresh_all_locations(conn: Connection, days: Iterable[date]) -> None:
    """Recompute the all-locations rollups of the given business days (after the per-location ones)."""
    params = [{"d": day} for day in sorted(set(days))]
    if not params:
        return
    for target, source, keys, measures in SOURCES:
        conn.execute(delete(target).where(target.c.business_date == bindparam("d")), params)
        conn.execute(_summed(target, source, keys, measures, one_day=True), params)


def rebuild_all_locations(conn: Connection) -> None:
    """Rebuild the all-locations rollups from the per-location ones."""
    for target, source, keys, measures in SOURCES:
        conn.execute(delete(target))
        conn.execute(_summed(target, source, keys, measures, one_day=False))
