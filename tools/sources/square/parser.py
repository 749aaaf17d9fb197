"""Square payloads (Locations, Catalog, Orders, Payments) → normalized records.

Field names follow Square's REST API (snake_case JSON). The live adapter and the fixture loader both call
these functions, so one parser serves tests and production.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tools.sources.payload_fields import (
    as_int,
    as_quantity,
    optional_timestamp,
    parse_timestamp,
    payload_hash,
    require,
)
from tools.sources.records import (
    CANCELED,
    COMPLETED,
    DELIVERY,
    IN_STORE,
    ONLINE,
    OPEN,
    PICKUP,
    DiscountRecord,
    LineItemRecord,
    LocationRecord,
    MenuItemRecord,
    ModifierRecord,
    OrderRecord,
    PayloadError,
    PaymentRecord,
    RefundRecord,
)
from tools.sources.square.schema import validate_order

SOURCE = "square"

_STATES = {"COMPLETED": COMPLETED, "CANCELED": CANCELED, "OPEN": OPEN, "DRAFT": OPEN}

_TENDER_METHODS = {
    "CARD": "card",
    "CASH": "cash",
    "SQUARE_GIFT_CARD": "gift_card",
    "WALLET": "wallet",
    "BANK_ACCOUNT": "bank_account",
    "BUY_NOW_PAY_LATER": "buy_now_pay_later",
    "THIRD_PARTY_CARD": "other",
    "EXTERNAL": "other",
    "OTHER": "other",
    "NO_SALE": "other",
}

# Order sources whose orders were injected into the POS by an aggregator (counted once, see the writer).
_AGGREGATOR_SOURCES = ("deliverect",)


def money(obj: dict[str, Any] | None, key: str, where: str) -> int:
    """The ``amount`` of a Square Money field (0 when the field is absent)."""
    field = obj.get(key) if obj else None
    if field is None:
        return 0
    if type(field) is dict and type(amount := field.get("amount", 0)) is int:  # the common case, first
        return amount
    if not isinstance(field, dict):
        raise PayloadError(f"{where}.{key} must be a Money object, got {field!r}")
    return as_int(field.get("amount", 0), f"{where}.{key}.amount")


def _currency(order: dict[str, Any]) -> str | None:
    for key in ("total_money", "net_amount_due_money", "total_tax_money"):
        field = order.get(key)
        if isinstance(field, dict) and field.get("currency"):
            return str(field["currency"])
    return None


def parse_location(location: dict[str, Any]) -> LocationRecord:
    """A Square Location object → LocationRecord."""
    where = f"location {location.get('id', '?')}"
    address = location.get("address") or {}
    address_text = ", ".join(
        str(address[k])
        for k in ("address_line_1", "locality", "administrative_district_level_1", "postal_code")
        if address.get(k)
    )
    return LocationRecord(
        square_location_id=str(require(location, "id", where)),
        name=str(require(location, "name", where)),
        timezone=str(require(location, "timezone", where)),
        currency=str(require(location, "currency", where)),
        business_name=location.get("business_name"),
        address=address_text or None,
        status=str(location.get("status", "ACTIVE")),
    )


def parse_locations_response(response: dict[str, Any]) -> list[LocationRecord]:
    """A ListLocations response body → LocationRecords."""
    return [parse_location(item) for item in response.get("locations", [])]


def parse_catalog(objects: Iterable[dict[str, Any]]) -> list[MenuItemRecord]:
    """Catalog objects (ITEM with nested ITEM_VARIATIONs, CATEGORY) → one MenuItemRecord per variation."""
    objects = list(objects)
    categories = {
        obj["id"]: obj.get("category_data", {}).get("name")
        for obj in objects
        if obj.get("type") == "CATEGORY"
    }
    records: list[MenuItemRecord] = []
    for obj in objects:
        if obj.get("type") != "ITEM" or obj.get("is_deleted"):
            continue
        where = f"catalog item {obj.get('id', '?')}"
        data = require(obj, "item_data", where)
        category_ids = [c.get("id") for c in data.get("categories") or []]
        if data.get("category_id"):
            category_ids.insert(0, data["category_id"])
        category = next((categories[c] for c in category_ids if c in categories), None)
        for variation in data.get("variations") or []:
            vdata = variation.get("item_variation_data") or {}
            price = vdata.get("price_money")
            records.append(
                MenuItemRecord(
                    square_item_id=str(obj["id"]),
                    square_variation_id=str(require(variation, "id", where + " variation")),
                    item_name=str(require(data, "name", where + ".item_data")),
                    variation_name=vdata.get("name"),
                    category=category,
                    sku=vdata.get("sku") or None,
                    price=as_int(price["amount"], where + " price") if price else None,
                    currency=price.get("currency") if price else None,
                )
            )
    return records


def _modifiers(line: dict[str, Any], where: str) -> tuple[ModifierRecord, ...]:
    records = []
    line_quantity = as_quantity(line.get("quantity", "1"), f"{where}.quantity")
    for index, modifier in enumerate(line.get("modifiers") or []):
        mwhere = f"{where}.modifiers[{index}]"
        quantity = as_quantity(modifier.get("quantity", "1"), f"{mwhere}.quantity")
        unit_price = money(modifier, "base_price_money", mwhere)
        total = (
            money(modifier, "total_price_money", mwhere)
            if modifier.get("total_price_money") is not None
            else round(unit_price * quantity * line_quantity)
        )
        records.append(
            ModifierRecord(
                name=str(modifier.get("name") or "modifier"),
                sku=modifier.get("catalog_object_id"),
                quantity=quantity,
                unit_price=unit_price,
                total_price=total,
            )
        )
    return tuple(records)


def _line_items(order: dict[str, Any], inclusive_tax_uids: set[str], where: str):
    lines = []
    for index, line in enumerate(order.get("line_items") or []):
        lwhere = f"{where}.line_items[{index}]"
        quantity = as_quantity(require(line, "quantity", lwhere), f"{lwhere}.quantity")
        unit_price = money(line, "base_price_money", lwhere)
        modifiers = _modifiers(line, lwhere)
        modifiers_total = sum(m.total_price for m in modifiers)
        if line.get("gross_sales_money") is not None:
            gross = money(line, "gross_sales_money", lwhere)
        else:
            variation_total = (
                money(line, "variation_total_price_money", lwhere)
                if line.get("variation_total_price_money") is not None
                else round(unit_price * quantity)
            )
            gross = variation_total + modifiers_total
        discount = money(line, "total_discount_money", lwhere)
        tax = money(line, "total_tax_money", lwhere)
        inclusive_tax = sum(
            money(applied, "applied_money", lwhere + ".applied_taxes")
            for applied in line.get("applied_taxes") or []
            if applied.get("tax_uid") in inclusive_tax_uids
        )
        lines.append(
            LineItemRecord(
                line_no=index + 1,
                item_name=str(line.get("name") or "Custom amount"),
                variation_name=line.get("variation_name") or None,
                sku=None,
                catalog_id=line.get("catalog_object_id"),
                quantity=quantity,
                unit_price=unit_price,
                modifiers_total=modifiers_total,
                gross_sales=gross,
                discounts=discount,
                net_sales=gross - discount - inclusive_tax,
                tax=tax,
                modifiers=modifiers,
            )
        )
    return tuple(lines)


def _channel(order: dict[str, Any]) -> tuple[str, str, str | None]:
    """(channel, order_type, injected_by) from the order's source and fulfillments."""
    source_name = str((order.get("source") or {}).get("name") or "")
    injected_by = next((a for a in _AGGREGATOR_SOURCES if a in source_name.lower()), None)
    fulfillments = order.get("fulfillments") or []
    kind = str(fulfillments[0].get("type", "")).upper() if fulfillments else ""
    order_type = kind.lower() if kind else "in_store"
    if injected_by or kind in ("DELIVERY", "SHIPMENT"):
        return DELIVERY, order_type if kind else "delivery", injected_by
    if kind == "PICKUP":
        return (ONLINE if "online" in source_name.lower() else PICKUP), order_type, None
    return IN_STORE, order_type, None


def _tender_payment(tender: dict[str, Any], where: str) -> PaymentRecord:
    card = tender.get("card_details") or {}
    return PaymentRecord(
        source_payment_id=str(tender.get("payment_id") or require(tender, "id", where)),
        method=_TENDER_METHODS.get(str(tender.get("type", "OTHER")), "other"),
        card_brand=(card.get("card") or {}).get("card_brand"),
        amount=money(tender, "amount_money", where),
        tip=money(tender, "tip_money", where),
        processing_fee=money(tender, "processing_fee_money", where),
        status=str(card.get("status") or "COMPLETED").lower(),
        created_at=optional_timestamp(tender.get("created_at"), f"{where}.created_at"),
    )


def _refund(refund: dict[str, Any], where: str) -> RefundRecord:
    return RefundRecord(
        source_refund_id=str(require(refund, "id", where)),
        amount=money(refund, "amount_money", where),
        reason=refund.get("reason") or None,
        status=str(refund.get("status") or "COMPLETED").lower(),
        created_at=parse_timestamp(require(refund, "created_at", where), f"{where}.created_at"),
        source_payment_id=refund.get("tender_id") or refund.get("payment_id"),
    )


def parse_order(order: dict[str, Any], *, now: datetime | None = None) -> OrderRecord:
    """A Square Order object, validated against its declared schema (``now``: the caller's clock, which
    bounds its timestamps) → OrderRecord; raises PayloadError naming the offending field."""
    validate_order(order, now)
    order_id = str(require(order, "id", "order"))
    where = f"order {order_id}"
    state = str(require(order, "state", where))
    if state not in _STATES:
        raise PayloadError(f"{where}.state {state!r} is not one of {', '.join(_STATES)}")
    status = _STATES[state]
    created_at = parse_timestamp(require(order, "created_at", where), f"{where}.created_at")
    updated_at = optional_timestamp(order.get("updated_at"), f"{where}.updated_at")
    closed_at = optional_timestamp(order.get("closed_at"), f"{where}.closed_at")
    inclusive_tax_uids = {
        str(tax.get("uid"))
        for tax in order.get("taxes") or []
        if str(tax.get("type", "")).upper() == "INCLUSIVE"
    }
    lines = _line_items(order, inclusive_tax_uids, where)
    discounts = money(order, "total_discount_money", where)
    tax = money(order, "total_tax_money", where)
    inclusive_tax = sum(
        money(t, "applied_money", where + ".taxes")
        for t in order.get("taxes") or []
        if str(t.get("uid")) in inclusive_tax_uids
    )
    gross = sum(line.gross_sales for line in lines)
    channel, order_type, injected_by = _channel(order)
    fulfillment = (order.get("fulfillments") or [{}])[0]
    pickup_details = fulfillment.get("pickup_details") or {}
    return OrderRecord(
        source=SOURCE,
        source_order_id=order_id,
        square_location_id=str(require(order, "location_id", where)),
        deliverect_location_id=None,
        display_id=order.get("ticket_name") or order.get("reference_id") or None,
        channel=channel,
        platform=None,
        order_type=order_type,
        status=status,
        raw_status=state,
        created_at=created_at,
        closed_at=closed_at if status == COMPLETED else None,
        canceled_at=(closed_at or updated_at) if status == CANCELED else None,
        source_updated_at=updated_at,
        currency=_currency(order),
        gross_sales=gross,
        discounts=discounts,
        net_sales=gross - discounts - inclusive_tax,
        tax=tax,
        tips=money(order, "total_tip_money", where),
        service_charge=money(order, "total_service_charge_money", where),
        delivery_fee=0,
        other_fees=0,
        total_collected=money(order, "total_money", where),
        prices_include_tax=bool(inclusive_tax_uids),
        pickup_at=optional_timestamp(pickup_details.get("pickup_at"), f"{where}.pickup_at"),
        delivery_at=None,
        pos_order_id=None,
        injected_by=injected_by,
        line_items=lines,
        discount_lines=tuple(
            DiscountRecord(
                name=str(d.get("name") or "Discount"),
                kind=d.get("type"),
                scope=d.get("scope"),
                provider="merchant",
                amount=money(d, "applied_money", where + ".discounts"),
            )
            for d in order.get("discounts") or []
        ),
        payments=tuple(
            _tender_payment(t, f"{where}.tenders[{i}]") for i, t in enumerate(order.get("tenders") or [])
        ),
        refunds=tuple(_refund(r, f"{where}.refunds[{i}]") for i, r in enumerate(order.get("refunds") or [])),
        payload_hash=payload_hash(order),
    )
