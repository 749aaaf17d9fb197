"""The demo's staffing plan: for every location and business date, the shifts each role works, following the
hourly order curve, sized so labor lands near a target share of net sales.

A day is planned in half-hour slots of local wall-clock time (slot 20 = 10:00). Every open day has a base
crew (a manager, or a manager and a shift lead; a line cook; a morning prep cook; at busier locations a
cashier and a dishwasher all day) and extra line cooks, cashiers, front-of-house staff and dishwashers
where the day's expected orders per hour call for them. Each role's need per slot is cut into shifts:
every level of the need curve is a run of slots, padded to at least 3.5 hours and split when longer than
8.5 hours. One multiplier per location scales the extras; it is found by bisection so the planned labor
cost is ``TARGET_LABOR_SHARE`` of the location's net sales over the period.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from opsbot_labor.demo_orders import LocationDemand

TARGET_LABOR_SHARE = 0.285
SLOTS_PER_HOUR = 2
MIN_SHIFT_SLOTS = 7  # 3.5 h
MAX_SHIFT_SLOTS = 17  # 8.5 h
BREAK_AFTER_SLOTS = 12  # shifts longer than 6 h get an unpaid 30-minute meal break
OPEN_THRESHOLD = 0.5  # an hour is open on a weekday when it averages this many orders

# Role → (lowest, highest hourly wage in minor units, tip eligible). Wages are per employee, in 25-cent steps.
ROLES: dict[str, tuple[int, int, bool]] = {
    "Manager": (2700, 3100, False),
    "Shift Lead": (2150, 2350, False),
    "Line Cook": (1950, 2250, False),
    "Prep Cook": (1850, 2000, False),
    "Cashier": (1800, 1900, True),
    "Front of House": (1800, 1950, True),
    "Dishwasher": (1800, 1875, False),
}

# Role → orders per hour one extra person of that role handles (before the location's multiplier).
EXTRA_PER_ORDERS = {"Line Cook": 9.0, "Cashier": 9.0, "Front of House": 10.0, "Dishwasher": 11.0}


@dataclass(frozen=True)
class PlannedShift:
    """A shift as planned: local wall-clock slots from the business date's midnight (may pass 48).
    ``level`` is the layer of the role's need curve it covers (1 = the base crew's), ``piece`` its part when
    a long run was split."""

    role: str
    day: date
    start_slot: int
    end_slot: int
    level: int
    piece: int = 0

    @property
    def start(self) -> datetime:
        """Planned clock-in, local wall-clock time (naive)."""
        return datetime.combine(self.day, time()) + timedelta(minutes=30 * self.start_slot)

    @property
    def end(self) -> datetime:
        """Planned clock-out, local wall-clock time (naive)."""
        return datetime.combine(self.day, time()) + timedelta(minutes=30 * self.end_slot)

    @property
    def paid_hours(self) -> float:
        slots = self.end_slot - self.start_slot
        return (slots - (1 if slots > BREAK_AFTER_SLOTS else 0)) / SLOTS_PER_HOUR


@dataclass(frozen=True)
class DayOutlook:
    """What one business date's plan is built from: open and close hour and expected orders per hour."""

    day: date
    open_hour: int
    close_hour: int
    orders_per_hour: dict[int, float]
    busy: bool


def outlooks(demand: LocationDemand) -> list[DayOutlook]:
    """Each business date with orders: the weekday's average hourly curve, scaled to the date's orders."""
    by_weekday: dict[int, list[date]] = {}
    for day in sorted(demand.orders):
        by_weekday.setdefault(day.weekday(), []).append(day)
    mean_total = sum(sum(c.values()) for c in demand.orders.values()) / max(1, len(demand.orders))
    result = []
    for days in by_weekday.values():
        curve: Counter = Counter()
        for day in days:
            curve.update(demand.orders[day])
        average = {hour: count / len(days) for hour, count in curve.items()}
        open_hours = sorted(hour for hour, value in average.items() if value >= OPEN_THRESHOLD)
        if not open_hours:
            continue
        weekday_total = sum(average.values())
        for day in days:
            total = sum(demand.orders[day].values())
            scale = total / weekday_total if weekday_total else 0.0
            result.append(
                DayOutlook(
                    day=day,
                    open_hour=open_hours[0],
                    close_hour=open_hours[-1] + 1,
                    orders_per_hour={hour: value * scale for hour, value in average.items()},
                    busy=total >= 1.15 * mean_total,
                )
            )
    return sorted(result, key=lambda outlook: outlook.day)


def _runs(need: dict[int, int]) -> Iterable[tuple[int, int, int]]:
    """(level, first slot, end slot) of every maximal run of slots whose need is at least ``level``."""
    top = max(need.values(), default=0)
    for level in range(1, top + 1):
        start = None
        for slot in range(min(need), max(need) + 2):
            covered = need.get(slot, 0) >= level
            if covered and start is None:
                start = slot
            elif not covered and start is not None:
                yield level, start, slot
                start = None


def _shifts(role: str, day: date, need: dict[int, int], earliest: int, latest: int) -> list[PlannedShift]:
    shifts = []
    for level, start, end in _runs(need):
        if end - start < MIN_SHIFT_SLOTS:  # pad: later first, then earlier
            end = min(latest, start + MIN_SHIFT_SLOTS)
            start = max(earliest, end - MIN_SHIFT_SLOTS)
        pieces = math.ceil((end - start) / MAX_SHIFT_SLOTS)
        length = math.ceil((end - start) / pieces)
        for piece in range(pieces):
            first = start + piece * length
            last = end if piece == pieces - 1 else first + length + 1  # a half-hour handover
            shifts.append(PlannedShift(role, day, first, last, level, piece))
    return shifts


def plan_day(outlook: DayOutlook, multiplier: float, full_crew: bool) -> list[PlannedShift]:
    """The day's shifts: the base crew (``full_crew`` adds an all-day cashier and dishwasher and makes the
    closing shift a manager's) plus the extras the expected orders call for."""
    opens, closes = outlook.open_hour * SLOTS_PER_HOUR, outlook.close_hour * SLOTS_PER_HOUR
    needs: dict[str, dict[int, int]] = {role: {} for role in ROLES}

    def add(role: str, first: int, end: int, count: int = 1) -> None:
        for slot in range(first, end):
            needs[role][slot] = needs[role].get(slot, 0) + count

    if full_crew:
        add("Manager", opens - 3, closes + 1)
        add("Cashier", opens - 1, closes)
        add("Dishwasher", opens + 2, closes + 1)
    else:
        add("Manager", opens - 3, opens + 13)
        add("Shift Lead", opens + 12, closes + 1)
    add("Line Cook", opens - 2, closes + 1)
    add("Prep Cook", opens - 7, opens + 1)
    if outlook.busy:
        add("Prep Cook", opens - 6, opens + 2)
    for slot in range(opens, closes):
        orders = outlook.orders_per_hour.get(slot // SLOTS_PER_HOUR, 0.0)
        for role, per_person in EXTRA_PER_ORDERS.items():
            extra = int(multiplier * orders / per_person)
            if extra:
                add(role, slot, slot + 1, extra)
    shifts = []
    for role, need in needs.items():
        if need:
            shifts.extend(_shifts(role, outlook.day, need, opens - 7, closes + 1))
    return shifts


def mean_wage(role: str) -> float:
    low, high, _ = ROLES[role]
    return (low + high) / 2


def planned_cost(shifts: Iterable[PlannedShift]) -> float:
    """Paid hours at each role's mean wage, minor units."""
    return sum(shift.paid_hours * mean_wage(shift.role) for shift in shifts)


def plan_location(demand: LocationDemand) -> list[PlannedShift]:
    """Every shift of the location's period, the extras' multiplier calibrated to the target share."""
    days = outlooks(demand)
    target = TARGET_LABOR_SHARE * sum(demand.net_sales.values())
    full_crew = planned_cost(s for o in days for s in plan_day(o, 0.0, True)) <= 0.75 * target

    def plan(multiplier: float) -> list[PlannedShift]:
        return [shift for outlook in days for shift in plan_day(outlook, multiplier, full_crew)]

    low, high = 0.0, 8.0
    best = plan(low)
    for _ in range(30):
        middle = (low + high) / 2
        shifts = plan(middle)
        cost = planned_cost(shifts)
        if abs(cost - target) < abs(planned_cost(best) - target):
            best = shifts
        if cost < target:
            low = middle
        else:
            high = middle
    return best
