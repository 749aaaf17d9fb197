"""What every labor source parses into: a shift as worked and an item's unit cost from a date on.

Parsers (Square timecards, scheduling-app CSV, the cost CSV) build these; ``shift_store`` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ShiftRecord:
    """One worked shift. Times are timezone-aware; ``end_at`` None = still clocked in. ``unpaid_breaks`` are
    the (start, end) of unpaid breaks where the source times them; ``unpaid_break_seconds`` is their total,
    or the source's break length where it gives only that (then spread evenly over the shift)."""

    source: str  # "square", "csv"
    source_shift_id: str
    location_id: int  # the store's locations.id
    timezone: str  # the location's IANA timezone
    team_member_id: str
    employee_name: str | None
    role: str  # the job title ("Line Cook"); "" when the source has none
    start_at: datetime
    end_at: datetime | None
    hourly_rate: int  # minor units per hour
    currency: str
    unpaid_breaks: tuple[tuple[datetime, datetime], ...] = ()
    unpaid_break_seconds: int = 0
    scheduled_start_at: datetime | None = None
    scheduled_end_at: datetime | None = None


@dataclass(frozen=True)
class ItemCostRecord:
    """A menu item's cost of goods per unit from ``effective_date`` on; ``location_id`` None = everywhere."""

    source: str  # "csv", "square_catalog"
    item: str  # the menu item's name as the catalog spells it
    location_id: int | None
    effective_date: date
    unit_cost: int  # minor units
    currency: str
