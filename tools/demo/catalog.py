"""The demo business as the POS describes it: locations, the catalog, and the deployer's configuration."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from tools.demo.business import (
    BUSINESS_NAME,
    COMMISSION_RATES,
    EXTRA_LOCATION_NAMES,
    LOCATIONS,
    MENU,
    MODIFIER_LISTS,
    PLATFORMS,
    DemoLocation,
)
from tools.demo.incidents import IncidentSchedule
from tools.demo.payload_format import (
    Ids,
    money,
)

DEFAULT_FIRST_DAY = date(2026, 8, 31)  # a Monday
DEFAULT_DAYS = 84  # twelve whole weeks
DEFAULT_ORDERS_PER_DAY = 95
DEFAULT_SEED = 20260831
SQUARE_PAGE_SIZE = 500

WEEKDAY_FACTOR = (0.85, 0.9, 0.95, 1.05, 1.25, 1.4, 1.15)  # Monday..Sunday
HOUR_WEIGHTS = {11: 6, 12: 14, 13: 12, 14: 6, 15: 4, 16: 4, 17: 7, 18: 12, 19: 13, 20: 9, 21: 5}
LATE_HOURS = {22: 3, 23: 2}
ITEM_COUNT_WEIGHTS = ((1, 25), (2, 35), (3, 22), (4, 10), (5, 5), (6, 3))
CARD_BRANDS = (("VISA", 50), ("MASTERCARD", 30), ("AMERICAN_EXPRESS", 15), ("DISCOVER", 5))
FIRST_NAMES = (
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


def demo_locations(count: int) -> list[DemoLocation]:
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


class DemoCatalog:
    """The business's fixed parts (ids, locations, catalog) and the random source the orders draw from."""

    def __init__(self, params: GeneratorParams | None = None):
        self.params = params or GeneratorParams()
        self.rng = random.Random(self.params.seed)
        self.ids = Ids(self.rng)
        self.locations = demo_locations(self.params.locations)
        self.square_location_ids = [self.ids.location() for _ in self.locations]
        self.deliverect_location_ids = [self.ids.object_id() for _ in self.locations]
        self.deliverect_account = self.ids.object_id()
        self.channel_links = {
            (i, platform): self.ids.object_id()
            for i in range(len(self.locations))
            for platform, _ in PLATFORMS
        }
        self._build_catalog()
        self.incidents = IncidentSchedule(
            self.params.seed, self.params.first_day, self.params.days, [loc.name for loc in self.locations]
        )
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
                                    "price_money": money(price),
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
                            "price_money": money(var.price),
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
