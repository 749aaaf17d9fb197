"""Deterministic generator of the demo business's source payloads, at any scale.

Writes, into one folder, exactly what the real APIs would hand us:

- ``square/locations.json``   a ListLocations response
- ``square/catalog.json``     a ListCatalog response (categories, items with variations, modifier lists)
- ``square/orders.jsonl.gz``  SearchOrders response pages, one JSON page per line (``orders`` + ``cursor``)
- ``deliverect/orders.jsonl.gz``  Deliverect order webhook bodies, one per line, in delivery order
  (a cancellation is the same ``_id`` re-sent later with status 100 or 110)
- ``business.json``           what a deployer configures: Deliverect→POS location mapping, commission rates

Where the business has the default demo's locations and its period covers their days, the incidents of
``tools/demo/incidents.py`` (a slow day, a platform outage, a refund spike, an item that stopped selling)
are applied while drawing; everything else is drawn exactly as without them.

The same seed and parameters give byte-identical files. The committed demo fixtures are this generator's
output at the default size: ``opsbot demo generate fixtures/demo``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tools.demo.business import (
    DemoLocation,
)
from tools.demo.catalog import (
    DEFAULT_DAYS,
    DEFAULT_FIRST_DAY,
    DEFAULT_ORDERS_PER_DAY,
    DEFAULT_SEED,
    HOUR_WEIGHTS,
    LATE_HOURS,
    SQUARE_PAGE_SIZE,
    WEEKDAY_FACTOR,
    GeneratorParams,
)
from tools.demo.deliverect_orders import DeliverectOrders
from tools.demo.payload_format import (
    gzip_lines,
    write_json,
)
from tools.sources.platforms import platform_for_channel

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_FIRST_DAY",
    "DEFAULT_ORDERS_PER_DAY",
    "DEFAULT_SEED",
    "DemoGenerator",
    "GeneratedCounts",
    "GeneratorParams",
]


@dataclass
class GeneratedCounts:
    square_orders: int = 0
    deliverect_orders: int = 0
    deliverect_events: int = 0


class DemoGenerator(DeliverectOrders):
    """Builds the payloads; ``write(folder)`` streams them to disk."""

    def _order_times(self, loc: DemoLocation, day: date, count: int) -> list[datetime]:
        hours = dict(HOUR_WEIGHTS)
        if loc.late_night and day.weekday() in (4, 5):
            hours.update(LATE_HOURS)
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

    def day_payloads(self, day: date) -> tuple[list[dict], list[dict]]:
        """All Square orders and Deliverect webhook bodies for one calendar day, in time order."""
        params, rng = self.params, self.rng
        square_orders, deliverect_events = [], []
        for li, loc in enumerate(self.locations):
            expected = params.orders_per_day * loc.volume * WEEKDAY_FACTOR[day.weekday()]
            count = max(0, round(rng.gauss(expected, expected * 0.08)))
            ticket = 100
            kept = self.incidents.kept_orders(li, day, count)
            for index, local in enumerate(self._order_times(loc, day, count)):
                keep = kept is None or index in kept  # a dropped order is still drawn, then left out
                roll = rng.random()
                if roll < params.delivery_share:
                    events, pos_copy = self._deliverect_order(li, local)
                    keep = keep and self._through_outage(li, local, events, pos_copy)
                    if keep:
                        deliverect_events.extend(events)
                        if pos_copy:
                            square_orders.append(pos_copy)
                else:
                    online = roll < params.delivery_share + params.online_share
                    order = self._square_order(li, local, ticket + 1, online)
                    if keep:
                        ticket += 1
                        square_orders.append(order)
        square_orders.sort(key=lambda o: o["created_at"])
        deliverect_events.sort(key=lambda e: e["_updated"])
        return square_orders, deliverect_events

    def _through_outage(self, li: int, local: datetime, events: list[dict], pos_copy: dict | None) -> bool:
        """Apply a platform outage to a drawn platform order: False when it was never placed (dropped)."""
        outage = self.incidents.outage(li, local, platform_for_channel(events[0]["channel"]))
        if outage is None:
            return True
        effect, incident = outage
        if effect == "cancel":
            self._cancel_by_platform(events, pos_copy, incident)
        return effect != "drop"

    def write(self, folder: Path, progress: Callable[[int, int], None] | None = None) -> GeneratedCounts:
        """Write every payload file into ``folder``; ``progress(done_days, total_days)`` is called per day."""
        folder = Path(folder)
        (folder / "square").mkdir(parents=True, exist_ok=True)
        (folder / "deliverect").mkdir(parents=True, exist_ok=True)
        write_json(folder / "business.json", self.business_config())
        write_json(folder / "square" / "locations.json", self.locations_response())
        write_json(folder / "square" / "catalog.json", self.catalog_response())
        counts = GeneratedCounts()
        page: list[dict] = []
        page_no = 0
        with (
            gzip_lines(folder / "square" / "orders.jsonl.gz") as square_file,
            gzip_lines(folder / "deliverect" / "orders.jsonl.gz") as deliverect_file,
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
