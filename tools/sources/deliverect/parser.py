"""Deliverect order webhook bodies (and order-list API entries, same shape) → normalized records.

Rules worth knowing:
- Prices are integers scaled by ``decimalDigits`` (default 2), converted to the minor units of the currency of
  the order's location (given by the caller; 2 decimals when it is not known, as for USD or EUR).
- ``subItems`` are priced per unit and repeat for every unit of their parent, at any depth.
- ``discountTotal`` is negative in Deliverect's payloads; the positive amount is stored.
- A cancellation is the same order (same ``_id``) re-sent with status 100/110; the writer updates the row.
- Deliverect carries no commission amount; the writer estimates it from the commission-rate table.
- Taxes: US-style payloads add tax on top of prices, EU-style payloads include it. The parser tells them apart
  by reconciling ``payment.amount`` (what the platform collected): if it equals the total *without* adding
  the tax, prices included the tax; otherwise they are taken as tax-exclusive.
- Discounts and taxes stay order-level: Deliverect does not split them per line; line rows carry gross.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tools.currencies import LocationCurrencies, minor_unit_digits
from tools.sources.deliverect.schema import validate_order
from tools.sources.payload_fields import (
    as_int,
    as_quantity,
    optional_timestamp,
    parse_timestamp,
    payload_hash,
    require,
)
from tools.sources.platforms import platform_for_channel
from tools.sources.records import (
    CANCELED,
    COMPLETED,
    DELIVERY,
    FAILED,
    IN_STORE,
    PICKUP,
    DiscountRecord,
    LineItemRecord,
    ModifierRecord,
    OrderRecord,
    PayloadError,
    PaymentRecord,
)

SOURCE = "deliverect"

STATUS_NAMES: dict[int, str] = {
    1: "PARSED",
    2: "RECEIVED",
    10: "NEW",
    20: "ACCEPTED",
    30: "DUPLICATE",
    35: "DENIED",
    40: "PRINTED",
    50: "PREPARING",
    60: "PREPARED",
    70: "READY_FOR_PICKUP",
    80: "IN_DELIVERY",
    90: "FINALIZED",
    95: "AUTO_FINALIZED",
    100: "CANCEL",
    110: "CANCELED",
    120: "FAILED",
    121: "POS_RECEIVED",
    124: "PARSE_FAILED",
}

# orderType → (channel, order_type)
ORDER_TYPES: dict[int, tuple[str, str]] = {
    1: (PICKUP, "pickup"),
    2: (DELIVERY, "delivery"),
    3: (IN_STORE, "eat_in"),
    4: (PICKUP, "curbside"),
}

PAYMENT_TYPES: dict[int, str] = {
    0: "card",
    1: "cash",
    2: "on_delivery",
    3: "online",
    4: "card",
    5: "card",
    6: "voucher",
    7: "voucher",
    8: "card",
    9: "other",
}


def normalized_status(code: int) -> str:
    """Deliverect's numeric status → our normalized status.

    Orders reach us already placed and (for platform orders) paid, so every status short of a cancellation
    or a failure counts as a completed sale; 100 (cancel request) and 110 (canceled) are cancellations; 30
    (duplicate), 35 (denied) and 120+ (failed) never count.
    """
    if code in (100, 110):
        return CANCELED
    if code in (30, 35) or code >= 120:
        return FAILED
    return COMPLETED


def _scale(value: Any, digits: int, minor_digits: int, where: str) -> int:
    amount = as_int(value, where)
    if digits == minor_digits:
        return amount
    if digits < minor_digits:
        return amount * 10 ** (minor_digits - digits)
    factor = 10 ** (digits - minor_digits)
    quotient, remainder = divmod(amount, factor)
    # Round half away from zero, the way a receipt would.
    return quotient + (1 if remainder * 2 >= factor else 0)


def _unit_total(item: dict[str, Any], scale, where: str) -> tuple[int, list[tuple[dict, float, str]]]:
    """Price of one unit of ``item`` including its sub-items, and the flattened sub-items with multipliers."""
    total = scale(item.get("price", 0), f"{where}.price")
    flattened: list[tuple[dict, float, str]] = []
    for index, sub in enumerate(item.get("subItems") or []):
        swhere = f"{where}.subItems[{index}]"
        quantity = as_quantity(sub.get("quantity", 1), f"{swhere}.quantity")
        sub_unit, nested = _unit_total(sub, scale, swhere)
        total += round(sub_unit * quantity)
        flattened.append((sub, quantity, swhere))
        flattened.extend((n, q * quantity, w) for n, q, w in nested)
    return total, flattened


def _line_items(body: dict[str, Any], scale, where: str) -> tuple[LineItemRecord, ...]:
    lines = []
    for index, item in enumerate(body.get("items") or []):
        iwhere = f"{where}.items[{index}]"
        quantity = as_quantity(require(item, "quantity", iwhere), f"{iwhere}.quantity")
        unit_total, subs = _unit_total(item, scale, iwhere)
        unit_price = scale(item.get("price", 0), f"{iwhere}.price")
        modifiers = tuple(
            ModifierRecord(
                name=str(sub.get("name") or sub.get("plu") or "sub-item"),
                sku=sub.get("plu") or None,
                quantity=per_unit * quantity,
                unit_price=scale(sub.get("price", 0), f"{swhere}.price"),
                total_price=round(scale(sub.get("price", 0), f"{swhere}.price") * per_unit * quantity),
            )
            for sub, per_unit, swhere in subs
        )
        gross = round(unit_total * quantity)
        lines.append(
            LineItemRecord(
                line_no=index + 1,
                item_name=str(item.get("name") or item.get("plu") or "item"),
                variation_name=None,
                sku=item.get("plu") or None,
                catalog_id=None,
                quantity=quantity,
                unit_price=unit_price,
                modifiers_total=gross - round(unit_price * quantity),
                gross_sales=gross,
                discounts=0,
                net_sales=gross,
                tax=0,
                modifiers=modifiers,
            )
        )
    return tuple(lines)


def parse_order(
    body: dict[str, Any], currencies: LocationCurrencies | None = None, *, now: datetime | None = None
) -> OrderRecord:
    """A Deliverect order body, validated against its declared schema (``now``: the caller's clock, which
    bounds its timestamps) → OrderRecord, its money in the minor units of its location's currency as
    ``currencies`` tells it (the store's or the fixtures' locations)."""
    validate_order(body, now)
    order_id = str(require(body, "_id", "order"))
    where = f"order {order_id}"
    digits = as_int(body.get("decimalDigits", 2), f"{where}.decimalDigits")
    if not 0 <= digits <= 6:
        raise PayloadError(f"{where}.decimalDigits must be between 0 and 6, got {digits}")
    pos_location = body.get("posLocationId") or None
    deliverect_location = body.get("location") or None
    if not pos_location and not deliverect_location:
        raise PayloadError(f"{where} names no location (location and posLocationId are empty)")
    currency = currencies.of(pos_location, deliverect_location) if currencies else None
    minor_digits = minor_unit_digits(currency)

    def scale(value: Any, field_where: str) -> int:
        return _scale(value, digits, minor_digits, field_where)

    status_code = as_int(require(body, "status", where), f"{where}.status")
    channel_code = as_int(require(body, "channel", where), f"{where}.channel")
    order_type_code = as_int(body.get("orderType", 2), f"{where}.orderType")
    if order_type_code not in ORDER_TYPES:
        raise PayloadError(
            f"{where}.orderType {order_type_code} is not one of {', '.join(map(str, ORDER_TYPES))}"
        )
    channel, order_type = ORDER_TYPES[order_type_code]
    created_at = parse_timestamp(require(body, "_created", where), f"{where}._created")
    updated_at = optional_timestamp(body.get("_updated"), f"{where}._updated") or created_at

    lines = _line_items(body, scale, where)
    gross = sum(line.gross_sales for line in lines)
    discounts = abs(scale(body.get("discountTotal", 0) or 0, f"{where}.discountTotal"))
    tax = sum(
        scale(t.get("total", 0), f"{where}.taxes[{i}].total") for i, t in enumerate(body.get("taxes") or [])
    )
    delivery_fee = scale(body.get("deliveryCost", 0) or 0, f"{where}.deliveryCost")
    service_charge = scale(body.get("serviceCharge", 0) or 0, f"{where}.serviceCharge")
    tips = scale(body.get("tip", 0) or 0, f"{where}.tip")  # the restaurant's
    courier_tips = scale(body.get("driverTip", 0) or 0, f"{where}.driverTip")  # the platform driver's
    bag_fee = scale(body.get("bagFee", 0) or 0, f"{where}.bagFee")
    payment = body.get("payment") or {}
    paid = scale(payment.get("amount", 0) or 0, f"{where}.payment.amount")
    tax_inclusive_total = gross - discounts + delivery_fee + service_charge + tips + courier_tips + bag_fee
    prices_include_tax = tax > 0 and paid == tax_inclusive_total
    net = gross - discounts - (tax if prices_include_tax else 0)
    status = normalized_status(status_code)
    payment_type = as_int(payment.get("type", 0) or 0, f"{where}.payment.type")
    already_paid = bool(body.get("orderIsAlreadyPaid", True))

    return OrderRecord(
        source=SOURCE,
        source_order_id=order_id,
        square_location_id=pos_location,
        deliverect_location_id=deliverect_location,
        display_id=body.get("channelOrderDisplayId") or body.get("channelOrderId") or None,
        channel=channel,
        platform=platform_for_channel(channel_code),
        order_type=order_type,
        status=status,
        raw_status=f"{status_code} {STATUS_NAMES.get(status_code, 'UNKNOWN')}",
        created_at=created_at,
        closed_at=created_at if status == COMPLETED else None,
        canceled_at=updated_at if status == CANCELED else None,
        source_updated_at=updated_at,
        currency=currency,
        gross_sales=gross,
        discounts=discounts,
        net_sales=net,
        tax=tax,
        tips=tips,
        courier_tips=courier_tips,
        service_charge=service_charge,
        delivery_fee=delivery_fee,
        other_fees=bag_fee,
        total_collected=paid,
        prices_include_tax=prices_include_tax,
        pickup_at=optional_timestamp(body.get("pickupTime"), f"{where}.pickupTime"),
        delivery_at=optional_timestamp(body.get("deliveryTime"), f"{where}.deliveryTime"),
        pos_order_id=body.get("posId") or None,
        injected_by=None,
        line_items=lines,
        discount_lines=tuple(
            DiscountRecord(
                name=str(d.get("name") or "Discount"),
                kind=d.get("type"),
                scope="ORDER" if str(d.get("type", "")).startswith("order") else "LINE_ITEM",
                provider=d.get("provider"),
                amount=abs(scale(d.get("amount", 0) or 0, f"{where}.discounts[{i}].amount")),
            )
            for i, d in enumerate(body.get("discounts") or [])
        ),
        payments=(
            PaymentRecord(
                source_payment_id=f"{order_id}:payment",
                method="platform" if already_paid else PAYMENT_TYPES.get(payment_type, "other"),
                card_brand=None,
                amount=paid,
                tip=tips,
                processing_fee=0,
                status="completed" if status == COMPLETED else status,
                created_at=created_at,
            ),
        )
        if paid
        else (),
        refunds=(),
        payload_hash=payload_hash(body),
    )
