"""Expected labor and food-cost numbers computed straight from the raw fixture files (``labor/`` and the
orders), without any of the labor plugin's code: the rules are written out again here from Square's Labor
API reference and the item-cost CSV format, so a bug in a parser, the shift writer or a tool shows up as a
mismatch instead of being repeated.

Rules (the fixture's own dates: no anchoring):
- A shift's business date is the local date of its ``start_at`` in its location's timezone.
- Paid seconds = ``end_at − start_at`` less its unpaid breaks (``is_paid`` false): ``end_at − start_at`` of
  each, or its ``expected_duration`` when it has no end. A timecard without ``end_at`` is paid nothing.
- Base cost = paid seconds × hourly rate / 3600, rounded half up to a minor unit, per shift.
- Overtime: per team member and week (Monday to Sunday, by business date), paid time beyond 40 hours,
  attributed to that week's shifts in start order — the shift that crosses 40 hours gets the part beyond
  it, every later shift all of its time. Premium = overtime seconds × rate × 0.5 / 3600, half up per shift.
- Labor cost = base cost + premium.
- Food cost: units of each item sold on counted orders (``tests.fixture_oracle``'s rules) × the unit cost
  in effect on the business date: the location's own row first, else the all-locations row; of those the
  latest ``effective_date`` on or before the day.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.fixture_oracle import half_up, item_sales_from_fixtures

OVERTIME_SECONDS = 40 * 3600
NO_DECIMALS = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"}
THREE_DECIMALS = {"KWD", "BHD", "OMR", "JOD", "TND", "LYD", "IQD"}


@dataclass(frozen=True)
class Shift:
    """One timecard as the oracle reads it."""

    id: str
    location: str  # location name
    team_member_id: str
    role: str
    day: date
    start: datetime
    paid_seconds: int
    rate: int
    base_cost: int


@dataclass
class DayLabor:
    """One location's business date."""

    shifts: int = 0
    paid_seconds: int = 0
    base_cost: int = 0
    overtime_seconds: int = 0
    overtime_premium: int = 0

    @property
    def labor_cost(self) -> int:
        return self.base_cost + self.overtime_premium


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _duration_seconds(text: str) -> int:
    """An ISO 8601 time duration ("PT30M", "PT1H15M", "PT45S") in seconds."""
    assert text.startswith("PT"), text
    total, digits = 0, ""
    for char in text[2:]:
        if char.isdigit():
            digits += char
        else:
            total += int(digits) * {"H": 3600, "M": 60, "S": 1}[char]
            digits = ""
    return total


def _locations(folder: Path) -> dict[str, dict]:
    return {
        loc["id"]: loc for loc in json.loads((folder / "square" / "locations.json").read_text())["locations"]
    }


def read_shifts(folder: Path) -> list[Shift]:
    """Every timecard of ``labor/timecards.jsonl.gz``."""
    locations = _locations(folder)
    shifts = []
    with gzip.open(folder / "labor" / "timecards.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            for card in json.loads(line)["timecards"]:
                location = locations[card["location_id"]]
                start = _time(card["start_at"])
                paid = 0
                if card.get("end_at"):
                    paid = int((_time(card["end_at"]) - start).total_seconds())
                    for item in card.get("breaks", []):
                        if item["is_paid"]:
                            continue
                        if item.get("end_at"):
                            paid -= int((_time(item["end_at"]) - _time(item["start_at"])).total_seconds())
                        else:
                            paid -= _duration_seconds(item["expected_duration"])
                    paid = max(0, paid)
                rate = card["wage"]["hourly_rate"]["amount"]
                shifts.append(
                    Shift(
                        id=card["id"],
                        location=location["name"],
                        team_member_id=card["team_member_id"],
                        role=card["wage"].get("title", ""),
                        day=start.astimezone(ZoneInfo(location["timezone"])).date(),
                        start=start,
                        paid_seconds=paid,
                        rate=rate,
                        base_cost=half_up(paid * rate, 3600),
                    )
                )
    return shifts


def overtime_by_shift(folder: Path) -> dict[str, tuple[int, int]]:
    """Timecard id → (overtime seconds, overtime premium) for every shift with overtime."""
    weeks: dict[tuple[str, date], list[Shift]] = defaultdict(list)
    for shift in read_shifts(folder):
        weeks[(shift.team_member_id, shift.day - timedelta(days=shift.day.weekday()))].append(shift)
    result = {}
    for shifts in weeks.values():
        worked = 0
        for shift in sorted(shifts, key=lambda s: (s.start, s.id)):
            before, worked = worked, worked + shift.paid_seconds
            extra = worked - max(before, OVERTIME_SECONDS)
            if extra > 0:
                result[shift.id] = (extra, half_up(extra * shift.rate, 7200))
    return result


def labor_by_location_day(folder: Path) -> dict[tuple[str, date], DayLabor]:
    """(location name, business date) → shifts, paid seconds, base cost, overtime and labor cost."""
    overtime = overtime_by_shift(folder)
    result: dict[tuple[str, date], DayLabor] = defaultdict(DayLabor)
    for shift in read_shifts(folder):
        day = result[(shift.location, shift.day)]
        day.shifts += 1
        day.paid_seconds += shift.paid_seconds
        day.base_cost += shift.base_cost
        seconds, premium = overtime.get(shift.id, (0, 0))
        day.overtime_seconds += seconds
        day.overtime_premium += premium
    return dict(result)


@dataclass(frozen=True)
class CostRow:
    item: str
    location: str | None  # location name; None = every location
    effective: date
    unit_cost: int


def read_item_costs(folder: Path) -> list[CostRow]:
    """The rows of ``labor/item_costs.csv`` (its location column names locations)."""
    currencies = {loc["name"]: loc.get("currency", "USD") for loc in _locations(folder).values()}
    default = next(iter(currencies.values()), "USD")
    rows = []
    with open(folder / "labor" / "item_costs.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            location = row.get("location") or None
            currency = row.get("currency") or (currencies[location] if location else default)
            digits = 0 if currency in NO_DECIMALS else 3 if currency in THREE_DECIMALS else 2
            amount = Decimal(row["unit_cost"].lstrip("$")) * 10**digits
            assert amount == amount.to_integral_value(), row
            rows.append(
                CostRow(row["item"], location, date.fromisoformat(row["effective_date"]), int(amount))
            )
    return rows


def unit_cost(rows: list[CostRow], item: str, location: str, day: date) -> int | None:
    """The item's cost in effect at ``location`` on ``day`` (None: no cost)."""
    for wanted in (location, None):
        candidates = [r for r in rows if r.item == item and r.location == wanted and r.effective <= day]
        if candidates:
            return max(candidates, key=lambda r: r.effective).unit_cost
    return None


def food_cost_by_location_day(folder: Path) -> dict[tuple[str, date], int]:
    """(location name, business date) → cost of the items sold (items without a cost count nothing)."""
    rows = read_item_costs(folder)
    result: dict[tuple[str, date], int] = defaultdict(int)
    for (location, day), units in item_sales_from_fixtures(folder).units.items():
        for item, count in units.items():
            cost = unit_cost(rows, item, location, day)
            result[(location, day)] += count * (cost or 0)
    return dict(result)


@dataclass
class ItemTotals:
    """One item over a period: units sold, gross sales and their cost (None while some unit has none)."""

    units: int = 0
    gross_sales: int = 0
    food_cost: int | None = 0


def item_units_and_sales(
    folder: Path, first_day: date, last_day: date, locations: set[str] | None = None
) -> dict[str, ItemTotals]:
    """Item name → units, gross sales and food cost from ``first_day`` to ``last_day`` (inclusive), at
    ``locations`` (names; None = all)."""
    rows = read_item_costs(folder)
    sales = item_sales_from_fixtures(folder)
    result: dict[str, ItemTotals] = defaultdict(ItemTotals)
    for (location, day), units in sales.units.items():
        if not first_day <= day <= last_day or (locations is not None and location not in locations):
            continue
        revenue: Counter = sales.revenue[(location, day)]
        for item, count in units.items():
            totals = result[item]
            totals.units += count
            totals.gross_sales += revenue[item]
            cost = unit_cost(rows, item, location, day)
            totals.food_cost = (
                None if cost is None or totals.food_cost is None else totals.food_cost + count * cost
            )
    return dict(result)
