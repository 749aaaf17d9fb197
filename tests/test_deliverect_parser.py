"""Deliverect order bodies → normalized records: the official example, pricing rules and statuses."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import SAMPLES
from tests.payloads import NY_DELIVERECT, deliverect_order
from tools.currencies import LocationCurrencies
from tools.sources.deliverect.parser import parse_order
from tools.sources.records import CANCELED, COMPLETED, DELIVERY, FAILED, IN_STORE, PICKUP, PayloadError


def official_example() -> dict:
    """Deliverect's documented example order, with the webhook's envelope fields filled in."""
    body = json.loads((SAMPLES / "deliverect_channel_api_create_order_request_docs_example.json").read_text())
    for key in ("pickupTime", "deliveryTime", "placedTime"):
        body[key] = "2026-10-01T18:30:00.000000Z"
    body.update(
        _id="6655bf36f231f2d853bca910",
        _created="2026-10-01T18:05:00.123456Z",
        status=1,
        channel=7,
        location="61aaaaaaaaaaaaaaaaaaaab4",
    )
    return body


def test_official_example_totals_reconcile_with_the_payment():
    record = parse_order(official_example())
    # 450 for the sate + 450 white rice sub-item + 2 × 50 sauce under it, all per unit of one item.
    assert record.gross_sales == 1000
    assert (record.discounts, record.tax, record.delivery_fee, record.service_charge, record.tips) == (
        100,
        77,
        300,
        400,
        200,
    )
    # 1800 paid = 1000 - 100 + 300 + 400 + 200: the 77 tax was inside the prices.
    assert record.prices_include_tax
    assert record.net_sales == 1000 - 100 - 77
    assert record.total_collected == 1800
    assert (record.channel, record.order_type, record.platform) == (PICKUP, "pickup", "uber_eats")
    assert record.display_id == "T**629"
    (line,) = record.line_items
    assert (line.item_name, line.sku, line.unit_price, line.modifiers_total, line.gross_sales) == (
        "Chicken Sate",
        "P-SATE",
        450,
        550,
        1000,
    )
    assert [(m.name, m.quantity, m.unit_price, m.total_price) for m in line.modifiers] == [
        ("White Rice", 1, 450, 450),
        ("Sate Sauce", 2, 50, 100),
    ]
    assert [(d.name, d.kind, d.provider, d.amount) for d in record.discount_lines] == [
        ("Test discount", "order_flat_off", "channel", 100),
    ]
    assert [(p.method, p.amount, p.tip) for p in record.payments] == [("platform", 1800, 200)]


def test_us_style_tax_is_added_on_top_of_prices():
    record = parse_order(deliverect_order("A1", "2026-10-01T18:05:00Z", tax=89, delivery_cost=299, tip=300))
    assert not record.prices_include_tax
    assert (record.gross_sales, record.net_sales, record.tax, record.total_collected) == (500, 500, 89, 1188)


def test_sub_items_are_priced_per_unit_of_their_parent_at_any_depth():
    items = [
        {
            "plu": "B",
            "name": "Burger",
            "price": 1000,
            "quantity": 2,
            "subItems": [
                {
                    "plu": "C",
                    "name": "Cheese",
                    "price": 100,
                    "quantity": 1,
                    "subItems": [{"plu": "X", "name": "Extra", "price": 25, "quantity": 2}],
                }
            ],
        }
    ]
    record = parse_order(deliverect_order("A1", "2026-10-01T18:05:00Z", items=items))
    (line,) = record.line_items
    assert line.gross_sales == 2 * (1000 + 1 * (100 + 2 * 25)) == 2300
    assert [(m.name, m.quantity, m.total_price) for m in line.modifiers] == [
        ("Cheese", 2, 200),
        ("Extra", 4, 100),
    ]


@pytest.mark.parametrize(("digits", "price", "minor"), [(2, 1234, 1234), (3, 12345, 1235), (0, 12, 1200)])
def test_decimal_digits_convert_to_minor_units(digits, price, minor):
    body = deliverect_order(
        "A1", "2026-10-01T18:05:00Z", items=[{"plu": "P", "name": "P", "price": price, "quantity": 1}]
    )
    body["decimalDigits"] = digits
    body["payment"]["amount"] = price
    record = parse_order(body)
    assert record.gross_sales == minor == record.total_collected


@pytest.mark.parametrize(
    ("currency", "minor"),
    [("JPY", 1200), ("KWD", 1_200_000), ("USD", 120000), (None, 120000)],
)
def test_amounts_are_in_the_minor_units_of_the_location_currency(currency, minor):
    """1,200.00 sent with decimalDigits 2 is 1,200 yen, or 1,200,000 fils (a Kuwaiti dinar has 1,000)."""
    body = deliverect_order(
        "A1", "2026-10-01T18:05:00Z", items=[{"plu": "R", "name": "Ramen", "price": 120000, "quantity": 1}]
    )
    body["payment"]["amount"] = 120000
    currencies = LocationCurrencies(by_deliverect_location={NY_DELIVERECT: currency} if currency else {})
    record = parse_order(body, currencies)
    assert (record.gross_sales, record.total_collected, record.currency) == (minor, minor, currency)


@pytest.mark.parametrize(
    ("status", "normalized"),
    [
        (1, COMPLETED),
        (20, COMPLETED),
        (90, COMPLETED),
        (100, CANCELED),
        (110, CANCELED),
        (35, FAILED),
        (120, FAILED),
    ],
)
def test_statuses_map_to_normalized_ones(status, normalized):
    record = parse_order(
        deliverect_order("A1", "2026-10-01T18:05:00Z", status=status, updated_at="2026-10-01T18:15:00Z")
    )
    assert record.status == normalized
    assert (record.canceled_at is not None) == (normalized == CANCELED)


@pytest.mark.parametrize(
    ("channel", "platform"),
    [(7, "uber_eats"), (2, "deliveroo"), (12, "doordash"), (9, "just_eat"), (9999, "channel_9999")],
)
def test_channel_codes_map_to_platforms_and_unknown_codes_are_kept(channel, platform):
    assert parse_order(deliverect_order("A1", "2026-10-01T18:05:00Z", channel=channel)).platform == platform


@pytest.mark.parametrize(("order_type", "channel"), [(1, PICKUP), (2, DELIVERY), (3, IN_STORE), (4, PICKUP)])
def test_order_types_map_to_channels(order_type, channel):
    assert (
        parse_order(deliverect_order("A1", "2026-10-01T18:05:00Z", order_type=order_type)).channel == channel
    )


def test_the_positive_discount_amount_is_stored():
    record = parse_order(deliverect_order("A1", "2026-10-01T18:05:00Z", discount=150))
    assert record.discounts == 150
    assert record.net_sales == 350


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.pop("_id"), "order._id is missing"),
        (lambda b: b.pop("channel"), "order A1.channel is missing"),
        (lambda b: b.update(orderType=7), "order A1.orderType 7 is not one of 1, 2, 3, 4"),
        (lambda b: b.update(location="", posLocationId=""), "order A1 names no location"),
        (lambda b: b["items"][0].update(price="cheap"), "order A1.items[0].price must be an integer"),
        (
            lambda b: b.update(_created="2026-13-01T00:00:00Z"),
            "order A1._created must be an RFC 3339 timestamp",
        ),
        (lambda b: b.update(decimalDigits=9), "order A1.decimalDigits must be between 0 and 6"),
    ],
)
def test_malformed_bodies_raise_errors_naming_the_field(mutate, message):
    body = deliverect_order("A1", "2026-10-01T18:05:00Z")
    mutate(body)
    with pytest.raises(PayloadError, match="^" + re.escape(message)):
        parse_order(body)
