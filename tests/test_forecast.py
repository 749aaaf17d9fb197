"""``forecast_sales``: exact forecasts on synthetic stores whose daily sales the test sets (SQLite and
PostgreSQL), the backtest and intervals on the committed demo, bad arguments, and the result's size."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from tests.conftest import FIXED_NOW
from tests.payloads import TEST_LOCATIONS
from tools.analytics.builtin import TOOLS
from tools.analytics.forecast import forecast
from tools.analytics.forecast_models import MODELS, trend_factor, weekday_trend
from tools.analytics.scope import load_places
from tools.registry import ToolContext, ToolRegistry
from tools.store.models import DailySales, Location
from tools.sync.reference_writer import upsert_locations

FIRST = date(2026, 1, 5)  # a Monday; twelve weeks of sales to 2026-03-29 (a Sunday)
WEEKS = 12
# Net sales (cents) and orders per weekday, Monday first, at Test NY and Test LA.
NET = {"Test NY": [100000, 110000, 120000, 130000, 150000, 180000, 160000],
       "Test LA": [50000, 60000, 60000, 70000, 80000, 100000, 90000]}  # fmt: skip
ORDERS = {"Test NY": [40, 50, 60, 70, 80, 100, 90], "Test LA": [20, 30, 30, 40, 40, 60, 50]}
BASELINE = MODELS[0].description


def registry() -> ToolRegistry:
    tools = ToolRegistry()
    for function in TOOLS:
        tools.register(function)
    return tools


def run(engine, today: date, **arguments) -> dict:
    result = registry().call("forecast_sales", arguments, ToolContext(engine=engine, today=today))
    assert result.ok, result.error
    return result.content


def cents(text: str) -> int:
    """ "$1,234.50" → 123450."""
    return int(text.replace("$", "").replace(",", "").replace(".", ""))


def dollars(amount: int) -> str:
    return f"${amount / 100:,.2f}"


def day_label(day: date) -> str:
    return f"{day.isoformat()} ({day.strftime('%a')})"


def write_days(engine, values: dict[str, dict[date, tuple[int, int]]]) -> None:
    """Daily sales rows: each location's (net sales, orders) of a day split over two channels, as the sync
    writer keeps them (in store, and Uber Eats delivery)."""
    upsert_locations(engine, TEST_LOCATIONS)
    with engine.begin() as conn:
        ids = dict(
            conn.execute(Location.__table__.select().with_only_columns(Location.name, Location.id)).all()
        )
        rows = []
        for name, days in values.items():
            for day, (net, orders) in days.items():
                for channel, platform, share_net, share_orders in (
                    ("in_store", "", net - net // 3, orders - orders // 3),
                    ("delivery", "uber_eats", net // 3, orders // 3),
                ):
                    rows.append(
                        {
                            "location_id": ids[name],
                            "business_date": day,
                            "channel": channel,
                            "platform": platform,
                            "orders": share_orders,
                            "gross_sales": share_net,
                            "discounts": 0,
                            "net_sales": share_net,
                            "tax": 0,
                            "tips": 0,
                            "total_collected": share_net,
                            "commission": 0,
                            "items_sold": float(share_orders),
                        }
                    )
        conn.execute(insert(DailySales.__table__), rows)


def alternating_store(engine) -> None:
    """Twelve weeks of each location's weekday pattern, the weeks alternately 10 % below and above it (the
    last week above): the weekday medians of any 8 weeks are the pattern, the trend is 1."""
    values: dict[str, dict[date, tuple[int, int]]] = {name: {} for name in NET}
    for n in range(7 * WEEKS):
        day = FIRST + timedelta(days=n)
        factor = 11 if (n // 7) % 2 else 9
        for name in NET:
            values[name][day] = (
                NET[name][day.weekday()] * factor // 10,
                ORDERS[name][day.weekday()] * factor // 10,
            )
    write_days(engine, values)


# --- (a) exact ----------------------------------------------------------------------------------------------


def test_the_forecast_is_each_weekday_pattern_with_the_backtest_errors_as_its_range(engine):
    alternating_store(engine)
    today = date(2026, 3, 30)  # Monday: the history ends on Sunday the 29th; the forecast starts Tuesday
    result = run(engine, today)
    days = [date(2026, 3, 31) + timedelta(days=n) for n in range(7)]
    assert result["model"] == BASELINE
    assert result["history"] == "2026-01-05 to 2026-03-29"
    assert (result["locations"], result["currency"]) == ("all", "USD")
    assert result["timezone"] == ["America/Los_Angeles", "America/New_York"]
    expected = []
    for day in days:
        net = sum(NET[name][day.weekday()] for name in NET)
        orders = sum(ORDERS[name][day.weekday()] for name in NET)
        # the errors were ±10 % on the same days at both locations: perfectly correlated, so the ranges add
        expected.append(
            {
                "day": day_label(day),
                "net_sales": dollars(net),
                "low": dollars(net * 9 // 10),
                "high": dollars(net * 11 // 10),
                "orders": orders,
                "orders_low": orders * 9 // 10,
                "orders_high": orders * 11 // 10,
            }
        )
    assert result["forecast"] == expected
    by_location = []
    for name, position in (("Test NY", 1), ("Test LA", 2)):
        week = sum(NET[name])  # seven days from Tuesday: every weekday once
        by_location.append(
            {
                "location": f"Location {position} ({name})",
                "net_sales": dollars(week),
                "low": dollars(week * 9 // 10),
                "high": dollars(week * 11 // 10),
                "orders": sum(ORDERS[name]),
            }
        )
    assert result["by_location"] == by_location
    everything = sum(sum(NET[name]) for name in NET)
    assert result["total"] == {
        "net_sales": dollars(everything),
        "low": dollars(everything * 9 // 10),
        "high": dollars(everything * 11 // 10),
        "orders": sum(sum(ORDERS[name]) for name in NET),
    }
    # each tested day was 10 % off: |0.9 − 1| / 0.9 on half of them, |1.1 − 1| / 1.1 on the other half
    mape = round((0.1 / 0.9 + 0.1 / 1.1) / 2 * 100, 1)
    # the same weekday last week was in the other phase: 0.2 / 0.9 and 0.2 / 1.1
    naive = round((0.2 / 0.9 + 0.2 / 1.1) / 2 * 100, 1)
    test = result["backtest"]
    assert (test["days_tested"], test["mape_net_sales_percent"], test["mape_orders_percent"]) == (
        28,
        mape,
        mape,
    )
    assert test["mape_all_locations_net_sales_percent"] == mape
    assert (test["interval_coverage_percent"], test["location_interval_coverage_percent"]) == (100.0, 100.0)
    assert test["mape_by_model"]["weekday trend"] == mape
    assert test["mape_by_model"]["seasonal naive"] == naive
    assert test["mape_by_model"]["weekly smoothing"] > mape
    assert "note" not in result
    # the plain function the brief uses gives the same
    assert forecast(engine, load_places(engine), days[0], 7, today=today) == result


def test_a_past_start_shows_the_actual_figures_and_forecasts_from_the_days_before_it(engine):
    alternating_store(engine)
    start = date(2026, 3, 23)  # the last week (10 % above the pattern), forecast from the eleven before it
    result = run(engine, date(2026, 3, 31), start_date=start.isoformat(), days=9, locations=["Test NY"])
    assert result["locations"] == ["Location 1 (Test NY)"] and result["timezone"] == "America/New_York"
    assert result["history"] == "2026-01-05 to 2026-03-22"
    rows = result["forecast"]
    assert [row["day"] for row in rows] == [day_label(start + timedelta(days=n)) for n in range(9)]
    for n, row in enumerate(rows):
        day = start + timedelta(days=n)
        assert row["net_sales"] == dollars(NET["Test NY"][day.weekday()])
        if day <= date(2026, 3, 29):
            assert row["actual_net_sales"] == dollars(NET["Test NY"][day.weekday()] * 11 // 10)
            assert row["actual_orders"] == ORDERS["Test NY"][day.weekday()] * 11 // 10
        else:  # no data yet (the 30th), and today (the 31st) is not over
            assert "actual_net_sales" not in row and "actual_orders" not in row


def test_under_three_weeks_of_history_is_a_naive_forecast_with_a_note(engine):
    first = date(2026, 3, 16)  # ten days, Monday 16 to Wednesday 25 March, at Test NY only
    sales = {first + timedelta(days=n): (1000 * (n + 1), n + 1) for n in range(10)}
    write_days(engine, {"Test NY": sales})
    result = run(engine, date(2026, 3, 26))  # the forecast starts Friday the 27th
    days = [date(2026, 3, 27) + timedelta(days=n) for n in range(7)]
    last_week = {day.weekday(): day for day in sales if day >= date(2026, 3, 19)}
    assert result["model"].startswith("naive (the same weekday last week")
    assert [row["net_sales"] for row in result["forecast"]] == [
        dollars(sales[last_week[day.weekday()]][0]) for day in days
    ]
    assert [row["orders"] for row in result["forecast"]] == [sales[last_week[d.weekday()]][1] for d in days]
    assert all(row["low"] is None and row["high"] is None for row in result["forecast"])
    assert result["by_location"] == [
        {
            "location": "Location 1 (Test NY)",
            "net_sales": dollars(sum(value for value, _ in sales.values() if value > 3000)),
            "low": None,
            "high": None,
            "orders": sum(orders for _, orders in sales.values() if orders > 3),
        }
    ]
    note = result["note"]
    assert "Location 1 (Test NY) has only 10 days of sales history (under 3 weeks): naive" in note
    assert "no sales in the 112 days before 2026-03-26 at Location 2 (Test LA): not forecast" in note
    assert result["backtest"]["days_tested"] == 0 and result["backtest"]["mape_net_sales_percent"] is None


def test_an_empty_store_is_a_note_not_an_error(engine):
    upsert_locations(engine, TEST_LOCATIONS)
    result = run(engine, date(2026, 3, 26))
    assert result["forecast"] == [] and result["by_location"] == []
    assert result["note"].startswith("no sales in the 112 days before 2026-03-26 at Location 1 (Test NY)")


def test_the_trend_is_the_last_four_weeks_against_the_four_before_capped_at_15_percent():
    weekdays = np.arange(56) % 7
    history = np.array([100.0] * 28 + [110.0] * 28)
    assert trend_factor(history) == pytest.approx(1.1)
    assert trend_factor(history[:55]) == 1.0  # under 8 weeks: no trend
    steep = np.array([100.0] * 28 + [200.0] * 28)
    assert trend_factor(steep) == pytest.approx(1.15)
    # the medians of 8 weeks of each weekday: four weeks at 100 and four at 200 → 150, × 1.15
    assert weekday_trend(steep, weekdays, np.array([0, 6])) == pytest.approx([172.5, 172.5])


# --- (b) the demo -------------------------------------------------------------------------------------------

DEMO_MAPE_BOUND = 13.0  # measured 10.3 % (location-days, net sales) on the committed demo


def test_on_the_demo_the_backtest_error_is_reported_and_the_ranges_hold_the_forecast(call):
    started = time.perf_counter()
    result = call("forecast_sales", days=14)
    elapsed = time.perf_counter() - started
    test = result["backtest"]
    print(f"\ndemo forecast: {elapsed * 1000:.0f} ms, model {result['model']!r}, backtest {json.dumps(test)}")
    assert test["days_tested"] == 28
    assert 0 < test["mape_net_sales_percent"] < DEMO_MAPE_BOUND
    assert 0 < test["mape_orders_percent"] < DEMO_MAPE_BOUND
    assert test["mape_net_sales_percent"] == min(v for v in test["mape_by_model"].values())
    assert 50 <= test["interval_coverage_percent"] <= 100 and test["location_interval_coverage_percent"] >= 50
    rows = result["forecast"]
    tomorrow = FIXED_NOW.date() + timedelta(days=1)
    assert [row["day"] for row in rows] == [day_label(tomorrow + timedelta(days=n)) for n in range(14)]
    for row in [*rows, *result["by_location"], result["total"]]:
        assert cents(row["low"]) <= cents(row["net_sales"]) <= cents(row["high"])
    for row in rows:
        assert row["orders_low"] <= row["orders"] <= row["orders_high"]
        assert "actual_net_sales" not in row
    total = sum(cents(row["net_sales"]) for row in rows)
    assert sum(cents(row["net_sales"]) for row in result["by_location"]) == total
    assert cents(result["total"]["net_sales"]) == total
    assert sum(row["orders"] for row in result["by_location"]) == sum(row["orders"] for row in rows)
    assert len(result["by_location"]) == 4 and "note" not in result
    assert "as sales_report counts them" in result["definitions"]["forecast"]


def test_on_the_demo_a_past_week_is_checked_against_its_actual_sales_as_sales_report_counts_them(call):
    result = call("forecast_sales", start_date="2026-11-16", locations=["Uptown"])
    report = call(
        "sales_report", start_date="2026-11-16", end_date="2026-11-22", locations=["Uptown"], group_by=["day"]
    )
    assert [(row["day"], row["actual_net_sales"], row["actual_orders"]) for row in result["forecast"]] == [
        (row["day"], row["net_sales"], row["orders"]) for row in report["rows"]
    ]
    assert result["history"].endswith("to 2026-11-15")


# --- (c) bad arguments --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"days": 0}, "days must be between 1 and 28, got 0"),
        ({"days": 29}, "days must be between 1 and 28, got 29"),
        ({"locations": ["Nowhere"]}, "unknown location 'Nowhere'"),
        ({"start_date": "2027-06-01"}, "start_date 2027-06-01 is out of range"),
        ({"start_date": "1999-12-31"}, "start_date 1999-12-31 is out of range"),
        ({"days": "7"}, "days must be an integer"),
    ],
)
def test_bad_arguments_are_one_line_errors(call, arguments, error):
    result = call.registry.call("forecast_sales", arguments, call.context)
    assert not result.ok and error in result.error and "\n" not in result.error


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.one_of(st.integers(max_value=0), st.integers(min_value=29)),
    start=st.dates(),
)
@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_any_days_out_of_range_or_any_start_is_an_answer_or_a_one_line_error(call, days, start):
    bad = call.registry.call("forecast_sales", {"days": days}, call.context)
    assert not bad.ok and bad.error.startswith("days must be between 1 and 28") and "\n" not in bad.error
    result = call.registry.call("forecast_sales", {"start_date": start.isoformat(), "days": 1}, call.context)
    assert result.ok or ("\n" not in result.error and "out of range" in result.error)


# --- (d) size -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("demo_store", ["sqlite"], indirect=True)
def test_two_weeks_of_forecast_is_under_4_kb(call):
    result = call.registry.call("forecast_sales", {"days": 14}, call.context)
    assert result.ok and len(result.to_json().encode()) < 4096
