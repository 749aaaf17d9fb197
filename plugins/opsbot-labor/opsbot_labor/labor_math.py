"""Overtime and the labor figures every result shows, from shift rows.

Overtime is counted per employee per week (the business's week, from its first day): paid time beyond the
weekly threshold, taken from that week's shifts in the order they started, so the shift that crosses the
threshold carries the first overtime. Its premium is overtime hours × hourly rate × (multiplier − 1),
rounded half up to a minor unit per shift; labor cost = paid hours at the hourly rate + that premium.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from tools.plugin_api import divide_half_up


@dataclass(frozen=True)
class ShiftRow:
    """A shift as the tools read it."""

    id: int
    location_id: int
    team_member_id: str
    employee_name: str | None
    role: str
    business_date: date
    start_at: object
    end_at: object
    paid_seconds: int
    hourly_rate: int
    base_cost: int
    status: str
    scheduled_seconds: int | None


@dataclass(frozen=True)
class Overtime:
    """A shift's overtime: seconds beyond the weekly threshold and their premium (minor units)."""

    seconds: int = 0
    premium: int = 0


def week_of(day: date, week_start: int) -> date:
    """The first day of the business week holding ``day`` (0 = weeks start on Monday)."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def overtime_by_shift(
    rows: Iterable[ShiftRow], *, threshold_hours: float, multiplier: float, week_start: int
) -> dict[int, Overtime]:
    """Shift id → its overtime, for shifts with any. ``rows`` must hold every shift of the weeks asked
    about (at every location: an employee's hours count together)."""
    premium_rate = Fraction(multiplier - 1).limit_denominator(1000)
    threshold = round(threshold_hours * 3600)
    by_week: dict[tuple[str, date], list[ShiftRow]] = {}
    for row in rows:
        by_week.setdefault((row.team_member_id, week_of(row.business_date, week_start)), []).append(row)
    result: dict[int, Overtime] = {}
    for shifts in by_week.values():
        worked = 0
        for row in sorted(shifts, key=lambda r: (r.start_at, r.id)):
            before, worked = worked, worked + row.paid_seconds
            seconds = max(0, worked - threshold) - max(0, before - threshold)
            if seconds:
                premium = divide_half_up(
                    seconds * row.hourly_rate * premium_rate.numerator, 3600 * premium_rate.denominator
                )
                result[row.id] = Overtime(seconds, premium)
    return result


@dataclass
class LaborSums:
    """Sums over some shifts (or their hours)."""

    paid_seconds: int = 0
    base_cost: int = 0
    overtime_seconds: int = 0
    overtime_premium: int = 0
    shifts: int = 0
    scheduled_seconds: int = 0
    scheduled_shifts: int = 0

    @property
    def cost(self) -> int:
        """Labor cost: paid time at the hourly rate plus the overtime premium."""
        return self.base_cost + self.overtime_premium

    def add(self, other: LaborSums) -> None:
        for name in vars(other):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def half_up(value: Fraction | int) -> int:
    """An exact amount to a whole minor unit, halves away from zero (``round`` would round halves to even)."""
    exact = Fraction(value)
    whole = (2 * abs(exact.numerator) + exact.denominator) // (2 * exact.denominator)
    return whole if exact >= 0 else -whole


def hours(seconds: int) -> float:
    """Seconds as hours, two decimals."""
    return round(seconds / 3600, 2)
