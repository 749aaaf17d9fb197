"""What the demo's labor is generated from: each location's orders per business date and local hour and
its estimated net sales, read from a fixture folder's public payloads (Square ListLocations, ListCatalog,
SearchOrders pages; Deliverect order webhook bodies with ``business.json``'s location map, when present)."""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CANCELED_DELIVERECT = (100, 110)  # Deliverect order statuses: canceled, failed


@dataclass(frozen=True)
class DemoLocation:
    """A Square location as ListLocations gives it."""

    square_id: str
    name: str
    timezone: str
    currency: str


@dataclass
class LocationDemand:
    """One location's completed orders per (business date, local hour) and net sales per business date."""

    location: DemoLocation
    orders: dict[date, Counter] = field(default_factory=lambda: defaultdict(Counter))
    net_sales: Counter = field(default_factory=Counter)  # business date → minor units


@dataclass(frozen=True)
class MenuItem:
    """A catalog item: its name and its variations' prices (minor units)."""

    name: str
    prices: tuple[int, ...]
    currency: str


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _json_lines(path: Path) -> Iterator[Any]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def read_locations(folder: Path) -> list[DemoLocation]:
    """The locations of ``square/locations.json``, in file order."""
    body = json.loads((folder / "square" / "locations.json").read_text())
    return [
        DemoLocation(loc["id"], loc["name"], loc["timezone"], loc.get("currency", "USD"))
        for loc in body["locations"]
    ]


def read_menu(folder: Path) -> list[MenuItem]:
    """The ITEM objects of ``square/catalog.json`` with a priced variation, in file order."""
    body = json.loads((folder / "square" / "catalog.json").read_text())
    items = []
    for obj in body.get("objects", []):
        if obj.get("type") != "ITEM" or obj.get("is_deleted"):
            continue
        data = obj["item_data"]
        prices = [
            v["item_variation_data"]["price_money"]
            for v in data.get("variations", [])
            if v.get("item_variation_data", {}).get("price_money")
        ]
        if prices:
            items.append(MenuItem(data["name"], tuple(p["amount"] for p in prices), prices[0]["currency"]))
    return items


def read_demand(folder: Path, locations: list[DemoLocation]) -> dict[str, LocationDemand]:
    """Square location id → its demand. Square orders count when COMPLETED (net = line gross − discounts);
    Deliverect orders count unless canceled, and only those with no POS copy among the Square orders."""
    demand = {loc.square_id: LocationDemand(loc) for loc in locations}
    zones = {loc.square_id: ZoneInfo(loc.timezone) for loc in locations}

    def count(location: str, created: datetime, net: int) -> None:
        local = created.astimezone(zones[location])
        demand[location].orders[local.date()][local.hour] += 1
        demand[location].net_sales[local.date()] += net

    for page in _json_lines(folder / "square" / "orders.jsonl.gz"):
        for order in page.get("orders", []):
            if order.get("state") != "COMPLETED" or order.get("location_id") not in demand:
                continue
            gross = sum(line["gross_sales_money"]["amount"] for line in order.get("line_items", []))
            net = gross - order.get("total_discount_money", {}).get("amount", 0)
            count(order["location_id"], _timestamp(order["created_at"]), net)

    deliverect = folder / "deliverect" / "orders.jsonl.gz"
    business = folder / "business.json"
    if deliverect.exists() and business.exists():
        to_square = json.loads(business.read_text()).get("deliverect", {}).get("locations", {})
        final: dict[str, dict] = {}
        for body in _json_lines(deliverect):  # a re-sent _id (a cancellation) replaces the earlier body
            if body["_id"] not in final or body["_updated"] >= final[body["_id"]]["_updated"]:
                final[body["_id"]] = body
        for body in final.values():
            location = to_square.get(body.get("location", ""))
            if body.get("posId") or body["status"] in CANCELED_DELIVERECT or location not in demand:
                continue
            gross = sum(item["quantity"] * _unit_price(item) for item in body.get("items", []))
            count(location, _timestamp(body["_created"]), gross + body.get("discountTotal", 0))
    return demand


def _unit_price(item: dict) -> int:
    return item["price"] + sum(sub["quantity"] * _unit_price(sub) for sub in item.get("subItems", []))
