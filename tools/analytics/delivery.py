"""Delivery platforms (orders, revenue, estimated commission, cancellations, timings); refunds, discounts."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from sqlalchemy import func, select

from tools.analytics.sales import (
    DAILY,
    EndArg,
    LocationsArg,
    PeriodArg,
    PlatformsArg,
    StartArg,
    refund_rows,
)
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
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Delivery-platform orders for a period, per platform: completed orders, gross and net sales, estimated
    commission (from the commission-rate table — platforms do not report it, so it is an estimate), canceled
    orders and their value, average minutes from order to pickup, and each platform's share of all sales."""
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
        platforms=platforms,
    )
    currency = scope.currency
    with ctx.engine.connect() as conn:
        everything = replace(scope, platforms=(), channels=())
        all_net = conn.scalar(
            select(func.coalesce(func.sum(DAILY.c.net_sales), 0)).where(*everything.rollup_conditions(DAILY))
        )
        rows = conn.execute(
            select(
                DAILY.c.platform,
                func.sum(DAILY.c.orders).label("orders"),
                func.sum(DAILY.c.gross_sales).label("gross"),
                func.sum(DAILY.c.net_sales).label("net"),
                func.sum(DAILY.c.commission).label("commission"),
                func.sum(DAILY.c.canceled_orders).label("canceled"),
                func.sum(DAILY.c.canceled_value).label("canceled_value"),
                func.sum(DAILY.c.pickup_minutes).label("pickup_minutes"),
                func.sum(DAILY.c.pickup_orders).label("pickup_orders"),
            )
            .where(*scope.rollup_conditions(DAILY), DAILY.c.platform != "")
            .group_by(DAILY.c.platform)
        ).all()
    prep = {
        row.platform: round(float(row.pickup_minutes) / int(row.pickup_orders), 1)
        for row in rows
        if row.pickup_orders
    }
    result: dict = {**scope.describe()}
    if not rows:
        result["note"] = no_data_note(ctx.engine, scope) + " (no delivery-platform orders)"
        return result
    platforms_out = []
    for row in sorted(rows, key=lambda r: -int(r.net or 0)):
        platforms_out.append(
            {
                "platform": platform_display_name(row.platform),
                "orders": int(row.orders),
                "gross_sales": format_money(int(row.gross), currency),
                "net_sales": format_money(int(row.net), currency),
                "estimated_commission": format_money(int(row.commission or 0), currency),
                "commission_percent_of_gross": percent(int(row.commission or 0), int(row.gross)),
                "canceled_orders": int(row.canceled),
                "canceled_value": format_money(int(row.canceled_value), currency),
                "average_minutes_to_pickup": prep.get(row.platform),
                "share_of_all_net_sales_percent": percent(int(row.net), int(all_net)),
            }
        )
    totals_net = sum(int(r.net) for r in rows)
    result["platforms"] = platforms_out
    result["all_platforms"] = {
        "orders": sum(int(r.orders) for r in rows),
        "net_sales": format_money(totals_net, currency),
        "estimated_commission": format_money(sum(int(r.commission or 0) for r in rows), currency),
        "share_of_all_net_sales_percent": percent(totals_net, int(all_net)),
    }
    result["commission_note"] = (
        "commission is an estimate: rate × (gross sales − discounts) from the configured commission rates"
    )
    return result


def _top_reasons(refunds: list[tuple[int, str | None]], limit: int) -> list[tuple[str, int, int]]:
    """(reason, count, value) by value, largest first."""
    totals: dict[str, list[int]] = {}
    for amount, reason in refunds:
        entry = totals.setdefault(reason or "no reason given", [0, 0])
        entry[0] += 1
        entry[1] += amount
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1][1], kv[0]))
    return [(reason, count, value) for reason, (count, value) in ranked[:limit]]


@activity("looking at refunds and discounts")
def refunds_and_discounts(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    limit: Annotated[int, Param("How many top reasons and discounts to list (1–20).")] = 5,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Refunds (count, value, top reasons — counted on the day the refund was given) and discounts (count,
    value, the most used discounts — on the day of the discounted order) for a period."""
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
    with ctx.engine.connect() as conn:
        refunds = refund_rows(conn, scope)
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
        "refunds": {
            "count": len(refunds),
            "value": format_money(sum(amount for amount, _ in refunds), currency),
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
