"""Metrics v2 on the demo store, SQLite and PostgreSQL: two-dimensional breakdowns, weekday and hour filters,
shares, comparisons broken down and ranked by change, weekday-aligned last year, courier tips apart from the
restaurant's, canceled value net and gross, honest coverage notes and "did you mean" errors. Every number is
recomputed from the raw payloads by tests/fixture_facts.py. Today is Tuesday 24 November 2026; the demo's
data runs from Monday 31 August to Sunday 22 November 2026."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import DEMO_FIXTURES
from tests.fixture_facts import (
    WEEKDAYS,
    average_ticket,
    facts_from_fixtures,
    group,
    in_scope,
    lines,
    share,
    total,
)
from tests.fixture_oracle import dollars
from tools.result_tables import compact_tables

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
LAST_WEEK = (date(2026, 11, 16), date(2026, 11, 22))
WEEK_BEFORE = (date(2026, 11, 9), date(2026, 11, 15))
COVERED = "the data covers 2026-08-31 to 2026-11-22"
LABELS = {
    "Downtown": "Location 1 (Downtown)",
    "Harbor": "Location 2 (Harbor)",
    "Uptown": "Location 3 (Uptown)",
    "Sunset": "Location 4 (Sunset)",
}
PLATFORM_NAMES = {"uber_eats": "Uber Eats", "doordash": "DoorDash"}


@pytest.fixture(scope="module")
def orders():
    return facts_from_fixtures(DEMO_FIXTURES).orders


@pytest.fixture(scope="module")
def refunds():
    return facts_from_fixtures(DEMO_FIXTURES).refunds


def refund_totals(refunds, start: date, end: date, *, hours) -> dict:
    """The refunds block of a sales result: the refunds given on ``start``..``end`` in local ``hours``."""
    given = [r for r in refunds if start <= r.business_date <= end and r.local_hour in hours]
    return {"count": len(given), "value": dollars(sum(r.amount for r in given))}


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00–{hour:02d}:59"


def signed(cents: int) -> str:
    """A money change as the comparisons show it: "+$12.30", "-$4.00"."""
    return ("+" if cents > 0 else "") + dollars(cents)


def compact(row: dict, *labels: str) -> tuple:
    """A two-dimensional sales row: its labels, orders, net sales, average ticket and share."""
    return (
        *(row[name] for name in labels),
        row["orders"],
        row["net_sales"],
        row["average_ticket"],
        row["share_percent"],
    )


def expected_compact(groups: dict, whole: int) -> list[tuple]:
    """compact() rows from oracle groups ({(label, label): orders}), largest net sales first."""
    ranked = sorted(groups.items(), key=lambda kv: (-total(kv[1], "net"), kv[0]))
    return [
        (
            *key,
            len(rows),
            dollars(total(rows, "net")),
            dollars(average_ticket(rows)),
            share(total(rows, "net"), whole),
        )
        for key, rows in ranked
    ]


# --- Two-dimensional breakdowns -----------------------------------------------------------------------------


def test_weekday_by_hour_for_a_month_ranked_by_net_sales(call, orders):
    october = in_scope(orders, *OCTOBER)
    groups = group(october, "weekday", lambda o: hour_label(o.local_hour))
    expected = expected_compact(groups, total(october, "net"))
    top = call("sales_report", period="October 2026", group_by=["weekday", "hour"])
    assert top["group_by"] == ["weekday", "hour"]
    assert top["totals"]["net_sales"] == dollars(total(october, "net"))
    assert [compact(r, "weekday", "hour") for r in top["rows"]] == expected[:20]  # two dimensions: 20 rows
    assert top["rows"][0]["weekday"] == "Saturday" and top["rows"][0]["hour"] == "12:00–12:59"
    assert top["rows_omitted"] == len(groups) - 20
    every = call("sales_report", period="October 2026", group_by=["weekday", "hour"], limit=100)
    assert [compact(r, "weekday", "hour") for r in every["rows"]] == expected
    assert "rows_omitted" not in every


def test_location_by_channel(call, orders):
    october = in_scope(orders, *OCTOBER)
    groups = group(october, lambda o: LABELS[o.location], "channel")
    result = call("sales_report", period="last month", group_by=["location", "channel"], limit=100)
    assert result["period"]["start"] == "2026-10-01" and result["period"]["end"] == "2026-10-31"
    assert [compact(r, "location", "channel") for r in result["rows"]] == expected_compact(
        groups, total(october, "net")
    )


def test_category_by_week_ranks_item_sales(call, orders):
    october_lines = lines(in_scope(orders, *OCTOBER))
    groups = group(october_lines, "category", lambda line: f"week of {line.week.isoformat()}")
    whole = total(october_lines, "gross")
    ranked = sorted(groups.items(), key=lambda kv: (-total(kv[1], "gross"), kv[0]))
    result = call("sales_report", period="October 2026", group_by=["category", "week"], limit=100)
    assert len(ranked) == 8 * 5  # eight categories; October touches the weeks of 28 Sep … 26 Oct
    assert [
        (r["category"], r["week"], r["items_sold"], r["gross_sales"], r["share_percent"])
        for r in result["rows"]
    ] == [
        (
            cat,
            week,
            total(rows, "quantity"),
            dollars(total(rows, "gross")),
            share(total(rows, "gross"), whole),
        )
        for (cat, week), rows in ranked
    ]


def test_one_dimension_as_a_plain_string(call, orders):
    listed = call("sales_report", period="last week", group_by=["weekday"])
    plain = call("sales_report", period="last week", group_by="weekday")
    assert plain["rows"] == listed["rows"] and plain["group_by"] == ["weekday"]
    week = in_scope(orders, *LAST_WEEK)
    by_day = group(week, "weekday")
    assert [(r["weekday"], r["orders"], r["net_sales"]) for r in plain["rows"]] == [
        (day, len(by_day[day]), dollars(total(by_day[day], "net"))) for day in WEEKDAYS
    ]


# --- Calendar filters ---------------------------------------------------------------------------------------


def test_weekends_only(call, orders):
    weekends = in_scope(orders, *OCTOBER, weekdays={"Saturday", "Sunday"})
    by_day = group(weekends, "business_date")
    result = call("sales_report", period="October 2026", weekdays=["weekends"], group_by=["day"])
    assert (result["totals"]["orders"], result["totals"]["net_sales"]) == (
        len(weekends),
        dollars(total(weekends, "net")),
    )
    assert [(r["day"], r["orders"], r["net_sales"]) for r in result["rows"]] == [
        (f"{day.isoformat()} ({WEEKDAYS[day.weekday()][:3]})", len(rows), dollars(total(rows, "net")))
        for day, rows in sorted(by_day.items())
    ]
    assert len(result["rows"]) == 9  # 3, 4, 10, 11, 17, 18, 24, 25 and 31 October
    by_name = call("sales_report", period="October 2026", weekdays=["sat", "SUNDAY"])
    assert by_name["totals"] == result["totals"]


def test_lunch_hours_by_location(call, orders):
    lunch = in_scope(orders, *LAST_WEEK, hours=range(11, 14))
    result = call("sales_report", period="last week", hours="lunch", group_by=["location"])
    assert result["totals"]["orders"] == len(lunch)
    assert result["totals"]["net_sales"] == dollars(total(lunch, "net"))
    by_place = group(lunch, "location")
    assert [
        (
            r["location"],
            r["orders"],
            r["gross_sales"],
            r["discounts"],
            r["net_sales"],
            r["tax"],
            r["tips"],
            r["total_collected"],
            r["average_ticket"],
            r["share_percent"],
        )
        for r in result["rows"]
    ] == [
        (
            LABELS[name],
            len(by_place[name]),
            *(dollars(total(by_place[name], m)) for m in ("gross", "discounts", "net", "tax", "tips")),
            dollars(total(by_place[name], "total_collected")),
            dollars(average_ticket(by_place[name])),
            share(total(by_place[name], "net"), total(lunch, "net")),
        )
        for name in LABELS
    ]
    explicit = call("sales_report", period="last week", hours="11-14")
    assert explicit["totals"] == result["totals"]


def test_after_nine_pm_by_hour(call, orders, refunds):
    late = in_scope(orders, *OCTOBER, hours=range(21, 24))
    by_hour = group(late, "local_hour")
    result = call("sales_report", period="October 2026", hours="21-", group_by=["hour"])
    assert [(r["hour"], r["orders"], r["net_sales"]) for r in result["rows"]] == [
        (hour_label(h), len(by_hour[h]), dollars(total(by_hour[h], "net"))) for h in (21, 22, 23)
    ]
    assert result["totals"]["orders"] == len(late)
    assert result["totals"]["refunds"] == refund_totals(refunds, *OCTOBER, hours=range(21, 24))
    # The demo has no orders between midnight and 6 am, so late night (21–6) has the same orders; refunds
    # are given at any hour, and count in the hour they were given.
    night = call("sales_report", period="October 2026", hours="late_night")["totals"]
    assert night.pop("refunds") == refund_totals(refunds, *OCTOBER, hours=(*range(21, 24), *range(6)))
    assert night == {name: value for name, value in result["totals"].items() if name != "refunds"}


# --- Shares -------------------------------------------------------------------------------------------------


def test_shares_are_of_the_chosen_metric(call, orders):
    october = in_scope(orders, *OCTOBER)
    by_channel = group(october, "channel")
    by_orders = call("sales_report", period="October 2026", group_by=["channel"], metric="orders")
    ranked = sorted(by_channel, key=lambda c: -len(by_channel[c]))
    assert [(r["channel"], r["orders"], r["share_percent"]) for r in by_orders["rows"]] == [
        (c, len(by_channel[c]), share(len(by_channel[c]), len(october))) for c in ranked
    ]
    by_net = call("sales_report", period="October 2026", group_by=["channel"])
    ranked = sorted(by_channel, key=lambda c: -total(by_channel[c], "net"))
    assert [(r["channel"], r["net_sales"], r["share_percent"]) for r in by_net["rows"]] == [
        (c, dollars(total(by_channel[c], "net")), share(total(by_channel[c], "net"), total(october, "net")))
        for c in ranked
    ]
    # Delivery orders are a bigger share of sales than of orders: the shares really follow the metric.
    delivery = {r["channel"]: r["share_percent"] for r in by_net["rows"]}["delivery"]
    assert delivery > {r["channel"]: r["share_percent"] for r in by_orders["rows"]}["delivery"]
    assert "share_percent" in by_net["definitions"]


# --- Comparisons --------------------------------------------------------------------------------------------


def test_what_grew_most_by_category_last_week(call, orders):
    now = group(lines(in_scope(orders, *LAST_WEEK)), "category")
    then = group(lines(in_scope(orders, *WEEK_BEFORE)), "category")
    change = {c: total(now[c], "gross") - total(then[c], "gross") for c in now}
    expected = [
        {
            "category": c,
            "current": dollars(total(now[c], "gross")),
            "earlier": dollars(total(then[c], "gross")),
            "change": signed(change[c]),
            "change_percent": round(100 * change[c] / total(then[c], "gross"), 1),
        }
        for c in sorted(change, key=lambda c: -change[c])
    ]
    by_category = {"period": "last week", "compare_to": "previous_period", "group_by": ["category"]}
    result = call("compare_periods", **by_category, sort="grew_most")
    assert result["compared_with"]["start"] == "2026-11-09" and result["compared_with"]["end"] == "2026-11-15"
    net_now, net_then = (
        total(in_scope(orders, *LAST_WEEK), "net"),
        total(in_scope(orders, *WEEK_BEFORE), "net"),
    )
    assert result["change"]["net_sales"] == {
        "change": signed(net_now - net_then),
        "percent": round(100 * (net_now - net_then) / net_then, 1),
    }
    assert result["rows"] == expected
    assert result["biggest_increase"] == expected[0] and expected[0]["category"] == "Sides"
    assert result["biggest_decrease"] == expected[-1] and expected[-1]["category"] == "Bowls"
    assert call("compare_periods", **by_category, sort="dropped_most")["rows"] == expected[::-1]


def test_locations_compared_by_channel(call, orders):
    week = in_scope(orders, *LAST_WEEK)
    harbor, downtown = group(week, "location")["Harbor"], group(week, "location")["Downtown"]
    first, second = group(harbor, "channel"), group(downtown, "channel")
    result = call(
        "compare_locations", locations=["Harbor", "Downtown"], period="last week", group_by=["channel"]
    )
    rows = {r["channel"]: r for r in result["rows"]}
    assert set(rows) == set(first) | set(second)
    for channel, row in rows.items():
        a, b = total(first.get(channel, []), "net"), total(second.get(channel, []), "net")
        assert (row["Location 2 (Harbor)"], row["Location 1 (Downtown)"]) == (dollars(a), dollars(b))
        assert (row["change"], row["change_percent"]) == (
            signed(b - a),
            round(100 * (b - a) / a, 1) if a else None,
        )
    changes = [abs(total(second.get(c, []), "net") - total(first.get(c, []), "net")) for c in rows]
    assert [r["channel"] for r in result["rows"]] == [
        c for _, c in sorted(zip(changes, rows, strict=True), reverse=True)
    ]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("compare_periods", {"period": "last week"}),
        ("compare_locations", {"locations": ["Harbor", "Downtown"], "period": "last week"}),
        ("compare_locations", {"locations": ["Harbor", "Downtown"], "group_by": ["channel"]}),
    ],
)
def test_comparisons_reach_the_model_as_json(call, tool, arguments):
    """Percent changes are plain numbers on both backends (PostgreSQL's sums are Decimals): the model's JSON
    reads back as the content with its rows as tables (tools/result_tables.py)."""
    result = call.registry.call(tool, arguments, call.context)
    assert result.ok, result.error
    assert json.loads(result.to_json()) == compact_tables(result.content)


@pytest.mark.parametrize(
    ("compare_to", "start", "end", "label"),
    [
        ("same_weekdays_last_year", "2025-11-17", "2025-11-23", "same weekdays 52 weeks earlier"),
        ("same_period_last_year", "2025-11-16", "2025-11-22", "same calendar dates a year earlier"),
    ],
)
def test_last_year_without_data_gives_no_change(call, orders, compare_to, start, end, label):
    week = in_scope(orders, *LAST_WEEK)
    result = call("compare_periods", period="last week", compare_to=compare_to, group_by=["category"])
    assert (result["compared_with"]["start"], result["compared_with"]["end"]) == (start, end)
    assert result["compared_with"]["label"].startswith(label)
    assert COVERED in result["earlier_note"]
    assert result["current"]["net_sales"] == dollars(total(week, "net"))
    assert result["earlier"] is None and result["change"] is None  # no change "from nothing"
    by_category = group(lines(week), "category")
    assert {r["category"]: r["current"] for r in result["rows"]} == {
        category: dollars(total(rows, "gross")) for category, rows in by_category.items()
    }
    assert all((r["earlier"], r["change"], r["change_percent"]) == (None, None, None) for r in result["rows"])
    assert result["biggest_increase"] is None and result["biggest_decrease"] is None


@pytest.mark.parametrize("period", ["October 2026", "last week", "2026-11-21", "2026-09-01..2026-11-22"])
def test_same_weekdays_last_year_is_364_days_back(call, period):
    result = call("compare_periods", period=period, compare_to="same_weekdays_last_year")
    start, end = (date.fromisoformat(result["period"][k]) for k in ("start", "end"))
    earlier = tuple(date.fromisoformat(result["compared_with"][k]) for k in ("start", "end"))
    assert earlier == (start - timedelta(days=364), end - timedelta(days=364))
    assert earlier[0].weekday() == start.weekday()


# --- Definitions: tips, delivery, canceled value ------------------------------------------------------------


def test_courier_tips_are_kept_out_of_tips(call, orders):
    week = in_scope(orders, *LAST_WEEK)
    result = call("sales_report", period="last week")
    assert result["totals"]["tips"] == dollars(total(week, "tips"))
    assert result["totals"]["courier_tips"] == dollars(total(week, "courier_tips"))
    assert total(week, "courier_tips") > 0
    assert {"tips", "courier_tips"} <= set(result["definitions"])
    uber = in_scope(orders, *LAST_WEEK, platforms={"uber_eats"})
    filtered = call("sales_report", period="last week", platforms=["uber_eats"])
    assert (filtered["totals"]["tips"], filtered["totals"]["courier_tips"]) == (
        dollars(total(uber, "tips")),
        dollars(total(uber, "courier_tips")),
    )


def test_canceled_value_net_and_gross_in_the_sales_totals(call, orders):
    canceled = in_scope(orders, *OCTOBER, status="canceled")
    result = call("sales_report", period="October 2026")
    assert result["totals"]["canceled"] == {
        "orders": len(canceled),
        "net_value": dollars(total(canceled, "net")),
        "gross_value": dollars(total(canceled, "gross")),
    }
    assert total(canceled, "discounts") > 0  # the two bases differ in the demo


def test_delivery_report_per_platform(call, orders):
    result = call("delivery_report", period="October 2026")
    by_name = {p["platform"]: p for p in result["platforms"]}
    assert set(by_name) == {"Uber Eats", "DoorDash"}
    for platform, name in PLATFORM_NAMES.items():
        sold = in_scope(orders, *OCTOBER, platforms={platform})
        canceled = in_scope(orders, *OCTOBER, platforms={platform}, status="canceled")
        row = by_name[name]
        assert row["orders"] == len(sold)
        assert row["delivered_orders"] == sum(o.channel == "delivery" for o in sold)
        assert row["pickup_orders"] == sum(o.channel == "pickup" for o in sold)
        assert row["delivered_orders"] + row["pickup_orders"] == row["orders"]
        assert row["net_sales"] == dollars(total(sold, "net"))
        assert row["average_ticket"] == dollars(average_ticket(sold))
        assert row["courier_tips"] == dollars(total(sold, "courier_tips"))
        assert row["estimated_commission"] == dollars(total(sold, "commission"))
        assert row["canceled"] == {
            "orders": len(canceled),
            "net_value": dollars(total(canceled, "net")),
            "gross_value": dollars(total(canceled, "gross")),
        }


DINNER = range(17, 21)


def test_delivery_report_at_dinner_per_platform(call, orders):
    """Read from the hourly rollup split by channel and platform summed over the locations."""
    result = call("delivery_report", period="October 2026", hours="dinner")
    all_net = total(in_scope(orders, *OCTOBER, hours=DINNER), "net")
    by_name = {p["platform"]: p for p in result["platforms"]}
    assert set(by_name) == {"Uber Eats", "DoorDash"}
    for platform, name in PLATFORM_NAMES.items():
        sold = in_scope(orders, *OCTOBER, hours=DINNER, platforms={platform})
        canceled = in_scope(orders, *OCTOBER, hours=DINNER, platforms={platform}, status="canceled")
        row = by_name[name]
        assert (row["orders"], row["delivered_orders"], row["pickup_orders"]) == (
            len(sold),
            sum(o.channel == "delivery" for o in sold),
            sum(o.channel == "pickup" for o in sold),
        )
        assert row["net_sales"] == dollars(total(sold, "net"))
        assert row["average_ticket"] == dollars(average_ticket(sold))
        assert row["courier_tips"] == dollars(total(sold, "courier_tips"))
        assert row["estimated_commission"] == dollars(total(sold, "commission"))
        assert row["share_of_all_net_sales_percent"] == share(total(sold, "net"), all_net)
        assert row["canceled"] == {
            "orders": len(canceled),
            "net_value": dollars(total(canceled, "net")),
            "gross_value": dollars(total(canceled, "gross")),
        }
    everything = in_scope(orders, *OCTOBER, hours=DINNER, platforms=set(PLATFORM_NAMES))
    assert result["all_platforms"]["orders"] == len(everything)
    assert result["all_platforms"]["net_sales"] == dollars(total(everything, "net"))


def test_the_whole_business_by_channel_within_some_hours(call, orders):
    late = range(21, 24)
    by_channel = group(in_scope(orders, *OCTOBER, hours=late), "channel")
    result = call("sales_report", period="October 2026", hours="21-", group_by=["channel"])
    assert {r["channel"]: (r["orders"], r["net_sales"]) for r in result["rows"]} == {
        channel: (len(sold), dollars(total(sold, "net"))) for channel, sold in by_channel.items()
    }
    delivered = in_scope(orders, *OCTOBER, hours=DINNER, channels={"delivery"})
    dinner = call("sales_report", period="October 2026", hours="dinner", channels=["delivery"])
    assert (dinner["totals"]["orders"], dinner["totals"]["net_sales"]) == (
        len(delivered),
        dollars(total(delivered, "net")),
    )


# --- Honest coverage ----------------------------------------------------------------------------------------


def test_a_period_starting_before_the_data_says_what_it_covers(call, orders):
    result = call("sales_report", start_date="2026-08-24", end_date="2026-09-06")
    assert result["data_note"].endswith(COVERED)
    covered = in_scope(orders, date(2026, 8, 24), date(2026, 9, 6))
    assert (result["totals"]["orders"], result["totals"]["net_sales"]) == (
        len(covered),
        dollars(total(covered, "net")),
    )
    assert "data_note" not in call("sales_report", period="October 2026")
    compared = call("compare_periods", start_date="2026-09-01", end_date="2026-09-10")
    assert compared["compared_with"]["start"] == "2026-08-22"
    assert "data_note" not in compared and compared["earlier_data_note"].endswith(COVERED)


def test_a_period_wholly_outside_the_data_passes_no_zeros_off(call):
    result = call("sales_report", period="2025-11-16..2025-11-22", group_by=["weekday", "hour"])
    assert result["data_note"].endswith(COVERED)
    assert result["note"].startswith("no orders in ") and result["note"].endswith(COVERED)
    assert not result.get("rows")
    delivery = call("delivery_report", period="2025-11-16..2025-11-22")
    assert delivery["data_note"].endswith(COVERED) and COVERED in delivery["note"]
    assert "all_platforms" not in delivery
    items = call("top_items", period="2025-11-16..2025-11-22")
    assert items["data_note"].endswith(COVERED)


# --- Did you mean -------------------------------------------------------------------------------------------


def test_a_misspelt_location_gets_the_closest_match(call):
    wrong = call.registry.call("sales_report", {"locations": ["Downtwn"]}, call.context)
    assert not wrong.ok
    assert "Downtown" in wrong.error.partition("did you mean")[2]


def test_a_misspelt_category_gets_the_closest_match(call):
    wrong = call.registry.call("top_items", {"category": "Burgrs", "period": "last week"}, call.context)
    assert not wrong.ok
    assert "Burgers" in wrong.error.partition("did you mean")[2]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("sales_report", {"group_by": ["location"]}),
        ("top_items", {"direction": "bottom"}),
        ("top_items", {"per_location": True}),
        ("compare_periods", {"group_by": ["category"]}),
        ("compare_locations", {"locations": ["1", "2"]}),
        ("delivery_report", {}),
        ("refunds_and_discounts", {}),
    ],
)
def test_no_tool_passes_zeros_off_for_a_period_without_data(call, tool, arguments):
    result = call(tool, period="2025-11-16..2025-11-22", **arguments)
    text = json.dumps(result)
    assert "$0.00" not in text and '"orders": 0' not in text
    assert result["data_note"].endswith(COVERED)


# --- Items, payments, day parts -----------------------------------------------------------------------------


def test_one_menu_item_by_day(call, orders):
    result = call("sales_report", period="last week", items=["classic burger"], group_by="day")
    sold = [line for line in lines(in_scope(orders, *LAST_WEEK)) if line.item == "Classic Burger"]
    assert result["items"] == ["Classic Burger"]
    assert result["item_totals"] == {
        "items_sold": total(sold, "quantity"),
        "gross_sales": dollars(total(sold, "gross")),
        "orders": len({line.order.order_id for line in sold}),
    }
    by_day = group(sold, lambda line: line.order.business_date)
    assert [(r["day"][:10], r["items_sold"], r["gross_sales"]) for r in result["rows"]] == [
        (day.isoformat(), total(rows, "quantity"), dollars(total(rows, "gross")))
        for day, rows in sorted(by_day.items())
    ]


def test_the_best_sellers_at_dinner_on_saturdays(call, orders):
    result = call("top_items", period="October", weekdays="Saturday", hours="dinner", by="revenue", limit=3)
    chosen = in_scope(orders, *OCTOBER, weekdays=["Saturday"], hours=range(17, 21))
    revenue = {item: total(rows, "gross") for item, rows in group(lines(chosen), "item").items()}
    best = sorted(revenue.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [(i["item"], i["revenue"]) for i in result["items"]] == [(n, dollars(v)) for n, v in best]
    assert result["hours"] == "dinner (17:00–20:59), local time"


def test_items_by_hour_at_lunch_read_the_hourly_item_rollup(call, orders):
    result = call("sales_report", period="last week", group_by=["item", "hour"], hours="lunch", limit=5)
    chosen = lines(in_scope(orders, *LAST_WEEK, hours=range(11, 14)))
    cells = {
        key: total(rows, "gross")
        for key, rows in group(chosen, "item", lambda line: line.order.local_hour).items()
    }
    whole = sum(cells.values())
    best = sorted(cells.items(), key=lambda kv: (-kv[1], str(kv[0])))[:5]
    assert [(r["item"], r["hour"], r["gross_sales"], r["share_percent"]) for r in result["rows"]] == [
        (item, hour_label(hour), dollars(value), share(value, whole)) for (item, hour), value in best
    ]


def test_day_parts_by_location(call, orders):
    result = call(
        "sales_report", period="last week", group_by=["day_part", "location"], sort="natural", limit=100
    )
    parts = {
        "breakfast": range(6, 11),
        "lunch": range(11, 14),
        "afternoon": range(14, 17),
        "dinner": range(17, 21),
    }

    def part_of(order) -> str:
        return next((name for name, hours in parts.items() if order.local_hour in hours), "late_night")

    chosen = in_scope(orders, *LAST_WEEK)
    groups = group(chosen, part_of, "location")
    order = ["breakfast", "lunch", "afternoon", "dinner", "late_night"]
    expected = [
        (part, LABELS[name], len(rows), dollars(total(rows, "net")))
        for (part, name), rows in sorted(
            groups.items(), key=lambda kv: (order.index(kv[0][0]), list(LABELS).index(kv[0][1]))
        )
    ]
    assert [
        (r["day_part"].split(" ")[0], r["location"], r["orders"], r["net_sales"]) for r in result["rows"]
    ] == expected


def test_payment_methods_read_the_payments_rollup_and_agree_with_the_payments(call):
    whole_day = call("sales_report", period="October", group_by=["payment_method", "location"], limit=100)
    from_payments = call(
        "sales_report", period="October", group_by=["payment_method", "location"], hours="0-24", limit=100
    )
    assert whole_day["rows"] == from_payments["rows"] and len(whole_day["rows"]) >= 8
