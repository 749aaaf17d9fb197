"""Best and worst sellers: ``top_items``, with ties kept together."""

from __future__ import annotations

from typing import Annotated, Literal

from sqlalchemy import func, select

from tools.analytics.sales import (
    ITEMS,
    MENU,
    ChannelsArg,
    EndArg,
    LocationsArg,
    PeriodArg,
    PlatformsArg,
    StartArg,
)
from tools.analytics.scope import Scope, build_scope, no_data_note
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


def _item_rows(ctx: ToolContext, scope: Scope, category: str | None, include_unsold: bool) -> list[dict]:
    conditions = scope.rollup_conditions(ITEMS)
    if category:
        conditions.append(func.lower(ITEMS.c.category) == category.strip().lower())
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(
                ITEMS.c.item,
                func.min(ITEMS.c.category).label("category"),
                func.sum(ITEMS.c.quantity).label("quantity"),
                func.sum(ITEMS.c.gross_sales).label("revenue"),
            )
            .where(*conditions)
            .group_by(ITEMS.c.item)
        ).all()
        result = [
            {"item": r.item, "category": r.category, "quantity": float(r.quantity), "revenue": int(r.revenue)}
            for r in rows
        ]
        if include_unsold:
            menu = select(MENU.c.item_name, func.min(MENU.c.category)).group_by(MENU.c.item_name)
            if category:
                menu = menu.where(func.lower(MENU.c.category) == category.strip().lower())
            sold = {r["item"] for r in result}
            result += [
                {"item": item, "category": cat, "quantity": 0.0, "revenue": 0}
                for item, cat in conn.execute(menu).all()
                if item not in sold
            ]
    return result


@activity("ranking menu items")
def top_items(
    ctx: ToolContext,
    period: PeriodArg = None,
    by: Annotated[
        Literal["quantity", "revenue"], Param("Rank by units sold or by gross item revenue.")
    ] = "quantity",
    direction: Annotated[
        Literal["top", "bottom"],
        Param("top = best sellers; bottom = worst sellers (menu items with no sales count)."),
    ] = "top",
    limit: Annotated[int, Param("How many items (1–50); items tied with the last one are all included.")] = 5,
    per_location: Annotated[
        bool, Param("Rank separately for each location instead of all together.")
    ] = False,
    category: Annotated[
        str | None, Param("Only items of this menu category (e.g. 'Burgers', 'Drinks').")
    ] = None,
    locations: LocationsArg = None,
    channels: ChannelsArg = None,
    platforms: PlatformsArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """The best- or worst-selling menu items for a period, by units sold or revenue, overall or per location.
    Ties share a rank and are all listed. Items are menu items (variations such as sizes are combined)."""
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
    )
    currency = scope.currency
    metric = "quantity" if by == "quantity" else "revenue"
    groups = [(None, scope)]
    if per_location:
        groups = [(p, Scope(scope.period, [p], False, scope.channels, scope.platforms)) for p in scope.places]
    result: dict = {**scope.describe(), "ranked_by": by, "direction": direction}
    rankings = []
    for place, sub_scope in groups:
        rows = _item_rows(ctx, sub_scope, category, include_unsold=direction == "bottom")
        if category and not rows:
            raise ToolError(f"no menu items in category {category!r}")
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
            entry["note"] = no_data_note(ctx.engine, sub_scope)
        rankings.append(entry)
    if per_location:
        result["by_location"] = rankings
    else:
        result.update(rankings[0])
    return result
