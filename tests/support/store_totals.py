"""Totals read back from the store, in the shape the fixture oracle gives them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select

from tests.fixture_oracle import Expected
from tools.store.models import Location, Order

DayKey = tuple[str, date]  # (location name, business date)


def counted_sales_by_day(engine: Engine) -> dict[DayKey, tuple[int, ...]]:
    """(orders, gross, discounts, tax, tips, net) of counted sales per location and business date."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Location.name,
                Order.business_date,
                func.count(),
                func.sum(Order.gross_sales),
                func.sum(Order.discounts),
                func.sum(Order.tax),
                func.sum(Order.tips),
                func.sum(Order.net_sales),
            )
            .join(Location, Location.id == Order.location_id)
            .where(Order.status == "completed", Order.duplicate_of_id.is_(None))
            .group_by(Location.name, Order.business_date)
        ).all()
    return {(name, day): tuple(int(v) for v in values) for name, day, *values in rows}


def expected_sales_by_day(expected: Expected) -> dict[DayKey, tuple[int, ...]]:
    """The oracle's days in the same shape."""
    return {key: (t.orders, t.gross, t.discounts, t.tax, t.tips, t.net) for key, t in expected.days.items()}
