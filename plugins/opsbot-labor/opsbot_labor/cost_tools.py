"""``prime_cost`` (food cost + labor against net sales) and ``menu_engineering`` (each item's units and
contribution margin, classified popular/unpopular × high/low margin)."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Literal

from sqlalchemy import func, select

from opsbot_labor.item_costs import cost_of_sales, load_costs
from opsbot_labor.labor_math import LaborSums, half_up
from opsbot_labor.labor_queries import LaborAsk, labor_groups
from opsbot_labor.labor_tools import (
    group_label,
    labor_definitions,
    net_sales_by,
    overtime_rule,
)
from tools.plugin_api import (
    SALES_TABLES,
    EndArg,
    LocationsArg,
    Param,
    PeriodArg,
    Scope,
    StartArg,
    ToolContext,
    ToolError,
    activity,
    build_scope,
    dimension_order,
    format_money,
    percent,
    unknown_name_error,
)

PrimeDimension = Literal["location", "day", "week"]
FOOD_COST = (
    "units sold × the item's cost in effect on the business date (the location's own cost, else the "
    "every-location one); items without a cost add nothing and are listed"
)
PRIME_DEFINITIONS = {
    "food_cost": FOOD_COST,
    "prime_cost": "food cost + labor cost",
    "percent_of_net_sales": "each cost as a % of net sales (completed orders, after discounts, before tax)",
}
MENU_DEFINITIONS = {
    "price": "average item sales per unit: menu price with modifiers, before order-level discounts",
    "commission": "delivery platforms' commission on the location's platform orders, shared out over "
    "their items in proportion to item sales (estimated)",
    "unit_cost": "the item's cost of goods per unit, averaged over the period's units where it changed",
    "contribution_margin": "price − commission − unit cost, per unit; total = per unit × units",
    "popular": "sells at least 70 % of an equal share of the units (units ≥ 0.7 × units ÷ items costed)",
    "high_margin": "contribution margin per unit at or above the units-weighted average of the items costed",
    "classes": "star = popular + high margin (keep), plowhorse = popular + low margin (re-price or cut its "
    "cost), puzzle = unpopular + high margin (promote or reposition), dog = unpopular + low margin "
    "(consider dropping)",
}
ADVICE = {
    "star": "keep: popular and profitable",
    "plowhorse": "re-price or cut its cost: popular but earns little per unit",
    "puzzle": "promote or reposition: earns well but sells little",
    "dog": "consider dropping or reworking: sells little and earns little",
}


def per_unit(amount: int | Fraction, units: float) -> int:
    """``amount`` per unit, to a whole minor unit, halves away from zero."""
    return half_up(Fraction(amount) / Fraction(units))


def _uncosted_block(uncosted: dict[str, int], item_sales: int, currency: str) -> dict:
    ranked = sorted(uncosted.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "items": [name for name, _ in ranked[:15]],
        "items_count": len(ranked),
        "their_item_sales": format_money(sum(uncosted.values()), currency),
        "share_of_item_sales_percent": percent(sum(uncosted.values()), item_sales),
    }


def _prime_figures(net_sales: int, food: int, labor: LaborSums, currency: str) -> dict:
    prime = food + labor.cost
    return {
        "net_sales": format_money(net_sales, currency),
        "food_cost": format_money(food, currency),
        "food_cost_percent": percent(food, net_sales),
        "labor_cost": format_money(labor.cost, currency),
        "labor_percent": percent(labor.cost, net_sales),
        "prime_cost": format_money(prime, currency),
        "prime_cost_percent": percent(prime, net_sales),
    }


@activity("working out prime cost")
def prime_cost(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    group_by: Annotated[PrimeDimension | None, Param("Rows under the totals; default none.")] = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Food, labor and prime cost in money and as % of net sales, in total or grouped; names items without a
    cost."""
    scope = build_scope(ctx, period=period, start_date=start_date, end_date=end_date, locations=locations)
    threshold, multiplier = overtime_rule(ctx, None)
    dimensions = [group_by] if group_by else []
    currency = scope.currency
    ask = LaborAsk(scope, (), threshold, multiplier, ctx.week_start)
    with ctx.engine.connect() as conn:
        book = load_costs(conn)
        groups, by_item = cost_of_sales(conn, scope, book, group_by, ctx.week_start)
        labor = labor_groups(conn, ask, dimensions)
    food = {(key,): sums.cost for key, sums in groups.items() if group_by}
    food_total = sum(sums.cost for sums in by_item.values())
    uncosted = {item: s.uncosted_gross for item, s in by_item.items() if s.uncosted_units > 0}
    all_item_sales = sum(s.gross for s in by_item.values())
    sales = net_sales_by(ctx, scope, dimensions)
    total_labor = LaborSums()
    for sums in labor.values():
        total_labor.add(sums)
    total_sales = sum(sales.values())
    result: dict = {
        **scope.coverage(),
        "definitions": {
            **PRIME_DEFINITIONS,
            **{
                term: text
                for term, text in labor_definitions(ctx, threshold, multiplier).items()
                if term in ("labor_cost", "overtime", "day")
            },
        },
        "totals": _prime_figures(total_sales, food_total, total_labor, currency),
    }
    if not book.rows:
        result["data_note"] = "no item costs are stored — import them with `opsbot labor import-costs FILE`"
    elif uncosted:
        result["items_without_cost"] = _uncosted_block(uncosted, all_item_sales, currency)
    if not total_labor.shifts:
        result["labor_note"] = "no shifts are stored for this period: labor cost counts as zero"
    if dimensions:
        keys = sorted(
            set(sales) | set(food) | set(labor), key=lambda k: dimension_order(dimensions[0], k[0], scope)
        )
        result["group_by"] = group_by
        result["rows"] = [
            {
                dimensions[0]: group_label(dimensions[0], key[0], scope),
                **_prime_figures(sales.get(key, 0), food.get(key, 0), labor.get(key, LaborSums()), currency),
            }
            for key in keys[:40]
        ]
        result["rows_omitted"] = max(0, len(keys) - 40)
    return result


def _platform_item_sales(conn, scope: Scope) -> dict[tuple[str, int, str], int]:
    """(item, location, platform) → item sales on that platform's orders ('' = none: left out)."""
    items = SALES_TABLES.items
    keys = (items.c.item, items.c.location_id, items.c.platform)
    query = (
        select(*keys, func.sum(items.c.gross_sales))
        .where(*scope.rollup_conditions(items), items.c.platform != "")
        .group_by(*keys)
    )
    return {(row[0], row[1], row[2]): int(row[3] or 0) for row in conn.execute(query)}


def _platform_commission_rates(ctx: ToolContext, scope: Scope) -> dict[tuple[int, str], Fraction]:
    """(location, platform) → commission per unit of item sales on that platform's orders."""
    daily, items = SALES_TABLES.daily, SALES_TABLES.items
    with ctx.engine.connect() as conn:
        commission = dict(
            ((row[0], row[1]), int(row[2] or 0))
            for row in conn.execute(
                select(daily.c.location_id, daily.c.platform, func.sum(daily.c.commission))
                .where(*scope.rollup_conditions(daily), daily.c.platform != "")
                .group_by(daily.c.location_id, daily.c.platform)
            )
        )
        item_sales = dict(
            ((row[0], row[1]), int(row[2] or 0))
            for row in conn.execute(
                select(items.c.location_id, items.c.platform, func.sum(items.c.gross_sales))
                .where(*scope.rollup_conditions(items), items.c.platform != "")
                .group_by(items.c.location_id, items.c.platform)
            )
        )
    return {key: Fraction(value, item_sales[key]) for key, value in commission.items() if item_sales.get(key)}


@activity("engineering the menu")
def menu_engineering(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    category: Annotated[str | None, Param("Only this menu category ('Pizza').")] = None,
    sort: Annotated[
        Literal["margin", "units", "total_margin", "class"] | None,
        Param("Default margin per unit; class: stars first."),
    ] = None,
    limit: Annotated[int | None, Param("Items (1–100); default 40.")] = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Menu engineering: each item's units, price, commission, unit cost and margin, classed star / plowhorse
    / puzzle / dog with what to do (re-price, drop)."""
    scope = build_scope(ctx, period=period, start_date=start_date, end_date=end_date, locations=locations)
    if limit is not None and not 1 <= limit <= 100:
        raise ToolError(f"limit must be between 1 and 100, got {limit}")
    currency = scope.currency
    rates = _platform_commission_rates(ctx, scope)
    with ctx.engine.connect() as conn:
        book = load_costs(conn)
        by_item, _ = cost_of_sales(conn, scope, book, "item")
        on_platforms = _platform_item_sales(conn, scope)
    if category:
        known = sorted({sums.category for sums in by_item.values() if sums.category})
        wanted = next((name for name in known if name.lower() == category.strip().lower()), None)
        if wanted is None:
            raise unknown_name_error("category", category, known)
        by_item = {item: sums for item, sums in by_item.items() if sums.category == wanted}
    commission: dict[str, Fraction] = {}
    for (item, location_id, platform), gross in on_platforms.items():
        rate = rates.get((location_id, platform), Fraction(0))
        commission[item] = commission.get(item, Fraction(0)) + gross * rate
    per_item = {
        item: {
            "category": sums.category,
            "units": sums.units,
            "sales": sums.gross,
            "commission": commission.get(item, Fraction(0)),
            "cost": sums.cost,
            "costed": sums.uncosted_units == 0,
        }
        for item, sums in by_item.items()
    }
    sold = {name: e for name, e in per_item.items() if e["units"] > 0}
    costed = {name: e for name, e in sold.items() if e["costed"]}
    for entry in costed.values():
        entry["margin"] = entry["sales"] - per_unit(entry["commission"], 1) - entry["cost"]
    total_units = sum(e["units"] for e in costed.values())
    popular_at = 0.7 * total_units / len(costed) if costed else 0
    average_margin = sum(e["margin"] for e in costed.values()) / total_units if total_units else 0
    rows = []
    for name, entry in costed.items():
        units = entry["units"]
        margin = entry["margin"] / units
        popular = units >= popular_at
        high = margin >= average_margin
        klass = ("star" if high else "plowhorse") if popular else ("puzzle" if high else "dog")
        rows.append(
            {
                "item": name,
                "category": entry["category"],
                "units": int(units) if float(units).is_integer() else round(units, 2),
                "menu_mix_percent": percent(units, total_units),
                "price": format_money(per_unit(entry["sales"], units), currency),
                "commission_per_unit": format_money(per_unit(entry["commission"], units), currency),
                "unit_cost": format_money(per_unit(entry["cost"], units), currency),
                "margin_per_unit": format_money(per_unit(entry["margin"], units), currency),
                "total_margin": format_money(entry["margin"], currency),
                "food_cost_percent": percent(entry["cost"], entry["sales"]),
                "class": klass,
                "advice": ADVICE[klass],
                "_sort": (margin, units, entry["margin"]),
            }
        )
    order = sort or "margin"
    class_rank = {"star": 0, "plowhorse": 1, "puzzle": 2, "dog": 3}
    if order == "class":
        rows.sort(key=lambda r: (class_rank[r["class"]], -r["_sort"][0], r["item"]))
    else:
        index = {"margin": 0, "units": 1, "total_margin": 2}[order]
        rows.sort(key=lambda r: (-r["_sort"][index], r["item"]))
    for row in rows:
        del row["_sort"]
    cap = limit or 40
    counts = {klass: sum(1 for r in rows if r["class"] == klass) for klass in class_rank}
    result: dict = {
        **scope.coverage(),
        "definitions": MENU_DEFINITIONS,
        "thresholds": {
            "popular_units_at_least": round(popular_at, 1),
            "average_margin_per_unit": format_money(
                per_unit(sum(e["margin"] for e in costed.values()), total_units), currency
            )
            if total_units
            else None,
        },
        "class_counts": counts,
        "sorted_by": order,
        "items": rows[:cap],
        "items_omitted": max(0, len(rows) - cap),
    }
    if category:
        result["category"] = category
    uncosted = {name: e["sales"] for name, e in sold.items() if not e["costed"]}
    if uncosted:
        result["items_without_cost"] = _uncosted_block(
            uncosted, sum(e["sales"] for e in sold.values()), currency
        )
    if not book.rows:
        result["data_note"] = "no item costs are stored — import them with `opsbot labor import-costs FILE`"
    elif not sold:
        result["data_note"] = f"no items sold in {scope.period.label} at these locations"
    return result
