"""Item costs in effect on a day, and what the items sold in a scope cost to make.

The cost of one unit of an item at a location on a business date is its latest cost row with an
effective date on or before that day — the location's own row first, else the every-location row.
Units come from the item sales rollup, grouped in the database by item, location and cost "era" (the days
between two effective dates inside the period, where no item's cost changes) and whatever the caller
groups by, so one cost applies to each row that comes back.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, case, func, literal, select

from opsbot_labor.labor_math import week_of
from opsbot_labor.labor_queries import as_date, week_number
from opsbot_labor.tables import item_costs
from tools.plugin_api import SALES_TABLES, Scope

ITEMS_ALL = SALES_TABLES.items_all


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
    ).order_by(item_costs.c.effective_date, item_costs.c.id)
    for item, location_id, day, cost in conn.execute(query):
        entries = book.rows.setdefault((item, location_id), [])
        if entries and entries[-1][0] == day:
            entries[-1] = (day, int(cost))  # two sources on one day: the later row wins
        else:
            entries.append((day, int(cost)))
    return book


@dataclass
class ItemCostSums:
    """Units, item sales and their cost in one group; the units and sales without a cost apart."""

    category: str | None = None
    units: float = 0.0
    gross: int = 0
    cost: int = 0
    uncosted_units: float = 0.0
    uncosted_gross: int = 0

    def add(self, units: float, gross: int, cost: int | None) -> None:
        """Add some units and their item sales, with their cost (None: they have none)."""
        self.units += units
        self.gross += gross
        if cost is None:
            self.uncosted_units += units
            self.uncosted_gross += gross
        else:
            self.cost += cost


def cost_of_sales(
    conn: Connection, scope: Scope, book: CostBook, by: str | None = None, week_start: int = 0
) -> tuple[dict, dict[str, ItemCostSums]]:
    """The scope's item sales and what they cost per group of ``by`` (None: one group keyed None; "item",
    "location", "day" or "week"), and per item — both from one grouped read of the rollup."""
    table = ITEMS_ALL
    changes = book.change_days(scope.period.start, scope.period.end)
    era = literal(0)
    for day in changes:
        era = era + case((table.c.business_date >= day, 1), else_=0)
    starts = [scope.period.start, *changes]
    extra = []
    if by == "day":
        extra = [table.c.business_date.label("day")]
    first_week = week_of(scope.period.start, week_start)
    if by == "week":
        extra = [week_number(table.c.business_date, conn.dialect.name, first_week).label("week")]
    keys = [table.c.item, table.c.location_id, era.label("era"), *extra]
    query = (
        select(
            *keys,
            func.max(table.c.category).label("category"),
            func.sum(table.c.quantity).label("units"),
            func.sum(table.c.gross_sales).label("gross"),
        )
        .where(*scope.rollup_conditions(table))
        .group_by(*keys)
    )
    result: dict = {}
    per_item: dict[str, ItemCostSums] = {}
    for row in conn.execute(query):
        first = starts[int(row.era)]
        if by == "day":
            first = as_date(row.day)
        elif by == "week":
            first = max(first, first_week + timedelta(weeks=int(row.week)))
        key = {"item": row.item, "location": row.location_id, "day": first}.get(by or "")
        if by == "week":
            key = first_week + timedelta(weeks=int(row.week))
        units, gross = float(row.units or 0), int(row.gross or 0)
        unit_cost = book.unit_cost(row.item, row.location_id, first)
        cost = None if unit_cost is None else round(units * unit_cost)
        result.setdefault(key, ItemCostSums(category=row.category)).add(units, gross, cost)
        if by != "item":
            per_item.setdefault(row.item, ItemCostSums(category=row.category)).add(units, gross, cost)
    return result, (result if by == "item" else per_item)
