"""Sales totals and breakdowns: ``sales_report``, and ``order_totals`` (the plugin API's sales figures)."""

from __future__ import annotations

from typing import Annotated, Literal

from sqlalchemy import Engine, func, select

from tools.analytics.arguments import (
    ChannelsArg,
    EndArg,
    GroupByArg,
    HoursArg,
    ItemsArg,
    LimitArg,
    LocationsArg,
    MetricArg,
    PeriodArg,
    PlatformsArg,
    StartArg,
    WeekdaysArg,
)
from tools.analytics.breakdowns import (
    CALENDAR,
    SALES_MEASURES,
    Bucket,
    breakdown,
    check_dimensions,
    family_of,
    label,
    metric_value,
    natural_order,
    total,
)
from tools.analytics.calendar_filters import DEFAULT_DAY_PARTS, DayPart
from tools.analytics.definitions import definitions_for
from tools.analytics.scope import Scope, build_scope, no_data_note, percent
from tools.currencies import divide_half_up, format_money
from tools.registry import Param, ToolContext, ToolError, activity
from tools.store.rollups_refunds import DAILY_REFUNDS as REFUNDS_ROLLUP

MONEY = (
    "gross_sales",
    "discounts",
    "net_sales",
    "tax",
    "tips",
    "courier_tips",
    "total_collected",
    "average_ticket",
    "amount",
    "refunded",
)
Sort = Literal["natural", "largest", "smallest"]
SortArg = Annotated[
    Sort | None,
    Param("Default natural (time or location order) for one dimension, largest for two."),
]
_SALES_ROW = ("orders", "gross_sales", "discounts", "net_sales", "tax", "tips", "total_collected")
_TWO_DIMENSION_ROW = ("orders", "net_sales", "average_ticket")


def order_totals(engine: Engine, scope: Scope) -> dict:
    """Raw sums of counted orders in the scope: ``orders``, ``items_sold``, ``refunds`` (a count),
    ``canceled_orders``, ``pickup_orders`` and ``pickup_minutes``, and in minor units ``gross_sales``,
    ``discounts``, ``net_sales``, ``tax``, ``tips`` (the restaurant's), ``courier_tips``,
    ``total_collected``, ``commission``, ``refunded``, ``canceled_value`` (gross) and ``canceled_net``."""
    with engine.connect() as conn:
        totals = total(breakdown(conn, scope, [], day_parts=DEFAULT_DAY_PARTS))
        refunds = refund_sums(conn, scope)
    totals = {name: totals.get(name, 0) for name in SALES_MEASURES}
    totals["refunds"] = sum(count for _reason, count, _amount in refunds)
    totals["refunded"] = sum(amount for _reason, _count, amount in refunds)
    return totals


def refund_sums(conn, scope: Scope) -> list[tuple[str, int, int]]:
    """(reason, count, amount) of the refunds given in the scope's period, at its locations/channels/
    platforms, on its weekdays and in its hours (the refund's own local day and hour), per reason ('' = none
    given), from the refunds rollup."""
    rows = conn.execute(
        select(
            REFUNDS_ROLLUP.c.reason,
            func.sum(REFUNDS_ROLLUP.c.refunds),
            func.sum(REFUNDS_ROLLUP.c.amount),
        )
        .where(*scope.rollup_conditions(REFUNDS_ROLLUP))
        .group_by(REFUNDS_ROLLUP.c.reason)
    ).all()
    return [(reason, int(count), int(amount)) for reason, count, amount in rows]


def check_limit(limit: int | None, default: int) -> int:
    """The row limit asked for (1–100), or ``default``."""
    if limit is None:
        return default
    if not 1 <= limit <= 100:
        raise ToolError(f"limit must be between 1 and 100, got {limit}")
    return limit


def shown(name: str, value, currency: str):
    """A measure as results show it: money formatted, counts as whole numbers where they are whole."""
    if value is None:
        return None
    if name in MONEY:
        return format_money(int(value), currency)
    value = float(value)
    return int(value) if value.is_integer() else round(value, 2)


def totals_block(totals: dict, currency: str) -> dict:
    """The totals every sales result shows, with canceled orders' count and value on both bases."""
    block = {name: shown(name, totals[name], currency) for name in _SALES_ROW}
    block["courier_tips"] = shown("courier_tips", totals["courier_tips"], currency)
    block["average_ticket"] = shown("average_ticket", metric_value(totals, "average_ticket"), currency)
    block["items_sold"] = shown("items_sold", totals["items_sold"], currency)
    block["refunds"] = {"count": totals["refunds"], "value": format_money(totals["refunded"], currency)}
    block["canceled"] = {
        "orders": int(totals["canceled_orders"]),
        "net_value": format_money(int(totals["canceled_net"]), currency),
        "gross_value": format_money(int(totals["canceled_value"]), currency),
    }
    return block


def ranking_metric(metric: str, family: str, dimensions: list[str], *, one_item: bool = False) -> str:
    """The measure a breakdown of ``family`` ranks by for the asked ``metric`` (items have no net sales,
    payments only amounts); ToolError for a metric the breakdown cannot give. Orders are counted per item:
    they add up for item rows or one menu item (``one_item``), not across a category's items."""
    if family == "payments":
        return "amount"
    if family == "items":
        if metric in ("net_sales", "gross_sales"):
            return "gross_sales"
        if metric == "orders" and "item" not in dimensions and not one_item:
            raise ToolError(
                "orders are counted per item, not per category (an order holds several items) — use "
                "metric items_sold or net_sales, or group_by item"
            )
        if metric not in ("items_sold", "orders"):
            raise ToolError(f"metric {metric} is not kept per item — use net_sales, items_sold or orders")
    return metric


def in_natural_order(dimensions: list[str]) -> bool:
    """True when "natural" order means time or location order (the first dimension is one of those);
    otherwise natural order is largest first."""
    return bool(dimensions) and dimensions[0] in (*CALENDAR, "location")


def ordered(
    buckets: list[Bucket], dimensions: list[str], metric: str, sort: str, scope: Scope
) -> list[Bucket]:
    """Buckets in the asked order; ties (and natural order beyond time and locations) by the labels."""
    if sort == "natural" and in_natural_order(dimensions):
        return sorted(
            buckets,
            key=lambda b: tuple(natural_order(d, k, scope) for d, k in zip(dimensions, b.keys, strict=True)),
        )
    sign = 1 if sort == "smallest" else -1

    def by_metric(bucket: Bucket):
        value = metric_value(bucket.sums, metric)
        return (value is None, sign * (value or 0), tuple(str(k) for k in bucket.keys))

    return sorted(buckets, key=by_metric)


def bucket_row(
    bucket: Bucket,
    dimensions: list[str],
    family: str,
    metric: str,
    whole: float,
    scope: Scope,
    day_parts: tuple[DayPart, ...],
) -> dict:
    """One breakdown row: its labels, its measures and its share of ``whole`` (the metric's total)."""
    currency = scope.currency
    row: dict = {d: label(d, k, scope, day_parts) for d, k in zip(dimensions, bucket.keys, strict=True)}
    sums = bucket.sums
    if family == "items":
        orders_add_up = "item" in dimensions or len(scope.items) == 1
        names = ["items_sold", "gross_sales"] + (["orders"] if orders_add_up else [])
    elif family == "payments":
        names = ["payments", "amount", "tips"]
    else:
        names = list(_SALES_ROW if len(dimensions) == 1 else _TWO_DIMENSION_ROW)
        if len(dimensions) == 1:
            names.append("average_ticket")
        if metric not in names:
            names.append(metric)
    for name in names:
        row[name] = shown(name, metric_value(sums, name), currency)
    if metric != "average_ticket":
        row["share_percent"] = percent(metric_value(sums, metric) or 0, whole)
    if dimensions == ["weekday"] and family == "sales":
        first, last = scope.data_range
        days = sum(
            1 for day in scope.days() if day.weekday() == bucket.keys[0] and first and first <= day <= last
        )
        row["days_with_data"] = days
        if days:
            row["net_sales_per_day"] = format_money(divide_half_up(int(sums["net_sales"]), days), currency)
    return row


@activity("adding up sales")
def sales_report(
    ctx: ToolContext,
    period: PeriodArg = None,
    group_by: GroupByArg = None,
    metric: MetricArg = "net_sales",
    sort: SortArg = None,
    locations: LocationsArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    weekdays: WeekdaysArg = None,
    hours: HoursArg = None,
    items: ItemsArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
    limit: LimitArg = None,
) -> dict:
    """Sales: orders, gross, discounts, net, tax, tips, items sold, average ticket, refunds, canceled orders
    (completed orders only) — in total or broken down by one or two dimensions, with shares."""
    dimensions = check_dimensions(group_by)
    limit = check_limit(limit, 40 if len(dimensions) < 2 else 20)
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
        channels=channels,
        platforms=platforms,
        weekdays=weekdays,
        hours=hours,
        items=items,
    )
    currency = scope.currency
    if scope.items:
        return _item_report(ctx, scope, dimensions, metric, sort, limit)
    terms = ["orders", "net_sales", "gross_sales", "tips", "courier_tips", "average_ticket", "refunds"]
    if scope.outside_data:  # no zeros passed off as a result
        return {**scope.describe(), "totals": None, "note": no_data_note(scope)}
    totals = order_totals(ctx.engine, scope)
    result: dict = {**scope.describe(), "totals": totals_block(totals, currency)}
    if not totals["orders"] and not totals["canceled_orders"]:
        result["note"] = no_data_note(scope)
        result["definitions"] = definitions_for(*terms, "canceled")
        return result
    if dimensions:
        result.update(_rows(ctx, scope, dimensions, metric, sort, limit))
        terms.append("share_percent")
        if family_of(dimensions) == "items":
            terms.append("item_sales")
        if any(d in CALENDAR for d in dimensions):
            terms.append("business_day")
    result["definitions"] = definitions_for(*terms, "canceled")
    return result


def _rows(
    ctx: ToolContext, scope: Scope, dimensions: list[str], metric: str, sort: str | None, limit: int
) -> dict:
    """The breakdown part of a result: the dimensions, the order, the capped rows."""
    family = family_of(dimensions, items=bool(scope.items))
    ranked_by = ranking_metric(metric, family, dimensions, one_item=len(scope.items) == 1)
    with ctx.engine.connect() as conn:
        buckets = breakdown(conn, scope, dimensions, day_parts=ctx.day_parts, week_start=ctx.week_start)
    whole = sum(metric_value(b.sums, ranked_by) or 0 for b in buckets)
    chosen_sort = sort or ("natural" if len(dimensions) == 1 else "largest")
    rows = [  # only the rows shown are labelled and formatted
        bucket_row(b, dimensions, family, ranked_by, whole, scope, ctx.day_parts)
        for b in ordered(buckets, dimensions, ranked_by, chosen_sort, scope)[:limit]
    ]
    part: dict = {
        "group_by": dimensions,
        "order": (
            "time/location order"
            if chosen_sort == "natural" and in_natural_order(dimensions)
            else f"{'smallest' if chosen_sort == 'smallest' else 'largest'} {ranked_by} first"
        ),
        "share_of": ranked_by,
        "rows": rows,
    }
    if len(buckets) > limit:
        part["rows_omitted"] = len(buckets) - limit
    return part


def _item_report(
    ctx: ToolContext, scope: Scope, dimensions: list[str], metric: str, sort: str | None, limit: int
) -> dict:
    """sales_report for some menu items: their units and item sales, in total and broken down."""
    with ctx.engine.connect() as conn:
        sums = total(breakdown(conn, scope, [], day_parts=ctx.day_parts))
    totals = {
        "items_sold": shown("items_sold", sums.get("items_sold", 0), scope.currency),
        "gross_sales": shown("gross_sales", sums.get("gross_sales", 0), scope.currency),
    }
    if len(scope.items) == 1:
        totals["orders"] = int(sums.get("orders", 0))
    result: dict = {**scope.describe(), "item_totals": totals}
    terms = ["items_sold", "item_sales"] + (["orders"] if len(scope.items) == 1 else [])
    if not sums.get("items_sold"):
        result["note"] = f"none of {', '.join(scope.items)} sold in {scope.period.label}"
    elif dimensions:
        result.update(_rows(ctx, scope, dimensions, metric, sort, limit))
        terms.append("share_percent")
    result["definitions"] = definitions_for(*terms)
    return result
