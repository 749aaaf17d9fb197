"""Builders of small, valid Square and Deliverect payloads for tests (the real APIs' field names)."""

from __future__ import annotations

from typing import Any

from tools.sources.records import LocationRecord

NY_SQUARE = "LNYTEST000001"
LA_SQUARE = "LLATEST000002"
NY_DELIVERECT = "6100000000000000000000a1"
LA_DELIVERECT = "6100000000000000000000b2"

TEST_LOCATIONS = [
    LocationRecord(NY_SQUARE, "Test NY", "America/New_York", "USD", "Test Co", None, "ACTIVE"),
    LocationRecord(LA_SQUARE, "Test LA", "America/Los_Angeles", "USD", "Test Co", None, "ACTIVE"),
]
DELIVERECT_IDS = {NY_SQUARE: NY_DELIVERECT, LA_SQUARE: LA_DELIVERECT}


def money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD"}


def square_order(
    order_id: str,
    created_at: str,
    *,
    location: str = NY_SQUARE,
    lines: list[tuple[str, int, int]] = (("Fries", 1, 500),),  # type: ignore[assignment]
    state: str = "COMPLETED",
    tax_percent: int = 10,
    tip: int = 0,
    updated_at: str | None = None,
    refunds: list[dict] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """A Square order with additive tax on every line and one card tender."""
    line_items, tax_total, gross_total = [], 0, 0
    for index, (name, quantity, price) in enumerate(lines):
        gross = quantity * price
        tax = gross * tax_percent // 100
        gross_total += gross
        tax_total += tax
        line_items.append(
            {
                "uid": f"{order_id}-{index}",
                "name": name,
                "quantity": str(quantity),
                "base_price_money": money(price),
                "gross_sales_money": money(gross),
                "total_discount_money": money(0),
                "total_tax_money": money(tax),
                "total_money": money(gross + tax),
            }
        )
    total = gross_total + tax_total + tip
    order: dict[str, Any] = {
        "id": order_id,
        "location_id": location,
        "line_items": line_items,
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "state": state,
        "version": 1,
        "total_money": money(total),
        "total_tax_money": money(tax_total),
        "total_discount_money": money(0),
        "total_tip_money": money(tip),
        "total_service_charge_money": money(0),
    }
    if source:
        order["source"] = {"name": source}
    if state == "COMPLETED":
        order["closed_at"] = updated_at or created_at
        order["tenders"] = [
            {
                "id": f"{order_id}-T",
                "type": "CARD",
                "amount_money": money(total),
                "tip_money": money(tip),
                "processing_fee_money": money(30),
                "card_details": {"status": "CAPTURED", "card": {"card_brand": "VISA"}},
                "created_at": created_at,
            }
        ]
    if refunds:
        order["refunds"] = refunds
    return order


def deliverect_order(
    order_id: str,
    created_at: str,
    *,
    status: int = 1,
    updated_at: str | None = None,
    channel: int = 7,
    location: str = NY_DELIVERECT,
    pos_location: str = "",
    pos_id: str = "",
    items: list[dict] | None = None,
    tax: int = 0,
    delivery_cost: int = 0,
    tip: int = 0,
    discount: int = 0,
    order_type: int = 2,
) -> dict[str, Any]:
    """A Deliverect order webhook body with tax-exclusive prices (US style)."""
    items = items if items is not None else [{"plu": "FRY", "name": "Fries", "price": 500, "quantity": 1}]

    def unit(item: dict) -> int:
        return item["price"] + sum(s["quantity"] * unit(s) for s in item.get("subItems", []))

    subtotal = sum(item["quantity"] * unit(item) for item in items)
    return {
        "_id": order_id,
        "_created": created_at,
        "_updated": updated_at or created_at,
        "account": "acc",
        "location": location,
        "channel": channel,
        "channelOrderId": f"CH-{order_id}",
        "channelOrderDisplayId": order_id[-5:].upper(),
        "posId": pos_id,
        "posLocationId": pos_location,
        "status": status,
        "orderType": order_type,
        "decimalDigits": 2,
        "items": items,
        "taxes": [{"taxClassId": 0, "name": "Sales Tax", "total": tax}] if tax else [],
        "payment": {"amount": subtotal - discount + tax + delivery_cost + tip, "type": 0, "due": 0},
        "deliveryCost": delivery_cost,
        "serviceCharge": 0,
        "tip": tip,
        "driverTip": 0,
        "bagFee": 0,
        "discountTotal": -discount,
        "discounts": [],
        "orderIsAlreadyPaid": True,
    }
