"""``forecast_sales``: the next days' net sales and orders per location, with an interval and the error the
model achieved when it forecast the business's own recent weeks; ``forecast`` is the same for the brief.

One grouped query reads daily net sales and orders per location from the daily_sales rollup (the figures
sales_report counts). Each location is forecast on its own history with the model the backtest found most
accurate on this business (forecast_models.py holds the models, forecast_backtest.py the choice); the
all-locations rows add the locations' forecasts up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated

import pandas as pd
from sqlalchemy import Engine, func, select

from tools.analytics.arguments import LocationsArg
from tools.analytics.business_calendar import EARLIEST, LATEST
from tools.analytics.calendar_filters import WEEKDAY_NAMES
from tools.analytics.definitions import definitions_for
from tools.analytics.forecast_backtest import BACKTEST_WEEKS, Backtest, backtest, total_interval
from tools.analytics.forecast_models import MIN_HISTORY_DAYS, MODELS, NAIVE, Series, predict
from tools.analytics.scope import Place, build_scope, load_places
from tools.currencies import format_money
from tools.registry import Param, ToolContext, ToolError, activity
from tools.store.models import DailySales

DAILY = DailySales.__table__
MAX_DAYS = 28
MAX_LEAD_DAYS = 28  # a forecast starts at most this many days after today
HISTORY_WINDOW_DAYS = 112  # read: 8 weeks for the models, 4 for the backtest, 4 more in case data stopped
FORECAST_TERMS = {
    "forecast": "expected net sales and orders as sales_report counts them, per location and day; all "
    "locations: their sum",
    "low_high": "forecast × the 10th–90th percentile of actual ÷ forecast in the backtest; all locations: "
    "ranges combined by the errors' correlation; several days: bounds added",
    "mape": "mean absolute % error of the backtest's daily forecasts per location",
}

DaysArg = Annotated[int, Param("Days to forecast (1–28).")]
ForecastStartArg = Annotated[
    date | None, Param("First day; default tomorrow (a past day shows actuals too).")
]


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _day_label(day: date) -> str:
    return f"{day.isoformat()} ({WEEKDAY_NAMES[day.weekday()][:3]})"


def _read(engine: Engine, places: Sequence[Place], first: date, last: date) -> pd.DataFrame:
    """Net sales and orders per location and business day from ``first`` to ``last``, one grouped query."""
    query = (
        select(
            DAILY.c.location_id,
            DAILY.c.business_date,
            func.sum(DAILY.c.net_sales),
            func.sum(DAILY.c.orders),
        )
        .where(
            DAILY.c.business_date.between(first, last),
            DAILY.c.location_id.in_([p.id for p in places]),
        )
        .group_by(DAILY.c.location_id, DAILY.c.business_date)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(
        [(int(r[0]), r[1], int(r[2] or 0), int(r[3] or 0)) for r in rows],
        columns=["location", "day", "net_sales", "orders"],
    )


def _history(place: Place, table: pd.DataFrame, before: date) -> Series | None:
    """A location's daily history before ``before``, every day from its first to its last with data (days
    without a row are 0); None without any."""
    mine = table[(table["location"] == place.id) & (table["day"] < before)]
    if mine.empty:
        return None
    first, last = mine["day"].min(), mine["day"].max()
    dense = mine.set_index("day")[["net_sales", "orders"]].reindex(
        [first + timedelta(days=n) for n in range((last - first).days + 1)], fill_value=0
    )
    return Series(place.id, last, dense["net_sales"].to_numpy(), dense["orders"].to_numpy())


def _scaled(value: int, factors: tuple[float, float] | None) -> tuple[int | None, int | None]:
    if factors is None:
        return None, None
    return _half_up(value * factors[0]), _half_up(value * factors[1])


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _backtest_block(test: Backtest) -> dict:
    names = {model.key: model.key.replace("_", " ") for model in MODELS}
    return {
        "days_tested": test.days_tested,
        "mape_net_sales_percent": test.mape.get("net_sales"),
        "mape_orders_percent": test.mape.get("orders"),
        "mape_all_locations_net_sales_percent": test.mape.get("total_net_sales"),
        "interval_coverage_percent": test.coverage.get("total"),
        "location_interval_coverage_percent": test.coverage.get("location"),
        "mape_by_model": {names[key]: value for key, value in test.errors.items()},
        "method": f"rolling origin: each of the last {7 * BACKTEST_WEEKS} days forecast from the days "
        "before its week; lowest net-sales MAPE used; coverage of each week by the other weeks' ranges",
    }


def forecast(
    engine: Engine,
    scope_locations: Sequence[Place],
    start: date,
    days: int,
    *,
    today: date | None = None,
) -> dict:
    """The forecast of ``days`` days from ``start`` for these locations, as ``forecast_sales`` gives it.
    History is every day before ``start`` and before ``today`` (today's sales are not complete yet;
    default: ``start``); forecast days before ``today`` that have data show their actual figures."""
    places = list(scope_locations)
    currencies = sorted({p.currency for p in places})
    if len(currencies) > 1:
        raise ToolError(
            f"the selected locations use different currencies ({', '.join(currencies)}) — forecast one "
            "currency's locations at a time"
        )
    currency = currencies[0] if currencies else "USD"
    zones = sorted({p.timezone for p in places})
    today = today or start
    cutoff = min(start, today)
    end = start + timedelta(days=days - 1)
    table = _read(engine, places, cutoff - timedelta(days=HISTORY_WINDOW_DAYS), end)
    everyone = {p.id for p in load_places(engine)}
    result: dict = {
        "locations": "all" if {p.id for p in places} == everyone else [p.label for p in places],
        "timezone": zones[0] if len(zones) == 1 else zones,
        "currency": currency,
        "definitions": {**definitions_for("net_sales", "orders"), **FORECAST_TERMS},
    }
    histories = {p.id: h for p in places if (h := _history(p, table, cutoff)) is not None}
    notes = [
        f"no sales in the {HISTORY_WINDOW_DAYS} days before {cutoff} at {p.label}: not forecast"
        for p in places
        if p.id not in histories
    ]
    if not histories:
        return {**result, "forecast": [], "by_location": [], "note": "; ".join(notes)}
    last_day = max(h.last_day for h in histories.values())
    test = backtest([h for h in histories.values() if len(h) >= MIN_HISTORY_DAYS], last_day)
    everyone_short = all(len(h) < MIN_HISTORY_DAYS for h in histories.values())
    result["model"] = NAIVE.description if everyone_short else test.chosen.description
    first_day = min(h.last_day - timedelta(days=len(h) - 1) for h in histories.values())
    result["history"] = f"{first_day} to {last_day}"
    forecast_days = [start + timedelta(days=n) for n in range(days)]
    per_location: dict[int, dict[str, list]] = {}
    for place in places:
        series = histories.get(place.id)
        if series is None:
            continue
        short = len(series) < MIN_HISTORY_DAYS
        if short:
            notes.append(
                f"{place.label} has only {len(series)} days of sales history (under 3 weeks): "
                f"{NAIVE.description}, no interval"
            )
        net, orders = predict(NAIVE if short else test.chosen, series, forecast_days)
        tested = place.id in test.tested_locations and not short
        if not short and not tested:
            notes.append(f"{place.label}: no interval (its data ends before the backtest's last week)")
        net_points = [_half_up(v) for v in net]
        per_location[place.id] = {
            "tested": tested,
            "net": net_points,
            "net_bounds": [_scaled(v, test.factors.get("net_sales") if tested else None) for v in net_points],
            "orders": [_half_up(v) for v in orders],
        }
    if test.days_tested == 0:
        notes.append("too little history to backtest: no interval and no error figures")
    rows = _daily_rows(forecast_days, per_location, test, currency)
    _add_actuals(rows, forecast_days, table, cutoff, today, currency)
    result["forecast"] = rows
    result["by_location"] = [
        _location_row(place, per_location[place.id], currency) for place in places if place.id in per_location
    ]
    totals = [_location_totals(v) for v in per_location.values()]
    result["total"] = {
        "net_sales": format_money(sum(t[0] for t in totals), currency),
        "low": _money(_sum([r["_low"] for r in rows]), currency),
        "high": _money(_sum([r["_high"] for r in rows]), currency),
        "orders": sum(t[3] for t in totals),
    }
    for row in rows:
        del row["_low"], row["_high"]
    result["backtest"] = _backtest_block(test)
    if notes:
        result["note"] = "; ".join(notes)
    return result


def _money(value: int | None, currency: str) -> str | None:
    return None if value is None else format_money(value, currency)


def _interval(
    points: list[int], test: Backtest, measure: str, all_tested: bool
) -> tuple[int | None, int | None]:
    """Low and high of the sum of the locations' forecasts ``points`` of one day: their intervals combined
    with the correlation of their backtest errors; none when a location has no interval."""
    factors = test.factors.get(measure)
    if factors is None or not all_tested:
        return None, None
    low, high = total_interval(points, factors, test.rho[measure])
    return _half_up(low), _half_up(high)


def _daily_rows(
    forecast_days: list[date], per_location: dict[int, dict[str, list]], test: Backtest, currency: str
) -> list[dict]:
    """One row per day for all the locations together."""
    all_tested = all(values["tested"] for values in per_location.values())
    rows = []
    for n, day in enumerate(forecast_days):
        net = [values["net"][n] for values in per_location.values()]
        orders = [values["orders"][n] for values in per_location.values()]
        low, high = _interval(net, test, "net_sales", all_tested)
        orders_low, orders_high = _interval(orders, test, "orders", all_tested)
        rows.append(
            {
                "day": _day_label(day),
                "net_sales": format_money(sum(net), currency),
                "low": _money(low, currency),
                "high": _money(high, currency),
                "orders": sum(orders),
                "orders_low": orders_low,
                "orders_high": orders_high,
                "_low": low,
                "_high": high,
            }
        )
    return rows


def _add_actuals(
    rows: list[dict], forecast_days: list[date], table: pd.DataFrame, cutoff: date, today: date, currency: str
) -> None:
    """``actual_net_sales`` and ``actual_orders`` on the forecast days before today that have data."""
    if table.empty:
        return
    latest = table["day"].max()
    sums = table.groupby("day")[["net_sales", "orders"]].sum()
    for row, day in zip(rows, forecast_days, strict=True):
        if cutoff <= day < today and day <= latest:
            net, orders = (int(sums.at[day, m]) if day in sums.index else 0 for m in ("net_sales", "orders"))
            row["actual_net_sales"] = format_money(net, currency)
            row["actual_orders"] = orders


def _location_totals(values: dict[str, list]) -> tuple[int, int | None, int | None, int]:
    """A location's net sales, low, high and orders over the forecast days."""
    return (
        sum(values["net"]),
        _sum([low for low, _ in values["net_bounds"]]),
        _sum([high for _, high in values["net_bounds"]]),
        sum(values["orders"]),
    )


def _location_row(place: Place, values: dict[str, list], currency: str) -> dict:
    net, low, high, orders = _location_totals(values)
    return {
        "location": place.label,
        "net_sales": format_money(net, currency),
        "low": _money(low, currency),
        "high": _money(high, currency),
        "orders": orders,
    }


@activity("forecasting sales")
def forecast_sales(
    ctx: ToolContext,
    days: DaysArg = 7,
    locations: LocationsArg = None,
    start_date: ForecastStartArg = None,
) -> dict:
    """Forecast of the next days' net sales and orders per location and in total, each day with a likely
    range; the model is picked by backtesting and its error is reported."""
    if not 1 <= days <= MAX_DAYS:
        raise ToolError(f"days must be between 1 and {MAX_DAYS}, got {days}")
    start = start_date or ctx.today + timedelta(days=1)
    latest_start = ctx.today + timedelta(days=MAX_LEAD_DAYS)
    if not EARLIEST <= start <= min(latest_start, LATEST):
        raise ToolError(
            f"start_date {start} is out of range — forecasts start at most {MAX_LEAD_DAYS} days ahead "
            f"(by {latest_start}), and not before {EARLIEST}"
        )
    scope = build_scope(
        ctx, period=None, start_date=start, end_date=start + timedelta(days=days - 1), locations=locations
    )
    return forecast(ctx.engine, scope.places, start, days, today=ctx.today)
