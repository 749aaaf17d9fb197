"""The per-order fact oracle agrees with the older day-level oracle, and the demo has the properties its rules
rely on (tax-exclusive prices, the channels it derives)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from tests.conftest import DEMO_FIXTURES
from tests.fixture_facts import facts_from_fixtures, group, lines, total
from tests.fixture_oracle import (
    expected_from_fixtures,
    final_deliverect_bodies,
    gz_lines,
    half_up,
    item_sales_from_fixtures,
    unit_total,
)


@pytest.fixture(scope="module")
def facts():
    return facts_from_fixtures(DEMO_FIXTURES)


@pytest.fixture(scope="module")
def expected():
    return expected_from_fixtures(DEMO_FIXTURES)


@pytest.fixture(scope="module")
def counted(facts):
    return [order for order in facts.orders if order.counted]


def test_daily_totals_agree_with_the_day_oracle(counted, expected):
    mine = {
        key: (len(day), total(day, "gross"), total(day, "discounts"), total(day, "net"), total(day, "tax"))
        for key, day in group(counted, "location", "business_date").items()
    }
    assert mine == {key: (d.orders, d.gross, d.discounts, d.net, d.tax) for key, d in expected.days.items()}
    tips = {key: total(day, "tips") for key, day in group(counted, "location", "business_date").items()}
    assert tips == {key: d.tips for key, d in expected.days.items()}


def test_stored_orders_copies_and_cancellations_agree(facts, expected):
    sources = Counter(order.source for order in facts.orders)
    assert (sources["square"], sources["deliverect"]) == (expected.square_stored, expected.deliverect_stored)
    assert sum(order.pos_copy for order in facts.orders) == expected.pos_copies
    assert sum(len(order.items) for order in facts.orders) == expected.line_items
    canceled = Counter(o.platform for o in facts.orders if o.status == "canceled" and o.platform)
    assert canceled == expected.canceled_by_platform
    assert (facts.first_day.isoformat(), facts.last_day.isoformat()) == ("2026-08-31", "2026-11-22")


def test_items_refunds_and_commission_agree_with_the_item_oracle(facts, counted):
    expected = item_sales_from_fixtures(DEMO_FIXTURES)
    units, revenue = defaultdict(Counter), defaultdict(Counter)
    for line in lines(counted):
        key = (line.order.location, line.order.business_date)
        units[key][line.item] += line.quantity
        revenue[key][line.item] += line.gross
    assert (dict(units), dict(revenue)) == (dict(expected.units), dict(expected.revenue))
    mine = sorted((r.location, r.business_date, r.amount, r.reason) for r in facts.refunds)
    assert mine == sorted(expected.refunds)
    commission = defaultdict(int)
    for order in counted:
        if order.platform:
            commission[(order.location, order.business_date, order.platform)] += order.commission
    assert commission == expected.commission


def test_the_demo_prices_exclude_tax():
    """Net = gross − discounts holds only if no price includes tax: Square's taxes are all ADDITIVE, and each
    Deliverect payment is the items after discounts plus delivery, tips and the tax on top."""
    for page in gz_lines(DEMO_FIXTURES / "square" / "orders.jsonl.gz"):
        assert {tax["type"] for order in page["orders"] for tax in order["taxes"]} == {"ADDITIVE"}
    for body in final_deliverect_bodies(DEMO_FIXTURES).values():
        gross = sum(item["quantity"] * unit_total(item) for item in body["items"])
        extras = (
            body["deliveryCost"] + body["serviceCharge"] + body["bagFee"] + body["tip"] + body["driverTip"]
        )
        tax = sum(t["total"] for t in body["taxes"])
        assert body["payment"]["amount"] == gross + body["discountTotal"] + extras + tax, body["_id"]


def test_channels_of_counted_orders(counted):
    assert Counter((o.source, o.channel, o.platform) for o in counted) == {
        ("square", "in_store", None): 20667,
        ("square", "online", None): 2752,
        ("deliverect", "delivery", "uber_eats"): 4650,
        ("deliverect", "delivery", "doordash"): 3844,
        ("deliverect", "pickup", "uber_eats"): 816,
        ("deliverect", "pickup", "doordash"): 664,
    }


def test_commission_rounds_half_up_per_order(counted):
    assert [half_up(n, 100) for n in (50, 150, 250, -50, 49, 0)] == [1, 2, 3, -1, 0, 0]
    sunset_uber = next(o for o in counted if o.location == "Sunset" and o.platform == "uber_eats")
    assert sunset_uber.commission == half_up(sunset_uber.net * 25, 100)  # Sunset's own Uber Eats rate
    downtown_dash = next(o for o in counted if o.location == "Downtown" and o.platform == "doordash")
    assert downtown_dash.commission == half_up(downtown_dash.net * 25, 100)
    assert all(o.commission == 0 for o in counted if o.platform is None)
