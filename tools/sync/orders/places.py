"""Where an order goes: the store's locations by their Square and Deliverect ids, loaded once per writer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from tools.currencies import LocationCurrencies
from tools.sources.records import OrderRecord
from tools.store.models import Location


@dataclass(frozen=True)
class Place:
    """A stored location an order is written at: its id, timezone and currency."""

    location_id: int
    timezone: ZoneInfo
    currency: str


class Places:
    """The stored locations by Square location id and by Deliverect location id."""

    def __init__(self, conn: Connection):
        self.by_square: dict[str, Place] = {}
        self.by_deliverect: dict[str, Place] = {}
        for loc in conn.execute(
            select(
                Location.id,
                Location.timezone,
                Location.currency,
                Location.square_location_id,
                Location.deliverect_location_id,
            )
        ):
            place = Place(loc.id, ZoneInfo(loc.timezone), loc.currency)
            if loc.square_location_id:
                self.by_square[loc.square_location_id] = place
            if loc.deliverect_location_id:
                self.by_deliverect[loc.deliverect_location_id] = place
        # For parsers that need a location's currency (Deliverect's prices) before the writer places them.
        self.currencies = LocationCurrencies(
            by_square_location={key: place.currency for key, place in self.by_square.items()},
            by_deliverect_location={key: place.currency for key, place in self.by_deliverect.items()},
        )

    def of(self, record: OrderRecord) -> Place | None:
        """The location ``record`` names (its Square location first), or None when the store has none."""
        if record.square_location_id and record.square_location_id in self.by_square:
            return self.by_square[record.square_location_id]
        if record.deliverect_location_id:
            return self.by_deliverect.get(record.deliverect_location_id)
        return None

    def by_location_id(self) -> dict[int, Place]:
        """Every place by its store location id."""
        places = {p.location_id: p for p in self.by_square.values()}
        places.update({p.location_id: p for p in self.by_deliverect.values()})
        return places

    def unknown_location_message(self, record: OrderRecord) -> str:
        """Why ``record`` cannot be placed: the location ids it names and the known Square ones."""
        named = " / ".join(
            f"{kind} location {value!r}"
            for kind, value in (
                ("Square", record.square_location_id),
                ("Deliverect", record.deliverect_location_id),
            )
            if value
        )
        known = ", ".join(sorted(self.by_square)) or "none — sync locations first"
        return f"{record.source} order {record.source_order_id} is for unknown {named} (known: {known})"


def local_day(record: OrderRecord, place: Place) -> date:
    """The order's business date: its creation day in the location's timezone."""
    return record.created_at.astimezone(place.timezone).date()


# An order as the writer stored it: its row id, its record and where it is.
WrittenOrder = tuple[int, OrderRecord, Place]
