"""Comparisons: one location against another, and a period against an earlier one."""

from __future__ import annotations

from typing import Annotated, Literal

from tools.analytics.business_calendar import comparison_period
from tools.analytics.sales import (
    ChannelsArg,
    EndArg,
    LocationsArg,
    PeriodArg,
    PlatformsArg,
    StartArg,
    order_totals,
)
from tools.analytics.scope import Scope, build_scope, percent
from tools.currencies import format_money
from tools.registry import Param, ToolContext, ToolError, activity

_MONEY_METRICS = ("gross_sales", "discounts", "net_sales", "tax", "tips", "refunded")
_COUNT_METRICS = ("orders", "items_sold", "refunds")


def _metrics(totals: dict) -> dict:
    """Raw comparable numbers from order_totals, with the average ticket."""
    values = {name: int(totals[name]) for name in _MONEY_METRICS}
    values.update({name: float(totals[name] or 0) for name in _COUNT_METRICS})
    values["average_ticket"] = round(values["net_sales"] / values["orders"]) if values["orders"] else 0
    return values


def _shown(values: dict, currency: str) -> dict:
    shown = {}
    for name, value in values.items():
        if name in _COUNT_METRICS:
            shown[name] = int(value) if float(value).is_integer() else round(value, 2)
        else:
            shown[name] = format_money(value, currency)
    return shown


def _change(current: dict, baseline: dict, currency: str) -> dict:
    """Absolute and percent change of each metric from ``baseline`` to ``current``."""
    changes = {}
    for name, value in current.items():
        delta = value - baseline[name]
        if name in _COUNT_METRICS:
            shown = int(delta) if float(delta).is_integer() else round(delta, 2)
        else:
            shown = format_money(delta, currency)
        if name not in _COUNT_METRICS and delta > 0:
            shown = "+" + shown
        changes[name] = {"change": shown, "percent": percent(delta, baseline[name])}
    return changes


@activity("comparing locations")
def compare_locations(
    ctx: ToolContext,
    locations: Annotated[
        list[str], Param("Two or more locations by name or number ('Location 3', 'Downtown').")
    ],
    period: PeriodArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Compare locations over the same period: orders, sales, average ticket, tips, items sold and refunds for
    each, and each location's difference from the first one named (absolute and %)."""
    if len(locations) < 2:
        raise ToolError("name at least two locations to compare")
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
        channels=channels,
        platforms=platforms,
    )
    if len(scope.places) < 2:
        raise ToolError("name at least two different locations to compare")
    currency = scope.currency
    per_place = []
    for place in scope.places:
        values = _metrics(
            order_totals(ctx.engine, Scope(scope.period, [place], False, scope.channels, scope.platforms))
        )
        per_place.append((place, values))
    base_place, base_values = per_place[0]
    rows = []
    for place, values in per_place:
        row = {"location": place.label, **_shown(values, currency)}
        if place is not base_place:
            row[f"versus {base_place.label}"] = _change(values, base_values, currency)
        rows.append(row)
    return {**scope.describe(), "locations_compared": rows}


@activity("comparing periods")
def compare_periods(
    ctx: ToolContext,
    period: PeriodArg = None,
    compare_to: Annotated[
        Literal[
            "previous_period", "same_period_last_week", "same_period_last_month", "same_period_last_year"
        ],
        Param(
            "What to compare with: the same number of days just before (previous_period), or the same "
            "days a week, a month or a year earlier. For month to date, same_period_last_month means the "
            "same days of last month."
        ),
    ] = "previous_period",
    locations: LocationsArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Compare a period with an earlier one (this week vs last week, today vs the same day last week, month to
    date vs the same days last month): both periods' totals and the change, absolute and %."""
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
        channels=channels,
        platforms=platforms,
    )
    earlier = comparison_period(scope.period, compare_to, ctx.today, week_start=ctx.week_start)
    baseline_scope = Scope(earlier, scope.places, scope.all_places, scope.channels, scope.platforms)
    currency = scope.currency
    current = _metrics(order_totals(ctx.engine, scope))
    baseline = _metrics(order_totals(ctx.engine, baseline_scope))
    return {
        **scope.describe(),
        "compared_with": earlier.to_dict(),
        "current": _shown(current, currency),
        "earlier": _shown(baseline, currency),
        "change": _change(current, baseline, currency),
    }
