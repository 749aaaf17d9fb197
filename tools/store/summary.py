"""A short description of what the store holds, for ``opsbot status`` and sync reports.

Orders are counted as the analytics tools count them (``rollups.counted``: completed, not a POS copy), with
canceled orders and POS copies of delivery orders counted beside them, so the numbers agree with the tools'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from tools.sources.records import CANCELED
from tools.store.models import Location, MenuItem, Order, OrderLineItem, Refund, StoreMeta
from tools.store.rollups import counted

ORDERS = Order.__table__


@dataclass(frozen=True)
class LocationSummary:
    """One location and its orders: ``orders`` counted as sales, ``canceled`` (not POS copies),
    ``pos_copies`` (Square copies of delivery orders, stored but never counted), ``other`` (open or failed),
    and the first and last business day with any order."""

    position: int
    name: str
    timezone: str
    currency: str
    orders: int
    canceled: int
    pos_copies: int
    other: int
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class StoreSummary:
    """The business, its locations, and the store's totals: ``orders`` every stored order, the three counts
    of each location added up, line items, refunds, menu items and stored orders per source."""

    business_name: str | None
    locations: list[LocationSummary]
    orders: int
    counted_orders: int
    canceled_orders: int
    pos_copies: int
    line_items: int
    refunds: int
    menu_items: int
    orders_by_source: dict[str, int]


def _how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many of a group's orders meet ``condition``."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def summarize(engine: Engine) -> StoreSummary:
    """Counts and date ranges of what the store holds."""
    original = ORDERS.c.duplicate_of_id.is_(None)
    with engine.connect() as conn:
        per_location = {
            row.location_id: row
            for row in conn.execute(
                select(
                    ORDERS.c.location_id,
                    func.count().label("stored"),
                    _how_many(and_(*counted(ORDERS))).label("counted"),
                    _how_many(and_(ORDERS.c.status == CANCELED, original)).label("canceled"),
                    _how_many(~original).label("pos_copies"),
                    func.min(ORDERS.c.business_date).label("first_day"),
                    func.max(ORDERS.c.business_date).label("last_day"),
                ).group_by(ORDERS.c.location_id)
            )
        }
        locations = []
        for loc in conn.execute(select(Location.__table__).order_by(Location.position)):
            row = per_location.get(loc.id)
            numbers = (int(row.counted), int(row.canceled), int(row.pos_copies)) if row else (0, 0, 0)
            locations.append(
                LocationSummary(
                    loc.position,
                    loc.name,
                    loc.timezone,
                    loc.currency,
                    *numbers,
                    row.stored - sum(numbers) if row else 0,
                    row.first_day if row else None,
                    row.last_day if row else None,
                )
            )
        return StoreSummary(
            business_name=conn.scalar(select(StoreMeta.value).where(StoreMeta.key == "business_name")),
            locations=locations,
            orders=conn.scalar(select(func.count()).select_from(Order)) or 0,
            counted_orders=sum(loc.orders for loc in locations),
            canceled_orders=sum(loc.canceled for loc in locations),
            pos_copies=sum(loc.pos_copies for loc in locations),
            line_items=conn.scalar(select(func.count()).select_from(OrderLineItem)) or 0,
            refunds=conn.scalar(select(func.count()).select_from(Refund)) or 0,
            menu_items=conn.scalar(select(func.count()).select_from(MenuItem)) or 0,
            orders_by_source=dict(
                conn.execute(select(Order.source, func.count()).group_by(Order.source)).all()
            ),
        )
