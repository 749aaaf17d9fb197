"""The analytics tools answer owners' questions with numbers recomputed from the raw fixtures, on SQLite and
PostgreSQL. Today is fixed at Tuesday 24 November 2026; the demo's data runs to Sunday 22 November."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from tests.conftest import DEMO_FIXTURES
from tests.fixture_oracle import dollars, expected_from_fixtures, item_sales_from_fixtures, sums

TODAY = date(2026, 11, 24)
LAST_SATURDAY = date(2026, 11, 21)
LOCATIONS = ("Downtown", "Harbor", "Uptown", "Sunset")


@pytest.fixture(scope="module")
def days():
    return expected_from_fixtures(DEMO_FIXTURES).days


@pytest.fixture(scope="module")
def items():
    return item_sales_from_fixtures(DEMO_FIXTURES)


def test_top_selling_item_last_saturday_at_each_location(call, items):
    result = call("top_items", period="last Saturday", per_location=True, limit=1)
    assert result["period"]["start"] == result["period"]["end"] == "2026-11-21"
    for entry, name in zip(result["by_location"], LOCATIONS, strict=True):
        units = items.units[(name, LAST_SATURDAY)]
        best = max(units.values())
        assert [i["item"] for i in entry["items"]] == sorted(item for item, n in units.items() if n == best)
        assert all(i["units_sold"] == best and i["rank"] == 1 for i in entry["items"])


def test_top_items_by_revenue_keep_ties_and_ranks(call, items):
    result = call("top_items", period="last week", by="revenue", limit=5)
    week = Counter()
    for offset in range(7):
        for name in LOCATIONS:
            week.update(items.revenue[(name, date(2026, 11, 16) + timedelta(days=offset))])
    expected = sorted(week.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert [(i["item"], i["revenue"]) for i in result["items"]] == [(n, dollars(v)) for n, v in expected]
    assert [i["rank"] for i in result["items"]] == [1, 2, 3, 4, 5]


def test_location_3_versus_location_1_this_month(call, days):
    result = call("compare_locations", locations=["Location 3", "Location 1"], period="this month")
    assert result["period"] == {
        "start": "2026-11-01",
        "end": "2026-11-24",
        "days": 24,
        "label": result["period"]["label"],
    }
    uptown, downtown = result["locations_compared"]
    assert uptown["location"] == "Location 3 (Uptown)" and downtown["location"] == "Location 1 (Downtown)"
    up_orders, up_net = sums(days, {"Uptown"}, date(2026, 11, 1), TODAY)
    down_orders, down_net = sums(days, {"Downtown"}, date(2026, 11, 1), TODAY)
    assert (uptown["orders"], uptown["net_sales"]) == (up_orders, dollars(up_net))
    assert (downtown["orders"], downtown["net_sales"]) == (down_orders, dollars(down_net))
    change = downtown["versus Location 3 (Uptown)"]["net_sales"]
    assert change == {
        "change": "+" + dollars(down_net - up_net),
        "percent": round(100 * (down_net - up_net) / up_net, 1),
    }


def test_sales_report_last_week_by_day_matches_the_fixtures(call, days):
    result = call("sales_report", period="last week", group_by="day")
    orders, net = sums(days, set(LOCATIONS), date(2026, 11, 16), date(2026, 11, 22))
    assert (result["totals"]["orders"], result["totals"]["net_sales"]) == (orders, dollars(net))
    assert result["timezone"] == ["America/Los_Angeles", "America/New_York"]
    assert result["currency"] == "USD"
    assert len(result["rows"]) == 7
    for row, offset in zip(result["rows"], range(7), strict=True):
        day = date(2026, 11, 16) + timedelta(days=offset)
        day_orders, day_net = sums(days, set(LOCATIONS), day, day)
        assert row["day"].startswith(day.isoformat())
        assert (row["orders"], row["net_sales"]) == (day_orders, dollars(day_net))


def test_period_over_period_change(call, days):
    result = call("compare_periods", period="last week", compare_to="previous_period", locations=["Sunset"])
    assert result["compared_with"]["start"] == "2026-11-09" and result["compared_with"]["end"] == "2026-11-15"
    now_orders, now_net = sums(days, {"Sunset"}, date(2026, 11, 16), date(2026, 11, 22))
    then_orders, then_net = sums(days, {"Sunset"}, date(2026, 11, 9), date(2026, 11, 15))
    assert result["current"]["net_sales"] == dollars(now_net)
    assert result["earlier"]["net_sales"] == dollars(then_net)
    assert result["change"]["orders"] == {
        "change": now_orders - then_orders,
        "percent": round(100 * (now_orders - then_orders) / then_orders, 1),
    }


def test_uber_eats_commission_in_october(call, items):
    result = call("delivery_report", period="October 2026", platforms=["uber_eats"])
    (uber,) = result["platforms"]
    expected = sum(
        v for (_, day, platform), v in items.commission.items() if platform == "uber_eats" and day.month == 10
    )
    assert uber["platform"] == "Uber Eats"
    assert uber["estimated_commission"] == dollars(expected)
    assert "per order" in result["definitions"]["estimated_commission"]


def test_refunds_count_on_their_own_day(call, items):
    result = call("refunds_and_discounts", period="October 2026", limit=20)
    october = [r for r in items.refunds if r[1].month == 10]
    assert result["refunds"]["count"] == len(october)
    assert result["refunds"]["value"] == dollars(sum(r[2] for r in october))
    reasons = Counter(r[3] for r in october)
    assert {r["reason"]: r["count"] for r in result["refunds"]["top_reasons"]} == dict(reasons)


def test_a_day_without_orders_says_so_and_gives_the_data_range(call):
    result = call("sales_report", period="2026-12-25")
    assert result["totals"] is None  # outside the data: no zeros
    label = result["period"]["label"]
    assert result["note"] == f"no orders in {label}; the data covers 2026-08-31 to 2026-11-22"


def test_bad_arguments_come_back_as_correctable_errors(call):
    registry, context = call.registry, call.context
    unknown = registry.call("sales_report", {"locations": ["Downtwn"]}, context)
    assert not unknown.ok
    assert unknown.error == (
        "unknown location 'Downtwn' — did you mean Downtown? known: 1 Downtown, 2 Harbor, 3 Uptown, 4 Sunset"
    )
    backwards = registry.call("sales_report", {"start_date": "2026-11-10", "end_date": "2026-11-01"}, context)
    assert not backwards.ok and "before" in backwards.error


def test_business_info_lists_locations_and_menu(call):
    result = call("business_info")
    assert result["today"] == "2026-11-24" and result["today_weekday"] == "Tuesday"
    assert [(loc["number"], loc["name"], loc["timezone"]) for loc in result["locations"]] == [
        (1, "Downtown", "America/New_York"),
        (2, "Harbor", "America/New_York"),
        (3, "Uptown", "America/New_York"),
        (4, "Sunset", "America/Los_Angeles"),
    ]
    assert result["locations"][0]["data_from"] == "2026-08-31"
    assert "Classic Burger" in result["menu_categories"]["Burgers"]


def test_every_tool_and_parameter_is_described(call):
    for tool in call.registry.tools():
        assert tool.description.strip(), tool.name
        for name, schema in tool.input_schema["properties"].items():
            assert schema.get("description"), f"{tool.name}.{name}"


def test_the_tools_connection_cannot_write(call):
    with pytest.raises((OperationalError, DBAPIError)), call.context.engine.begin() as conn:
        conn.execute(text("DELETE FROM orders"))


def test_order_details_by_id_and_by_repeating_display_id(call):
    import gzip
    import json

    with gzip.open(DEMO_FIXTURES / "square" / "orders.jsonl.gz", "rt") as handle:
        page = json.loads(handle.readline())
    order = next(o for o in page["orders"] if o.get("refunds") or o is page["orders"][-1])
    result = call("order_details", order_id=order["id"])
    assert result["order_id"] == order["id"]
    gross = sum(line["gross_sales_money"]["amount"] for line in order["line_items"])
    assert result["gross_sales"] == dollars(gross)
    assert [i["item"] for i in result["items"]] == [line["name"] for line in order["line_items"]]
    ambiguous = call.registry.call("order_details", {"order_id": "#101"}, call.context)
    assert not ambiguous.ok
    assert ambiguous.error.startswith(
        "more than 10 orders have display id '#101' — give on_date and location"
    )
    one = call("order_details", order_id="#101", on_date="2026-11-02", location="Harbor")
    assert (one["display_id"], one["business_date"], one["location"]) == (
        "#101",
        "2026-11-02",
        "Location 2 (Harbor)",
    )


def test_an_order_id_with_a_day_and_location_is_found_only_on_its_own(call):
    """The day and location narrow an order id's match as they do a display id's."""
    whole = call("order_details", order_id="#101", on_date="2026-11-02", location="Harbor")
    same = call("order_details", order_id=whole["order_id"], on_date="2026-11-02", location="Harbor")
    assert same == whole
    for on_date, location in (("2026-11-03", "Harbor"), ("2026-11-02", "Downtown")):
        missed = call.registry.call(
            "order_details",
            {"order_id": whole["order_id"], "on_date": on_date, "location": location},
            call.context,
        )
        assert missed.error == f"no order with id or display id {whole['order_id']!r} on {on_date}"
    on_the_day = call.registry.call(
        "order_details", {"order_id": "#101", "on_date": "2026-11-02"}, call.context
    )
    assert on_the_day.error.startswith("4 orders have display id '#101' — give on_date and location")
