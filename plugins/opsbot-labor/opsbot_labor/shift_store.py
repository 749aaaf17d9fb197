"""Write shifts and item costs into the plugin's tables: each call one transaction, so an import is stored
whole or not at all; shifts are upserted by (source, source_shift_id), an unchanged one is left alone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, insert, select, tuple_, update

from opsbot_labor.records import ItemCostRecord, ShiftRecord
from opsbot_labor.tables import item_costs, shift_hours, shifts
from tools.plugin_api import divide_half_up


@dataclass
class StoreCounts:
    """What a write did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def note(self, what: str) -> str:
        """ "labor: 1,204 shifts stored (1,204 new, 0 changed, 0 unchanged)"."""
        total = self.inserted + self.updated + self.unchanged
        return (
            f"labor: {total:,} {what} read ({self.inserted:,} new, {self.updated:,} changed, "
            f"{self.unchanged:,} unchanged)"
        )


def _hash(record: ShiftRecord) -> str:
    return hashlib.sha256(repr(record).encode()).hexdigest()[:32]


def clocked_seconds(record: ShiftRecord) -> int:
    """Seconds from clock-in to clock-out (0 while clocked in)."""
    if record.end_at is None:
        return 0
    return max(0, round((record.end_at - record.start_at).total_seconds()))


def paid_seconds(record: ShiftRecord) -> int:
    """Clocked time less unpaid breaks (never below zero)."""
    return max(0, clocked_seconds(record) - record.unpaid_break_seconds)


def _local_hours(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[int, datetime, datetime]]:
    """(local hour, from, to) pieces of [start, end) cut at the local clock's hour boundaries."""
    pieces = []
    moment = start.astimezone(UTC)
    end = end.astimezone(UTC)
    while moment < end:
        local = moment.astimezone(tz)
        boundary = (local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).astimezone(UTC)
        if boundary <= moment:  # a clock change: move on by one real hour
            boundary = moment + timedelta(hours=1)
        piece_end = min(boundary, end)
        pieces.append((local.hour, moment, piece_end))
        moment = piece_end
    return pieces


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> float:
    return max(0.0, (min(a_end, b_end) - max(a_start, b_start)).total_seconds())


def hour_split(record: ShiftRecord) -> dict[int, int]:
    """The shift's paid seconds per local hour of day; the values add up to ``paid_seconds(record)``.
    Timed unpaid breaks come off the hours they fall in; an untimed break length comes off evenly."""
    if record.end_at is None:
        return {}
    tz = ZoneInfo(record.timezone)
    worked: dict[int, float] = {}
    for hour, begin, finish in _local_hours(record.start_at, record.end_at, tz):
        seconds = (finish - begin).total_seconds()
        for break_start, break_end in record.unpaid_breaks:
            seconds -= _overlap(begin, finish, break_start, break_end)
        worked[hour] = worked.get(hour, 0.0) + max(0.0, seconds)
    total_worked = sum(worked.values())
    target = paid_seconds(record)
    if total_worked <= 0 or target <= 0:
        return {}
    # Scale to the paid total (an untimed break), then hand out the rounding remainder largest-first.
    scaled = {hour: seconds * target / total_worked for hour, seconds in worked.items()}
    result = {hour: int(value) for hour, value in scaled.items()}
    remainder = target - sum(result.values())
    for hour in sorted(scaled, key=lambda h: scaled[h] - result[h], reverse=True)[:remainder]:
        result[hour] += 1
    return {hour: seconds for hour, seconds in result.items() if seconds}


def business_date_of(record: ShiftRecord):
    """The local date the shift started on, in its location's timezone."""
    return record.start_at.astimezone(ZoneInfo(record.timezone)).date()


def _row(record: ShiftRecord, digest: str, now: datetime) -> dict:
    paid = paid_seconds(record)
    return {
        "source": record.source,
        "source_shift_id": record.source_shift_id,
        "location_id": record.location_id,
        "team_member_id": record.team_member_id,
        "employee_name": record.employee_name,
        "role": record.role,
        "start_at": record.start_at,
        "end_at": record.end_at,
        "business_date": business_date_of(record),
        "paid_seconds": paid,
        "unpaid_break_seconds": record.unpaid_break_seconds,
        "hourly_rate": record.hourly_rate,
        "currency": record.currency,
        "base_cost": divide_half_up(paid * record.hourly_rate, 3600),
        "status": "open" if record.end_at is None else "closed",
        "scheduled_start_at": record.scheduled_start_at,
        "scheduled_end_at": record.scheduled_end_at,
        "payload_hash": digest,
        "synced_at": now,
    }


def _hour_rows(shift_id: int, record: ShiftRecord) -> list[dict]:
    day = business_date_of(record)
    return [
        {
            "shift_id": shift_id,
            "location_id": record.location_id,
            "business_date": day,
            "local_hour": hour,
            "role": record.role,
            "paid_seconds": seconds,
        }
        for hour, seconds in sorted(hour_split(record).items())
    ]


def write_shifts(
    conn: Connection, records: Iterable[ShiftRecord], now: datetime | None = None
) -> StoreCounts:
    """Upsert ``records`` on an open transaction (the caller's: all of them or none)."""
    now = now or datetime.now(UTC)
    counts = StoreCounts()
    latest: dict[tuple[str, str], ShiftRecord] = {}
    for record in records:  # a shift read twice (a page overlap) counts once, as its last version
        latest[(record.source, record.source_shift_id)] = record
    keys = list(latest)
    known: dict[tuple[str, str], tuple[int, str]] = {}
    for chunk_start in range(0, len(keys), 500):
        chunk = keys[chunk_start : chunk_start + 500]
        for row in conn.execute(
            select(shifts.c.source, shifts.c.source_shift_id, shifts.c.id, shifts.c.payload_hash).where(
                tuple_(shifts.c.source, shifts.c.source_shift_id).in_(chunk)
            )
        ):
            known[(row.source, row.source_shift_id)] = (row.id, row.payload_hash)
    new_rows, new_records, hours = [], [], []
    for key, record in latest.items():
        digest = _hash(record)
        if key in known:
            shift_id, old_digest = known[key]
            if old_digest == digest:
                counts.unchanged += 1
                continue
            conn.execute(update(shifts).where(shifts.c.id == shift_id).values(**_row(record, digest, now)))
            conn.execute(delete(shift_hours).where(shift_hours.c.shift_id == shift_id))
            hours.extend(_hour_rows(shift_id, record))
            counts.updated += 1
        else:
            new_rows.append(_row(record, digest, now))
            new_records.append(record)
    if new_rows:
        conn.execute(insert(shifts), new_rows)
        ids = dict(
            (tuple(row[:2]), row[2])
            for chunk_start in range(0, len(new_records), 500)
            for row in conn.execute(
                select(shifts.c.source, shifts.c.source_shift_id, shifts.c.id).where(
                    tuple_(shifts.c.source, shifts.c.source_shift_id).in_(
                        [(r.source, r.source_shift_id) for r in new_records[chunk_start : chunk_start + 500]]
                    )
                )
            )
        )
        for record in new_records:
            hours.extend(_hour_rows(ids[(record.source, record.source_shift_id)], record))
        counts.inserted += len(new_rows)
    if hours:
        conn.execute(insert(shift_hours), hours)
    return counts


def store_shifts(engine: Engine, records: Iterable[ShiftRecord], now: datetime | None = None) -> StoreCounts:
    """Upsert ``records`` in one transaction of their own."""
    with engine.begin() as conn:
        return write_shifts(conn, records, now)


def write_item_costs(conn: Connection, records: Iterable[ItemCostRecord]) -> StoreCounts:
    """Add item costs on an open transaction; a cost for the same item, location and date from the same
    source replaces the earlier one (re-importing a file changes nothing)."""
    counts = StoreCounts()
    for record in records:
        match = (
            (item_costs.c.source == record.source)
            & (item_costs.c.item == record.item)
            & (item_costs.c.effective_date == record.effective_date)
            & (
                item_costs.c.location_id.is_(None)
                if record.location_id is None
                else item_costs.c.location_id == record.location_id
            )
        )
        existing = conn.execute(
            select(item_costs.c.id, item_costs.c.unit_cost, item_costs.c.currency).where(match)
        ).first()
        values = {
            "source": record.source,
            "item": record.item,
            "location_id": record.location_id,
            "effective_date": record.effective_date,
            "unit_cost": record.unit_cost,
            "currency": record.currency,
        }
        if existing is None:
            conn.execute(insert(item_costs).values(**values))
            counts.inserted += 1
        elif (existing.unit_cost, existing.currency) != (record.unit_cost, record.currency):
            conn.execute(update(item_costs).where(item_costs.c.id == existing.id).values(**values))
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts
