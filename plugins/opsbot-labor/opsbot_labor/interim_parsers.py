"""TEMPORARY stand-ins for the shared parsers, used by ``demo_fixtures`` only while
``opsbot_labor.square_timecards`` (branch labor-square) and ``opsbot_labor.cost_csv`` (branch labor-csv) are
not merged. Minimal on purpose: they read the demo's own files. Delete this module once both are merged."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from opsbot_labor.records import ItemCostRecord, ShiftRecord
from tools.plugin_api import minor_unit_digits


class TimecardError(ValueError):
    """A timecard the interim parser cannot read."""


class CsvImportError(ValueError):
    """An item-cost CSV the interim parser cannot read; ``problems`` lists every bad line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems[:5]))
        self.problems = problems


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _duration(text: str) -> int:
    """Seconds of a "PT30M"-style duration (hours, minutes, seconds)."""
    seconds, number = 0, ""
    for char in text.removeprefix("PT"):
        if char.isdigit():
            number += char
        else:
            seconds += int(number) * {"H": 3600, "M": 60, "S": 1}[char]
            number = ""
    return seconds


def parse_team_members(response: dict) -> dict[str, str]:
    """Team member id → "Given Family"."""
    return {
        member["id"]: f"{member.get('given_name', '')} {member.get('family_name', '')}".strip()
        for member in response.get("team_members", [])
    }


def parse_timecard(
    payload: dict, *, location_ids: Mapping[str, int], timezones: Mapping[int, str], names: Mapping[str, str]
) -> ShiftRecord:
    """A Square Timecard as a ShiftRecord."""
    ident = payload.get("id", "?")
    if payload.get("location_id") not in location_ids:
        raise TimecardError(f"timecard {ident}: unknown location_id {payload.get('location_id')!r}")
    location = location_ids[payload["location_id"]]
    start = _time(payload["start_at"])
    end = _time(payload["end_at"]) if payload.get("end_at") else None
    if end is not None and end < start:
        raise TimecardError(f"timecard {ident}: end_at is before start_at")
    breaks, seconds = [], 0
    for item in payload.get("breaks", []):
        if item.get("is_paid"):
            continue
        begin = _time(item["start_at"])
        if item.get("end_at"):
            finish = _time(item["end_at"])
            breaks.append((begin, finish))
            seconds += round((finish - begin).total_seconds())
        else:
            seconds += _duration(item.get("expected_duration", "PT0S"))
    wage = payload.get("wage", {})
    rate = wage.get("hourly_rate", {})
    return ShiftRecord(
        source="square",
        source_shift_id=ident,
        location_id=location,
        timezone=timezones[location],
        team_member_id=payload["team_member_id"],
        employee_name=names.get(payload["team_member_id"]),
        role=wage.get("title") or "",
        start_at=start,
        end_at=end,
        hourly_rate=int(rate.get("amount", 0)),
        currency=rate.get("currency", "USD"),
        unpaid_breaks=tuple(breaks),
        unpaid_break_seconds=seconds,
    )


def parse_item_costs(
    path: Path, *, locations: Mapping[str, tuple[int, str]], known_items: set[str]
) -> list[ItemCostRecord]:
    """The rows of an item-cost CSV with the columns item, unit_cost, effective_date, location, currency."""
    records, problems = [], []
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            row = {key.strip().lower(): (value or "").strip() for key, value in row.items()}
            where = row.get("location", "")
            if where and where.lower() not in locations:
                problems.append(f"line {number}: location: unknown location {where!r}")
                continue
            location_id, currency = locations[where.lower()] if where else (None, "")
            currency = row.get("currency") or currency or "USD"
            if row.get("item") not in known_items:
                problems.append(f"line {number}: item: unknown item {row.get('item')!r}")
                continue
            try:
                amount = Decimal(row["unit_cost"].lstrip("$")) * 10 ** minor_unit_digits(currency)
                day = date.fromisoformat(row["effective_date"])
            except (InvalidOperation, ValueError, KeyError) as exc:
                problems.append(f"line {number}: {exc}")
                continue
            records.append(ItemCostRecord("csv", row["item"], location_id, day, int(amount), currency))
    if problems:
        raise CsvImportError(problems)
    return records
