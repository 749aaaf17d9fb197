"""Upsert of orders and their child rows (line items and their modifiers, discounts, payments, refunds):
orders are matched on (source, source_order_id); a rewritten order's children are replaced."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, bindparam, delete, select, update

from tools.sources.records import OrderRecord
from tools.store.models import (
    MenuItem,
    Order,
    OrderDiscount,
    OrderLineItem,
    OrderLineModifier,
    Payment,
    Refund,
)
from tools.sync.orders.bulk_insert import insert_returning_ids, insert_rows
from tools.sync.orders.commissions import CommissionRates
from tools.sync.orders.places import Place, WrittenOrder

ORDERS = Order.__table__
LINES = OrderLineItem.__table__
MODIFIERS = OrderLineModifier.__table__
DISCOUNTS = OrderDiscount.__table__
PAYMENTS = Payment.__table__
REFUNDS = Refund.__table__

# What the store holds of an order already: its id, payload fingerprint, source update time, and
# (location, business day).
StoredOrder = tuple[int, str, datetime | None, tuple[int, date]]


class MenuLookup:
    """The menu items line items are matched to: by Square variation id, else by SKU."""

    def __init__(self, conn: Connection):
        self.by_variation: dict[str, tuple[int, str | None]] = {}
        self.by_sku: dict[str, tuple[int, str | None]] = {}
        for item in conn.execute(
            select(MenuItem.id, MenuItem.square_variation_id, MenuItem.sku, MenuItem.category)
        ):
            if item.square_variation_id:
                self.by_variation[item.square_variation_id] = (item.id, item.category)
            if item.sku:
                self.by_sku.setdefault(item.sku, (item.id, item.category))


def existing_orders(conn: Connection, records: list[OrderRecord]) -> dict[tuple[str, str], StoredOrder]:
    """What is stored of ``records``' orders, by (source, source_order_id)."""
    found: dict[tuple[str, str], StoredOrder] = {}
    by_source: dict[str, list[str]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record.source_order_id)
    for source, ids in by_source.items():
        rows = conn.execute(
            select(
                ORDERS.c.id,
                ORDERS.c.source_order_id,
                ORDERS.c.payload_hash,
                ORDERS.c.source_updated_at,
                ORDERS.c.location_id,
                ORDERS.c.business_date,
            ).where(ORDERS.c.source == source, ORDERS.c.source_order_id.in_(ids))
        )
        for row in rows:
            found[(source, row.source_order_id)] = (
                row.id,
                row.payload_hash,
                row.source_updated_at,
                (row.location_id, row.business_date),
            )
    return found


def _order_row(record: OrderRecord, place: Place, synced_at: datetime, rates: CommissionRates) -> dict:
    local = record.created_at.astimezone(place.timezone)
    commission = rates.estimate(record, place.location_id, local.date())
    return {
        "source": record.source,
        "source_order_id": record.source_order_id,
        "location_id": place.location_id,
        "display_id": record.display_id,
        "channel": record.channel,
        "platform": record.platform,
        "order_type": record.order_type,
        "status": record.status,
        "raw_status": record.raw_status,
        "created_at": record.created_at,
        "closed_at": record.closed_at,
        "canceled_at": record.canceled_at,
        "source_updated_at": record.source_updated_at,
        "business_date": local.date(),
        "local_hour": local.hour,
        "currency": record.currency or place.currency,
        "gross_sales": record.gross_sales,
        "discounts": record.discounts,
        "net_sales": record.net_sales,
        "tax": record.tax,
        "tips": record.tips,
        "courier_tips": record.courier_tips,
        "service_charge": record.service_charge,
        "delivery_fee": record.delivery_fee,
        "other_fees": record.other_fees,
        "total_collected": record.total_collected,
        "prices_include_tax": record.prices_include_tax,
        "commission": commission,
        "commission_is_estimated": commission is not None and record.platform is not None,
        "pickup_at": record.pickup_at,
        "delivery_at": record.delivery_at,
        "pos_order_id": record.pos_order_id,
        "injected_by": record.injected_by,
        "payload_hash": record.payload_hash,
        "synced_at": synced_at,
    }


def insert_orders(
    conn: Connection, new: list[tuple[OrderRecord, Place]], synced_at: datetime, rates: CommissionRates
) -> list[int]:
    """Insert the ``new`` orders' rows; their ids, in order."""
    if not new:
        return []
    rows = [_order_row(record, place, synced_at, rates) for record, place in new]
    return insert_returning_ids(conn, ORDERS, rows)


def update_orders(
    conn: Connection, changed: list[WrittenOrder], synced_at: datetime, rates: CommissionRates
) -> None:
    """Rewrite the ``changed`` orders' rows in place."""
    if not changed:
        return
    rows = []
    for order_id, record, place in changed:
        row = _order_row(record, place, synced_at, rates)
        row["b_id"] = order_id
        rows.append(row)
    values = {name: bindparam(name) for name in rows[0] if name != "b_id"}
    conn.execute(update(ORDERS).where(ORDERS.c.id == bindparam("b_id")).values(values), rows)


def replace_children(
    conn: Connection, written: list[WrittenOrder], changed_ids: list[int], menu: MenuLookup
) -> None:
    """Write the child rows of the ``written`` orders, first deleting those of the ``changed_ids``."""
    if changed_ids:
        line_ids = select(LINES.c.id).where(LINES.c.order_id.in_(changed_ids))
        conn.execute(delete(MODIFIERS).where(MODIFIERS.c.line_item_id.in_(line_ids)))
        for table in (LINES, DISCOUNTS, PAYMENTS, REFUNDS):
            conn.execute(delete(table).where(table.c.order_id.in_(changed_ids)))
    line_rows, modifier_groups = [], []
    discount_rows, payment_rows, refund_rows = [], [], []
    for order_id, record, place in written:
        for line in record.line_items:
            item = (
                menu.by_variation.get(line.catalog_id or "")
                or menu.by_sku.get(line.sku or "")
                or (None, None)
            )
            line_rows.append(
                {
                    "order_id": order_id,
                    "line_no": line.line_no,
                    "menu_item_id": item[0],
                    "item_name": line.item_name,
                    "variation_name": line.variation_name,
                    "category": item[1],
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "modifiers_total": line.modifiers_total,
                    "gross_sales": line.gross_sales,
                    "discounts": line.discounts,
                    "net_sales": line.net_sales,
                    "tax": line.tax,
                }
            )
            modifier_groups.append(line.modifiers)
        discount_rows += [
            {"order_id": order_id, **_fields(d, "name", "kind", "scope", "provider", "amount")}
            for d in record.discount_lines
        ]
        payment_rows += [
            {
                "order_id": order_id,
                **_fields(
                    p,
                    "source_payment_id",
                    "method",
                    "card_brand",
                    "amount",
                    "tip",
                    "processing_fee",
                    "status",
                    "created_at",
                ),
            }
            for p in record.payments
        ]
        refund_rows += [
            {
                "order_id": order_id,
                "business_date": r.created_at.astimezone(place.timezone).date(),
                **_fields(
                    r,
                    "source_refund_id",
                    "source_payment_id",
                    "amount",
                    "reason",
                    "status",
                    "created_at",
                ),
            }
            for r in record.refunds
        ]
    if line_rows:
        line_ids = insert_returning_ids(conn, LINES, line_rows)
        modifier_rows = [
            {
                "line_item_id": line_id,
                **_fields(m, "name", "sku", "quantity", "unit_price", "total_price"),
            }
            for line_id, group in zip(line_ids, modifier_groups, strict=True)
            for m in group
        ]
        insert_rows(conn, MODIFIERS, modifier_rows)
    for table, rows in (
        (DISCOUNTS, discount_rows),
        (PAYMENTS, payment_rows),
        (REFUNDS, refund_rows),
    ):
        insert_rows(conn, table, rows)


def _fields(obj, *names: str) -> dict:
    return {name: getattr(obj, name) for name in names}
