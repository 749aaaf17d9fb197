"""Breakdowns: a scope's sums grouped by one or two dimensions, in one SQL statement.

A dimension is a calendar unit (day, week, month, weekday, hour, day_part), an order attribute (location,
channel, platform), a menu attribute (item, category) or the payment method. Each question reads the
smallest rollup that holds its answer: daily or hourly (when hours matter), split by channel and platform
or not, per location or summed over them (a question about the whole business); never the orders. Grouping
runs in the database; Python only labels and orders the few rows that come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Literal

from sqlalchemy import Connection, Integer, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from tools.analytics.calendar_filters import WEEKDAY_NAMES, DayPart
from tools.analytics.scope import Scope
from tools.currencies import divide_half_up
from tools.registry import ToolError
from tools.sources.platforms import platform_display_name
from tools.store.models import (
    DailyItemSales,
    DailyItemsAllChannels,
    DailyItemsAllLocations,
    DailyPayments,
    DailySales,
    HourlyChannelSalesAllLocations,
    HourlyItemSales,
    HourlyItemsAllChannels,
    HourlyItemsAllLocations,
    HourlyPayments,
    HourlySales,
    HourlySalesAllChannels,
    HourlySalesAllLocations,
    MenuItem,
)
from tools.store.rollups_all_locations import SALES_MEASURES

DAILY = DailySales.__table__
HOURLY = HourlySales.__table__
ITEMS = DailyItemSales.__table__
HOURLY_ITEMS = HourlyItemSales.__table__
MENU = MenuItem.__table__
DAILY_PAYMENTS = DailyPayments.__table__
HOURLY_ALL = HourlySalesAllChannels.__table__
ITEMS_ALL = DailyItemsAllChannels.__table__
HOURLY_ITEMS_ALL = HourlyItemsAllChannels.__table__
HOURLY_PAYMENTS = HourlyPayments.__table__
HOURLY_ALL_LOCATIONS = HourlySalesAllLocations.__table__
HOURLY_CHANNELS_ALL_LOCATIONS = HourlyChannelSalesAllLocations.__table__
ITEMS_ALL_LOCATIONS = DailyItemsAllLocations.__table__
HOURLY_ITEMS_ALL_LOCATIONS = HourlyItemsAllLocations.__table__

Dimension = Literal[
    "day",
    "week",
    "month",
    "weekday",
    "hour",
    "day_part",
    "location",
    "channel",
    "platform",
    "category",
    "item",
    "payment_method",
]
CALENDAR = ("day", "week", "month", "weekday", "hour", "day_part")
HOURLY_DIMENSIONS = ("hour", "day_part")
ITEM_DIMENSIONS = ("category", "item")
Family = Literal["sales", "items", "payments"]

NO_PLATFORM_LABEL = "none (in-store/online)"


@dataclass(frozen=True)
class Bucket:
    """One group: its key per dimension (a date, a number or a name) and its sums."""

    keys: tuple
    sums: dict[str, int | float]


def family_of(dimensions: list[str], *, items: bool = False) -> Family:
    """Which data answers these dimensions (``items``: the question is about some menu items); ToolError
    for a combination nothing holds."""
    if "payment_method" in dimensions:
        if items or any(d in ITEM_DIMENSIONS for d in dimensions):
            raise ToolError("payment_method cannot go with item or category — payments are per order")
        return "payments"
    return "items" if items or any(d in ITEM_DIMENSIONS for d in dimensions) else "sales"


def check_dimensions(dimensions: list[str] | None) -> list[str]:
    """One or two distinct dimensions (an empty list means totals only)."""
    chosen = [d for d in dimensions or () if d != "none"]
    if len(chosen) > 2:
        raise ToolError(f"group_by takes at most two dimensions, got {len(chosen)}: {', '.join(chosen)}")
    if len(set(chosen)) < len(chosen):
        raise ToolError(f"group_by names {chosen[0]} twice")
    family_of(chosen)
    return chosen


def _weekday(column, dialect: str) -> ColumnElement:
    """0 = Monday … 6 = Sunday."""
    if dialect == "postgresql":
        return cast(func.extract("isodow", column), Integer) - 1
    return (cast(func.strftime("%w", column), Integer) + 6) % 7


def _week_start(column, dialect: str, week_start: int) -> ColumnElement:
    """The first day of the week (starting on ``week_start``) holding the date."""
    if dialect == "postgresql":
        offset = (cast(func.extract("isodow", column), Integer) + 6 - week_start) % 7
        return column.op("-")(offset)
    offset = (cast(func.strftime("%w", column), Integer) + 6 - week_start) % 7
    return func.date(column, literal("-").concat(cast(offset, Integer)).concat(" days"))


def _month(column, dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _day_part(hour, day_parts: tuple[DayPart, ...]) -> ColumnElement:
    """The index of the day part holding the hour (-1 for an hour outside every part)."""
    return case(
        *((hour.in_(part.hours), index) for index, part in enumerate(day_parts)),
        else_=-1,
    )


@dataclass(frozen=True)
class _Source:
    """Where a breakdown reads: the FROM clause, its key columns, its measures and its WHERE conditions."""

    from_clause: object
    columns: dict[str, ColumnElement]
    measures: dict[str, ColumnElement]
    conditions: list[ColumnElement]


def _rollup_source(table, scope: Scope, measures: tuple[str, ...]) -> _Source:
    columns, sums = _rollup_columns(table, measures)
    return _Source(table, columns, sums, scope.rollup_conditions(table))


@cache
def _rollup_columns(
    table, measures: tuple[str, ...]
) -> tuple[dict[str, ColumnElement], dict[str, ColumnElement]]:
    """A rollup's key columns and its measures' sums: built once per rollup and set of measures (the
    expressions are immutable; a breakdown only reads them)."""
    columns = {
        name: table.c[name]
        for name in ("location_id", "business_date", "channel", "platform")
        if name in table.c
    }
    if "local_hour" in table.c:
        columns["local_hour"] = table.c.local_hour
    if "item" in table.c:
        columns["item"] = table.c.item
        columns["category"] = func.coalesce(table.c.category, "Uncategorized")
    if "method" in table.c:
        columns["payment_method"] = table.c.method
    sums = {name: func.coalesce(func.sum(table.c[name]), 0) for name in measures}
    return columns, sums


# (by hour, by channel and platform) → the rollup that answers
_SALES_ROLLUPS = {
    (False, False): DAILY,
    (False, True): DAILY,
    (True, False): HOURLY_ALL,
    (True, True): HOURLY,
}
_ITEM_ROLLUPS = {
    (False, False): ITEMS_ALL,
    (False, True): ITEMS,
    (True, False): HOURLY_ITEMS_ALL,
    (True, True): HOURLY_ITEMS,
}


def _item_condition(scope: Scope, columns: dict[str, ColumnElement]) -> list[ColumnElement]:
    return [columns["item"].in_(scope.items)] if scope.items else []


def _source(scope: Scope, family: Family, dimensions: list[str]) -> _Source:
    hourly = scope.filters_hours or any(d in HOURLY_DIMENSIONS for d in dimensions)
    # Without a channel or platform filter or dimension, the rollups without that split answer (fewer rows);
    # about the whole business (no location filter or dimension either), those summed over the locations.
    # Within some hours, about the whole business split by channel or platform ("delivery at dinner"): the
    # hourly rollup with that split summed over the locations.
    split = bool(scope.channels or scope.platforms) or any(d in ("channel", "platform") for d in dimensions)
    whole_business = scope.all_places and "location" not in dimensions
    whole = whole_business and not split
    if family == "sales":
        if hourly and whole_business:
            table = HOURLY_CHANNELS_ALL_LOCATIONS if split else HOURLY_ALL_LOCATIONS
        else:
            table = _SALES_ROLLUPS[hourly, split]
        return _rollup_source(table, scope, SALES_MEASURES)
    if family == "items":
        table = (HOURLY_ITEMS_ALL_LOCATIONS if hourly else ITEMS_ALL_LOCATIONS) if whole else None
        measures = ("quantity", "gross_sales", "orders")
        source = _rollup_source(table if table is not None else _ITEM_ROLLUPS[hourly, split], scope, measures)
        return _Source(
            source.from_clause,
            source.columns,
            {
                "items_sold": source.measures["quantity"],
                "gross_sales": source.measures["gross_sales"],
                "orders": source.measures["orders"],
            },
            source.conditions + _item_condition(scope, source.columns),
        )
    return _rollup_source(
        HOURLY_PAYMENTS if hourly else DAILY_PAYMENTS, scope, ("payments", "amount", "tips")
    )


def _key(
    dimension: str, source: _Source, dialect: str, day_parts: tuple[DayPart, ...], week_start: int
) -> ColumnElement:
    day = source.columns["business_date"]
    if dimension == "day":
        return day
    if dimension == "week":
        return _week_start(day, dialect, week_start)
    if dimension == "month":
        return _month(day, dialect)
    if dimension == "weekday":
        return _weekday(day, dialect)
    if dimension == "hour":
        return source.columns["local_hour"]
    if dimension == "day_part":
        return _day_part(source.columns["local_hour"], day_parts)
    if dimension == "location":
        return source.columns["location_id"]
    return source.columns[dimension]


def breakdown(
    conn: Connection,
    scope: Scope,
    dimensions: list[str],
    *,
    day_parts: tuple[DayPart, ...],
    week_start: int = 0,
) -> list[Bucket]:
    """The scope's sums grouped by ``dimensions`` (none: one bucket of totals), in no particular order."""
    family = family_of(dimensions, items=bool(scope.items))
    source = _source(scope, family, dimensions)
    dialect = conn.dialect.name
    keys = [_key(d, source, dialect, day_parts, week_start).label(f"k{i}") for i, d in enumerate(dimensions)]
    query = select(*keys, *(expr.label(name) for name, expr in source.measures.items()))
    query = query.select_from(source.from_clause).where(*source.conditions)
    if keys:
        query = query.group_by(*keys)
    names = list(source.measures)
    width = len(keys)
    buckets = []
    for row in conn.execute(query).all():
        values = {name: _number(value) for name, value in zip(names, row[width:], strict=True)}
        if keys and all(v in (0, None) for v in values.values()):
            continue
        buckets.append(
            Bucket(tuple(_normal(d, k) for d, k in zip(dimensions, row[:width], strict=True)), values)
        )
    return buckets


def _number(value):
    """A sum as a Python number: PostgreSQL sums integers as NUMERIC (Decimal); whole ones become ints."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _normal(dimension: str, key):
    """Keys as Python values whatever the backend returned: weeks and days as dates, numbers as ints."""
    if dimension in ("day", "week") and isinstance(key, str):
        return date.fromisoformat(key[:10])
    if dimension in ("weekday", "hour", "day_part", "location") and key is not None:
        return int(key)
    return key


def label(dimension: str, key, scope: Scope, day_parts: tuple[DayPart, ...]) -> str:
    """How a result names a group: "2026-11-21 (Sat)", "week of 2026-11-16", "Saturday", "11:00–11:59"…"""
    if dimension == "day":
        return f"{key.isoformat()} ({WEEKDAY_NAMES[key.weekday()][:3]})"
    if dimension == "week":
        return f"week of {key.isoformat()}"
    if dimension == "weekday":
        return WEEKDAY_NAMES[key]
    if dimension == "hour":
        return f"{key:02d}:00–{key:02d}:59"
    if dimension == "day_part":
        return day_parts[key].label if key >= 0 else "outside the day parts"
    if dimension == "location":
        return next((p.label for p in scope.places if p.id == key), str(key))
    if dimension == "platform":
        return platform_display_name(key) if key else NO_PLATFORM_LABEL
    return str(key)


def natural_order(dimension: str, key, scope: Scope) -> tuple:
    """The order a person lists a dimension in: time, weekday, hour, the locations' numbers, then names."""
    if dimension == "location":
        return (next((p.position for p in scope.places if p.id == key), 0),)
    if key is None:
        return (1, "")
    return (0, key)


def metric_value(sums: dict, metric: str) -> int | float | None:
    """One measure of a bucket; the average ticket is net sales per order, half up (None: no orders)."""
    if metric == "average_ticket":
        orders = int(sums.get("orders") or 0)
        return divide_half_up(int(sums["net_sales"]), orders) if orders else None
    value = sums.get(metric, 0) or 0
    return value if isinstance(value, int) else float(value)


def total(buckets: list[Bucket]) -> dict[str, int | float]:
    """The buckets' sums added up."""
    sums: dict[str, int | float] = {}
    for bucket in buckets:
        for name, value in bucket.sums.items():
            sums[name] = sums.get(name, 0) + (value or 0)
    return sums
