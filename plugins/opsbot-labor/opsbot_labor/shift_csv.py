"""Shifts from a scheduling app's CSV export (7shifts, Homebase, or a hand-made file of the same shape).

One row per worked shift: the employee (a name, First/Last Name columns, and/or an employee id), role,
location, clock in, clock out, unpaid break minutes (optional), hourly wage, and the scheduled start and
end (optional). Times are the location's local wall clock ("2026-11-23 09:02", "11/23/2026 9:02 AM"), ISO
8601 with an offset, or a time of day beside a Date column (a clock-out earlier than the clock-in is on the
next day). Every row is checked and every problem reported; any problem and nothing is returned.

A shift's ``source_shift_id`` is a hash of who worked it, where and when they clocked in, so importing the
same file again finds the same shifts; ``team_member_id`` is the file's employee id, or "csv:" and the
employee's name (lower case, single spaces) when the file has no ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from opsbot_labor.csv_locations import LocationNames, plain
from opsbot_labor.csv_problems import CsvImportError, problem
from opsbot_labor.csv_reading import Column, Row, missing_column, read_table
from opsbot_labor.csv_values import calendar_date, minutes, money, wall_clock
from opsbot_labor.records import ShiftRecord

LONGEST_SHIFT = timedelta(hours=24)
HIGHEST_WAGE = 10_000  # per hour, in major units: above it a wage is a typo

EMPLOYEE = Column("employee", ("Employee", "Employee Name", "Name", "Team Member", "Staff", "Full Name"))
FIRST_NAME = Column("first name", ("First Name", "First", "Given Name"))
LAST_NAME = Column("last name", ("Last Name", "Last", "Family Name", "Surname"))
EMPLOYEE_ID = Column(
    "employee id", ("Employee ID", "Employee Number", "Emp ID", "Payroll ID", "Team Member ID", "User ID")
)
ROLE = Column("role", ("Role", "Position", "Job", "Job Title", "Title"))
LOCATION = Column("location", ("Location", "Location Name", "Store", "Site"))
DATE = Column("date", ("Date", "Shift Date", "Work Date"))
CLOCK_IN = Column(
    "clock in",
    ("Clock In", "Clocked In", "In", "Clock In Time", "Time In", "Punch In", "Start", "Start Time"),
)
CLOCK_OUT = Column(
    "clock out",
    ("Clock Out", "Clocked Out", "Out", "Clock Out Time", "Time Out", "Punch Out", "End", "End Time"),
)
BREAK = Column(
    "break",
    (
        "Unpaid Break (min)",
        "Unpaid Break",
        "Unpaid Breaks",
        "Unpaid Break Minutes",
        "Break",
        "Break (min)",
        "Breaks",
        "Break Minutes",
    ),
)
WAGE = Column("wage", ("Wage", "Hourly Wage", "Pay Rate", "Wage Rate", "Hourly Rate", "Rate"))
SCHEDULED_START = Column(
    "scheduled start", ("Scheduled Start", "Scheduled In", "Schedule Start", "Scheduled Start Time")
)
SCHEDULED_END = Column(
    "scheduled end", ("Scheduled End", "Scheduled Out", "Schedule End", "Scheduled End Time")
)

COLUMNS = (
    EMPLOYEE,
    FIRST_NAME,
    LAST_NAME,
    EMPLOYEE_ID,
    ROLE,
    LOCATION,
    DATE,
    CLOCK_IN,
    CLOCK_OUT,
    BREAK,
    WAGE,
    SCHEDULED_START,
    SCHEDULED_END,
)

Place = tuple[int, str, str]  # store location id, currency, IANA timezone


def _local(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _length(span: timedelta) -> str:
    total = round(span.total_seconds() / 60)
    return f"{total // 60} h {total % 60:02d} min"


def shift_id(who: str, location_id: int, start: datetime) -> str:
    """The stable id of a CSV shift: who worked it, where, and the instant they clocked in."""
    key = f"{who}\x1f{location_id}\x1f{start.astimezone(UTC).isoformat()}"
    return "csv-" + hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass
class _RowCheck:
    """One row being read: its problems so far and the values read without one."""

    row: Row
    problems: list[str]

    def cell(self, column: Column) -> str:
        return self.row.cells.get(column.field, "")

    def fail(self, column: Column, what: str) -> None:
        self.problems.append(problem(self.row.line, column.field, what))


def _header_problems(found: Mapping[str, str], places: LocationNames[Place]) -> list[str]:
    problems = []
    if not any(column.field in found for column in (EMPLOYEE, FIRST_NAME, LAST_NAME, EMPLOYEE_ID)):
        names = [*EMPLOYEE.aliases[:2], "First Name", "Last Name", "Employee ID"]
        problems.append(missing_column("employee", names))
    for column in (CLOCK_IN, CLOCK_OUT, WAGE):
        if column.field not in found:
            problems.append(missing_column(column.field, column.aliases[:4]))
    if LOCATION.field not in found and places.only() is None:
        problems.append(missing_column(LOCATION.field, LOCATION.aliases[:3]))
    return problems


def _employee(check: _RowCheck) -> tuple[str, str | None] | None:
    """(team member id, display name or None) of the row's employee."""
    name = check.cell(EMPLOYEE) or " ".join(
        part for part in (check.cell(FIRST_NAME), check.cell(LAST_NAME)) if part
    )
    name = " ".join(name.split())
    employee_id = check.cell(EMPLOYEE_ID)
    if employee_id:
        return employee_id, name or None
    if name:
        return "csv:" + plain(name), name
    check.fail(EMPLOYEE, "missing (no name and no employee id)")
    return None


def _place(check: _RowCheck, places: LocationNames[Place]) -> Place | None:
    cell = check.cell(LOCATION)
    if not cell:
        only = places.only()
        if only is None:
            check.fail(LOCATION, "missing")
        return only
    try:
        return places.find(cell)
    except ValueError as exc:
        check.fail(LOCATION, str(exc))
        return None


def _moment(
    check: _RowCheck, column: Column, zone: ZoneInfo, day: date | None, after: datetime | None = None
) -> datetime | None:
    cell = check.cell(column)
    if not cell:
        return None
    try:
        return wall_clock(cell, zone, day=day, after=after)
    except ValueError as exc:
        check.fail(column, str(exc))
        return None


@dataclass(frozen=True)
class _Read:
    """What the checks across rows need of a row: who worked when, where (the row's shift id), and its
    record when the row has no problem of its own."""

    line: int
    who: str
    shift_id: str
    timezone: str
    start: datetime
    end: datetime
    record: ShiftRecord | None


def _read_row(check: _RowCheck, places: LocationNames[Place]) -> _Read | None:
    employee = _employee(check)
    place = _place(check, places)
    zone = ZoneInfo(place[2]) if place else ZoneInfo("UTC")  # a bad location still gets its times checked
    day = None
    if check.cell(DATE):
        try:
            day = calendar_date(check.cell(DATE))
        except ValueError as exc:
            check.fail(DATE, str(exc))
    start = _moment(check, CLOCK_IN, zone, day)
    if not check.cell(CLOCK_IN):
        check.fail(CLOCK_IN, "missing")
    end_day = start.astimezone(zone).date() if start is not None else day
    end = _moment(check, CLOCK_OUT, zone, end_day, after=start)
    if not check.cell(CLOCK_OUT):
        check.fail(CLOCK_OUT, "missing — the shift has no clock-out (still clocked in?)")
    if start is not None and end is not None:
        if end <= start:
            check.fail(CLOCK_OUT, f"{_local(end.astimezone(zone))} is not after clock in {_local(start)}")
        elif end - start > LONGEST_SHIFT:
            check.fail(CLOCK_OUT, f"the shift is {_length(end - start)} long — more than 24 hours")
    break_seconds = 0
    if check.cell(BREAK):
        try:
            break_seconds = minutes(check.cell(BREAK))
        except ValueError as exc:
            check.fail(BREAK, str(exc))
        shift = (end - start).total_seconds() if start is not None and end is not None else None
        if shift is not None and 0 < shift < break_seconds:
            check.fail(
                BREAK, f"{check.cell(BREAK)} minutes is longer than the shift ({_length(end - start)})"
            )
    currency = place[1] if place else "USD"
    rate = None
    if not check.cell(WAGE):
        check.fail(WAGE, "missing")
    else:
        try:
            rate = money(check.cell(WAGE), currency, most=HIGHEST_WAGE)
        except ValueError as exc:
            check.fail(WAGE, str(exc))
    scheduled_start = _moment(check, SCHEDULED_START, zone, day or end_day)
    scheduled_end = _moment(check, SCHEDULED_END, zone, day or end_day, after=scheduled_start)
    if scheduled_start is not None and scheduled_end is not None and scheduled_end <= scheduled_start:
        check.fail(
            SCHEDULED_END, f"{_local(scheduled_end)} is not after scheduled start {_local(scheduled_start)}"
        )
    if employee is None or place is None or start is None or end is None or end <= start:
        return None
    who, name = employee
    key = shift_id(who, place[0], start)
    if check.problems or rate is None:
        return _Read(check.row.line, who, key, place[2], start, end, None)
    record = ShiftRecord(
        source="csv",
        source_shift_id=key,
        location_id=place[0],
        timezone=place[2],
        team_member_id=who,
        employee_name=name,
        role=" ".join(check.cell(ROLE).split()),
        start_at=start,
        end_at=end,
        hourly_rate=rate,
        currency=currency,
        unpaid_break_seconds=break_seconds,
        scheduled_start_at=scheduled_start,
        scheduled_end_at=scheduled_end,
    )
    return _Read(check.row.line, who, key, place[2], start, end, record)


def _overlaps(shifts: list[_Read]) -> list[tuple[int, str]]:
    """(line, problem) for each shift that starts before an earlier shift of the same employee ends."""
    found = []
    by_member: dict[str, list[_Read]] = {}
    for shift in shifts:
        by_member.setdefault(shift.who, []).append(shift)
    for member_shifts in by_member.values():
        member_shifts.sort(key=lambda s: (s.start, s.line))
        latest: _Read | None = None  # the shift so far that ends last
        for shift in member_shifts:
            if latest is not None and shift.start < latest.end:
                if shift.shift_id == latest.shift_id:
                    what = f"repeats the shift on line {latest.line} (same employee, location and clock in)"
                else:
                    zone = ZoneInfo(latest.timezone)
                    span = f"{_local(latest.start.astimezone(zone))} to {_local(latest.end.astimezone(zone))}"
                    what = f"overlaps the shift on line {latest.line} of the same employee ({span})"
                found.append((shift.line, problem(shift.line, CLOCK_IN.field, what)))
            if latest is None or shift.end > latest.end:
                latest = shift
    return found


def parse_shifts(path: str | Path, *, locations: Mapping[str, Place]) -> list[ShiftRecord]:
    """The shifts in the CSV export at ``path``, in file order. ``locations`` maps each store location's
    name (lower case) and its number as text ("2") to (store location id, currency, IANA timezone). Raises
    CsvImportError with every problem in the file (CsvFileError when it cannot be read at all)."""
    places: LocationNames[Place] = LocationNames(locations)
    table = read_table(path, COLUMNS, what="shifts")
    header = _header_problems(table.found, places)
    if header:
        raise CsvImportError(header)
    problems: list[tuple[int, str]] = []
    shifts: list[_Read] = []
    for row in table.rows:
        check = _RowCheck(row, [])
        read = _read_row(check, places)
        problems.extend((row.line, text) for text in check.problems)
        if read is not None:
            shifts.append(read)
    problems.extend(_overlaps(shifts))
    if problems:
        raise CsvImportError(text for _line, text in sorted(problems, key=lambda p: p[0]))
    return [shift.record for shift in shifts if shift.record is not None]
