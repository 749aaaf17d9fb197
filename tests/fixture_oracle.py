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


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _gz_lines(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _sub_items_total(item: dict) -> int:
    """Deliverect: one unit of an item costs its price plus its sub-items, each per unit, recursively."""
    return item["price"] + sum(sub["quantity"] * _sub_items_total(sub) for sub in item.get("subItems", []))


def expected_from_fixtures(folder: Path) -> Expected:
    result = Expected()
    locations = json.loads((folder / "square" / "locations.json").read_text())["locations"]
    names = {loc["id"]: loc["name"] for loc in locations}
    zones = {loc["id"]: ZoneInfo(loc["timezone"]) for loc in locations}
    business = json.loads((folder / "business.json").read_text())
    deliverect_to_square = business["deliverect"]["locations"]

    # Deliverect: the last delivery of each _id (by _updated) is the order's state.
    final: dict[str, dict] = {}
    for body in _gz_lines(folder / "deliverect" / "orders.jsonl.gz"):
        previous = final.get(body["_id"])
        if previous is None or body["_updated"] >= previous["_updated"]:
            final[body["_id"]] = body
    pos_ids = {body["posId"] for body in final.values() if body.get("posId")}
    for body in final.values():
        result.deliverect_stored += 1
        result.line_items += len(body["items"])
        square_location = body.get("posLocationId") or deliverect_to_square[body["location"]]
        platform = {7: "uber_eats", 12: "doordash", 2: "deliveroo", 9: "just_eat"}[body["channel"]]
        if body["status"] in (100, 110):
            result.canceled_by_platform[platform] += 1
            continue
        day = _utc(body["_created"]).astimezone(zones[square_location]).date()
        gross = sum(item["quantity"] * _sub_items_total(item) for item in body["items"])
        result.days[(names[square_location], day)].add(
            gross=gross,
            discounts=-body["discountTotal"],
            tax=sum(t["total"] for t in body["taxes"]),
            tips=body["tip"] + body["driverTip"],
        )

    refunds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page in _gz_lines(folder / "square" / "orders.jsonl.gz"):
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
            day = _utc(order["created_at"]).astimezone(zones[location]).date()
            result.days[(names[location], day)].add(
                gross=sum(line["gross_sales_money"]["amount"] for line in order["line_items"]),
                discounts=order["total_discount_money"]["amount"],
                tax=order["total_tax_money"]["amount"],
                tips=order["total_tip_money"]["amount"],
            )
    result.refunds = {name: (count, amount) for name, (count, amount) in refunds.items()}
    return result
