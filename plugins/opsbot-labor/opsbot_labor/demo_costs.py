"""The demo's item costs: every catalog item's cost of goods at 25–35 % of its mean variation price from the
period's first day, a cost increase on a few items mid-period, and one location's own cost for one item —
as the rows of an item-cost CSV (``item,unit_cost,effective_date,location,currency``)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from opsbot_labor.demo_orders import DemoLocation, MenuItem
from tools.plugin_api import divide_half_up, minor_unit_digits

HEADER = ("item", "unit_cost", "effective_date", "location", "currency")
INCREASED_ITEMS = 4  # items whose cost goes up mid-period
INCREASE = (8, 15)  # percent


def major(amount: int, currency: str) -> str:
    """Minor units as a decimal in major units: 385 → "3.85" (USD), 385 → "385" (JPY)."""
    digits = minor_unit_digits(currency)
    if digits == 0:
        return str(amount)
    text = str(amount).rjust(digits + 1, "0")
    return f"{text[:-digits]}.{text[-digits:]}"


def cost_rows(
    menu: list[MenuItem], locations: list[DemoLocation], first_day: date, last_day: date, rng: random.Random
) -> list[tuple[str, str, str, str, str]]:
    """The CSV's rows (without the header), in the order written."""
    rows = []
    base: dict[str, int] = {}
    for item in menu:
        mean_price = divide_half_up(sum(item.prices), len(item.prices))
        base[item.name] = divide_half_up(mean_price * rng.randint(25, 35), 100)
        rows.append(
            (item.name, major(base[item.name], item.currency), first_day.isoformat(), "", item.currency)
        )
    currency = {item.name: item.currency for item in menu}
    if locations and menu:
        own = rng.choice(menu).name
        location = locations[-1]
        cheaper = divide_half_up(base[own] * 90, 100)
        rows.append((own, major(cheaper, location.currency), first_day.isoformat(), location.name, ""))
    else:
        own = ""
    middle = first_day + (last_day - first_day) / 2
    increase_day = middle - timedelta(days=middle.weekday())  # the Monday of the middle week
    candidates = [item.name for item in menu if item.name != own]
    for name in sorted(rng.sample(candidates, min(INCREASED_ITEMS, len(candidates)))):
        higher = divide_half_up(base[name] * (100 + rng.randint(*INCREASE)), 100)
        rows.append((name, major(higher, currency[name]), increase_day.isoformat(), "", currency[name]))
    return rows
