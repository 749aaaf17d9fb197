"""Comparisons: one location against another, and a period against an earlier one — in totals, or broken
down by a dimension with each row's change, ranked so "what grew / what dropped most" is one call."""

from __future__ import annotations

from typing import Annotated, Literal

from tools.analytics.arguments import (
    ChannelsArg,
    EndArg,
    GroupByArg,
    HoursArg,
    LimitArg,
    LocationsArg,
    MetricArg,
    PeriodArg,
    PlatformsArg,
    StartArg,
    WeekdaysArg,
)
from tools.analytics.breakdowns import Bucket, breakdown, check_dimensions, family_of, label, metric_value
from tools.analytics.business_calendar import PeriodError, comparison_period
from tools.analytics.definitions import definitions_for
from tools.analytics.sales import check_limit, order_totals, ranking_metric, shown
from tools.analytics.scope import Place, Scope, build_scope, no_data_note, percent
from tools.currencies import divide_half_up
from tools.registry import Param, ToolContext, ToolError, activity

_MEASURES = (
    "orders",
    "gross_sales",
    "discounts",
    "net_sales",
    "tax",
    "tips",
    "refunded",
    "items_sold",
    "refunds",
    "average_ticket",
)
ChangeSort = Literal["largest_change", "grew_most", "dropped_most"]
ChangeSortArg = Annotated[
    ChangeSort,
    Param("Row order with group_by; largest_change: by size, either way."),
]
_TERMS = ("orders", "net_sales", "average_ticket", "refunds", "change_percent")


def _values(totals: dict) -> dict:
    """Comparable numbers from order_totals, with the average ticket (net sales per order, half up)."""
    values = {name: totals[name] for name in _MEASURES if name != "average_ticket"}
    orders = int(values["orders"])
    values["average_ticket"] = divide_half_up(int(values["net_sales"]), orders) if orders else 0
    return values


def _change(name: str, value, baseline, currency: str, *, with_percent: bool) -> dict:
    """The change from ``baseline`` to ``value``: absolute (money with a sign) and % (None from zero)."""
    if value is None or baseline is None:
        return {"change": None, "percent": None}
    delta = value - baseline
    text = shown(name, delta, currency)
    if isinstance(text, str) and delta > 0:
        text = "+" + text
    return {"change": text, "percent": percent(delta, baseline) if with_percent else None}


def _changes(current: dict, earlier: dict, currency: str, *, with_percent: bool) -> dict:
    return {
        name: _change(name, current[name], earlier[name], currency, with_percent=with_percent)
        for name in current
    }


def _ranked(rows: list[tuple[dict, float | None]], sort: str) -> list[dict]:
    """Rows ordered by their change (None last)."""

    def key(item: tuple[dict, float | None]):
        _row, delta = item
        if delta is None:
            return (1, 0.0)
        return (0, {"largest_change": -abs(delta), "grew_most": -delta, "dropped_most": delta}[sort])

    return [row for row, _delta in sorted(rows, key=key)]


def _extremes(rows: list[tuple[dict, float | None]]) -> dict:
    """The rows that grew and dropped the most (None when nothing did)."""
    grew = max((r for r in rows if r[1] is not None and r[1] > 0), key=lambda r: r[1], default=None)
    dropped = min((r for r in rows if r[1] is not None and r[1] < 0), key=lambda r: r[1], default=None)
    return {
        "biggest_increase": grew[0] if grew else None,
        "biggest_decrease": dropped[0] if dropped else None,
    }


def _aligned(
    dimension: str, now: list[Bucket], then: list[Bucket]
) -> list[tuple[tuple | None, tuple | None]]:
    """Pairs of (current key, earlier key). Days, weeks and months pair by position (the first day with
    the first day); every other dimension by equal keys."""
    if dimension in ("day", "week", "month"):
        first = sorted(b.keys for b in now)
        second = sorted(b.keys for b in then)
        length = max(len(first), len(second))
        first += [None] * (length - len(first))
        second += [None] * (length - len(second))
        return list(zip(first, second, strict=True))
    keys = {b.keys for b in now} | {b.keys for b in then}
    return [(k, k) for k in sorted(keys, key=lambda k: tuple(str(x) for x in k))]


def _dimension_of(group_by: list[str] | None) -> str | None:
    dimensions = check_dimensions(group_by)
    if len(dimensions) > 1:
        raise ToolError("comparisons break down by one dimension — give group_by a single one")
    return dimensions[0] if dimensions else None


@activity("comparing periods")
def compare_periods(
    ctx: ToolContext,
    period: PeriodArg = None,
    compare_to: Annotated[
        Literal[
            "previous_period",
            "same_period_last_week",
            "same_period_last_month",
            "same_period_last_year",
            "same_weekdays_last_year",
        ],
        Param(
            "previous_period: as many days just before; the same days a week, month or year earlier; "
            "same_weekdays_last_year: 52 weeks earlier (Saturday vs Saturday)."
        ),
    ] = "previous_period",
    group_by: GroupByArg = None,
    metric: MetricArg = "net_sales",
    sort: ChangeSortArg = "largest_change",
    limit: LimitArg = None,
    locations: LocationsArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    weekdays: WeekdaysArg = None,
    hours: HoursArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Compare a period with an earlier one (compare_to): both totals and the change. With group_by (one
    dimension), each row's value in both and its change, ranked: what grew or dropped most."""
    dimension = _dimension_of(group_by)
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
    )
    try:
        earlier = comparison_period(scope.period, compare_to, ctx.today, week_start=ctx.week_start)
    except PeriodError as exc:
        raise ToolError(f"compare_to {compare_to}: {exc}") from exc
    earlier_scope = scope.with_period(earlier)
    currency = scope.currency
    if scope.outside_data:
        return {
            **scope.describe(),
            "compared_with": earlier_scope.period.to_dict(),
            "current": None,
            "note": no_data_note(scope) + " — nothing to compare",
        }
    current_totals = order_totals(ctx.engine, scope)
    earlier_totals = order_totals(ctx.engine, earlier_scope)
    earlier_has_data = bool(earlier_totals["orders"])
    result: dict = {**scope.describe(), "compared_with": earlier_scope.period.to_dict()}
    if not earlier_has_data:
        result["earlier_note"] = no_data_note(earlier_scope) + " — no % change can be given"
    elif note := earlier_scope.coverage_note():
        result["earlier_data_note"] = note
    current, earlier = _values(current_totals), _values(earlier_totals)
    result["current"] = {name: shown(name, value, currency) for name, value in current.items()}
    if earlier_has_data:  # against no data, no change: "up $86k from nothing" is not a finding
        result["earlier"] = {name: shown(name, value, currency) for name, value in earlier.items()}
        result["change"] = _changes(current, earlier, currency, with_percent=True)
    else:
        result["earlier"] = result["change"] = None
    if dimension is not None:
        family = family_of([dimension])
        measure = ranking_metric(metric, family, [dimension])
        with ctx.engine.connect() as conn:
            now = breakdown(conn, scope, [dimension], day_parts=ctx.day_parts, week_start=ctx.week_start)
            then = breakdown(
                conn, earlier_scope, [dimension], day_parts=ctx.day_parts, week_start=ctx.week_start
            )
        by_now, by_then = {b.keys: b.sums for b in now}, {b.keys: b.sums for b in then}
        rows = []
        for key_now, key_then in _aligned(dimension, now, then):
            value = metric_value(by_now.get(key_now, {}), measure) if key_now is not None else None
            base = metric_value(by_then.get(key_then, {}), measure) if key_then is not None else None
            value = value or 0 if measure != "average_ticket" else value
            base = base or 0 if measure != "average_ticket" else base
            row = {dimension: label(dimension, (key_now or key_then)[0], scope, ctx.day_parts)}
            if dimension in ("day", "week", "month") and key_then is not None:
                row[f"earlier_{dimension}"] = label(dimension, key_then[0], earlier_scope, ctx.day_parts)
            if not earlier_has_data:
                base = None
            change = _change(measure, value, base, currency, with_percent=True)
            row.update(
                current=shown(measure, value, currency),
                earlier=shown(measure, base, currency),
                change=change["change"],
                change_percent=change["percent"],
            )
            rows.append((row, None if value is None or base is None else value - base))
        cap = check_limit(limit, 20)
        result.update(
            group_by=[dimension],
            compared_on=measure,
            sort=sort,
            **_extremes(rows),
            rows=_ranked(rows, sort)[:cap],
        )
        if len(rows) > cap:
            result["rows_omitted"] = len(rows) - cap
    result["definitions"] = definitions_for(*_TERMS)
    return result


@activity("comparing locations")
def compare_locations(
    ctx: ToolContext,
    locations: Annotated[list[str], Param("Two or more; the first named is the baseline.")],
    period: PeriodArg = None,
    group_by: GroupByArg = None,
    metric: MetricArg = "net_sales",
    sort: ChangeSortArg = "largest_change",
    limit: LimitArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    weekdays: WeekdaysArg = None,
    hours: HoursArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Compare locations over one period (orders, sales, average ticket, tips, items, refunds; each one's
    difference from the first named). With group_by (one dimension), each row's value per location and the
    change, ranked."""
    if len(locations) < 2:
        raise ToolError("name at least two locations to compare")
    dimension = _dimension_of(group_by)
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
    )
    if len(scope.places) < 2:
        raise ToolError("name at least two different locations to compare")
    currency = scope.currency
    if scope.outside_data:
        return {**scope.describe(), "locations_compared": None, "note": no_data_note(scope)}
    per_place: list[tuple[Place, dict]] = [
        (place, _values(order_totals(ctx.engine, scope.at(place)))) for place in scope.places
    ]
    base_place, base_values = per_place[0]
    compared = []
    for place, values in per_place:
        row: dict = {"location": place.label}
        row.update({name: shown(name, value, currency) for name, value in values.items()})
        if place is not base_place:
            row[f"versus {base_place.label}"] = _changes(
                values, base_values, currency, with_percent=bool(base_values["orders"])
            )
        if not values["orders"]:
            row["note"] = no_data_note(scope.at(place))
        compared.append(row)
    result: dict = {**scope.describe(), "locations_compared": compared}
    if dimension is not None:
        result.update(_location_breakdown(ctx, scope, dimension, metric, sort, limit))
    result["definitions"] = definitions_for(*_TERMS)
    return result


def _location_breakdown(
    ctx: ToolContext, scope: Scope, dimension: str, metric: str, sort: str, limit: int | None
) -> dict:
    """Rows of ``dimension`` with each location's value, ranked by the second location minus the first."""
    if dimension == "location":
        raise ToolError("compare_locations already compares locations — group by another dimension")
    measure = ranking_metric(metric, family_of([dimension]), [dimension])
    currency = scope.currency
    with ctx.engine.connect() as conn:
        per_place = {
            place.id: {
                b.keys: b.sums
                for b in breakdown(
                    conn, scope.at(place), [dimension], day_parts=ctx.day_parts, week_start=ctx.week_start
                )
            }
            for place in scope.places
        }
    keys = sorted({k for sums in per_place.values() for k in sums}, key=lambda k: tuple(map(str, k)))
    first, second = scope.places[0], scope.places[1]
    rows = []
    for key in keys:
        values = {}
        for place in scope.places:
            value = metric_value(per_place[place.id].get(key, {}), measure)
            values[place.id] = value if measure == "average_ticket" else value or 0
        row = {dimension: label(dimension, key[0], scope, ctx.day_parts)}
        row.update({place.label: shown(measure, values[place.id], currency) for place in scope.places})
        change = _change(measure, values[second.id], values[first.id], currency, with_percent=True)
        row.update(change=change["change"], change_percent=change["percent"])
        delta = None if change["change"] is None else values[second.id] - values[first.id]
        rows.append((row, delta))
    cap = check_limit(limit, 20)
    result = {
        "group_by": [dimension],
        "compared_on": measure,
        "change_is": f"{second.label} minus {first.label}",
        "sort": sort,
        **_extremes(rows),
        "rows": _ranked(rows, sort)[:cap],
    }
    if len(rows) > cap:
        result["rows_omitted"] = len(rows) - cap
    return result
