"""Commission estimates: a platform order's commission from the rate table (a location's own rate beats the
business-wide one; the latest start wins among equals), and re-estimating every stored order when the rates
change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import Connection, Engine, bindparam, select, update

from tools.currencies import divide_half_up
from tools.sources.records import COMPLETED
from tools.store import rollups
from tools.store.models import Order, PlatformCommissionRate
from tools.sync.orders.places import Place

ORDERS = Order.__table__


class CommissionBasis(Protocol):
    """The fields of an order that its commission estimate depends on."""

    platform: str | None
    status: str
    gross_sales: int
    discounts: int


@dataclass(frozen=True)
class _Rate:
    location_id: int | None
    valid_from: date
    valid_to: date | None
    rate_bps: int
    fixed_fee: int


@dataclass(frozen=True)
class _StoredOrder:
    """A stored platform order's commission basis."""

    platform: str
    status: str
    gross_sales: int
    discounts: int


class CommissionRates:
    """The store's commission rate table, by platform, loaded once per writer."""

    def __init__(self, conn: Connection):
        self._rates: dict[str, list[_Rate]] = {}
        for rate in conn.execute(select(PlatformCommissionRate.__table__)):
            self._rates.setdefault(rate.platform, []).append(
                _Rate(rate.location_id, rate.valid_from, rate.valid_to, rate.rate_bps, rate.fixed_fee)
            )

    def estimate(self, order: CommissionBasis, location_id: int, day: date) -> int | None:
        """The commission of ``order`` on business day ``day``: None without a platform or a rate, 0 unless
        completed."""
        if order.platform is None:
            return None
        if order.status != COMPLETED:
            return 0
        candidates = [
            rate
            for rate in self._rates.get(order.platform, ())
            if rate.location_id in (None, location_id)
            and rate.valid_from <= day
            and (rate.valid_to is None or day <= rate.valid_to)
        ]
        if not candidates:
            return None
        # A location's own rate beats the business-wide one; the latest start wins among equals.
        rate = max(candidates, key=lambda r: (r.location_id is not None, r.valid_from))
        basis = order.gross_sales - order.discounts
        return divide_half_up(basis * rate.rate_bps, 10_000) + rate.fixed_fee


def recompute_commissions(engine: Engine, rates: CommissionRates, places: dict[int, Place]) -> int:
    """Re-estimate the commission of every platform order at ``places`` from ``rates``; the number changed."""
    changed = []
    touched: set[tuple[int, date]] = set()
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ORDERS.c.id,
                ORDERS.c.location_id,
                ORDERS.c.platform,
                ORDERS.c.status,
                ORDERS.c.business_date,
                ORDERS.c.gross_sales,
                ORDERS.c.discounts,
                ORDERS.c.commission,
            ).where(ORDERS.c.platform.is_not(None))
        )
        for row in rows:
            place = places.get(row.location_id)
            if place is None:
                continue
            order = _StoredOrder(row.platform, row.status, row.gross_sales, row.discounts)
            value = rates.estimate(order, place.location_id, row.business_date)
            if value != row.commission:
                changed.append(
                    {
                        "b_id": row.id,
                        "commission": value,
                        "commission_is_estimated": value is not None,
                    }
                )
                touched.add((row.location_id, row.business_date))
    if changed:
        with engine.begin() as conn:
            conn.execute(
                update(ORDERS)
                .where(ORDERS.c.id == bindparam("b_id"))
                .values(
                    commission=bindparam("commission"),
                    commission_is_estimated=bindparam("commission_is_estimated"),
                ),
                changed,
            )
            rollups.refresh(conn, touched)
    return len(changed)
