"""Expected numbers computed straight from raw fixture payloads, without any of opsbot's parsing code.

The rules are written out again here on purpose (from the APIs' documented meaning), so a bug in the
parsers or the writer shows up as a mismatch instead of being repeated by the test.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass
class DayTotals:
    orders: int = 0
    gross: int = 0
    discounts: int = 0
    tax: int = 0
    tips: int = 0
    net: int = 0

    def add(self, gross: int, discounts: int, tax: int, tips: int) -> None:
        self.orders += 1
        self.gross += gross
        self.discounts += discounts
        self.tax += tax
        self.tips += tips
        self.net += gross - discounts


@dataclass
class Expected:
    """What the store must hold after syncing a fixture folder without anchoring."""

    days: dict[tuple[str, date], DayTotals] = field(default_factory=lambda: defaultdict(DayTotals))
    refunds: dict[str, tuple[int, int]] = field(default_factory=dict)  # location → (count, amount)
    canceled_by_platform: Counter = field(default_factory=Counter)
    square_stored: int = 0
    deliverect_stored: int = 0
    pos_copies: int = 0
    line_items: int = 0


def utc(text: str) -> datetime:
    """An API timestamp ("2026-08-31T15:03:46.485Z") as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def gz_lines(path: Path):
    """The JSON objects of a gzipped JSON-lines file."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def unit_total(item: dict) -> int:
    """Deliverect: one unit of an item costs its price plus its sub-items, each per unit, recursively."""
    return item["price"] + sum(sub["quantity"] * unit_total(sub) for sub in item.get("subItems", []))


def final_deliverect_bodies(folder: Path) -> dict[str, dict]:
    """Each Deliverect order's last delivery (by ``_updated``), by ``_id``: a cancellation re-sends it."""
    final: dict[str, dict] = {}
    for body in gz_lines(folder / "deliverect" / "orders.jsonl.gz"):
        previous = final.get(body["_id"])
        if previous is None or body["_updated"] >= previous["_updated"]:
            final[body["_id"]] = body
    return final


def expected_from_fixtures(folder: Path) -> Expected:
    result = Expected()
    locations = json.loads((folder / "square" / "locations.json").read_text())["locations"]
    names = {loc["id"]: loc["name"] for loc in locations}
    zones = {loc["id"]: ZoneInfo(loc["timezone"]) for loc in locations}
    business = json.loads((folder / "business.json").read_text())
    deliverect_to_square = business["deliverect"]["locations"]

    final = final_deliverect_bodies(folder)
    pos_ids = {body["posId"] for body in final.values() if body.get("posId")}
    for body in final.values():
        result.deliverect_stored += 1
        result.line_items += len(body["items"])
        square_location = body.get("posLocationId") or deliverect_to_square[body["location"]]
        platform = {7: "uber_eats", 12: "doordash", 2: "deliveroo", 9: "just_eat"}[body["channel"]]
        if body["status"] in (100, 110):
            result.canceled_by_platform[platform] += 1
            continue
        day = utc(body["_created"]).astimezone(zones[square_location]).date()
        gross = sum(item["quantity"] * unit_total(item) for item in body["items"])
        result.days[(names[square_location], day)].add(
            gross=gross,
            discounts=-body["discountTotal"],
            tax=sum(t["total"] for t in body["taxes"]),
            tips=body["tip"],  # the courier's driverTip is not the restaurant's
        )

    refunds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page in gz_lines(folder / "square" / "orders.jsonl.gz"):
        for order in page["orders"]:
            result.square_stored += 1
            result.line_items += len(order.get("line_items", []))
            if order["id"] in pos_ids:
                result.pos_copies += 1
                continue
            location = order["location_id"]
            for refund in order.get("refunds", []):
                refunds[names[location]][0] += 1
                refunds[names[location]][1] += refund["amount_money"]["amount"]
            if order["state"] != "COMPLETED":
                continue
            day = utc(order["created_at"]).astimezone(zones[location]).date()
            result.days[(names[location], day)].add(
                gross=sum(line["gross_sales_money"]["amount"] for line in order["line_items"]),
                discounts=order["total_discount_money"]["amount"],
                tax=order["total_tax_money"]["amount"],
                tips=order["total_tip_money"]["amount"],
            )
    result.refunds = {name: (count, amount) for name, (count, amount) in refunds.items()}
    return result


@dataclass
class ItemSales:
    """Units and gross revenue per menu item, keyed by (location name, business date)."""

    units: dict[tuple[str, date], Counter] = field(default_factory=lambda: defaultdict(Counter))
    revenue: dict[tuple[str, date], Counter] = field(default_factory=lambda: defaultdict(Counter))
    # (location, refund's business day, amount, reason)
    refunds: list[tuple[str, date, int, str]] = field(default_factory=list)
    # (location, business day, platform) → estimated commission: rate × (gross − discounts) per order, half up
    commission: dict[tuple[str, date, str], int] = field(default_factory=lambda: defaultdict(int))


def item_sales_from_fixtures(folder: Path) -> ItemSales:
    """Per-item sales from raw payloads: Square lines name their catalog variation, Deliverect items their PLU
    (the variation's SKU); both map to the catalog item's name. Commission: the business.json rates."""
    result = ItemSales()
    catalog = json.loads((folder / "square" / "catalog.json").read_text())["objects"]
    by_variation, by_sku = {}, {}
    for obj in catalog:
        if obj["type"] == "ITEM":
            for variation in obj["item_data"]["variations"]:
                by_variation[variation["id"]] = obj["item_data"]["name"]
                by_sku[variation["item_variation_data"]["sku"]] = obj["item_data"]["name"]
    locations = json.loads((folder / "square" / "locations.json").read_text())["locations"]
    names = {loc["id"]: loc["name"] for loc in locations}
    zones = {loc["id"]: ZoneInfo(loc["timezone"]) for loc in locations}
    business = json.loads((folder / "business.json").read_text())
    to_square = business["deliverect"]["locations"]
    rates = {}
    for rate in business["commission_rates"]:
        rates[(rate["platform"], rate.get("location"))] = int(rate["rate_percent"])

    final = final_deliverect_bodies(folder)
    pos_ids = {b["posId"] for b in final.values() if b.get("posId")}
    for body in final.values():
        if body["status"] in (100, 110):
            continue
        location = body.get("posLocationId") or to_square[body["location"]]
        key = (names[location], utc(body["_created"]).astimezone(zones[location]).date())
        for item in body["items"]:
            result.units[key][by_sku[item["plu"]]] += item["quantity"]
            result.revenue[key][by_sku[item["plu"]]] += item["quantity"] * unit_total(item)
        platform = {7: "uber_eats", 12: "doordash"}[body["channel"]]
        percent = rates.get((platform, location), rates[(platform, None)])
        gross = sum(item["quantity"] * unit_total(item) for item in body["items"])
        basis = gross + body["discountTotal"]  # discountTotal is negative
        result.commission[(*key, platform)] += half_up(basis * percent, 100)  # per order
    for page in gz_lines(folder / "square" / "orders.jsonl.gz"):
        for order in page["orders"]:
            if order["id"] in pos_ids:
                continue
            location = order["location_id"]
            for refund in order.get("refunds", []):
                day = utc(refund["created_at"]).astimezone(zones[location]).date()
                amount = refund["amount_money"]["amount"]
                result.refunds.append((names[location], day, amount, refund["reason"]))
            if order["state"] != "COMPLETED":
                continue
            key = (names[location], utc(order["created_at"]).astimezone(zones[location]).date())
            for line in order["line_items"]:
                name = by_variation[line["catalog_object_id"]]
                result.units[key][name] += int(line["quantity"])
                result.revenue[key][name] += line["gross_sales_money"]["amount"]
    return result


def half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` to a whole number, halves away from zero (round() is half-even)."""
    quotient = (2 * abs(numerator) + abs(denominator)) // (2 * abs(denominator))
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def dollars(cents: int) -> str:
    """Minor units as the tools show them: -$1,234.50."""
    return f"{'-' if cents < 0 else ''}${abs(cents) / 100:,.2f}"


def sums(days, names, start, end) -> tuple[int, int]:
    """Counted orders and net sales of ``names`` (location names) from ``start`` to ``end``."""
    orders = net = 0
    for (name, day), totals in days.items():
        if name in names and start <= day <= end:
            orders += totals.orders
            net += totals.net
    return orders, net
