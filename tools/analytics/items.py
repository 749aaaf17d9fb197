"""Best and worst sellers: ``top_items``, with ties kept together."""

from __future__ import annotations

from typing import Annotated, Literal

from sqlalchemy import func, select

from tools.analytics.arguments import (
    ChannelsArg,
    EndArg,
    HoursArg,
    LocationsArg,
    PeriodArg,
    PlatformsArg,
    StartArg,
    WeekdaysArg,
)
from tools.analytics.breakdowns import MENU, Bucket, breakdown
from tools.analytics.definitions import definitions_for
from tools.analytics.names import unknown_name_error
from tools.analytics.scope import Place, Scope, build_scope, no_data_note
from tools.currencies import format_money
from tools.registry import Param, ToolContext, ToolError, activity


def _ranked(rows: list[dict], metric: str, limit: int, bottom: bool) -> list[dict]:
    """Sort by ``metric``, rank with ties (1, 1, 3) and keep every item tied with the last one kept."""
    ordered = sorted(rows, key=lambda r: (r[metric] if bottom else -r[metric], r["item"]))
    kept: list[dict] = []
    rank = 0
    for index, row in enumerate(ordered):
        if index == 0 or row[metric] != ordered[index - 1][metric]:
            rank = index + 1
        if index >= limit and row[metric] != kept[-1][metric]:
            break
        kept.append({**row, "rank": rank})
    return kept


def _menu_categories(conn) -> dict[str, str]:
    """Each menu item's category (the first one, for an item listed in several)."""
    rows = conn.execute(select(MENU.c.item_name, func.min(MENU.c.category)).group_by(MENU.c.item_name))
    return {item: category or "Uncategorized" for item, category in rows}


def _item_rows(
    buckets: list[Bucket], menu: dict[str, str], category: str | None, include_unsold: bool
) -> list[dict]:
    """Units and revenue per menu item from (category, item) buckets (of one category), with the unsold
    menu items when asked."""
    sold: dict[str, dict] = {}
    for bucket in buckets:
        cat, item = bucket.keys
        row = sold.setdefault(item, {"item": item, "category": cat, "quantity": 0.0, "revenue": 0})
        row["category"] = min(row["category"], cat)
        row["quantity"] += float(bucket.sums["items_sold"])
        row["revenue"] += int(bucket.sums["gross_sales"])
    rows = list(sold.values())
    if include_unsold:
        rows += [
            {"item": item, "category": cat, "quantity": 0.0, "revenue": 0}
            for item, cat in menu.items()
            if item not in sold
        ]
    if category:
        known = sorted({r["category"] for r in rows} | set(menu.values()))
        wanted = next((c for c in known if c.lower() == category.strip().lower()), None)
        if wanted is None:
            raise unknown_name_error("category", category, known)
        rows = [r for r in rows if r["category"] == wanted]
    return rows


def _item_buckets(
    ctx: ToolContext, scope: Scope, per_location: bool, with_menu: bool
) -> tuple[dict[int | None, list[Bucket]], dict[str, str]]:
    """(category, item) buckets of the scope — per location id in one statement when ``per_location``,
    else under None — and the menu's categories when ``with_menu``."""
    with ctx.engine.connect() as conn:
        dimensions = ["location", "category", "item"] if per_location else ["category", "item"]
        found = breakdown(conn, scope, dimensions, day_parts=ctx.day_parts)
        menu = _menu_categories(conn) if with_menu else {}
    buckets: dict[int | None, list[Bucket]] = {}
    for bucket in found:
        where, keys = (bucket.keys[0], bucket.keys[1:]) if per_location else (None, bucket.keys)
        buckets.setdefault(where, []).append(Bucket(keys, bucket.sums))
    return buckets, menu


@activity("ranking menu items")
def top_items(
    ctx: ToolContext,
    period: PeriodArg = None,
    by: Annotated[Literal["quantity", "revenue"], Param("Units sold or gross item revenue.")] = "quantity",
    direction: Annotated[
        Literal["top", "bottom"],
        Param("bottom: worst sellers (items without sales count)."),
    ] = "top",
    limit: Annotated[int, Param("Items (1–50), plus any tied with the last.")] = 5,
    per_location: Annotated[bool, Param("Rank each location separately.")] = False,
    category: Annotated[str | None, Param("Only this menu category ('Burgers').")] = None,
    locations: LocationsArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    weekdays: WeekdaysArg = None,
    hours: HoursArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Best- or worst-selling menu items by units or revenue, overall or per location (sizes combined; ties
    share a rank)."""
    if not 1 <= limit <= 50:
        raise ToolError(f"limit must be between 1 and 50, got {limit}")
    scope = build_scope(
        ctx,
        period=period,
        start_date=start_date,
        end_date=end_date,
        locations=locations,
        channels=channels,
        platforms=platforms,
        weekdays=weekdays,
        hours=hours,
    )
    currency = scope.currency
    metric = "quantity" if by == "quantity" else "revenue"
    groups: list[tuple[Place | None, Scope]] = [(None, scope)]
    if per_location:
        groups = [(p, scope.at(p)) for p in scope.places]
    result: dict = {**scope.describe(), "ranked_by": by, "direction": direction}
    rankings = []
    include_unsold = direction == "bottom"
    found: dict[int | None, list[Bucket]] = {}
    menu: dict[str, str] = {}
    if not scope.outside_data:
        found, menu = _item_buckets(ctx, scope, per_location, with_menu=include_unsold or bool(category))
    for place, sub_scope in groups:
        if sub_scope.outside_data:  # not every menu item "unsold" in a period without data
            rankings.append(
                {**({"location": place.label} if place else {}), "items": [], "note": no_data_note(sub_scope)}
            )
            continue
        rows = _item_rows(found.get(place.id if place else None, []), menu, category, include_unsold)
        ranked = _ranked(rows, metric, limit, bottom=direction == "bottom")
        items = [
            {
                "rank": r["rank"],
                "item": r["item"],
                "category": r["category"],
                "units_sold": int(r["quantity"]) if r["quantity"].is_integer() else r["quantity"],
                "revenue": format_money(r["revenue"], currency),
            }
            for r in ranked
        ]
        entry: dict = {"items": items}
        if place is not None:
            entry = {"location": place.label, **entry}
        if not any(r["quantity"] for r in rows):
            entry["note"] = no_data_note(sub_scope)
        rankings.append(entry)
    if per_location:
        result["by_location"] = rankings
    else:
        result.update(rankings[0])
    result["definitions"] = definitions_for("items_sold", "item_sales")
    return result
