"""A short description of what the store holds, for ``opsbot status`` and sync reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from tools.store.models import Location, MenuItem, Order, OrderLineItem, Refund, StoreMeta


@dataclass(frozen=True)
class LocationSummary:
    position: int
    name: str
    timezone: str
    currency: str
    orders: int
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class StoreSummary:
    business_name: str | None
    locations: list[LocationSummary]
    orders: int
    counted_orders: int
    line_items: int
    refunds: int
    menu_items: int
    orders_by_source: dict[str, int]


def summarize(engine: Engine) -> StoreSummary:
    """Counts and date ranges of what the store holds."""
    with engine.connect() as conn:
        per_location = {
            row.location_id: row
            for row in conn.execute(
                select(
                    Order.location_id,
                    func.count().label("orders"),
                    func.min(Order.business_date).label("first_day"),
                    func.max(Order.business_date).label("last_day"),
                )
                .where(Order.duplicate_of_id.is_(None))
                .group_by(Order.location_id)
            )
        }
        locations = []
        for loc in conn.execute(select(Location.__table__).order_by(Location.position)):
            row = per_location.get(loc.id)
            locations.append(
                LocationSummary(
                    loc.position,
                    loc.name,
                    loc.timezone,
                    loc.currency,
                    row.orders if row else 0,
                    row.first_day if row else None,
                    row.last_day if row else None,
                )
            )
        return StoreSummary(
            business_name=conn.scalar(select(StoreMeta.value).where(StoreMeta.key == "business_name")),
            locations=locations,
            orders=conn.scalar(select(func.count()).select_from(Order)) or 0,
            counted_orders=sum(loc.orders for loc in locations),
            line_items=conn.scalar(select(func.count()).select_from(OrderLineItem)) or 0,
            refunds=conn.scalar(select(func.count()).select_from(Refund)) or 0,
            menu_items=conn.scalar(select(func.count()).select_from(MenuItem)) or 0,
            orders_by_source=dict(
                conn.execute(select(Order.source, func.count()).group_by(Order.source)).all()
            ),
        )
