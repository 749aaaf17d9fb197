"""Sales tools: totals and breakdowns (``sales_report``) and best/worst sellers (``top_items``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Annotated, Literal

from sqlalchemy import Engine, func, select

from tools.analytics.scope import ORDERS, Scope, build_scope, no_data_note
from tools.currencies import format_money
from tools.registry import Param, ToolContext, ToolError, activity
from tools.sources.platforms import platform_display_name
from tools.store.models import DailyItemSales, DailySales, MenuItem, Payment, Refund

MENU = MenuItem.__table__
PAYMENTS = Payment.__table__
REFUNDS = Refund.__table__
DAILY = DailySales.__table__
ITEMS = DailyItemSales.__table__
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COUNTED_REFUNDS = ("approved", "completed")

GroupBy = Literal[
    "none",
    "day",
    "week",
    "month",
    "hour",
    "weekday",
    "location",
    "channel",
    "platform",
    "category",
    "item",
    "payment_method",
]
Channel = Literal["in_store", "delivery", "pickup", "online"]

PeriodArg = Annotated[
    str | None,
    Param(
        "The period in words or ISO dates, resolved in the business's timezone: 'today', 'yesterday', "
        "'this week', 'last week', 'this month', 'last month', 'month to date', 'last 7 days', "
        "'last Saturday', 'Q3', 'October', '2026-10-03', '2026-10-01..2026-10-31'. Default: yesterday."
    ),
]
LocationsArg = Annotated[
    list[str] | None,
    Param("Locations by name or number ('Downtown', 'Location 3', '3'); default: all locations."),
]
ChannelsArg = Annotated[
    list[Channel] | None, Param("Only these channels (in_store, delivery, pickup, online); default: all.")
]
PlatformsArg = Annotated[
    list[str] | None,
    Param("Only these delivery platforms (uber_eats, doordash, deliveroo, just_eat, …); default: all."),
]
StartArg = Annotated[
    date | None, Param("Explicit first day (YYYY-MM-DD); use with end_date instead of period.")
]
EndArg = Annotated[date | None, Param("Explicit last day, inclusive (YYYY-MM-DD); use with start_date.")]


_MONEY = ("gross_sales", "discounts", "net_sales", "tax", "tips", "total_collected")


def _order_sums():
    """Order count and money sums over the orders themselves (for the hour breakdown the rollup lacks)."""
    return (
        func.count().label("orders"),
        *(func.coalesce(func.sum(ORDERS.c[name]), 0).label(name) for name in _MONEY),
    )


def _daily_sums():
    """The same sums as _order_sums, from the daily rollup."""
    return (
        func.coalesce(func.sum(DAILY.c.orders), 0).label("orders"),
        *(func.coalesce(func.sum(DAILY.c[name]), 0).label(name) for name in _MONEY),
    )


def _shape(sums: dict, currency: str) -> dict:
    """Money formatted, plus the average ticket (net sales per order)."""
    shaped = {"orders": int(sums["orders"])}
    for key in _MONEY:
        shaped[key] = format_money(int(sums[key]), currency)
    if sums["orders"]:
        shaped["average_ticket"] = format_money(round(int(sums["net_sales"]) / int(sums["orders"])), currency)
    return shaped


def order_totals(engine: Engine, scope: Scope) -> dict:
    """Raw sums of counted orders in the scope: ``orders``, ``items_sold``, ``refunds`` (a count), and in
    minor units ``gross_sales``, ``discounts``, ``net_sales``, ``tax``, ``tips``, ``total_collected``,
    ``refunded``."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(
                    *_daily_sums(), func.coalesce(func.sum(DAILY.c.items_sold), 0).label("items_sold")
                ).where(*scope.rollup_conditions(DAILY))
            )
            .one()
            ._asdict()
        )
        refunds = refund_rows(conn, scope)
    row["refunds"], row["refunded"] = len(refunds), sum(amount for amount, _reason in refunds)
    return row


def refund_rows(conn, scope: Scope) -> list[tuple[int, str | None]]:
    """(amount, reason) of the refunds given in the scope's period, at its locations/channels/platforms.

    Refunds count on their own business day. The period picks them through the refunds' date index and the
    other filters apply in Python: a period holds few refunds, and a SQL location filter would make the
    planner walk the location's orders instead."""
    rows = conn.execute(
        select(REFUNDS.c.amount, REFUNDS.c.reason, ORDERS.c.location_id, ORDERS.c.channel, ORDERS.c.platform)
        .select_from(REFUNDS.join(ORDERS, ORDERS.c.id == REFUNDS.c.order_id))
        .where(
            REFUNDS.c.business_date.between(scope.period.start, scope.period.end),
            REFUNDS.c.status.in_(COUNTED_REFUNDS),
            ORDERS.c.duplicate_of_id.is_(None),
        )
    ).all()
    places = {p.id for p in scope.places}
    return [
        (int(r.amount), r.reason)
        for r in rows
        if (scope.all_places or r.location_id in places)
        and (not scope.channels or r.channel in scope.channels)
        and (not scope.platforms or r.platform in scope.platforms)
    ]


def _totals_block(totals: dict, currency: str) -> dict:
    block = _shape(totals, currency)
    block["items_sold"] = _number(totals["items_sold"])
    block["refunds"] = {"count": totals["refunds"], "value": format_money(totals["refunded"], currency)}
    return block


def _number(value) -> int | float:
    value = float(value or 0)
    return int(value) if value.is_integer() else round(value, 2)


def _calendar_rows(conn, scope: Scope, group_by: str, currency: str) -> list[dict]:
    rows = conn.execute(
        select(DAILY.c.business_date, *_daily_sums())
        .where(*scope.rollup_conditions(DAILY))
        .group_by(DAILY.c.business_date)
    ).all()
    buckets: dict = defaultdict(lambda: defaultdict(int))
    days: dict = defaultdict(int)
    for row in rows:
        day: date = row.business_date
        key = {
            "day": day,
            "week": day - timedelta(days=day.weekday()),
            "month": day.replace(day=1),
            "weekday": day.weekday(),
        }[group_by]
        days[key] += 1
        for name, value in row._asdict().items():
            if name != "business_date":
                buckets[key][name] += value
    result = []
    for key in sorted(buckets):
        shaped = _shape(buckets[key], currency)
        if group_by == "weekday":
            label = WEEKDAYS[key]
            shaped["days_with_orders"] = days[key]
            shaped["net_sales_per_day"] = format_money(round(buckets[key]["net_sales"] / days[key]), currency)
        elif group_by == "week":
            label = f"week of {key.isoformat()}"
        elif group_by == "month":
            label = key.strftime("%Y-%m")
        else:
            label = f"{key.isoformat()} ({WEEKDAYS[key.weekday()][:3]})"
        result.append({group_by: label, **shaped})
    return result


def _dimension_rows(conn, scope: Scope, group_by: str, currency: str) -> list[dict]:
    if group_by in ("item", "category"):
        name = ITEMS.c.item if group_by == "item" else func.coalesce(ITEMS.c.category, "Uncategorized")
        rows = conn.execute(
            select(
                name.label("key"),
                func.sum(ITEMS.c.quantity).label("quantity"),
                func.sum(ITEMS.c.orders).label("orders"),
                func.sum(ITEMS.c.gross_sales).label("gross_sales"),
            )
            .where(*scope.rollup_conditions(ITEMS))
            .group_by(name)
            .order_by(func.sum(ITEMS.c.gross_sales).desc(), name)
        ).all()
        return [
            {
                group_by: r.key,
                "items_sold": _number(r.quantity),
                "orders": int(r.orders),
                "gross_sales": format_money(int(r.gross_sales), currency),
            }
            for r in rows
        ]
    if group_by == "payment_method":
        rows = conn.execute(
            select(
                PAYMENTS.c.method,
                func.count().label("payments"),
                func.sum(PAYMENTS.c.amount).label("amount"),
                func.sum(PAYMENTS.c.tip).label("tips"),
            )
            .select_from(PAYMENTS.join(ORDERS, ORDERS.c.id == PAYMENTS.c.order_id))
            .where(scope.where())
            .group_by(PAYMENTS.c.method)
            .order_by(func.sum(PAYMENTS.c.amount).desc())
        ).all()
        return [
            {
                "payment_method": r.method,
                "payments": r.payments,
                "amount": format_money(int(r.amount), currency),
                "tips": format_money(int(r.tips), currency),
            }
            for r in rows
        ]
    if group_by == "hour":  # the rollup has no hours: the one breakdown that reads orders
        column = ORDERS.c.local_hour
        query = select(column.label("key"), *_order_sums()).where(scope.where())
    else:
        column = DAILY.c[{"location": "location_id"}.get(group_by, group_by)]
        query = select(column.label("key"), *_daily_sums()).where(*scope.rollup_conditions(DAILY))
    rows = conn.execute(query.group_by(column)).all()
    labels = {p.id: p.label for p in scope.places}
    result = []
    for row in sorted(rows, key=lambda r: (r.key is None, r.key)):
        sums = row._asdict()
        key = sums.pop("key")
        if group_by == "hour":
            label = f"{key:02d}:00–{key:02d}:59"
        elif group_by == "location":
            label = labels.get(key, str(key))
        elif group_by == "platform":
            label = platform_display_name(key) if key else "none (in-store/online)"
        else:
            label = key
        result.append({group_by: label, **_shape(sums, currency)})
    return result


@activity("adding up sales")
def sales_report(
    ctx: ToolContext,
    period: PeriodArg = None,
    group_by: Annotated[
        GroupBy,
        Param(
            "Break the totals down by: day, week (Monday start), month, hour (local hour of day), weekday, "
            "location, channel, platform, category, item, payment_method; or none for totals only."
        ),
    ] = "none",
    locations: LocationsArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
    limit: Annotated[int, Param("At most this many breakdown rows (1–100).")] = 40,
) -> dict:
    """Sales totals for a period — orders, gross sales, discounts, net sales (after discounts, before tax),
    tax, tips, items sold, average ticket (net sales per order), refunds — optionally broken down by one
    dimension. Counts completed orders only; refunds count on the day they were given."""
    if not 1 <= limit <= 100:
        raise ToolError(f"limit must be between 1 and 100, got {limit}")
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
        channels=channels,
        platforms=platforms,
    )
    currency = scope.currency
    totals = order_totals(ctx.engine, scope)
    result: dict = {**scope.describe(), "totals": _totals_block(totals, currency)}
    if not totals["orders"]:
        result["note"] = no_data_note(ctx.engine, scope)
        return result
    if group_by != "none":
        with ctx.engine.connect() as conn:
            if group_by in ("day", "week", "month", "weekday"):
                rows = _calendar_rows(conn, scope, group_by, currency)
            else:
                rows = _dimension_rows(conn, scope, group_by, currency)
        result["group_by"] = group_by
        result["rows"] = rows[:limit]
        if len(rows) > limit:
            result["rows_omitted"] = len(rows) - limit
    return result
