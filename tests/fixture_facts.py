"""One fact per stored order (and per refund), computed straight from the raw demo payloads.

An oracle independent of opsbot: no opsbot module is imported, and every rule is written out again from the
APIs' documented meaning, so the metrics tools can be checked breakdown by breakdown, filter by filter:
- location: Square's ``location_id``; Deliverect's ``posLocationId``, else its ``location`` mapped through
  business.json. business_date, local_hour and weekday: the order's creation time (Square ``created_at``,
  Deliverect ``_created``) in that location's timezone.
- channel: Deliverect orderType 1 pickup, 2 delivery, 3 eat-in (in_store), 4 curbside (pickup). Square: the
  first fulfillment DELIVERY/SHIPMENT → delivery, PICKUP → online when the order's source name says "online"
  (else pickup), no fulfillment → in_store. platform: the Deliverect channel code; None for Square.
- status: Square COMPLETED/CANCELED; Deliverect 100/110 canceled, 30/35/120+ never a sale (other), every
  other code completed. A Square order whose id is some Deliverect order's ``posId`` is its POS copy: never
  counted. A counted order is a completed one that is not a POS copy.
- money in cents: gross = the items' gross (Square ``gross_sales_money``; Deliverect quantity × unit price
  with sub-items), discounts, net = gross − discounts (the demo's prices exclude tax), tax, restaurant tips
  (Square tips, Deliverect ``tip``), courier tips (Deliverect ``driverTip``, not the restaurant's), what the
  customer paid (Square ``total_money``, Deliverect ``payment.amount``), the estimated commission
  (business.json rate × net, per order, half up to the cent).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.fixture_oracle import final_deliverect_bodies, gz_lines, half_up, unit_total, utc

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PLATFORMS = {7: "uber_eats", 12: "doordash", 2: "deliveroo", 9: "just_eat"}
DELIVERECT_CHANNELS = {1: "pickup", 2: "delivery", 3: "in_store", 4: "pickup"}
COUNTED_REFUND_STATUSES = ("APPROVED", "COMPLETED")


@dataclass(frozen=True)
class ItemFact:
    """One line of an order: the menu item, its category, units and gross (cents, sub-items included)."""

    item: str
    category: str
    quantity: int
    gross: int


@dataclass(frozen=True)
class OrderFact:
    """One stored order as the metrics see it (money in cents)."""

    source: str  # "square" | "deliverect"
    order_id: str
    location: str  # the location's name: "Downtown"
    business_date: date
    local_hour: int
    channel: str  # in_store | delivery | pickup | online
    platform: str | None  # uber_eats, doordash, … or None
    status: str  # completed | canceled | other
    pos_copy: bool
    gross: int
    discounts: int
    tax: int
    tips: int  # the restaurant's
    courier_tips: int  # the platform driver's
    total_collected: int  # what the customer paid: Square total_money, Deliverect payment.amount
    commission: int  # estimated, 0 for non-platform orders
    items: tuple[ItemFact, ...]

    @property
    def net(self) -> int:
        """Net sales: gross − discounts."""
        return self.gross - self.discounts

    @property
    def weekday(self) -> str:
        """The business day's weekday name: "Saturday"."""
        return WEEKDAYS[self.business_date.weekday()]

    @property
    def week(self) -> date:
        """The Monday of the business day's week."""
        return self.business_date - timedelta(days=self.business_date.weekday())

    @property
    def counted(self) -> bool:
        """A sale: completed and not a POS copy of a platform order."""
        return self.status == "completed" and not self.pos_copy

    @property
    def items_sold(self) -> int:
        """Units over the order's lines."""
        return sum(item.quantity for item in self.items)


@dataclass(frozen=True)
class RefundFact:
    """A refund given (money in cents), on its own business day and local hour, with its order's channel."""

    location: str
    business_date: date
    local_hour: int
    amount: int
    reason: str | None
    channel: str
    platform: str | None


@dataclass(frozen=True)
class Facts:
    """Every stored order and every counted refund of a fixture folder."""

    orders: tuple[OrderFact, ...]
    refunds: tuple[RefundFact, ...]

    @property
    def first_day(self) -> date:
        """The first business day any stored order falls on."""
        return min(order.business_date for order in self.orders)

    @property
    def last_day(self) -> date:
        """The last business day any stored order falls on."""
        return max(order.business_date for order in self.orders)


@dataclass(frozen=True)
class _Menu:
    """Catalog lookups: Square variation id and SKU (Deliverect's PLU) → (item name, category)."""

    by_variation: dict[str, tuple[str, str]]
    by_sku: dict[str, tuple[str, str]]


def _menu(folder: Path) -> _Menu:
    objects = json.loads((folder / "square" / "catalog.json").read_text())["objects"]
    categories = {o["id"]: o["category_data"]["name"] for o in objects if o["type"] == "CATEGORY"}
    by_variation, by_sku = {}, {}
    for obj in objects:
        if obj["type"] != "ITEM" or obj.get("is_deleted"):
            continue
        data = obj["item_data"]
        ids = [c["id"] for c in data.get("categories") or []]
        category = next((categories[c] for c in ids if c in categories), "Uncategorized")
        for variation in data["variations"]:
            by_variation[variation["id"]] = (data["name"], category)
            by_sku[variation["item_variation_data"]["sku"]] = (data["name"], category)
    return _Menu(by_variation, by_sku)


class _Commission:
    """business.json's rates: a location's own rate beats the platform's; the latest valid_from wins."""

    def __init__(self, rates: list[dict]):
        self._rates = [
            (
                r["platform"],
                r.get("location"),
                date.fromisoformat(r["valid_from"]),
                Decimal(r["rate_percent"]),
            )
            for r in rates
        ]

    def estimate(self, platform: str, location_id: str, day: date, basis: int) -> int:
        """rate × basis, in cents, half up."""
        candidates = [
            (location is not None, start, percent)
            for name, location, start, percent in self._rates
            if name == platform and location in (None, location_id) and start <= day
        ]
        *_, percent = max(candidates)
        basis_points = int(percent * 100)
        return half_up(basis * basis_points, 10_000)


def _square_channel(order: dict) -> str:
    fulfillments = order.get("fulfillments") or []
    kind = fulfillments[0]["type"] if fulfillments else None
    if kind in ("DELIVERY", "SHIPMENT"):
        return "delivery"
    if kind == "PICKUP":
        source = ((order.get("source") or {}).get("name") or "").lower()
        return "online" if "online" in source else "pickup"
    return "in_store"


def _deliverect_status(code: int) -> str:
    if code in (100, 110):
        return "canceled"
    if code in (30, 35) or code >= 120:
        return "other"
    return "completed"


@cache
def facts_from_fixtures(folder: Path) -> Facts:
    """The facts of a fixture folder (read once per folder)."""
    locations = json.loads((folder / "square" / "locations.json").read_text())["locations"]
    names = {loc["id"]: loc["name"] for loc in locations}
    zones = {loc["id"]: ZoneInfo(loc["timezone"]) for loc in locations}
    business = json.loads((folder / "business.json").read_text())
    to_square = business["deliverect"]["locations"]
    commission = _Commission(business["commission_rates"])
    menu = _menu(folder)

    def local(location: str, stamp: str) -> datetime:
        return utc(stamp).astimezone(zones[location])

    orders: list[OrderFact] = []
    final = final_deliverect_bodies(folder)
    for body in final.values():
        location = body.get("posLocationId") or to_square[body["location"]]
        when = local(location, body["_created"])
        platform = PLATFORMS[body["channel"]]
        items = tuple(
            ItemFact(*menu.by_sku[item["plu"]], item["quantity"], item["quantity"] * unit_total(item))
            for item in body["items"]
        )
        gross = sum(item.gross for item in items)
        discounts = -body["discountTotal"]
        orders.append(
            OrderFact(
                source="deliverect",
                order_id=body["_id"],
                location=names[location],
                business_date=when.date(),
                local_hour=when.hour,
                channel=DELIVERECT_CHANNELS[body["orderType"]],
                platform=platform,
                status=_deliverect_status(body["status"]),
                pos_copy=False,
                gross=gross,
                discounts=discounts,
                tax=sum(tax["total"] for tax in body["taxes"]),
                tips=body["tip"],
                courier_tips=body["driverTip"],
                total_collected=body["payment"]["amount"],
                commission=commission.estimate(platform, location, when.date(), gross - discounts),
                items=items,
            )
        )

    pos_ids = {body["posId"] for body in final.values() if body.get("posId")}
    refunds: list[RefundFact] = []
    for page in gz_lines(folder / "square" / "orders.jsonl.gz"):
        for order in page["orders"]:
            location = order["location_id"]
            when = local(location, order["created_at"])
            channel = _square_channel(order)
            pos_copy = order["id"] in pos_ids
            items = tuple(
                ItemFact(
                    *menu.by_variation.get(line.get("catalog_object_id"), (line["name"], "Uncategorized")),
                    int(line["quantity"]),
                    line["gross_sales_money"]["amount"],
                )
                for line in order["line_items"]
            )
            state = order["state"]
            orders.append(
                OrderFact(
                    source="square",
                    order_id=order["id"],
                    location=names[location],
                    business_date=when.date(),
                    local_hour=when.hour,
                    channel=channel,
                    platform=None,
                    status=state.lower() if state in ("COMPLETED", "CANCELED") else "other",
                    pos_copy=pos_copy,
                    gross=sum(item.gross for item in items),
                    discounts=order["total_discount_money"]["amount"],
                    tax=order["total_tax_money"]["amount"],
                    tips=order["total_tip_money"]["amount"],
                    courier_tips=0,
                    total_collected=order["total_money"]["amount"],
                    commission=0,
                    items=items,
                )
            )
            if pos_copy:
                continue
            for refund in order.get("refunds") or []:
                if refund["status"] not in COUNTED_REFUND_STATUSES:
                    continue
                given = local(location, refund["created_at"])
                refunds.append(
                    RefundFact(
                        location=names[location],
                        business_date=given.date(),
                        local_hour=given.hour,
                        amount=refund["amount_money"]["amount"],
                        reason=refund.get("reason"),
                        channel=channel,
                        platform=None,
                    )
                )
    return Facts(tuple(orders), tuple(refunds))


# --- Aggregation: what a tool adds up, written the plain way ------------------------------------------------


def in_scope(
    orders: Iterable[OrderFact],
    start: date,
    end: date,
    *,
    locations: Iterable[str] | None = None,
    weekdays: Iterable[str] | None = None,
    hours: Iterable[int] | None = None,
    channels: Iterable[str] | None = None,
    platforms: Iterable[str] | None = None,
    status: str | None = None,
) -> list[OrderFact]:
    """The orders of business days ``start``..``end`` (inclusive) at ``locations`` (names), on ``weekdays``
    (names), placed in local ``hours``, of ``channels`` and ``platforms``. Counted orders only, or with
    ``status`` (e.g. "canceled") the non-copy orders of that status."""
    wanted = {
        "location": set(locations) if locations is not None else None,
        "weekday": set(weekdays) if weekdays is not None else None,
        "local_hour": set(hours) if hours is not None else None,
        "channel": set(channels) if channels is not None else None,
        "platform": set(platforms) if platforms is not None else None,
    }
    chosen = []
    for order in orders:
        if not start <= order.business_date <= end:
            continue
        if (order.status != status or order.pos_copy) if status else not order.counted:
            continue
        if all(values is None or getattr(order, key) in values for key, values in wanted.items()):
            chosen.append(order)
    return chosen


def total(rows: Iterable, measure: str) -> int:
    """The sum of ``measure`` (an attribute: gross, net, tips, quantity, …) over ``rows``; "orders" counts."""
    rows = list(rows)
    return len(rows) if measure == "orders" else sum(getattr(row, measure) for row in rows)


def group(rows: Iterable, *keys: str | Callable) -> dict:
    """``rows`` by one key (→ {value: rows}) or two (→ {(first, second): rows}); a key is an attribute name
    or a function of a row."""
    getters = [key if callable(key) else (lambda row, name=key: getattr(row, name)) for key in keys]
    groups: dict = defaultdict(list)
    for row in rows:
        values = tuple(get(row) for get in getters)
        groups[values[0] if len(values) == 1 else values].append(row)
    return dict(groups)


@dataclass(frozen=True)
class Line:
    """An order line with its order's facts beside it, for item and category breakdowns."""

    order: OrderFact
    item: str
    category: str
    quantity: int
    gross: int

    @property
    def week(self) -> date:
        """The Monday of the order's business week."""
        return self.order.week


def lines(orders: Iterable[OrderFact]) -> list[Line]:
    """Every line of ``orders``."""
    return [Line(o, i.item, i.category, i.quantity, i.gross) for o in orders for i in o.items]


def average_ticket(orders: list[OrderFact]) -> int:
    """Net sales per order, half up to the cent."""
    return half_up(total(orders, "net"), len(orders))


def share(part: int, whole: int) -> float:
    """``part`` as a percentage of ``whole``, one decimal, as the tools round it."""
    return round(100 * part / whole, 1)
