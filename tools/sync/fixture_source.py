"""Read a fixture folder (the demo business, or any folder in the generator's layout) as parsed records.

The files hold payloads exactly as the APIs return them; parsing goes through the same parsers as live data.
The demo can be *anchored*: moved by whole weeks so that its last full day is yesterday in each location's
timezone. Anchoring keeps local wall-clock times and weekdays; orders that would fall after yesterday, and
refunds or cancellations that would lie in the future, are left out until a later sync reaches them.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tools.currencies import LocationCurrencies
from tools.sources import deliverect_parser, square_parser
from tools.sources.records import LocationRecord, MenuItemRecord, OrderRecord, PayloadError
from tools.sync.reference_writer import CommissionRate, parse_commission_rates

Progress = Callable[[int, int], None]  # (bytes read, total bytes)
ParsedItem = tuple[str, OrderRecord | PayloadError]

SQUARE_ORDERS = Path("square") / "orders.jsonl.gz"
DELIVERECT_ORDERS = Path("deliverect") / "orders.jsonl.gz"


@dataclass(frozen=True)
class DemoAnchor:
    """How the demo is moved to today: ``shift_days`` (whole weeks) and each location's last day."""

    shift_days: int
    last_day: dict[str, date]  # Square location id → last business date to include
    now: datetime


def anchor_demo(period_last_day: date, timezones: dict[str, ZoneInfo], now: datetime) -> DemoAnchor:
    """The anchor that makes yesterday (in every location's timezone) the demo's last full day."""
    yesterdays = {loc: now.astimezone(tz).date() - timedelta(days=1) for loc, tz in timezones.items()}
    weeks = math.ceil((max(yesterdays.values()) - period_last_day).days / 7)
    return DemoAnchor(shift_days=weeks * 7, last_day=yesterdays, now=now)


class FixtureSource:
    """One fixture folder; ``anchor`` (optional) moves it in time as described in the module docstring."""

    def __init__(self, folder: Path, anchor: DemoAnchor | None = None):
        self.folder = Path(folder)
        if not (self.folder / "business.json").is_file():
            raise FileNotFoundError(
                f"{self.folder} is not a fixture folder (no business.json) — "
                "generate one with `opsbot demo generate FOLDER`"
            )
        self.anchor = anchor
        self.business: dict[str, Any] = self._json("business.json")
        self.deliverect_locations: dict[str, str] = self.business.get("deliverect", {}).get("locations", {})
        self._timezones: dict[str, ZoneInfo] | None = None
        self._currencies: LocationCurrencies | None = None

    # -- reference data --------------------------------------------------------------------------------

    def _json(self, relative: str | Path) -> Any:
        path = self.folder / relative
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise PayloadError(f"{path}: not valid JSON ({exc})") from exc

    def period_last_day(self) -> date:
        return date.fromisoformat(self.business["period"]["last_day"])

    def locations(self) -> list[LocationRecord]:
        return square_parser.parse_locations_response(self._json(Path("square") / "locations.json"))

    def timezones(self) -> dict[str, ZoneInfo]:
        """Square location id → timezone."""
        if self._timezones is None:
            self._timezones = {loc.square_location_id: ZoneInfo(loc.timezone) for loc in self.locations()}
        return self._timezones

    def currencies(self) -> LocationCurrencies:
        """The locations' currencies, by Square id and by the Deliverect ids mapped to them."""
        if self._currencies is None:
            by_square = {loc.square_location_id: loc.currency for loc in self.locations()}
            self._currencies = LocationCurrencies(
                by_square_location=by_square,
                by_deliverect_location={
                    deliverect_id: by_square[square_id]
                    for deliverect_id, square_id in self.deliverect_locations.items()
                    if square_id in by_square
                },
            )
        return self._currencies

    def menu(self) -> list[MenuItemRecord]:
        return square_parser.parse_catalog(self._json(Path("square") / "catalog.json").get("objects", []))

    def commission_rates(self) -> list[CommissionRate]:
        return parse_commission_rates(
            self.business.get("commission_rates", []), str(self.folder / "business.json")
        )

    # -- orders ----------------------------------------------------------------------------------------

    def square_orders(self, progress: Progress | None = None) -> Iterator[ParsedItem]:
        """Parsed Square orders from the SearchOrders pages, with errors in place of bad records."""
        for origin, page in self._lines(SQUARE_ORDERS, progress):
            if isinstance(page, PayloadError):
                yield origin, page
                continue
            orders = page.get("orders") if isinstance(page, dict) else None
            if not isinstance(orders, list):
                yield origin, PayloadError("a SearchOrders page must have an 'orders' list")
                continue
            for index, order in enumerate(orders):
                where = f"{origin} orders[{index}]"
                try:
                    record = square_parser.parse_order(order)
                except PayloadError as exc:
                    yield where, exc
                    continue
                anchored = self._anchored(record)
                if anchored is not None:
                    yield where, anchored

    def deliverect_orders(self, progress: Progress | None = None) -> Iterator[ParsedItem]:
        """Parsed Deliverect webhook bodies, in delivery order, with errors in place of bad records."""
        for origin, body in self._lines(DELIVERECT_ORDERS, progress):
            if isinstance(body, PayloadError):
                yield origin, body
                continue
            try:
                record = deliverect_parser.parse_order(body, self.currencies())
            except PayloadError as exc:
                yield origin, exc
                continue
            if self.anchor and record.source_updated_at and record.source_updated_at > self._shifted_now():
                continue  # a re-delivery (e.g. a cancellation) that has not happened yet
            anchored = self._anchored(record)
            if anchored is not None:
                yield origin, anchored

    def _lines(self, relative: Path, progress: Progress | None) -> Iterator[tuple[str, Any]]:
        path = self.folder / relative
        if not path.exists():
            return
        total = path.stat().st_size
        with open(path, "rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
            try:
                for number, line in enumerate(lines, 1):
                    origin = f"{path} line {number}"
                    if not line.strip():
                        continue
                    try:
                        yield origin, json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield origin, PayloadError(f"not valid JSON ({exc})")
                    if progress:
                        progress(raw.tell(), total)
            except (OSError, EOFError) as exc:
                yield f"{path}", PayloadError(f"cannot read the file: {exc}")

    # -- anchoring -------------------------------------------------------------------------------------

    def _shifted_now(self) -> datetime:
        """``now`` expressed in fixture time (before the shift)."""
        assert self.anchor is not None
        return self.anchor.now - timedelta(days=self.anchor.shift_days)

    def _location_of(self, record: OrderRecord) -> str | None:
        if record.square_location_id in self.timezones():
            return record.square_location_id
        return self.deliverect_locations.get(record.deliverect_location_id or "")

    def _anchored(self, record: OrderRecord) -> OrderRecord | None:
        """The record moved by the anchor, or None if it lies after the anchored last day."""
        if self.anchor is None:
            return record
        location = self._location_of(record)
        if location is None:
            return record  # the writer reports the unknown location
        tz = self.timezones()[location]
        days = self.anchor.shift_days

        def move(moment: datetime | None) -> datetime | None:
            if moment is None or days == 0:
                return moment
            local = moment.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
            return local.replace(tzinfo=tz).astimezone(moment.tzinfo)

        created = move(record.created_at)
        assert created is not None
        if created.astimezone(tz).date() > self.anchor.last_day[location]:
            return None
        now = self.anchor.now
        moved_refunds = (replace(r, created_at=move(r.created_at)) for r in record.refunds)
        refunds = tuple(r for r in moved_refunds if r.created_at <= now)
        return replace(
            record,
            created_at=created,
            closed_at=move(record.closed_at),
            canceled_at=move(record.canceled_at),
            source_updated_at=move(record.source_updated_at),
            pickup_at=move(record.pickup_at),
            delivery_at=move(record.delivery_at),
            payments=tuple(replace(p, created_at=move(p.created_at)) for p in record.payments),
            refunds=refunds,
            payload_hash=f"{record.payload_hash}+{days}d{len(refunds)}r",
        )
