"""Write reference data — locations, the menu, commission rates, store facts — into the store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, delete, func, insert, select, update

from tools.sources.platforms import PLATFORM_DISPLAY_NAMES
from tools.sources.records import LocationRecord, MenuItemRecord, PayloadError
from tools.store.models import Location, MenuItem, PlatformCommissionRate, StoreMeta
from tools.sync.orders.writer import WriteCounts


@dataclass(frozen=True)
class CommissionRate:
    """One row of a commission-rate file: ``location`` is a Square location id or None for all."""

    platform: str
    rate_bps: int
    fixed_fee: int
    valid_from: date
    valid_to: date | None
    location: str | None


def upsert_locations(
    engine: Engine, records: Iterable[LocationRecord], deliverect_ids: dict[str, str] | None = None
) -> WriteCounts:
    """Insert or update locations by Square id; new ones are numbered after the existing ones."""
    deliverect_ids = deliverect_ids or {}
    counts = WriteCounts()
    with engine.begin() as conn:
        next_position = (conn.scalar(select(func.max(Location.position))) or 0) + 1
        for record in records:
            try:
                ZoneInfo(record.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise PayloadError(
                    f"location {record.square_location_id} has unknown timezone {record.timezone!r}"
                ) from exc
            values = {
                "name": record.name,
                "timezone": record.timezone,
                "currency": record.currency,
                "business_name": record.business_name,
                "address": record.address,
                "status": record.status,
                "deliverect_location_id": deliverect_ids.get(record.square_location_id),
            }
            current = conn.execute(
                select(Location.__table__).where(Location.square_location_id == record.square_location_id)
            ).first()
            keys = {"square_location_id": record.square_location_id, "position": next_position}
            if current is None:
                next_position += 1
            _upsert(conn, Location.__table__, current, keys, values, counts)
    return counts


def link_deliverect_locations(engine: Engine, deliverect_to_square: dict[str, str]) -> list[str]:
    """Give stored locations their Deliverect location ids; returns the Square ids that are not stored."""
    missing = []
    with engine.begin() as conn:
        for deliverect_id, square_id in deliverect_to_square.items():
            matched = conn.execute(
                update(Location)
                .where(Location.square_location_id == square_id)
                .values(deliverect_location_id=deliverect_id)
            ).rowcount
            if not matched:
                missing.append(square_id)
    return missing


def upsert_menu(engine: Engine, records: Iterable[MenuItemRecord]) -> WriteCounts:
    """Insert or update menu items by Square variation id."""
    counts = WriteCounts()
    with engine.begin() as conn:
        current = {
            item.square_variation_id: item
            for item in conn.execute(select(MenuItem.__table__))
            if item.square_variation_id
        }
        for record in records:
            values = {
                "square_item_id": record.square_item_id,
                "item_name": record.item_name,
                "variation_name": record.variation_name,
                "category": record.category,
                "sku": record.sku,
                "price": record.price,
                "currency": record.currency,
            }
            existing = current.get(record.square_variation_id)
            keys = {"square_variation_id": record.square_variation_id}
            _upsert(conn, MenuItem.__table__, existing, keys, values, counts)
    return counts


def _upsert(conn, table, existing, keys: dict, values: dict, counts: WriteCounts) -> None:
    """Insert ``keys`` + ``values`` when there is no ``existing`` row; else update it if any value differs."""
    if existing is None:
        conn.execute(insert(table).values(**keys, **values))
        counts.inserted += 1
    elif any(getattr(existing, name) != value for name, value in values.items()):
        conn.execute(update(table).where(table.c.id == existing.id).values(**values))
        counts.updated += 1
    else:
        counts.unchanged += 1


def parse_commission_rates(rows: Iterable[dict], origin: str) -> list[CommissionRate]:
    """Validate commission-rate rows (``platform``, ``rate_percent``, optional ``fixed_fee``,
    ``valid_from``, ``valid_to``, ``location``) from a rates file."""
    rates = []
    for index, row in enumerate(rows):
        where = f"{origin} row {index + 1}"
        platform = row.get("platform")
        if platform not in PLATFORM_DISPLAY_NAMES and not str(platform).startswith("channel_"):
            raise PayloadError(
                f"{where}: unknown platform {platform!r} — known: {', '.join(PLATFORM_DISPLAY_NAMES)}"
            )
        try:
            percent = Decimal(str(row["rate_percent"]))
            valid_from = date.fromisoformat(row.get("valid_from") or "2000-01-01")
            valid_to = date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None
        except (KeyError, InvalidOperation, ValueError) as exc:
            raise PayloadError(f"{where}: {exc!r} — expected rate_percent and ISO dates") from exc
        if not Decimal(0) <= percent <= Decimal(100):
            raise PayloadError(f"{where}: rate_percent must be between 0 and 100, got {percent}")
        if valid_to is not None and valid_to < valid_from:
            raise PayloadError(f"{where}: valid_to {valid_to} is before valid_from {valid_from}")
        rates.append(
            CommissionRate(
                platform=str(platform),
                rate_bps=int((percent * 100).to_integral_value()),
                fixed_fee=int(row.get("fixed_fee", 0)),
                valid_from=valid_from,
                valid_to=valid_to,
                location=row.get("location"),
            )
        )
    return rates


def replace_commission_rates(engine: Engine, rates: list[CommissionRate]) -> bool:
    """Make the rate table equal ``rates``; returns True if anything changed."""
    with engine.begin() as conn:
        locations = dict(conn.execute(select(Location.square_location_id, Location.id)).all())
        wanted = set()
        for rate in rates:
            if rate.location is not None and rate.location not in locations:
                raise PayloadError(
                    f"commission rate for {rate.platform} names unknown location {rate.location!r}"
                )
            wanted.add(
                (
                    locations.get(rate.location) if rate.location else None,
                    rate.platform,
                    rate.rate_bps,
                    rate.fixed_fee,
                    rate.valid_from,
                    rate.valid_to,
                )
            )
        table = PlatformCommissionRate.__table__
        current = {
            (r.location_id, r.platform, r.rate_bps, r.fixed_fee, r.valid_from, r.valid_to)
            for r in conn.execute(select(table))
        }
        if current == wanted:
            return False
        conn.execute(delete(table))
        keys = ("location_id", "platform", "rate_bps", "fixed_fee", "valid_from", "valid_to")
        if wanted:
            conn.execute(
                insert(table),
                [dict(zip(keys, row, strict=True)) for row in sorted(wanted, key=str)],
            )
        return True


def set_meta(engine: Engine, values: dict[str, str]) -> None:
    """Store small facts about the store (business name, demo anchoring)."""
    with engine.begin() as conn:
        for key, value in values.items():
            if conn.execute(update(StoreMeta).where(StoreMeta.key == key).values(value=value)).rowcount == 0:
                conn.execute(insert(StoreMeta).values(key=key, value=value))


def get_meta(engine: Engine) -> dict[str, str]:
    """All stored facts about the store."""
    with engine.connect() as conn:
        return dict(conn.execute(select(StoreMeta.key, StoreMeta.value)).all())
