"""A generated business served by the fake Square and Deliverect APIs: twelve locations (so SearchOrders
needs two batches), three days of orders, in the real payload shapes (the demo generator's)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from tools.demo.generator import DemoGenerator, GeneratorParams

PARAMS = GeneratorParams(locations=12, first_day=date(2026, 11, 16), days=3, orders_per_day=4, seed=7)
# After every generated order and update; the syncs' clock.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class LiveBusiness:
    folder: Path
    business: dict
    locations: list[dict]  # Square Location objects
    catalog: list[dict]  # Square catalog objects
    square_orders: list[dict]  # Square Order objects
    deliverect_bodies: list[dict]  # Deliverect webhook bodies, in delivery order (re-sends included)

    @property
    def deliverect_orders(self) -> dict[str, dict]:
        """The latest body of each Deliverect order (what the orders API lists)."""
        latest: dict[str, dict] = {}
        for body in self.deliverect_bodies:
            if body["_id"] not in latest or body["_updated"] >= latest[body["_id"]]["_updated"]:
                latest[body["_id"]] = body
        return latest

    @property
    def deliverect_locations(self) -> dict[str, str]:
        """Deliverect location id → Square location id."""
        return self.business["deliverect"]["locations"]


def _lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def generate_live_business(folder: Path) -> LiveBusiness:
    DemoGenerator(PARAMS).write(folder)
    return LiveBusiness(
        folder=folder,
        business=json.loads((folder / "business.json").read_text()),
        locations=json.loads((folder / "square" / "locations.json").read_text())["locations"],
        catalog=json.loads((folder / "square" / "catalog.json").read_text())["objects"],
        square_orders=[o for page in _lines(folder / "square" / "orders.jsonl.gz") for o in page["orders"]],
        deliverect_bodies=_lines(folder / "deliverect" / "orders.jsonl.gz"),
    )
