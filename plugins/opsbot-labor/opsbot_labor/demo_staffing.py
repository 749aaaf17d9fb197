"""The demo's staffing plan: for every location and business date, the shifts each role works, following the
hourly order curve, sized so labor lands near a target share of net sales.

A day is planned in half-hour slots of local wall-clock time (slot 20 = 10:00). Every open day has a base
crew (a manager all day, a cashier and a dishwasher at the busiest locations, a manager and a shift lead
elsewhere; a line cook; a morning prep cook, at the smallest locations only on busy days) and extra line
cooks, cashiers, front-of-house staff and dishwashers where the day's expected orders per hour call for
them. Each role's need per slot is cut into shifts: every level of the need curve is a run of slots,
padded at both ends to at least 3.5 hours and handed over in its quietest hour when longer than 8.5 hours. One
multiplier per location scales the extras; it is found by bisection so the planned labor cost is
``TARGET_LABOR_SHARE`` of the location's net sales over the period.
"""

from __future__ import annotations

import itertools
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

# Base crews, the largest first: the largest whose cost is at most 70 % of the labor target is used.
FULL_CREW, STANDARD_CREW, LEAN_CREW = 2, 1, 0
CREWS = (FULL_CREW, STANDARD_CREW, LEAN_CREW)

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


def hourly_curve(demand: LocationDemand) -> dict[int, float]:
    """Local hour → the location's average orders in it per business date."""
    total: Counter = Counter()
    for counts in demand.orders.values():
        total.update(counts)
    return {hour: count / max(1, len(demand.orders)) for hour, count in total.items()}


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


def _cuts(start: int, end: int, orders: dict[int, float]) -> list[int]:
    """Where a run of slots too long for one shift is handed over: a two-piece run at its quietest slot
    that leaves both pieces between the shortest and the longest shift; a longer one in equal pieces."""
    pieces = math.ceil((end - start) / MAX_SHIFT_SLOTS)
    if pieces == 1:
        return []
    if pieces == 2:
        first = max(start + MIN_SHIFT_SLOTS, end - MAX_SHIFT_SLOTS)
        last = min(end - MIN_SHIFT_SLOTS, start + MAX_SHIFT_SLOTS)
        middle = (start + end) / 2
        quiet = {slot: orders.get(slot // SLOTS_PER_HOUR, 0.0) for slot in range(first, last + 1)}
        return [min(quiet, key=lambda slot: (round(quiet[slot], 1), abs(slot - middle)))]
    length = math.ceil((end - start) / pieces)
    return [start + length * piece for piece in range(1, pieces)]


def _shifts(
    role: str, day: date, need: dict[int, int], earliest: int, latest: int, orders: dict[int, float]
) -> list[PlannedShift]:
    shifts = []
    for level, start, end in _runs(need):
        if end - start < MIN_SHIFT_SLOTS:  # pad both ends (the earlier more), within the day
            start = max(earliest, start - math.ceil((MIN_SHIFT_SLOTS - (end - start)) / 2))
            end = min(latest, start + MIN_SHIFT_SLOTS)
            start = max(earliest, end - MIN_SHIFT_SLOTS)
        bounds = [start, *_cuts(start, end, orders), end]
        for piece, (first, last) in enumerate(itertools.pairwise(bounds)):
            shifts.append(PlannedShift(role, day, first, last, level, piece))
    return shifts


def plan_day(outlook: DayOutlook, multiplier: float, crew: int) -> list[PlannedShift]:
    """The day's shifts: the base crew of size ``crew`` (see ``CREWS``) plus the extras the expected orders
    call for."""
    opens, closes = outlook.open_hour * SLOTS_PER_HOUR, outlook.close_hour * SLOTS_PER_HOUR
    needs: dict[str, dict[int, int]] = {role: {} for role in ROLES}

    def add(role: str, first: int, end: int, count: int = 1) -> None:
        for slot in range(first, end):
            needs[role][slot] = needs[role].get(slot, 0) + count

    if crew == FULL_CREW:
        add("Manager", opens - 3, closes + 1)
        add("Cashier", opens - 1, closes)
        add("Dishwasher", opens + 2, closes + 1)
    else:
        add("Manager", opens - 3, opens + 10)
        add("Shift Lead", opens + 10, closes + 1)
    add("Line Cook", opens - 2, closes + 1)
    if crew != LEAN_CREW or outlook.busy:
        add("Prep Cook", opens - 7, opens + 1)
    if outlook.busy and crew != LEAN_CREW:
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
            shifts.extend(_shifts(role, outlook.day, need, opens - 7, closes + 1, outlook.orders_per_hour))
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
    crew = next(
        (
            size
            for size in CREWS
            if planned_cost(s for o in days for s in plan_day(o, 0.0, size)) <= 0.7 * target
        ),
        LEAN_CREW,
    )

    def plan(multiplier: float) -> list[PlannedShift]:
        return [shift for outlook in days for shift in plan_day(outlook, multiplier, crew)]

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
