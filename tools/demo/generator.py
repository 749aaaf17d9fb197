"""Deterministic generator of the demo business's source payloads, at any scale.

Writes, into one folder, exactly what the real APIs would hand us:

- ``square/locations.json``   a ListLocations response
- ``square/catalog.json``     a ListCatalog response (categories, items with variations, modifier lists)
- ``square/orders.jsonl.gz``  SearchOrders response pages, one JSON page per line (``orders`` + ``cursor``)
- ``deliverect/orders.jsonl.gz``  Deliverect order webhook bodies, one per line, in delivery order
  (a cancellation is the same ``_id`` re-sent later with status 100)
- ``business.json``           what a deployer configures: Deliverect→POS location mapping, commission rates

The same seed and parameters give byte-identical files. The committed demo fixtures are this generator's
output at the default size: ``opsbot demo generate fixtures/demo``.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tools.demo.business import (
    BUSINESS_NAME,
    COMMISSION_RATES,
    EXTRA_LOCATION_NAMES,
    LOCATIONS,
    MENU,
    MODIFIER_LISTS,
    PLATFORM_MARKUP_PERCENT,
    PLATFORMS,
    REFUND_REASONS,
    DemoLocation,
)
from tools.sources.platforms import channel_for_platform

DEFAULT_FIRST_DAY = date(2026, 8, 31)  # a Monday
DEFAULT_DAYS = 84  # twelve whole weeks
DEFAULT_ORDERS_PER_DAY = 95
DEFAULT_SEED = 20260831
SQUARE_PAGE_SIZE = 500

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_WEEKDAY_FACTOR = (0.85, 0.9, 0.95, 1.05, 1.25, 1.4, 1.15)  # Monday..Sunday
_HOUR_WEIGHTS = {11: 6, 12: 14, 13: 12, 14: 6, 15: 4, 16: 4, 17: 7, 18: 12, 19: 13, 20: 9, 21: 5}
_LATE_HOURS = {22: 3, 23: 2}
_ITEM_COUNT_WEIGHTS = ((1, 25), (2, 35), (3, 22), (4, 10), (5, 5), (6, 3))
_CARD_BRANDS = (("VISA", 50), ("MASTERCARD", 30), ("AMERICAN_EXPRESS", 15), ("DISCOVER", 5))
_FIRST_NAMES = (
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
)


@dataclass(frozen=True)
class GeneratorParams:
    """What to generate: ``orders_per_day`` is the average per location on a typical weekday."""

    locations: int = len(LOCATIONS)
    first_day: date = DEFAULT_FIRST_DAY
    days: int = DEFAULT_DAYS
    orders_per_day: int = DEFAULT_ORDERS_PER_DAY
    seed: int = DEFAULT_SEED
    delivery_share: float = 0.30
    online_share: float = 0.08


@dataclass
class GeneratedCounts:
    square_orders: int = 0
    deliverect_orders: int = 0
    deliverect_events: int = 0


def _money(amount: int) -> dict:
    return {"amount": amount, "currency": "USD"}


def _square_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _deliverect_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _tax(amount: int, ppm: int) -> int:
    return (amount * ppm + 500_000) // 1_000_000


def _percent(amount: int, percent: int) -> int:
    return (amount * percent + 50) // 100


class _Ids:
    """Deterministic ids in the sources' own formats."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def square(self, length: int = 27) -> str:
        value = self.rng.getrandbits(6 * length)
        chars = []
        for _ in range(length):
            value, digit = divmod(value, 62)
            chars.append(_BASE62[digit])
        return "".join(chars)

    def location(self) -> str:
        return "L" + self.square(12).upper()

    def object_id(self, moment: datetime | None = None) -> str:
        seconds = int((moment or datetime(2024, 1, 1, tzinfo=UTC)).timestamp())
        return f"{seconds:08x}{self.rng.getrandbits(64):016x}"

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _locations(count: int) -> list[DemoLocation]:
    result = list(LOCATIONS[:count])
    for index in range(len(result), count):
        template = LOCATIONS[index % len(LOCATIONS)]
        name = EXTRA_LOCATION_NAMES[(index - len(LOCATIONS)) % len(EXTRA_LOCATION_NAMES)]
        if index - len(LOCATIONS) >= len(EXTRA_LOCATION_NAMES):
            name = f"{name} {index + 1}"
        result.append(
            DemoLocation(
                name,
                template.timezone,
                template.tax_rate_ppm,
                0.8 + (index % 5) * 0.1,
                template.pos_integrated,
                f"{100 + index} Market St",
                template.locality,
                template.region,
                template.postal_code,
            )
        )
    return result


class DemoGenerator:
    """Builds the payloads; ``write(folder)`` streams them to disk."""

    def __init__(self, params: GeneratorParams | None = None):
        self.params = params or GeneratorParams()
        self.rng = random.Random(self.params.seed)
        self.ids = _Ids(self.rng)
        self.locations = _locations(self.params.locations)
        self.square_location_ids = [self.ids.location() for _ in self.locations]
        self.deliverect_location_ids = [self.ids.object_id() for _ in self.locations]
        self.deliverect_account = self.ids.object_id()
        self.channel_links = {
            (i, platform): self.ids.object_id()
            for i in range(len(self.locations))
            for platform, _ in PLATFORMS
        }
        self._build_catalog()
        total_popularity = sum(item.popularity for item in MENU)
        self._item_weights = {
            part: [
                item.popularity
                * (1.8 if item.daypart == part else 0.6 if item.daypart != "all" else 1.0)
                / total_popularity
                for item in MENU
            ]
            for part in ("lunch", "dinner")
        }

    # -- catalog ---------------------------------------------------------------------------------------

    def _build_catalog(self) -> None:
        self.category_ids = {c: self.ids.square(24).upper() for c in dict.fromkeys(i.category for i in MENU)}
        self.modifier_ids = {
            key: (self.ids.square(24).upper(), [self.ids.square(24).upper() for _ in mods])
            for key, (_, mods) in MODIFIER_LISTS.items()
        }
        self.item_ids = [self.ids.square(24).upper() for _ in MENU]
        self.variation_ids = [[self.ids.square(24).upper() for _ in item.variations] for item in MENU]

    def catalog_response(self) -> dict:
        objects: list[dict] = []
        for name, object_id in self.category_ids.items():
            objects.append(
                {
                    "type": "CATEGORY",
                    "id": object_id,
                    "version": 1,
                    "is_deleted": False,
                    "present_at_all_locations": True,
                    "category_data": {"name": name},
                }
            )
        for key, (list_name, modifiers) in MODIFIER_LISTS.items():
            list_id, mod_ids = self.modifier_ids[key]
            objects.append(
                {
                    "type": "MODIFIER_LIST",
                    "id": list_id,
                    "version": 1,
                    "is_deleted": False,
                    "present_at_all_locations": True,
                    "modifier_list_data": {
                        "name": list_name,
                        "selection_type": "MULTIPLE",
                        "modifiers": [
                            {
                                "type": "MODIFIER",
                                "id": mod_id,
                                "version": 1,
                                "modifier_data": {
                                    "name": mod_name,
                                    "price_money": _money(price),
                                    "modifier_list_id": list_id,
                                },
                            }
                            for mod_id, (mod_name, price, _sku) in zip(mod_ids, modifiers, strict=True)
                        ],
                    },
                }
            )
        for index, item in enumerate(MENU):
            item_id = self.item_ids[index]
            data: dict = {
                "name": item.name,
                "categories": [{"id": self.category_ids[item.category], "ordinal": 0}],
                "product_type": "FOOD_AND_BEV",
                "variations": [
                    {
                        "type": "ITEM_VARIATION",
                        "id": var_id,
                        "version": 1,
                        "is_deleted": False,
                        "present_at_all_locations": True,
                        "item_variation_data": {
                            "item_id": item_id,
                            "name": var.name,
                            "sku": var.sku,
                            "ordinal": v,
                            "pricing_type": "FIXED_PRICING",
                            "price_money": _money(var.price),
                        },
                    }
                    for v, (var, var_id) in enumerate(
                        zip(item.variations, self.variation_ids[index], strict=True)
                    )
                ],
            }
            if item.modifier_list:
                data["modifier_list_info"] = [
                    {"modifier_list_id": self.modifier_ids[item.modifier_list][0], "enabled": True}
                ]
            objects.append(
                {
                    "type": "ITEM",
                    "id": item_id,
                    "version": 1,
                    "is_deleted": False,
                    "present_at_all_locations": True,
                    "item_data": data,
                }
            )
        return {"objects": objects}

    def locations_response(self) -> dict:
        return {
            "locations": [
                {
                    "id": sq_id,
                    "name": loc.name,
                    "business_name": BUSINESS_NAME,
                    "timezone": loc.timezone,
                    "currency": "USD",
                    "country": "US",
                    "language_code": "en-US",
                    "status": "ACTIVE",
                    "type": "PHYSICAL",
                    "merchant_id": "MDEMO0COPPERLINE",
                    "capabilities": ["CREDIT_CARD_PROCESSING"],
                    "created_at": "2021-03-01T15:00:00Z",
                    "address": {
                        "address_line_1": loc.address,
                        "locality": loc.locality,
                        "administrative_district_level_1": loc.region,
                        "postal_code": loc.postal_code,
                        "country": "US",
                    },
                }
                for sq_id, loc in zip(self.square_location_ids, self.locations, strict=True)
            ]
        }

    def business_config(self) -> dict:
        names = {loc.name: sq for loc, sq in zip(self.locations, self.square_location_ids, strict=True)}
        rates = []
        for rate in COMMISSION_RATES:
            row = {k: v for k, v in rate.items() if k != "location"}
            if "location" in rate:
                if rate["location"] not in names:
                    continue
                row["location"] = names[rate["location"]]
            rates.append(row)
        return {
            "business_name": BUSINESS_NAME,
            "description": "A fictional four-location casual restaurant chain (burgers, bowls, pizza) in "
            "New York and Los Angeles, with Uber Eats and DoorDash delivery through Deliverect.",
            "period": {
                "first_day": self.params.first_day.isoformat(),
                "last_day": (self.params.first_day + timedelta(days=self.params.days - 1)).isoformat(),
            },
            "generator": {
                "seed": self.params.seed,
                "locations": self.params.locations,
                "days": self.params.days,
                "orders_per_day": self.params.orders_per_day,
            },
            "deliverect": {
                "account": self.deliverect_account,
                "locations": dict(zip(self.deliverect_location_ids, self.square_location_ids, strict=True)),
            },
            "commission_rates": rates,
        }

    # -- orders ----------------------------------------------------------------------------------------

    def _pick_items(self, local: datetime, markup: int = 0) -> list[dict]:
        rng = self.rng
        count = rng.choices([c for c, _ in _ITEM_COUNT_WEIGHTS], [w for _, w in _ITEM_COUNT_WEIGHTS])[0]
        weights = self._item_weights["lunch" if local.hour < 16 else "dinner"]
        lines = []
        for index in rng.choices(range(len(MENU)), weights, k=count):
            item = MENU[index]
            v = 0 if len(item.variations) == 1 else rng.choices(range(len(item.variations)), (60, 40))[0]
            variation = item.variations[v]
            quantity = rng.choices((1, 2, 3), (85, 12, 3))[0]
            modifiers = []
            if item.modifier_list and rng.random() < 0.3:
                mods = MODIFIER_LISTS[item.modifier_list][1]
                for m in sorted(rng.sample(range(len(mods)), rng.choice((1, 1, 2)))):
                    name, price, sku = mods[m]
                    modifiers.append(
                        {
                            "index": m,
                            "name": name,
                            "price": _marked_up(price, markup),
                            "sku": sku,
                            "id": self.modifier_ids[item.modifier_list][1][m],
                        }
                    )
            lines.append(
                {
                    "item": item,
                    "variation": variation,
                    "variation_id": self.variation_ids[index][v],
                    "price": _marked_up(variation.price, markup),
                    "quantity": quantity,
                    "modifiers": modifiers,
                }
            )
        return lines

    def _order_times(self, loc: DemoLocation, day: date, count: int) -> list[datetime]:
        hours = dict(_HOUR_WEIGHTS)
        if loc.late_night and day.weekday() in (4, 5):
            hours.update(_LATE_HOURS)
        tz = ZoneInfo(loc.timezone)
        picked = self.rng.choices(list(hours), list(hours.values()), k=count)
        times = []
        for hour in picked:
            local = datetime(
                day.year,
                day.month,
                day.day,
                hour,
                self.rng.randrange(60),
                self.rng.randrange(60),
                self.rng.randrange(1000) * 1000,
                tzinfo=tz,
            )
            times.append(local)
        return sorted(times)

    def _square_order(self, li: int, local: datetime, ticket: int, online: bool) -> dict:
        rng, loc = self.rng, self.locations[li]
        created = local.astimezone(UTC)
        lines = self._pick_items(local)
        order_id = self.ids.square()
        discount = None
        gross_total = sum(_line_gross(line) for line in lines)
        roll = rng.random()
        if 15 <= local.hour < 17 and roll < 0.4:
            discount = ("Happy Hour 10%", "FIXED_PERCENTAGE", 10, None)
        elif roll < 0.03 and gross_total >= 2500:
            discount = ("Loyalty $5 Off", "FIXED_AMOUNT", None, 500)
        elif roll > 0.99:
            discount = ("Staff Meal 50%", "FIXED_PERCENTAGE", 50, None)
        line_discounts = _apportion(lines, discount)
        order: dict = {"id": order_id, "location_id": self.square_location_ids[li]}
        if online:
            order["source"] = {"name": "Square Online"}
        square_lines, tax_total, discount_total = [], 0, 0
        for line, line_discount in zip(lines, line_discounts, strict=True):
            gross = _line_gross(line)
            tax = _tax(gross - line_discount, loc.tax_rate_ppm)
            tax_total += tax
            discount_total += line_discount
            square_lines.append(
                self._square_line(
                    f"{order_id[:12]}L{len(square_lines) + 1}",
                    line,
                    gross,
                    line_discount,
                    tax,
                    discount,
                )
            )
        order["line_items"] = square_lines
        order["taxes"] = [
            {
                "uid": "sales-tax",
                "name": "Sales Tax",
                "percentage": _ppm_percent(loc.tax_rate_ppm),
                "type": "ADDITIVE",
                "scope": "ORDER",
                "applied_money": _money(tax_total),
            }
        ]
        if discount:
            name, kind, pct, amount = discount
            entry = {
                "uid": "discount-1",
                "name": name,
                "type": kind,
                "scope": "ORDER",
                "applied_money": _money(discount_total),
            }
            if pct is not None:
                entry["percentage"] = str(pct)
            else:
                entry["amount_money"] = _money(amount)
            order["discounts"] = [entry]
        if online:
            pickup_at = created + timedelta(minutes=rng.randrange(15, 35))
            order["fulfillments"] = [
                {
                    "uid": "fulfillment-1",
                    "type": "PICKUP",
                    "state": "COMPLETED",
                    "pickup_details": {
                        "recipient": {"display_name": rng.choice(_FIRST_NAMES)},
                        "pickup_at": _square_time(pickup_at),
                        "placed_at": _square_time(created),
                    },
                }
            ]
        net = gross_total - discount_total
        canceled = rng.random() < 0.006
        version, updated = 2, created + timedelta(seconds=rng.randrange(30, 900))
        tip = 0
        tenders = []
        if not canceled:
            method = rng.choices(("CARD", "CASH"), (85, 15) if not online else (1, 0))[0]
            if method == "CARD" and rng.random() < 0.65:
                tip = _percent(net, rng.choice((15, 18, 20, 20, 22, 25)))
            amount = net + tax_total + tip
            tenders.append(self._tender(li, order_id, created, method, amount, tip, online))
            version = 4
        order.update(
            {
                "created_at": _square_time(created),
                "updated_at": _square_time(updated),
                "state": "CANCELED" if canceled else "COMPLETED",
                "version": version,
                "ticket_name": f"#{ticket}",
                "total_money": _money(net + tax_total + tip),
                "total_tax_money": _money(tax_total),
                "total_discount_money": _money(discount_total),
                "total_tip_money": _money(tip),
                "total_service_charge_money": _money(0),
                "net_amount_due_money": _money(0),
            }
        )
        if not canceled:
            order["closed_at"] = _square_time(updated)
            order["tenders"] = tenders
            if tenders[0]["type"] == "CARD" and rng.random() < 0.012:
                self._refund(order, li, square_lines, tax_total, net + tax_total + tip, created)
        return order

    def _square_line(self, uid: str, line: dict, gross: int, discount: int, tax: int, order_discount) -> dict:
        variation = line["variation"]
        result = {
            "uid": uid,
            "catalog_object_id": line["variation_id"],
            "catalog_version": 1,
            "quantity": str(line["quantity"]),
            "name": line["item"].name,
            "variation_name": variation.name,
            "item_type": "ITEM",
            "base_price_money": _money(line["price"]),
            "variation_total_price_money": _money(line["price"] * line["quantity"]),
            "gross_sales_money": _money(gross),
            "total_discount_money": _money(discount),
            "total_tax_money": _money(tax),
            "total_money": _money(gross - discount + tax),
            "total_service_charge_money": _money(0),
            "applied_taxes": [{"uid": uid + "T", "tax_uid": "sales-tax", "applied_money": _money(tax)}],
        }
        if line["modifiers"]:
            result["modifiers"] = [
                {
                    "uid": f"{uid}M{n}",
                    "catalog_object_id": m["id"],
                    "name": m["name"],
                    "quantity": "1",
                    "base_price_money": _money(m["price"]),
                    "total_price_money": _money(m["price"] * line["quantity"]),
                }
                for n, m in enumerate(line["modifiers"], 1)
            ]
        if order_discount and discount:
            result["applied_discounts"] = [
                {"uid": uid + "D", "discount_uid": "discount-1", "applied_money": _money(discount)}
            ]
        return result

    def _tender(self, li, order_id, created, method, amount, tip, online) -> dict:
        tender_id = self.ids.square()
        tender = {
            "id": tender_id,
            "location_id": self.square_location_ids[li],
            "transaction_id": order_id,
            "created_at": _square_time(created + timedelta(minutes=self.rng.randrange(1, 10))),
            "amount_money": _money(amount),
            "tip_money": _money(tip),
            "type": method,
            "payment_id": tender_id,
        }
        if method == "CARD":
            fee = _percent(amount * 10, 29 if online else 26) // 10 + (30 if online else 15)
            tender["processing_fee_money"] = _money(fee)
            brand = self.rng.choices([b for b, _ in _CARD_BRANDS], [w for _, w in _CARD_BRANDS])[0]
            tender["card_details"] = {
                "status": "CAPTURED",
                "card": {"card_brand": brand, "last_4": f"{self.rng.randrange(10000):04d}"},
                "entry_method": "KEYED"
                if online
                else self.rng.choice(("CONTACTLESS", "CONTACTLESS", "EMV", "SWIPED")),
            }
        else:
            tendered = -(-amount // 500) * 500
            tender["cash_details"] = {
                "buyer_tendered_money": _money(tendered),
                "change_back_money": _money(tendered - amount),
            }
        return tender

    def _refund(self, order, li, lines, tax_total, total, created) -> None:
        rng = self.rng
        if rng.random() < 0.4 or len(lines) == 1:
            amount = total
        else:
            line = rng.choice(lines)
            amount = line["total_money"]["amount"]
        refunded_at = created + timedelta(minutes=rng.randrange(10, 60 * 48))
        tender = order["tenders"][0]
        order["refunds"] = [
            {
                "id": self.ids.square(),
                "location_id": self.square_location_ids[li],
                "transaction_id": order["id"],
                "tender_id": tender["id"],
                "created_at": _square_time(refunded_at),
                "reason": rng.choice(REFUND_REASONS),
                "amount_money": _money(amount),
                "status": "APPROVED",
            }
        ]
        order["updated_at"] = _square_time(refunded_at)
        order["version"] += 1

    def _deliverect_order(self, li: int, local: datetime) -> tuple[list[dict], dict | None]:
        """The webhook bodies for one platform order, and its POS copy (a Square order) if injected."""
        rng, loc = self.rng, self.locations[li]
        created = local.astimezone(UTC)
        platform = rng.choices([p for p, _ in PLATFORMS], [w for _, w in PLATFORMS])[0]
        delivery = rng.random() < 0.85
        lines = self._pick_items(local, PLATFORM_MARKUP_PERCENT)
        items, subtotal = [], 0
        for line in lines:
            items.append(
                {
                    "plu": line["variation"].sku,
                    "name": line["item"].name
                    if line["variation"].name == "Regular"
                    else f"{line['item'].name} ({line['variation'].name})",
                    "price": line["price"],
                    "quantity": line["quantity"],
                    "productType": 1,
                    "subItems": [
                        {
                            "plu": m["sku"],
                            "name": m["name"],
                            "price": m["price"],
                            "quantity": 1,
                            "productType": 2,
                            "subItems": [],
                        }
                        for m in line["modifiers"]
                    ],
                }
            )
            subtotal += _line_gross(line)
        discounts, discount_total = [], 0
        if rng.random() < 0.12:
            if subtotal >= 2500 and rng.random() < 0.5:
                discount_total = 500
                discounts.append(
                    {
                        "type": "order_flat_off",
                        "provider": "restaurant",
                        "name": "Spend $25, save $5",
                        "channelDiscountCode": "SAVE5",
                        "referenceId": "1",
                        "value": 500,
                        "amount": 500,
                    }
                )
            else:
                discount_total = min(_percent(subtotal, 20), 800)
                discounts.append(
                    {
                        "type": "order_percent_off",
                        "provider": "channel",
                        "name": "20% off (max $8)",
                        "channelDiscountCode": "TWENTY",
                        "referenceId": "1",
                        "value": 20,
                        "amount": discount_total,
                    }
                )
        tax = _tax(subtotal - discount_total, loc.tax_rate_ppm)
        delivery_cost = rng.choice((199, 299, 399)) if delivery else 0
        driver_tip = rng.choice((0, 200, 300, 400, 500)) if delivery and rng.random() < 0.65 else 0
        tip = rng.choice((100, 200)) if not delivery and rng.random() < 0.2 else 0
        total = subtotal - discount_total + tax + delivery_cost + tip + driver_tip
        order_id = self.ids.object_id(created)
        code = channel_for_platform(platform)
        if platform == "uber_eats":
            channel_order_id = self.ids.uuid()
            display_id = channel_order_id[:5].upper()
        else:
            channel_order_id = f"{self.rng.getrandbits(48):012x}"
            display_id = channel_order_id[-6:].upper()
        prep = timedelta(minutes=rng.randrange(10, 26))
        pickup_time = created + prep
        pos_copy = None
        square_location = self.square_location_ids[li]
        body = {
            "_id": order_id,
            "_created": _deliverect_time(created),
            "_updated": _deliverect_time(created),
            "account": self.deliverect_account,
            "location": self.deliverect_location_ids[li],
            "channelLink": self.channel_links[(li, platform)],
            "channel": code,
            "channelOrderId": channel_order_id,
            "channelOrderDisplayId": display_id,
            "posId": "",
            "posReceiptId": "",
            "posLocationId": square_location if loc.pos_integrated else "",
            "status": 1,
            "orderType": 2 if delivery else 1,
            "by": "",
            "pickupTime": _deliverect_time(pickup_time),
            "deliveryTime": _deliverect_time(pickup_time + timedelta(minutes=rng.randrange(12, 36)))
            if delivery
            else _deliverect_time(pickup_time),
            "deliveryIsAsap": True,
            "courier": {
                "deliveryBy": platform if delivery else "",
                "firstName": "",
                "lastName": "",
                "phoneNumber": "",
            },
            "customer": {
                "name": rng.choice(_FIRST_NAMES),
                "companyName": "",
                "phoneNumber": "",
                "email": "",
                "note": "",
            },
            "orderIsAlreadyPaid": True,
            "decimalDigits": 2,
            "numberOfCustomers": 1,
            "payment": {"amount": total, "type": 0, "due": 0, "rebate": 0, "commissionType": ""},
            "taxes": [{"taxClassId": 0, "name": "Sales Tax", "total": tax}],
            "taxRemitted": tax,
            "items": items,
            "deliveryCost": delivery_cost,
            "deliveryCostTax": 0,
            "serviceCharge": 0,
            "serviceChargeTax": 0,
            "tip": tip,
            "driverTip": driver_tip,
            "bagFee": 0,
            "discountTotal": -discount_total,
            "discounts": discounts,
            "note": "",
            "packaging": {"includeCutlery": rng.random() < 0.3},
        }
        if delivery:
            body["deliveryAddress"] = {
                "street": rng.choice(("Elm St", "Oak Ave", "Maple Dr", "Cedar Ln")),
                "streetNumber": str(rng.randrange(1, 400)),
                "postalCode": loc.postal_code,
                "city": loc.locality,
                "country": "US",
                "extraAddressInfo": "",
            }
        canceled = rng.random() < 0.03
        if loc.pos_integrated:
            pos_copy = self._pos_copy(li, body, lines, discount_total, tax, canceled)
            body["posId"] = pos_copy["id"]
            body["posReceiptId"] = pos_copy["ticket_name"]
        events = [body]
        if canceled:
            cancel = dict(body)
            cancel["status"] = rng.choice((100, 100, 110))
            cancel["_updated"] = _deliverect_time(created + timedelta(minutes=rng.randrange(3, 20)))
            events.append(cancel)
        return events, pos_copy

    def _pos_copy(self, li, body, lines, discount_total, tax, canceled) -> dict:
        """The Square order Deliverect injects into the POS for a platform order."""
        created = datetime.fromisoformat(body["_created"].replace("Z", "+00:00")) + timedelta(seconds=2)
        order_id = self.ids.square()
        platform_name = {"uber_eats": "Uber Eats", "doordash": "DoorDash"}.get(
            next(p for p, _ in PLATFORMS if channel_for_platform(p) == body["channel"]), "Delivery"
        )
        line_discounts = _apportion(
            lines,
            ("Platform promotion", "FIXED_AMOUNT", None, discount_total) if discount_total else None,
        )
        square_lines = []
        remaining_tax = tax
        for index, (line, line_discount) in enumerate(zip(lines, line_discounts, strict=True)):
            gross = _line_gross(line)
            line_tax = (
                remaining_tax
                if index == len(lines) - 1
                else _tax(gross - line_discount, self.locations[li].tax_rate_ppm)
            )
            remaining_tax -= line_tax
            square_lines.append(
                self._square_line(
                    f"{order_id[:12]}L{index + 1}",
                    line,
                    gross,
                    line_discount,
                    line_tax,
                    discount_total or None,
                )
            )
        total = body["payment"]["amount"]
        order = {
            "id": order_id,
            "location_id": self.square_location_ids[li],
            "source": {"name": "Deliverect"},
            "reference_id": body["channelOrderDisplayId"],
            "ticket_name": f"{platform_name} {body['channelOrderDisplayId']}",
            "line_items": square_lines,
            "taxes": [
                {
                    "uid": "sales-tax",
                    "name": "Sales Tax",
                    "type": "ADDITIVE",
                    "scope": "ORDER",
                    "percentage": _ppm_percent(self.locations[li].tax_rate_ppm),
                    "applied_money": _money(tax),
                }
            ],
            "fulfillments": [
                {
                    "uid": "fulfillment-1",
                    "type": "DELIVERY" if body["orderType"] == 2 else "PICKUP",
                    "state": "CANCELED" if canceled else "COMPLETED",
                }
            ],
            "created_at": _square_time(created),
            "updated_at": _square_time(created + timedelta(minutes=25)),
            "state": "CANCELED" if canceled else "COMPLETED",
            "version": 3,
            "total_money": _money(total),
            "total_tax_money": _money(tax),
            "total_discount_money": _money(discount_total),
            "total_tip_money": _money(body["tip"] + body["driverTip"]),
            "total_service_charge_money": _money(body["deliveryCost"]),
            "net_amount_due_money": _money(0),
        }
        if discount_total:
            order["discounts"] = [
                {
                    "uid": "discount-1",
                    "name": "Platform promotion",
                    "type": "FIXED_AMOUNT",
                    "scope": "ORDER",
                    "amount_money": _money(discount_total),
                    "applied_money": _money(discount_total),
                }
            ]
        if not canceled:
            order["closed_at"] = order["updated_at"]
            tender_id = self.ids.square()
            order["tenders"] = [
                {
                    "id": tender_id,
                    "location_id": self.square_location_ids[li],
                    "transaction_id": order_id,
                    "created_at": _square_time(created),
                    "amount_money": _money(total),
                    "tip_money": _money(body["tip"] + body["driverTip"]),
                    "type": "OTHER",
                    "payment_id": tender_id,
                }
            ]
        return order

    def day_payloads(self, day: date) -> tuple[list[dict], list[dict]]:
        """All Square orders and Deliverect webhook bodies for one calendar day, in time order."""
        params, rng = self.params, self.rng
        square_orders, deliverect_events = [], []
        for li, loc in enumerate(self.locations):
            expected = params.orders_per_day * loc.volume * _WEEKDAY_FACTOR[day.weekday()]
            count = max(0, round(rng.gauss(expected, expected * 0.08)))
            ticket = 100
            for local in self._order_times(loc, day, count):
                roll = rng.random()
                if roll < params.delivery_share:
                    events, pos_copy = self._deliverect_order(li, local)
                    deliverect_events.extend(events)
                    if pos_copy:
                        square_orders.append(pos_copy)
                else:
                    ticket += 1
                    online = roll < params.delivery_share + params.online_share
                    square_orders.append(self._square_order(li, local, ticket, online))
        square_orders.sort(key=lambda o: o["created_at"])
        deliverect_events.sort(key=lambda e: e["_updated"])
        return square_orders, deliverect_events

    def write(self, folder: Path, progress: Callable[[int, int], None] | None = None) -> GeneratedCounts:
        """Write every payload file into ``folder``; ``progress(done_days, total_days)`` is called per day."""
        folder = Path(folder)
        (folder / "square").mkdir(parents=True, exist_ok=True)
        (folder / "deliverect").mkdir(parents=True, exist_ok=True)
        _write_json(folder / "business.json", self.business_config())
        _write_json(folder / "square" / "locations.json", self.locations_response())
        _write_json(folder / "square" / "catalog.json", self.catalog_response())
        counts = GeneratedCounts()
        page: list[dict] = []
        page_no = 0
        with (
            _gzip_lines(folder / "square" / "orders.jsonl.gz") as square_file,
            _gzip_lines(folder / "deliverect" / "orders.jsonl.gz") as deliverect_file,
        ):

            def flush(last: bool) -> None:
                nonlocal page, page_no
                page_no += 1
                body: dict = {"orders": page}
                if not last:
                    body["cursor"] = f"page-{page_no + 1:06d}"
                square_file.write(json.dumps(body, separators=(",", ":")).encode() + b"\n")
                page = []

            for offset in range(self.params.days):
                square_orders, events = self.day_payloads(self.params.first_day + timedelta(days=offset))
                counts.square_orders += len(square_orders)
                counts.deliverect_events += len(events)
                counts.deliverect_orders += sum(1 for e in events if e["status"] == 1)
                for event in events:
                    deliverect_file.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
                for order in square_orders:
                    page.append(order)
                    if len(page) == SQUARE_PAGE_SIZE:
                        flush(last=False)
                if progress:
                    progress(offset + 1, self.params.days)
            flush(last=True)
        return counts


def _marked_up(price: int, percent: int) -> int:
    if not percent:
        return price
    return (price * (100 + percent) + 250) // 500 * 5  # to the nearest 5 cents


def _line_gross(line: dict) -> int:
    return line["quantity"] * (line["price"] + sum(m["price"] for m in line["modifiers"]))


def _apportion(lines: list[dict], discount) -> list[int]:
    """Split an order discount over lines: percentages per line, fixed amounts pro rata (remainder last)."""
    if not discount:
        return [0] * len(lines)
    _name, _kind, percent, amount = discount
    grosses = [_line_gross(line) for line in lines]
    if percent is not None:
        return [_percent(g, percent) for g in grosses]
    total = sum(grosses)
    amount = min(amount, total)
    shares = [amount * g // total for g in grosses]
    shares[-1] += amount - sum(shares)
    return shares


def _ppm_percent(ppm: int) -> str:
    return f"{ppm / 10_000:.4f}".rstrip("0").rstrip(".")


def _write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


class _gzip_lines:
    """A deterministic gzip writer (no timestamp or file name in the header)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self._raw = open(self.path, "wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=9)
        return self._gz

    def __exit__(self, *exc) -> None:
        self._gz.close()
        self._raw.close()
