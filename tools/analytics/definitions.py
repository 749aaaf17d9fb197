"""The one set of definitions every figure uses, written down once.

Each term has a short form, which results carry for the measures they show (``"definitions": {…}``), and a
full sentence, which ``business_info`` lists and README's "Definitions" table repeats (a test keeps the two
the same). Tools name terms from here; they never describe a measure in their own words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """What a measure counts: ``short`` for results, ``full`` for business_info and README."""

    short: str
    full: str


DEFINITIONS: dict[str, Definition] = {
    "orders": Definition(
        "completed orders, each once",
        "Completed orders. Canceled and failed orders are not sales, and a POS copy of a delivery-platform "
        "order (the same order injected into the POS) is not counted a second time.",
    ),
    "gross_sales": Definition(
        "item prices + modifiers, before discounts",
        "The menu price of every item sold, modifiers included, before discounts, tax and tips.",
    ),
    "discounts": Definition(
        "money taken off by discounts",
        "Money taken off the gross sales by discounts and promotions, on the day of the discounted order.",
    ),
    "net_sales": Definition(
        "gross − discounts; excl. tax, tips, fees",
        "Gross sales minus discounts: what the food and drink sold for, before tax, without tips, delivery "
        "or service fees. Refunds are reported apart, not subtracted.",
    ),
    "tax": Definition("sales tax collected", "Sales tax on the counted orders."),
    "tips": Definition(
        "the restaurant's tips, not couriers'",
        "Tips left for the restaurant's staff. A delivery platform courier's tip is not the restaurant's "
        "money and is not in tips (see courier_tips).",
    ),
    "courier_tips": Definition(
        "platform couriers' tips",
        "Tips customers gave a delivery platform's courier, where the platform reports them; passed through "
        "to the driver, so kept out of the restaurant's tips.",
    ),
    "total_collected": Definition(
        "everything the customer paid",
        "Everything the customer paid: net sales, tax, tips, courier tips and fees.",
    ),
    "average_ticket": Definition(
        "net sales ÷ orders, half up",
        "Net sales divided by orders, rounded half up to the minor unit.",
    ),
    "items_sold": Definition("units on counted orders", "Units of menu items on counted orders."),
    "item_sales": Definition(
        "an item's gross sales incl. modifiers",
        "An item's gross sales: its price times the units sold, modifiers included, before discounts.",
    ),
    "refunds": Definition(
        "refunds given, on their own day",
        "Money returned to customers (approved or completed refunds), counted on the day the refund was "
        "given, not on the day of the order.",
    ),
    "canceled": Definition(
        "canceled orders: count, net, gross value",
        "Orders canceled before completion: their count, their net value (gross − discounts) and their "
        "gross value. Not part of any sales figure.",
    ),
    "channel": Definition(
        "how it was ordered and handed over",
        "in_store: ordered at the counter or table; delivery: delivered to the customer (by a platform "
        "courier or the restaurant); pickup: collected by the customer (incl. platform pickup orders); "
        "online: the restaurant's own online ordering, collected.",
    ),
    "platform_orders": Definition(
        "orders through a delivery platform, delivered or picked up",
        "Orders placed through a delivery platform (Uber Eats, DoorDash…), whether delivered or picked up. "
        "'Delivery' orders are the ones delivered (channel delivery); platform orders include platform "
        "pickups.",
    ),
    "estimated_commission": Definition(
        "rate × (gross − discounts) per order, half up",
        "The platform's commission estimated per order from the configured rate: rate × (gross sales − "
        "discounts) plus any fixed fee, rounded half up to the minor unit. Platforms do not report it.",
    ),
    "share_percent": Definition(
        "the row's share of the ranked measure's total",
        "A breakdown row's share of the total, in percent with one decimal, of the measure the rows are "
        "ranked by (net sales unless another metric is named).",
    ),
    "change_percent": Definition(
        "change ÷ the earlier (or first) value; none from zero",
        "The change as a percent of the earlier period's (or first location's) value; not given when that "
        "value is zero or the earlier period has no data.",
    ),
    "business_day": Definition(
        "the local date at the location",
        "Days, weekdays and hours are the local date and hour in each location's own timezone.",
    ),
}


def definitions_for(*terms: str) -> dict[str, str]:
    """The short definitions of ``terms``, for a result's ``definitions`` field."""
    return {term: DEFINITIONS[term].short for term in terms}


def all_definitions() -> dict[str, str]:
    """Every term's full definition, for business_info."""
    return {term: definition.full for term, definition in DEFINITIONS.items()}
