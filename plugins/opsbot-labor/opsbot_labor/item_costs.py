"""Item costs in effect on a day, and what the items sold in a scope cost to make.

The cost of one unit of an item at a location on a business date is its latest cost row with an
effective date on or before that day — the location's own row first, else the every-location row.
Units come from the item sales rollup, grouped in the database by item, location, slice and the cost
"era" (the days between two effective dates inside the period, where no item's cost changes), so one
cost applies to each group.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, case, func, literal, select

from opsbot_labor.tables import item_costs
from tools.plugin_api import SALES_TABLES, Scope

ITEMS = SALES_TABLES.items


@dataclass
class CostBook:
    """Every cost row, by (item, location id or None), in effective-date order."""

    rows: dict[tuple[str, int | None], list[tuple[date, int]]] = field(default_factory=dict)

    def unit_cost(self, item: str, location_id: int, day: date) -> int | None:
        """The cost of one unit of ``item`` at the location on ``day``; None when it has none."""
        for key in ((item, location_id), (item, None)):
            entries = self.rows.get(key)
            if entries:
                index = bisect.bisect_right([d for d, _ in entries], day) - 1
                if index >= 0:
                    return entries[index][1]
        return None

    def change_days(self, first: date, last: date) -> list[date]:
        """The effective dates inside (first, last]: where some item's cost may change."""
        return sorted({d for entries in self.rows.values() for d, _ in entries if first < d <= last})


def load_costs(conn: Connection) -> CostBook:
    """Every stored item cost (a few hundred rows at most)."""
    book = CostBook()
    query = select(
        item_costs.c.item, item_costs.c.location_id, item_costs.c.effective_date, item_costs.c.unit_cost
    )
    for item, location_id, day, cost in conn.execute(
        query.order_by(item_costs.c.effective_date, item_costs.c.id)
    ):
        entries = book.rows.setdefault((item, location_id), [])
        if entries and entries[-1][0] == day:
            entries[-1] = (day, int(cost))  # two sources on one day: the later row wins
        else:
            entries.append((day, int(cost)))
    return book


@dataclass(frozen=True)
class ItemSlice:
    """Units and item sales of one item at one location on one platform ('' = in-store/online), in one
    cost era (``first_day``: the era's first day in the period), and optionally on one day."""

    item: str
    category: str | None
    location_id: int
    platform: str
    first_day: date
    day: date | None
    units: float
    gross_sales: int


def item_slices(
    conn: Connection,
    scope: Scope,
    change_days: list[date],
    *,
    by_day: bool = False,
    by_platform: bool = False,
) -> Iterable[ItemSlice]:
    """The scope's item sales grouped by item, location, cost era (and day / platform when asked)."""
    era = literal(0)
    for day in change_days:
        era = era + case((ITEMS.c.business_date >= day, 1), else_=0)
    starts = [scope.period.start, *change_days]
    columns = [ITEMS.c.item, ITEMS.c.location_id, era.label("era")]
    if by_day:
        columns.append(ITEMS.c.business_date)
    if by_platform:
        columns.append(ITEMS.c.platform)
    query = select(
        *columns,
        func.max(ITEMS.c.category).label("category"),
        func.sum(ITEMS.c.quantity).label("units"),
        func.sum(ITEMS.c.gross_sales).label("gross"),
    ).where(*scope.rollup_conditions(ITEMS))
    for row in conn.execute(query.group_by(*columns)):
        day = row.business_date if by_day else None
        if day is not None and not isinstance(day, date):
            day = date.fromisoformat(str(day)[:10])
        yield ItemSlice(
            item=row.item,
            category=row.category,
            location_id=row.location_id,
            platform=row.platform if by_platform else "",
            first_day=day or starts[int(row.era)],
            day=day,
            units=float(row.units or 0),
            gross_sales=int(row.gross or 0),
        )
