"""The declared shape of a Square Order (as SearchOrders returns it, as a dict): exactly the fields the
parser reads, with the limits of ``tools.sources.payload_schema``. Other fields pass unchecked. Every Money
amount read is non-negative: Square reports discounts and refunds as positive amounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from tools.sources.payload_schema import (
    Id,
    Money,
    Name,
    Note,
    Quantity,
    RecordTime,
    RequiredId,
    ScheduledTime,
    order_where,
    validate_payload,
)


class SquareMoney(BaseModel):
    amount: Money | None = None
    currency: Name | None = None


class AppliedTax(BaseModel):
    tax_uid: Id | None = None
    applied_money: SquareMoney | None = None


class Modifier(BaseModel):
    name: Name | None = None
    catalog_object_id: Id | None = None
    quantity: Quantity | None = None
    base_price_money: SquareMoney | None = None
    total_price_money: SquareMoney | None = None


class LineItem(BaseModel):
    quantity: Quantity
    name: Name | None = None
    variation_name: Name | None = None
    catalog_object_id: Id | None = None
    base_price_money: SquareMoney | None = None
    variation_total_price_money: SquareMoney | None = None
    gross_sales_money: SquareMoney | None = None
    total_discount_money: SquareMoney | None = None
    total_tax_money: SquareMoney | None = None
    modifiers: list[Modifier] | None = None
    applied_taxes: list[AppliedTax] | None = None


class OrderTax(BaseModel):
    uid: Id | None = None
    type: Name | None = None
    applied_money: SquareMoney | None = None


class OrderDiscount(BaseModel):
    name: Name | None = None
    type: Name | None = None
    scope: Name | None = None
    applied_money: SquareMoney | None = None


class Card(BaseModel):
    card_brand: Name | None = None


class CardDetails(BaseModel):
    card: Card | None = None
    status: Name | None = None


class Tender(BaseModel):
    id: Id | None = None
    payment_id: Id | None = None
    type: Name | None = None
    card_details: CardDetails | None = None
    amount_money: SquareMoney | None = None
    tip_money: SquareMoney | None = None
    processing_fee_money: SquareMoney | None = None
    created_at: RecordTime | None = None


class Refund(BaseModel):
    id: RequiredId
    created_at: RecordTime
    amount_money: SquareMoney | None = None
    reason: Note | None = None
    status: Name | None = None
    tender_id: Id | None = None
    payment_id: Id | None = None


class OrderSource(BaseModel):
    name: Name | None = None


class PickupDetails(BaseModel):
    pickup_at: ScheduledTime | None = None


class Fulfillment(BaseModel):
    type: Name | None = None
    pickup_details: PickupDetails | None = None


class SquareOrder(BaseModel):
    """A Square Order object."""

    id: RequiredId
    location_id: RequiredId
    state: Name
    created_at: RecordTime
    updated_at: RecordTime | None = None
    closed_at: RecordTime | None = None
    ticket_name: Name | None = None
    reference_id: Id | None = None
    source: OrderSource | None = None
    fulfillments: list[Fulfillment] | None = None
    line_items: list[LineItem] | None = None
    taxes: list[OrderTax] | None = None
    discounts: list[OrderDiscount] | None = None
    tenders: list[Tender] | None = None
    refunds: list[Refund] | None = None
    total_money: SquareMoney | None = None
    total_tax_money: SquareMoney | None = None
    total_discount_money: SquareMoney | None = None
    total_tip_money: SquareMoney | None = None
    total_service_charge_money: SquareMoney | None = None
    net_amount_due_money: SquareMoney | None = None


def validate_order(order: Any, now: datetime | None = None) -> None:
    """Check a Square order against the declared schema, or raise PayloadError naming the field."""
    validate_payload(SquareOrder, order, order_where(order, "id"), now)
