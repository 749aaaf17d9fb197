"""The store tables a data-source plugin may read, by a stable name, with the columns it may rely on.

Every rollup holds counted sales only (completed orders; canceled ones and POS copies of delivery orders
excluded) and is filtered with ``Scope.rollup_conditions(table)``; money is integer minor units.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from tools.store.models import (
    DailyItemSales,
    DailyItemsAllChannels,
    DailySales,
    HourlySalesAllChannels,
    Location,
    MenuItem,
)


@dataclass(frozen=True)
class SalesTables:
    """``daily``: per location_id, business_date, channel, platform ('' = none): orders, gross_sales,
    discounts, net_sales, tax, tips, commission (a platform's, estimated where the source gives none),
    items_sold. ``hourly``: the same measures per location_id, business_date and local_hour (every channel).
    ``items``: per location_id, business_date, channel, platform and item: category, quantity, gross_sales
    (price with modifiers, before order discounts) and orders; ``items_all``: the same per location_id,
    business_date and item, every channel and platform together (3× fewer rows). ``locations``: id,
    position, name, timezone, currency, square_location_id. ``menu``: the catalog's variations
    (item_name, variation_name, category, sku, price, square_variation_id)."""

    daily: Table
    hourly: Table
    items: Table
    items_all: Table
    locations: Table
    menu: Table


SALES_TABLES = SalesTables(
    daily=DailySales.__table__,
    hourly=HourlySalesAllChannels.__table__,
    items=DailyItemSales.__table__,
    items_all=DailyItemsAllChannels.__table__,
    locations=Location.__table__,
    menu=MenuItem.__table__,
)
