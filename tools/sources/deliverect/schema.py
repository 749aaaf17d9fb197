"""The declared shape of a Deliverect order body: exactly the fields the parser reads, with the limits of
``tools.sources.payload_schema``. Other fields pass unchecked (real payloads carry many). Money is
non-negative except ``discountTotal`` and ``discounts[].amount``, which Deliverect sends negative."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tools.sources.payload_schema import (
    Code,
    Flag,
    Id,
    Money,
    Name,
    Note,
    Quantity,
    RecordTime,
    RequiredId,
    ScheduledTime,
    SignedMoney,
    order_where,
    validate_payload,
)


class Item(BaseModel):
    """An item or sub-item; sub-items nest."""

    quantity: Quantity
    price: Money | None = None
    name: Name | None = None
    plu: Name | None = None
    subItems: list[Item] | None = None


class Tax(BaseModel):
    total: Money | None = None


class Discount(BaseModel):
    name: Name | None = None
    type: Name | None = None
    provider: Name | None = None
    amount: SignedMoney | None = None


class Payment(BaseModel):
    amount: Money | None = None
    type: Code | None = None


class DeliverectOrder(BaseModel):
    """A Deliverect order webhook body, or an entry of the orders API (same shape)."""

    id: RequiredId = Field(alias="_id")
    created: RecordTime = Field(alias="_created")
    updated: RecordTime | None = Field(None, alias="_updated")
    status: Code
    channel: Code
    orderType: Code | None = None
    decimalDigits: Code | None = None
    location: Id | None = None
    posLocationId: Id | None = None
    channelOrderId: Id | None = None
    channelOrderDisplayId: Id | None = None
    posId: Id | None = None
    items: list[Item] | None = None
    taxes: list[Tax] | None = None
    discounts: list[Discount] | None = None
    discountTotal: SignedMoney | None = None
    deliveryCost: Money | None = None
    serviceCharge: Money | None = None
    tip: Money | None = None
    driverTip: Money | None = None
    bagFee: Money | None = None
    payment: Payment | None = None
    orderIsAlreadyPaid: Flag | None = None
    note: Note | None = None  # not read, but a real order's note is short: a long one is not an order
    pickupTime: ScheduledTime | None = None
    deliveryTime: ScheduledTime | None = None
    testOrder: Flag | None = None


def validate_order(body: Any, now: datetime | None = None) -> None:
    """Check a Deliverect order body against the declared schema, or raise PayloadError naming the field."""
    validate_payload(DeliverectOrder, body, order_where(body, "_id"), now)


def is_test_order(body: Any) -> bool:
    """Whether Deliverect marked the body a test order (``"testOrder": true``): not a sale, never stored."""
    return isinstance(body, dict) and body.get("testOrder") is True
