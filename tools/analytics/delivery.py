"""Delivery platforms (orders, revenue, estimated commission, cancellations, timings); refunds, discounts."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from sqlalchemy import func, select

from tools.analytics.arguments import (
    EndArg,
    HoursArg,
    LocationsArg,
    PeriodArg,
    PlatformsArg,
    StartArg,
    WeekdaysArg,
)
from tools.analytics.breakdowns import Bucket, breakdown, metric_value, total
from tools.analytics.definitions import definitions_for
from tools.analytics.sales import refund_sums, shown
from tools.analytics.scope import build_scope, no_data_note, percent
from tools.currencies import format_money
from tools.registry import Param, ToolContext, ToolError, activity
from tools.sources.platforms import platform_display_name
from tools.store.models import DailyDiscounts

DAILY_DISCOUNTS = DailyDiscounts.__table__


@activity("looking at delivery platforms")
def delivery_report(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    platforms: PlatformsArg = None,
    weekdays: WeekdaysArg = None,
    hours: HoursArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Delivery-platform orders per platform: orders delivered and picked up, gross and net sales, average
    ticket, estimated commission, courier tips, cancellations, minutes to pickup, share of net sales."""
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
        platforms=platforms or ["any"],
        weekdays=weekdays,
        hours=hours,
    )
    currency = scope.currency
    with ctx.engine.connect() as conn:
        everything = replace(scope, platforms=(), channels=())
        all_net = total(breakdown(conn, everything, [], day_parts=ctx.day_parts)).get("net_sales", 0)
        cells = breakdown(conn, scope, ["platform", "channel"], day_parts=ctx.day_parts)
    per_platform: dict[str, dict] = {}
    for cell in cells:
        platform, channel = cell.keys
        sums = per_platform.setdefault(platform, {"delivered_orders": 0, "picked_up": 0})
        for name, value in cell.sums.items():
            sums[name] = sums.get(name, 0) + value
        if channel == "delivery":
            sums["delivered_orders"] += cell.sums["orders"]
        elif channel == "pickup":
            sums["picked_up"] += cell.sums["orders"]
    result: dict = {**scope.describe()}
    if not per_platform:
        result["note"] = no_data_note(scope) + " (no delivery-platform orders)"
        return result
    rows = []
    for platform, sums in sorted(per_platform.items(), key=lambda kv: (-int(kv[1]["net_sales"]), kv[0])):
        rows.append(
            {
                "platform": platform_display_name(platform),
                "orders": int(sums["orders"]),
                "delivered_orders": int(sums["delivered_orders"]),
                "pickup_orders": int(sums["picked_up"]),
                "gross_sales": format_money(int(sums["gross_sales"]), currency),
                "net_sales": format_money(int(sums["net_sales"]), currency),
                "average_ticket": shown("average_ticket", metric_value(sums, "average_ticket"), currency),
                "estimated_commission": format_money(int(sums["commission"]), currency),
                "commission_percent_of_net_sales": percent(int(sums["commission"]), int(sums["net_sales"])),
                "courier_tips": format_money(int(sums["courier_tips"]), currency),
                "canceled": {
                    "orders": int(sums["canceled_orders"]),
                    "net_value": format_money(int(sums["canceled_net"]), currency),
                    "gross_value": format_money(int(sums["canceled_value"]), currency),
                },
                "average_minutes_to_pickup": (
                    round(float(sums["pickup_minutes"]) / int(sums["pickup_orders"]), 1)
                    if sums["pickup_orders"]
                    else None
                ),
                "share_of_all_net_sales_percent": percent(int(sums["net_sales"]), int(all_net)),
            }
        )
    combined = total([Bucket((), sums) for sums in per_platform.values()])
    result["platforms"] = rows
    result["all_platforms"] = {
        "orders": int(combined["orders"]),
        "delivered_orders": int(combined["delivered_orders"]),
        "pickup_orders": int(combined["picked_up"]),
        "net_sales": format_money(int(combined["net_sales"]), currency),
        "average_ticket": shown("average_ticket", metric_value(combined, "average_ticket"), currency),
        "estimated_commission": format_money(int(combined["commission"]), currency),
        "courier_tips": format_money(int(combined["courier_tips"]), currency),
        "canceled_orders": int(combined["canceled_orders"]),
        "share_of_all_net_sales_percent": percent(int(combined["net_sales"]), int(all_net)),
    }
    result["definitions"] = definitions_for(
        "platform_orders",
        "orders",
        "net_sales",
        "average_ticket",
        "estimated_commission",
        "courier_tips",
        "canceled",
    )
    return result


def _top_reasons(refunds: list[tuple[str, int, int]], limit: int) -> list[tuple[str, int, int]]:
    """(reason, count, value) by value, largest first."""
    totals: dict[str, list[int]] = {}
    for reason, count, amount in refunds:
        entry = totals.setdefault(reason or "no reason given", [0, 0])
        entry[0] += count
        entry[1] += amount
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1][1], kv[0]))
    return [(reason, count, value) for reason, (count, value) in ranked[:limit]]


@activity("looking at refunds and discounts")
def refunds_and_discounts(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    limit: Annotated[int, Param("Top reasons and discounts listed (1–20).")] = 5,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Refunds (count, value, top reasons; on the refund's own day) and discounts (count, value, most used; on
    the order's day)."""
    if not 1 <= limit <= 20:
        raise ToolError(f"limit must be between 1 and 20, got {limit}")
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
    )
    currency = scope.currency
    if scope.outside_data:
        return {**scope.describe(), "refunds": None, "discounts": None, "note": no_data_note(scope)}
    with ctx.engine.connect() as conn:
        refunds = refund_sums(conn, scope)
        conditions = scope.rollup_conditions(DAILY_DISCOUNTS)
        discount_count, discount_value = conn.execute(
            select(
                func.coalesce(func.sum(DAILY_DISCOUNTS.c.times_used), 0),
                func.coalesce(func.sum(DAILY_DISCOUNTS.c.amount), 0),
            ).where(*conditions)
        ).one()
        names = conn.execute(
            select(
                DAILY_DISCOUNTS.c.name,
                func.sum(DAILY_DISCOUNTS.c.times_used),
                func.sum(DAILY_DISCOUNTS.c.amount),
            )
            .where(*conditions)
            .group_by(DAILY_DISCOUNTS.c.name)
            .order_by(func.sum(DAILY_DISCOUNTS.c.amount).desc(), DAILY_DISCOUNTS.c.name)
            .limit(limit)
        ).all()
    return {
        **scope.describe(),
        "definitions": definitions_for("refunds", "discounts"),
        "refunds": {
            "count": sum(count for _reason, count, _amount in refunds),
            "value": format_money(sum(amount for _reason, _count, amount in refunds), currency),
            "top_reasons": [
                {"reason": reason, "count": count, "value": format_money(value, currency)}
                for reason, count, value in _top_reasons(refunds, limit)
            ],
        },
        "discounts": {
            "count": int(discount_count),
            "value": format_money(int(discount_value), currency),
            "top_discounts": [
                {"discount": name, "times_used": int(n), "value": format_money(int(v), currency)}
                for name, n, v in names
            ],
        },
    }
