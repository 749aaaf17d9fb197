"""Normalized records: what every source parser produces and what the store writer consumes.

Money is in integer minor units of the order's currency; timestamps are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Normalized order statuses. Only ``completed`` orders count as sales.
COMPLETED = "completed"
OPEN = "open"
CANCELED = "canceled"
FAILED = "failed"

# Channels: how the order reached the restaurant.
IN_STORE = "in_store"
DELIVERY = "delivery"
PICKUP = "pickup"
ONLINE = "online"
CHANNELS = (IN_STORE, DELIVERY, PICKUP, ONLINE)


class PayloadError(ValueError):
    """A payload that cannot be turned into a normalized record; the message names the field."""


@dataclass(frozen=True, slots=True)
class LocationRecord:
    """A business location as the POS reports it."""

    square_location_id: str
    name: str
    timezone: str
    currency: str
    business_name: str | None
    address: str | None
    status: str


@dataclass(frozen=True, slots=True)
class MenuItemRecord:
    """One sellable variation of a catalog item, with its category."""

    square_item_id: str
    square_variation_id: str
    item_name: str
    variation_name: str | None
    category: str | None
    sku: str | None
    price: int | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class ModifierRecord:
    """A modifier (Square) or sub-item (Deliverect) on a line item."""

    name: str
    sku: str | None
    quantity: float
    unit_price: int
    total_price: int


@dataclass(frozen=True, slots=True)
class LineItemRecord:
    """One ordered item with its money split; ``gross_sales`` includes modifiers."""

    line_no: int
    item_name: str
    variation_name: str | None
    sku: str | None
    catalog_id: str | None
    quantity: float
    unit_price: int
    modifiers_total: int
    gross_sales: int
    discounts: int
    net_sales: int
    tax: int
    modifiers: tuple[ModifierRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class DiscountRecord:
    """A discount applied to the order (order- or line-scoped), with the amount actually taken off."""

    name: str
    kind: str | None
    scope: str | None
    provider: str | None
    amount: int


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment (Square tender/payment, or the platform's settlement for a delivery order)."""

    source_payment_id: str
    method: str
    card_brand: str | None
    amount: int
    tip: int
    processing_fee: int
    status: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class RefundRecord:
    """Money returned to the customer for an earlier order."""

    source_refund_id: str
    amount: int
    reason: str | None
    status: str
    created_at: datetime
    source_payment_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as one source reports it, normalized; the store writer upserts it by (source, id)."""

    source: str
    source_order_id: str
    # The location as the sources name it; the writer uses the first one it knows.
    square_location_id: str | None
    deliverect_location_id: str | None
    display_id: str | None
    channel: str
    platform: str | None
    order_type: str | None
    status: str
    raw_status: str
    created_at: datetime
    closed_at: datetime | None
    canceled_at: datetime | None
    source_updated_at: datetime | None
    currency: str | None
    gross_sales: int
    discounts: int
    net_sales: int
    tax: int
    tips: int
    service_charge: int
    delivery_fee: int
    other_fees: int
    total_collected: int
    prices_include_tax: bool = False
    courier_tips: int = 0  # a platform driver's tip: not the restaurant's money, kept out of ``tips``
    pickup_at: datetime | None = None
    delivery_at: datetime | None = None
    pos_order_id: str | None = None
    injected_by: str | None = None
    line_items: tuple[LineItemRecord, ...] = ()
    discount_lines: tuple[DiscountRecord, ...] = ()
    payments: tuple[PaymentRecord, ...] = ()
    refunds: tuple[RefundRecord, ...] = ()
    payload_hash: str = field(default="", compare=False)
