"""The business itself (locations, timezones, currencies, data range, menu) and single orders."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, union_all

from tools.analytics.definitions import all_definitions
from tools.analytics.scope import ORDERS, load_places, location_date_ranges, resolve_location
from tools.currencies import format_money
from tools.registry import Param, ToolContext, ToolError, activity
from tools.sources.platforms import platform_display_name
from tools.store.models import MenuItem, OrderDiscount, OrderLineItem, Payment, Refund, StoreMeta

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@activity("checking the business and its locations")
def business_info(ctx: ToolContext) -> dict:
    """The business: each location's number, name, timezone, currency and data range, today's date, the menu
    categories and items, the day parts, and what every measure counts."""
    places = load_places(ctx.engine)
    ranges = location_date_ranges(ctx.engine, places)
    menu = MenuItem.__table__
    with ctx.engine.connect() as conn:
        meta = dict(conn.execute(select(StoreMeta.key, StoreMeta.value)).all())
        items = conn.execute(
            select(menu.c.category, menu.c.item_name).distinct().order_by(menu.c.category, menu.c.item_name)
        ).all()
    categories: dict[str, list[str]] = {}
    for category, item in items:
        categories.setdefault(category or "Uncategorized", []).append(item)
    return {
        "business": meta.get("business_name") or "(unnamed)",
        "today": ctx.today.isoformat(),
        "today_weekday": WEEKDAY_NAMES[ctx.today.weekday()],
        "locations": [
            {
                "number": p.position,
                "name": p.name,
                "timezone": p.timezone,
                "currency": p.currency,
                "data_from": ranges[p.id][0].isoformat() if p.id in ranges else None,
                "data_to": ranges[p.id][1].isoformat() if p.id in ranges else None,
            }
            for p in places
        ],
        "menu_categories": categories,
        "day_parts": {part.name: part.span for part in ctx.day_parts},
        "definitions": all_definitions(),
    }


def business_profile(engine: Engine) -> dict:
    """The stable facts the agent's system prompt states: business name and each location's number, name,
    timezone and currency (no dates, so the prompt stays cacheable)."""
    places = load_places(engine)
    with engine.connect() as conn:
        name = conn.execute(select(StoreMeta.value).where(StoreMeta.key == "business_name")).scalar()
    return {
        "business": name or "(unnamed)",
        "locations": [
            {"number": p.position, "name": p.name, "timezone": p.timezone, "currency": p.currency}
            for p in places
        ],
    }


def _matching_orders(wanted: str, on_date: date | None, location_id: int | None):
    """The newest 11 orders whose source order id or display id is ``wanted`` (on ``on_date``, at
    ``location_id``). The ids are found first, each kind by its own index — a source order id by
    ix_orders_source_order_id, a display id by ix_orders_display_id_business_date_location_id with the day
    and location — then their rows: as one OR with the day and location, SQLite reads every order of that
    location's day instead (3× as many on a store of 365 days as on one of 84)."""
    kept = []
    if on_date:
        kept.append(ORDERS.c.business_date == on_date)
    if location_id is not None:
        kept.append(ORDERS.c.location_id == location_id)
    ids = union_all(
        select(ORDERS.c.id).where(ORDERS.c.source_order_id == wanted),
        select(ORDERS.c.id).where(ORDERS.c.display_id == wanted, *kept),
    )
    return select(ORDERS).where(ORDERS.c.id.in_(ids), *kept).order_by(ORDERS.c.created_at.desc()).limit(11)


@activity("looking up the order")
def order_details(
    ctx: ToolContext,
    order_id: Annotated[str, Param("Its id, display id or ticket ('#142', 'A1B2C').")],
    on_date: Annotated[date | None, Param("Its business date, when a display id repeats.")] = None,
    location: Annotated[
        str | None,
        Param("Its location (name or number), when a display id repeats."),
    ] = None,
) -> dict:
    """One order in full: where, when, channel, platform, status, money, items with modifiers, payments,
    discounts, refunds."""
    wanted = order_id.strip()
    places = {p.id: p for p in load_places(ctx.engine)}
    location_id = resolve_location(list(places.values()), location).id if location else None
    with ctx.engine.connect() as conn:
        matches = conn.execute(_matching_orders(wanted, on_date, location_id)).all()
        if not matches:
            raise ToolError(
                f"no order with id or display id {wanted!r}" + (f" on {on_date}" if on_date else "")
            )
        if len(matches) > 1:
            count = "more than 10" if len(matches) > 10 else str(len(matches))
            choices = ", ".join(
                f"{m.business_date} at {places[m.location_id].name} ({m.source_order_id})"
                for m in matches[:4]
            )
            raise ToolError(
                f"{count} orders have display id {wanted!r} — give on_date and location, or an order id "
                f"(e.g. {choices})"
            )
        order = matches[0]
        lines, payments, refunds, discounts = (
            conn.execute(select(table).where(table.c.order_id == order.id).order_by(table.c.id)).all()
            for table in (
                OrderLineItem.__table__,
                Payment.__table__,
                Refund.__table__,
                OrderDiscount.__table__,
            )
        )
    place = places[order.location_id]
    cur = order.currency
    return {
        "order_id": order.source_order_id,
        "display_id": order.display_id,
        "source": order.source,
        "location": place.label,
        "business_date": order.business_date.isoformat(),
        "local_time": order.created_at.astimezone(ZoneInfo(place.timezone)).strftime("%H:%M"),
        "timezone": place.timezone,
        "channel": order.channel,
        "platform": platform_display_name(order.platform) if order.platform else None,
        "status": order.status,
        "counted_as_sale": order.status == "completed" and order.duplicate_of_id is None,
        "gross_sales": format_money(order.gross_sales, cur),
        "discounts": format_money(order.discounts, cur),
        "net_sales": format_money(order.net_sales, cur),
        "tax": format_money(order.tax, cur),
        "tips": format_money(order.tips, cur),
        "courier_tips": format_money(order.courier_tips, cur),
        "total_collected": format_money(order.total_collected, cur),
        "estimated_commission": format_money(order.commission, cur) if order.commission is not None else None,
        "items": [
            {
                "item": line.item_name,
                "variation": line.variation_name,
                "quantity": line.quantity,
                "gross": format_money(line.gross_sales, cur),
            }
            for line in lines
        ],
        "payments": [{"method": p.method, "amount": format_money(p.amount, cur)} for p in payments],
        "discount_lines": [{"name": d.name, "amount": format_money(d.amount, cur)} for d in discounts],
        "refunds": [
            {"amount": format_money(r.amount, cur), "reason": r.reason, "date": r.business_date.isoformat()}
            for r in refunds
        ],
    }
