"""Square payloads → normalized records: the official samples and the error messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import SAMPLES
from tests.payloads import square_order
from tools.sources.records import CANCELED, COMPLETED, DELIVERY, IN_STORE, ONLINE, OPEN, PICKUP, PayloadError
from tools.sources.square import parser as square_parser


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def test_official_order_with_modifiers_discounts_and_taxes_parses_to_its_totals():
    record = square_parser.parse_order(
        sample("square_create_order_response_modifiers_discounts_taxes.json")["order"]
    )
    assert (record.gross_sales, record.discounts, record.net_sales, record.tax, record.tips) == (
        6099,
        433,
        5666,
        510,
        0,
    )
    assert record.total_collected == 6176 == record.net_sales + record.tax + record.tips
    assert record.status == OPEN and record.raw_status == "OPEN"
    assert record.currency == "USD"
    assert record.display_id == "my-order-001"
    steak, big_steak = record.line_items
    assert (steak.item_name, steak.quantity, steak.gross_sales, steak.discounts, steak.tax) == (
        "New York Strip Steak",
        1,
        1599,
        87,
        136,
    )
    assert (big_steak.variation_name, big_steak.quantity, big_steak.unit_price) == ("Larger", 2, 2200)
    assert (big_steak.gross_sales, big_steak.modifiers_total, big_steak.net_sales) == (4500, 100, 4154)
    assert [(m.name, m.unit_price, m.total_price) for m in big_steak.modifiers] == [("Well", 50, 100)]
    assert [(d.name, d.amount) for d in record.discount_lines] == [
        ("Membership Discount", 30),
        ("Labor Day Sale", 303),
        ("Sale - $1.00 off", 100),
    ]
    assert sum(line.discounts for line in record.line_items) == record.discounts


def test_official_order_paid_with_two_tenders():
    record = square_parser.parse_order(sample("square_pay_order_response_tenders.json")["order"])
    assert record.status == COMPLETED
    assert record.closed_at == datetime(2019, 8, 6, 2, 47, 37, 140000, tzinfo=UTC)
    assert (record.gross_sales, record.total_collected) == (2000, 2000)
    assert [(p.method, p.card_brand, p.amount, p.status) for p in record.payments] == [
        ("card", "VISA", 1000, "captured"),
        ("card", "VISA", 1000, "captured"),
    ]
    assert [line.quantity for line in record.line_items] == [1, 2]


def test_official_locations_keep_their_timezones_and_currency():
    locations = square_parser.parse_locations_response(sample("square_list_locations_response.json"))
    assert [(loc.name, loc.timezone, loc.currency) for loc in locations] == [
        ("Grant Park", "America/Los_Angeles", "USD"),
        ("Midtown", "America/New_York", "USD"),
    ]
    assert locations[0].address == "123 Main St, San Francisco, CA, 94114"


@pytest.mark.parametrize(
    ("extra", "channel", "order_type", "injected_by"),
    [
        ({}, IN_STORE, "in_store", None),
        ({"fulfillments": [{"type": "PICKUP"}]}, PICKUP, "pickup", None),
        ({"fulfillments": [{"type": "PICKUP"}], "source": {"name": "Square Online"}}, ONLINE, "pickup", None),
        ({"fulfillments": [{"type": "DELIVERY"}]}, DELIVERY, "delivery", None),
        ({"source": {"name": "Deliverect"}}, DELIVERY, "delivery", "deliverect"),
    ],
)
def test_channel_comes_from_source_and_fulfillment(extra, channel, order_type, injected_by):
    order = square_order("O1", "2026-10-01T12:00:00Z") | extra
    record = square_parser.parse_order(order)
    assert (record.channel, record.order_type, record.injected_by) == (channel, order_type, injected_by)


def test_canceled_order_has_a_cancel_time_and_no_close_time():
    record = square_parser.parse_order(
        square_order("O1", "2026-10-01T12:00:00Z", state="CANCELED", updated_at="2026-10-01T12:05:00Z")
    )
    assert record.status == CANCELED
    assert record.closed_at is None
    assert record.canceled_at == datetime(2026, 10, 1, 12, 5, tzinfo=UTC)


def test_inclusive_tax_is_taken_out_of_net_sales():
    order = square_order("O1", "2026-10-01T12:00:00Z", lines=[("Tea", 1, 1100)], tax_percent=0)
    order["taxes"] = [
        {"uid": "vat", "type": "INCLUSIVE", "applied_money": {"amount": 100, "currency": "EUR"}}
    ]
    order["line_items"][0]["applied_taxes"] = [{"tax_uid": "vat", "applied_money": {"amount": 100}}]
    order["total_tax_money"] = {"amount": 100, "currency": "EUR"}
    record = square_parser.parse_order(order)
    assert record.prices_include_tax
    assert (record.gross_sales, record.net_sales, record.tax) == (1100, 1000, 100)
    assert record.line_items[0].net_sales == 1000


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o.pop("id"), "order.id is missing"),
        (lambda o: o.update(state="LOST"), "order O1.state 'LOST' is not one of"),
        (lambda o: o.update(created_at="yesterday"), "order O1.created_at must be an RFC 3339 timestamp"),
        (
            lambda o: o["line_items"][0].update(quantity="-1"),
            "order O1.line_items[0].quantity must be positive",
        ),
        (
            lambda o: o["line_items"][0].update(gross_sales_money={"amount": "12.5"}),
            "order O1.line_items[0].gross_sales_money.amount must be an integer",
        ),
        (lambda o: o.update(location_id=None), "order O1.location_id is missing"),
    ],
)
def test_malformed_orders_raise_errors_naming_the_field(mutate, message):
    order = square_order("O1", "2026-10-01T12:00:00Z")
    mutate(order)
    with pytest.raises(PayloadError, match="^" + __import__("re").escape(message)):
        square_parser.parse_order(order)


def test_catalog_variations_carry_their_category_and_sku():
    catalog = [
        {"type": "CATEGORY", "id": "C1", "category_data": {"name": "Burgers"}},
        {
            "type": "ITEM",
            "id": "I1",
            "item_data": {
                "name": "Classic Burger",
                "categories": [{"id": "C1"}],
                "variations": [
                    {
                        "id": "V1",
                        "item_variation_data": {
                            "name": "Single",
                            "sku": "B-1",
                            "price_money": {"amount": 1195, "currency": "USD"},
                        },
                    },
                    {"id": "V2", "item_variation_data": {"name": "Double", "sku": "B-2"}},
                ],
            },
        },
        {"type": "ITEM", "id": "I2", "is_deleted": True, "item_data": {"name": "Gone"}},
        {
            "type": "ITEM",
            "id": "I3",
            "item_data": {"name": "Legacy", "category_id": "C1", "variations": [{"id": "V3"}]},
        },
    ]
    records = square_parser.parse_catalog(catalog)
    assert [
        (r.square_variation_id, r.item_name, r.variation_name, r.category, r.sku, r.price) for r in records
    ] == [
        ("V1", "Classic Burger", "Single", "Burgers", "B-1", 1195),
        ("V2", "Classic Burger", "Double", "Burgers", "B-2", None),
        ("V3", "Legacy", None, "Burgers", None, None),
    ]
