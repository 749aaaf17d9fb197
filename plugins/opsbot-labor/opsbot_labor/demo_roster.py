"""The demo's team: employees per location and role, who works which planned shift, and the timecards they
clock (a few minutes off the plan, with unpaid meal breaks on long shifts).

Each location has enough employees per role for its busiest day and week, about half of them full-time
(up to five shifts a week, about 38 hours) and the rest part-time. Shifts are handed out week by week in
time order to whoever has the least of their weekly target, never two shifts on one date, with ten hours'
rest where possible. In about a quarter of the weeks one full-time line cook per location covers three
doubles (opening and closing shift merged), which takes that cook's week over 40 hours: the overtime.
"""

from __future__ import annotations

import math
import random
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from opsbot_labor.demo_staffing import BREAK_AFTER_SLOTS, ROLES, PlannedShift

GIVEN_NAMES = (
    "Ana", "Marcus", "Priya", "Diego", "Keisha", "Tomás", "Mei", "Jordan", "Fatima", "Luis", "Grace",
    "Omar", "Sofia", "Dev", "Aaliyah", "Caleb", "Nina", "Andre", "Rosa", "Kenji", "Imani", "Elijah",
    "Lucia", "Sam", "Hannah", "Rafael", "Zoe", "Malik", "Ivy", "Mateo", "Chloe", "Tariq", "Elena", "Jamal",
    "Leah", "Victor", "Maya", "Hector", "Noor", "Owen", "Carmen", "Isaac", "Tessa", "Javier", "Amara",
    "Felix", "Yara", "Reggie",
)  # fmt: skip
FAMILY_NAMES = (
    "Reyes", "Okafor", "Nguyen", "Santos", "Kowalski", "Haddad", "Chen", "Brooks", "Patel", "Morales",
    "Kim", "Johnson", "Alvarez", "Murphy", "Singh", "Baptiste", "Rossi", "Washington", "Flores", "Tanaka",
    "Ortiz", "Greene", "Castillo", "Ibrahim", "Park", "Rivera", "Schmidt", "Mendoza", "Cohen", "Diallo",
    "Lopez", "Carter", "Silva", "Novak", "Bennett", "Ruiz", "Osei", "Hughes", "Vargas", "Levy", "Torres",
    "Ali",
)  # fmt: skip

FULL_TIME = (38.0, 5)  # weekly target hours, most shifts a week
PART_TIME = (22.0, 4)
OVERTIME_TARGET = (48.0, 5)  # a week with doubles
MAX_DOUBLE_SLOTS = 26  # 13 h
COVERING_SHIFT_HOURS = 5.5  # the shortest shift a cook with doubles also takes first
OVERTIME_WEEK_SHARE = 0.25
DOUBLES_A_WEEK = 3
MIN_REST = timedelta(hours=10)


@dataclass
class Employee:
    """A team member: one location, one job, one hourly wage (minor units)."""

    id: str
    given_name: str
    family_name: str
    location_id: str  # Square location id
    role: str
    hourly_rate: int
    full_time: bool
    hired: date
    overtime_weeks: set[date] = field(default_factory=set)  # weeks with doubles to cover
    worked: dict[date, float] = field(default_factory=lambda: defaultdict(float))  # week → paid hours
    shifts: dict[date, int] = field(default_factory=lambda: defaultdict(int))  # week → shifts
    days: set[date] = field(default_factory=set)
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)  # shifts taken

    def target(self, week: date) -> tuple[float, int]:
        """(hours aimed at, most shifts) in ``week``."""
        if week in self.overtime_weeks:
            return OVERTIME_TARGET
        return FULL_TIME if self.full_time else PART_TIME


@dataclass(frozen=True)
class Assignment:
    """A planned shift with the employee who works it; ``double`` = a merged opening and closing shift."""

    shift: PlannedShift
    employee: Employee
    double: bool = False


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def random_id(rng: random.Random, length: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


class Namer:
    """Distinct "Given Family" names for the whole business."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[tuple[str, str]] = set()

    def __call__(self) -> tuple[str, str]:
        while True:
            name = (self.rng.choice(GIVEN_NAMES), self.rng.choice(FAMILY_NAMES))
            if name not in self.used:
                self.used.add(name)
                return name


def hire(
    location_id: str, shifts: list[PlannedShift], rng: random.Random, namer: Namer, first_day: date
) -> list[Employee]:
    """Enough employees per role for the location's busiest day and week."""
    team = []
    for role in ROLES:
        mine = [s for s in shifts if s.role == role]
        if not mine:
            continue
        per_day: dict[date, int] = defaultdict(int)
        for shift in mine:
            per_day[shift.day] += 1
        hours = max(
            sum(s.paid_hours for s in mine if week_of(s.day) == week)
            for week in {week_of(s.day) for s in mine}
        )
        full_time = int(0.7 * hours // FULL_TIME[0])
        part_time = math.ceil(max(0.0, hours - full_time * FULL_TIME[0]) / PART_TIME[0]) + 1
        count = max(full_time + part_time, max(per_day.values()) + 1)
        full_time = max(full_time, 1)
        low, high, _ = ROLES[role]
        for index in range(count):
            given, family = namer()
            team.append(
                Employee(
                    id="TM" + random_id(rng, 14, string.ascii_letters + string.digits),
                    given_name=given,
                    family_name=family,
                    location_id=location_id,
                    role=role,
                    hourly_rate=low + 25 * rng.randint(0, (high - low) // 25),
                    full_time=index < full_time,
                    hired=first_day - timedelta(days=rng.randint(30, 1200)),
                )
            )
    return team


def _doubles(shifts: list[PlannedShift], rng: random.Random) -> tuple[list[PlannedShift], list[PlannedShift]]:
    """(shifts left, doubles): in about a quarter of the weeks, three days' base line-cook opening and
    closing shifts merged into one."""
    base: dict[date, list[PlannedShift]] = defaultdict(list)
    for shift in shifts:
        if shift.role == "Line Cook" and shift.level == 1:
            base[shift.day].append(shift)
    splittable = sorted(
        day
        for day, pieces in base.items()
        if len(pieces) == 2
        and max(p.end_slot for p in pieces) - min(p.start_slot for p in pieces) <= MAX_DOUBLE_SLOTS
    )
    weeks = sorted({week_of(day) for day in splittable})
    chosen = set(rng.sample(weeks, max(1, round(OVERTIME_WEEK_SHARE * len(weeks))))) if weeks else set()
    merged_days = []
    for week in sorted(chosen):
        days = [day for day in splittable if week_of(day) == week]
        merged_days.extend(rng.sample(days, min(DOUBLES_A_WEEK, len(days))))
    doubles, removed = [], set()
    for day in sorted(merged_days):
        opening, closing = sorted(base[day], key=lambda s: s.start_slot)
        doubles.append(PlannedShift("Line Cook", day, opening.start_slot, closing.end_slot, 1))
        removed.update({opening, closing})
    return [s for s in shifts if s not in removed], doubles


def _take(employee: Employee, shift: PlannedShift, hours: float) -> None:
    week = week_of(shift.day)
    employee.worked[week] += hours
    employee.shifts[week] += 1
    employee.days.add(shift.day)
    employee.spans.append((shift.start, shift.end))


def _rested(employee: Employee, shift: PlannedShift) -> bool:
    """Whether ``shift`` leaves ``employee`` ten hours' rest before and after every shift they have."""
    return all(
        shift.start - end >= MIN_REST or start - shift.end >= MIN_REST for start, end in employee.spans
    )


def _covering(employee: Employee, week: date, shift: PlannedShift) -> bool:
    """Whether ``employee`` has doubles in ``week`` and takes this long shift first (the overtime week)."""
    return (
        week in employee.overtime_weeks
        and employee.worked[week] < OVERTIME_TARGET[0] - 4
        and shift.paid_hours >= COVERING_SHIFT_HOURS
    )


def assign(shifts: list[PlannedShift], team: list[Employee], rng: random.Random) -> list[Assignment]:
    """Who works each shift (see the module docstring)."""
    rest, doubles = _doubles(shifts, rng)
    assignments = []
    cooks = [e for e in team if e.role == "Line Cook" and e.full_time]
    if not cooks:
        rest, doubles = shifts, []
    for shift in doubles:
        cooks[0].overtime_weeks.add(week_of(shift.day))
        _take(cooks[0], shift, shift.paid_hours)
        assignments.append(Assignment(shift, cooks[0], double=True))
    order = {employee.id: rng.random() for employee in team}
    by_role: dict[str, list[Employee]] = defaultdict(list)
    for employee in team:
        by_role[employee.role].append(employee)
    for shift in sorted(rest, key=lambda s: (s.start, s.role, s.end)):
        week = week_of(shift.day)
        free = [e for e in by_role[shift.role] if shift.day not in e.days]
        rested = [e for e in free if _rested(e, shift)]
        for pool in (
            [e for e in rested if e.shifts[week] < e.target(week)[1]],
            [e for e in free if e.shifts[week] < e.target(week)[1]],
            free,
        ):
            if pool:
                chosen = min(
                    pool,
                    key=lambda e: (
                        not _covering(e, week, shift),
                        e.worked[week] / e.target(week)[0],
                        order[e.id],
                    ),
                )
                break
        else:
            raise RuntimeError(f"no {shift.role} free on {shift.day}")  # hire() sizes the team to avoid it
        _take(chosen, shift, shift.paid_hours)
        assignments.append(Assignment(shift, chosen))
    return sorted(assignments, key=lambda a: (a.shift.start, a.shift.role, a.employee.id))


@dataclass(frozen=True)
class WorkedShift:
    """A shift as clocked: local wall-clock times (naive), whole minutes; ``breaks`` are unpaid."""

    assignment: Assignment
    start: datetime
    end: datetime
    breaks: tuple[tuple[datetime, datetime], ...]


def _quietest(begin: datetime, end: datetime, curve: dict[int, float]) -> datetime:
    """The quarter hour from ``begin`` to ``end`` whose half hour has the fewest expected orders."""
    candidates = []
    moment = begin.replace(minute=begin.minute // 15 * 15, second=0, microsecond=0) + timedelta(minutes=15)
    while moment <= end:
        later = moment + timedelta(minutes=30)
        candidates.append((curve.get(moment.hour, 0.0) + curve.get(later.hour, 0.0), moment))
        moment += timedelta(minutes=15)
    return min(candidates)[1] if candidates else begin


def clock(assignment: Assignment, rng: random.Random, curve: dict[int, float]) -> WorkedShift:
    """The plan as worked: clock-in a few minutes early or late, clock-out likewise, and one unpaid meal
    break (two on a double) of about 30 minutes on shifts over six hours, taken in the quietest half hour
    (``curve``: expected orders per local hour) at least two hours from either end (of its half, on a
    double)."""
    shift = assignment.shift
    start = shift.start + timedelta(minutes=rng.randint(-8, 3))
    end = shift.end + timedelta(minutes=rng.randint(-6, 12))
    breaks = []
    if shift.end_slot - shift.start_slot > BREAK_AFTER_SLOTS:
        count = 2 if assignment.double else 1
        part = (end - start) / count
        for index in range(count):
            first, last = start + part * index, start + part * (index + 1)
            quiet = _quietest(first + timedelta(hours=2), last - timedelta(hours=2, minutes=30), curve)
            begin = quiet + timedelta(minutes=rng.randint(-8, 8))
            breaks.append((begin, begin + timedelta(minutes=30 + rng.randint(-2, 5))))
    return WorkedShift(assignment, start, end, tuple(breaks))
