"""The labor plugin's tools on the committed demo (orders, timecards and item costs synced as `opsbot sync`
does, on SQLite and PostgreSQL) against figures computed from the raw fixture files by tests/labor_oracle.py
and tests/fixture_oracle.py — the three answers the issue names: labor % by location for last week, prime
cost % for last month and the menu-engineering table."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction

import pytest
from opsbot_labor import TOOLS

from tests.conftest import DEMO_FIXTURES, FIXED_NOW
from tests.fixture_oracle import (
    dollars,
    expected_from_fixtures,
    final_deliverect_bodies,
    half_up,
    item_sales_from_fixtures,
    unit_total,
)
from tests.labor_oracle import food_cost_by_location_day, item_units_and_sales, labor_by_location_day
from tools.analytics.readonly import open_readonly
from tools.registry import ToolContext, ToolRegistry

LOCATIONS = ("Downtown", "Harbor", "Uptown", "Sunset")
LAST_WEEK = (date(2026, 11, 16), date(2026, 11, 22))  # FIXED_NOW is Tuesday 24 November 2026
LAST_MONTH = (date(2026, 10, 1), date(2026, 10, 31))  # holds the 5 October cost increase


@pytest.fixture(scope="module")
def oracle():
    return {
        "labor": labor_by_location_day(DEMO_FIXTURES),
        "food": food_cost_by_location_day(DEMO_FIXTURES),
        "days": expected_from_fixtures(DEMO_FIXTURES).days,
    }


@pytest.fixture
def labor_call(demo_store):
    engine, _ = demo_store
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function, source="labor")
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    context = ToolContext(engine=readonly, today=FIXED_NOW.date())

    def run(name: str, **arguments):
        result = registry.call(name, arguments, context)
        assert result.ok, result.error
        return result.content

    yield run
    readonly.dispose()


def _between(mapping, location: str, first: date, last: date):
    return [value for (name, day), value in mapping.items() if name == location and first <= day <= last]


def _label(location: str) -> str:
    return f"Location {LOCATIONS.index(location) + 1} ({location})"


def test_labor_percent_by_location_last_week(labor_call, oracle):
    result = labor_call("labor_report", period="last week", group_by=["location"])
    assert (result["period"]["start"], result["period"]["end"]) == ("2026-11-16", "2026-11-22")
    rows = {row["location"]: row for row in result["rows"]}
    assert list(rows) == [_label(name) for name in LOCATIONS]
    for name in LOCATIONS:
        days = _between(oracle["labor"], name, *LAST_WEEK)
        cost = sum(d.base_cost + d.overtime_premium for d in days)
        paid = sum(d.paid_seconds for d in days)
        net = sum(t.net for t in _between(oracle["days"], name, *LAST_WEEK))
        row = rows[_label(name)]
        assert row["labor_cost"] == dollars(cost), name
        assert row["hours"] == round(paid / 3600, 2), name
        assert row["overtime_hours"] == round(sum(d.overtime_seconds for d in days) / 3600, 2), name
        assert row["overtime_cost"] == dollars(sum(d.overtime_premium for d in days)), name
        assert row["shifts"] == sum(d.shifts for d in days), name
        assert row["net_sales"] == dollars(net), name
        assert row["labor_percent"] == round(100 * cost / net, 1), name
        assert row["sales_per_labor_hour"] == dollars(half_up(net * 3600, paid)), name
        assert 25 <= row["labor_percent"] <= 32, name  # the demo is staffed like a real restaurant


def test_overtime_appears_in_some_week_and_matches_the_oracle(labor_call, oracle):
    weeks_with_overtime = 0
    for offset in range(12):
        first = date(2026, 8, 31) + timedelta(weeks=offset)
        last = first + timedelta(days=6)
        totals = labor_call("labor_report", start_date=first.isoformat(), end_date=last.isoformat())["totals"]
        premium = sum(
            d.overtime_premium for name in LOCATIONS for d in _between(oracle["labor"], name, first, last)
        )
        assert totals["overtime_cost"] == dollars(premium), first
        weeks_with_overtime += premium > 0
    assert weeks_with_overtime >= 3


def test_prime_cost_percent_by_location_last_month(labor_call, oracle):
    result = labor_call("prime_cost", period="last month", group_by="location")
    assert (result["period"]["start"], result["period"]["end"]) == ("2026-10-01", "2026-10-31")
    rows = {row["location"]: row for row in result["rows"]}
    all_net = all_food = all_labor = 0
    for name in LOCATIONS:
        net = sum(t.net for t in _between(oracle["days"], name, *LAST_MONTH))
        food = sum(_between(oracle["food"], name, *LAST_MONTH))
        labor = sum(d.base_cost + d.overtime_premium for d in _between(oracle["labor"], name, *LAST_MONTH))
        row = rows[_label(name)]
        assert row["net_sales"] == dollars(net), name
        assert row["food_cost"] == dollars(food), name
        assert row["food_cost_percent"] == round(100 * food / net, 1), name
        assert row["labor_cost"] == dollars(labor), name
        assert row["prime_cost"] == dollars(food + labor), name
        assert row["prime_cost_percent"] == round(100 * (food + labor) / net, 1), name
        all_net, all_food, all_labor = all_net + net, all_food + food, all_labor + labor
    assert result["totals"]["prime_cost"] == dollars(all_food + all_labor)
    assert result["totals"]["prime_cost_percent"] == round(100 * (all_food + all_labor) / all_net, 1)
    assert 50 <= result["totals"]["prime_cost_percent"] <= 70


def _platform_item_sales(first: date, last: date) -> tuple[dict, dict]:
    """From the raw Deliverect bodies: gross item sales per (location, platform, item) and per (location,
    platform), of the orders that count (not canceled), in the period."""
    import json
    from zoneinfo import ZoneInfo

    from tests.fixture_oracle import utc

    catalog = json.loads((DEMO_FIXTURES / "square" / "catalog.json").read_text())["objects"]
    by_sku = {
        v["item_variation_data"]["sku"]: obj["item_data"]["name"]
        for obj in catalog
        if obj["type"] == "ITEM"
        for v in obj["item_data"]["variations"]
    }
    locations = json.loads((DEMO_FIXTURES / "square" / "locations.json").read_text())["locations"]
    names = {loc["id"]: loc["name"] for loc in locations}
    zones = {loc["id"]: ZoneInfo(loc["timezone"]) for loc in locations}
    to_square = json.loads((DEMO_FIXTURES / "business.json").read_text())["deliverect"]["locations"]
    per_item, per_slice = defaultdict(int), defaultdict(int)
    for body in final_deliverect_bodies(DEMO_FIXTURES).values():
        if body["status"] in (100, 110):
            continue
        square = body.get("posLocationId") or to_square[body["location"]]
        day = utc(body["_created"]).astimezone(zones[square]).date()
        if not first <= day <= last:
            continue
        platform = {7: "uber_eats", 12: "doordash"}[body["channel"]]
        for item in body["items"]:
            amount = item["quantity"] * unit_total(item)
            per_item[(names[square], platform, by_sku[item["plu"]])] += amount
            per_slice[(names[square], platform)] += amount
    return per_item, per_slice


def test_the_menu_engineering_table_last_month(labor_call):
    result = labor_call("menu_engineering", period="last month", limit=100)
    items = item_units_and_sales(DEMO_FIXTURES, *LAST_MONTH)
    sales = item_sales_from_fixtures(DEMO_FIXTURES)
    commission = defaultdict(int)
    for (location, day, platform), amount in sales.commission.items():
        if LAST_MONTH[0] <= day <= LAST_MONTH[1]:
            commission[(location, platform)] += amount
    per_item, per_slice = _platform_item_sales(*LAST_MONTH)
    expected = {}
    for name, totals in items.items():
        if not totals.units or totals.food_cost is None:
            continue
        share = sum(
            (
                Fraction(amount * commission[(loc, plat)], per_slice[(loc, plat)])
                for (loc, plat, item), amount in per_item.items()
                if item == name
            ),
            Fraction(0),
        )
        fee = half_up(share.numerator, share.denominator)
        expected[name] = (totals.units, totals.gross_sales, fee, totals.food_cost)
    rows = {row["item"]: row for row in result["items"]}
    assert set(rows) == set(expected)
    total_units = sum(units for units, *_ in expected.values())
    margins = {name: gross - fee - cost for name, (_, gross, fee, cost) in expected.items()}
    popular_at = Fraction(7, 10) * total_units / len(expected)
    average = Fraction(sum(margins.values()), total_units)
    for name, (units, gross, fee, cost) in expected.items():
        row = rows[name]
        assert row["units"] == units, name
        assert row["price"] == dollars(half_up(gross, units)), name
        assert row["commission_per_unit"] == dollars(half_up(fee, units)), name
        assert row["unit_cost"] == dollars(half_up(cost, units)), name
        assert row["margin_per_unit"] == dollars(half_up(margins[name], units)), name
        assert row["total_margin"] == dollars(margins[name]), name
        popular, high = units >= popular_at, Fraction(margins[name], units) >= average
        klass = ("star" if high else "plowhorse") if popular else ("puzzle" if high else "dog")
        assert row["class"] == klass, name
    # Rows come by margin per unit, highest first.
    order = sorted(expected, key=lambda n: (-Fraction(margins[n], expected[n][0]), n))
    assert [row["item"] for row in result["items"]] == order
    assert sum(result["class_counts"].values()) == len(expected)
