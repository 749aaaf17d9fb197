"""Labor sums in the database: paid time and cost grouped by day, location, role and/or local hour, and the
overtime of the few employee-weeks that go over the threshold (found with one grouped query, then worked
out shift by shift in Python, see labor_math.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import Connection, Integer, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from opsbot_labor.labor_math import LaborSums, Overtime, ShiftRow, half_up, overtime_by_shift, week_of
from opsbot_labor.tables import shift_hours, shifts
from tools.plugin_api import Scope

DATE_DIMENSIONS = ("day", "week", "weekday")


@dataclass(frozen=True)
class LaborAsk:
    """What to add up: the scope's period and locations, only these roles (() = all), the overtime rule and
    the business's first weekday."""

    scope: Scope
    roles: tuple[str, ...]
    threshold_hours: float
    multiplier: float
    week_start: int


def week_number(column, dialect: str, first_day: date) -> ColumnElement:
    """Whole weeks from ``first_day`` (a week's first day) to a date column, in SQL: 0 for its own week —
    plain day arithmetic, no date formatting per row."""
    if dialect == "sqlite":
        return cast((func.julianday(column) - func.julianday(first_day.isoformat())) / 7, Integer)
    return cast(column - first_day, Integer) // 7  # date − date is a whole number of days in PostgreSQL


def as_date(value) -> date:
    """A date from what the backend returned for a date column or expression."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _shift_row(r) -> ShiftRow:
    scheduled = None
    if r.scheduled_start_at is not None and r.scheduled_end_at is not None:
        scheduled = max(0, round((r.scheduled_end_at - r.scheduled_start_at).total_seconds()))
    return ShiftRow(
        r.id,
        r.location_id,
        r.team_member_id,
        r.employee_name,
        r.role,
        as_date(r.business_date),
        r.start_at,
        r.end_at,
        r.paid_seconds,
        r.hourly_rate,
        r.base_cost,
        r.status,
        scheduled,
    )


SHIFT_COLUMNS = (
    shifts.c.id,
    shifts.c.location_id,
    shifts.c.team_member_id,
    shifts.c.employee_name,
    shifts.c.role,
    shifts.c.business_date,
    shifts.c.start_at,
    shifts.c.end_at,
    shifts.c.paid_seconds,
    shifts.c.hourly_rate,
    shifts.c.base_cost,
    shifts.c.status,
    shifts.c.scheduled_start_at,
    shifts.c.scheduled_end_at,
)


def read_shifts(conn: Connection, *conditions, order_by=(), limit: int | None = None) -> list[ShiftRow]:
    """Shift rows matching ``conditions``."""
    query = select(*SHIFT_COLUMNS).where(*conditions).order_by(*order_by)
    if limit is not None:
        query = query.limit(limit)
    return [_shift_row(r) for r in conn.execute(query)]


def overtime_shifts(conn: Connection, ask: LaborAsk) -> dict[int, tuple[ShiftRow, Overtime]]:
    """Shift id → (shift, its overtime) for every shift of the period's weeks with overtime, at any location
    (an employee's hours count together) — so also shifts outside the scope, which callers filter."""
    period = ask.scope.period
    first = week_of(period.start, ask.week_start)
    threshold = round(ask.threshold_hours * 3600)
    week = week_number(shifts.c.business_date, conn.dialect.name, first).label("week")
    over = conn.execute(
        select(shifts.c.team_member_id, week)
        .where(shifts.c.business_date.between(first, period.end))
        .group_by(shifts.c.team_member_id, week)
        .having(func.sum(shifts.c.paid_seconds) > threshold)
    ).all()
    if not over:
        return {}
    weeks = {(member, first + timedelta(weeks=int(number))) for member, number in over}
    day = shifts.c.business_date
    those_weeks = or_(
        *(
            (shifts.c.team_member_id == member) & day.between(start, start + timedelta(days=6))
            for member, start in sorted(weeks)
        )
    )
    rows = read_shifts(conn, those_weeks)
    extra = overtime_by_shift(
        rows, threshold_hours=ask.threshold_hours, multiplier=ask.multiplier, week_start=ask.week_start
    )
    by_id = {row.id: row for row in rows}
    return {shift_id: (by_id[shift_id], overtime) for shift_id, overtime in extra.items()}


def in_scope(row: ShiftRow, ask: LaborAsk) -> bool:
    """True when a shift belongs to the question: its day in the period, its location and role asked."""
    period = ask.scope.period
    return (
        period.start <= row.business_date <= period.end
        and row.location_id in {place.id for place in ask.scope.places}
        and (not ask.roles or row.role in ask.roles)
    )


def _key(dimensions: list[str], values: dict, week_start: int) -> tuple:
    key = []
    for dimension in dimensions:
        if dimension in DATE_DIMENSIONS:
            day = as_date(values["business_date"])
            key.append(
                day
                if dimension == "day"
                else week_of(day, week_start)
                if dimension == "week"
                else day.weekday()
            )
        elif dimension == "location":
            key.append(values["location_id"])
        elif dimension == "hour":
            key.append(values["local_hour"])
        else:
            key.append(values["role"])
    return tuple(key)


def _group_columns(table, dimensions: list[str]) -> list:
    columns = []
    if any(d in DATE_DIMENSIONS for d in dimensions):
        columns.append(table.c.business_date)
    if "location" in dimensions:
        columns.append(table.c.location_id)
    if "role" in dimensions:
        columns.append(shifts.c.role)
    if "hour" in dimensions:
        columns.append(shift_hours.c.local_hour)
    return columns


def labor_groups(
    conn: Connection,
    ask: LaborAsk,
    dimensions: list[str],
    overtime: dict[int, tuple[ShiftRow, Overtime]] | None = None,
) -> dict[tuple, LaborSums]:
    """The labor sums per group of ``dimensions`` (none: one group, the totals), overtime included
    (``overtime``: what ``overtime_shifts`` gave for this ask, to read it once per question)."""
    if overtime is None:
        overtime = overtime_shifts(conn, ask)
    if "hour" in dimensions:
        return _hour_groups(conn, ask, dimensions, overtime)
    period, ids = ask.scope.period, [place.id for place in ask.scope.places]
    conditions = [shifts.c.business_date.between(period.start, period.end), shifts.c.location_id.in_(ids)]
    if ask.roles:
        conditions.append(shifts.c.role.in_(ask.roles))
    columns = _group_columns(shifts, dimensions)
    query = select(
        *columns,
        func.coalesce(func.sum(shifts.c.paid_seconds), 0).label("paid"),
        func.coalesce(func.sum(shifts.c.base_cost), 0).label("cost"),
        func.count().label("shifts"),
    ).where(*conditions)
    if columns:
        query = query.group_by(*columns)
    groups: dict[tuple, LaborSums] = {}
    for row in conn.execute(query):
        if not row.shifts:
            continue
        sums = groups.setdefault(_key(dimensions, row._asdict(), ask.week_start), LaborSums())
        sums.add(LaborSums(paid_seconds=int(row.paid), base_cost=int(row.cost), shifts=int(row.shifts)))
    scheduled = [
        *conditions,
        shifts.c.scheduled_start_at.is_not(None),
        shifts.c.scheduled_end_at.is_not(None),
    ]
    for row in read_shifts(conn, *scheduled):
        key = _key(
            dimensions,
            {"business_date": row.business_date, "location_id": row.location_id, "role": row.role},
            ask.week_start,
        )
        sums = groups.setdefault(key, LaborSums())
        sums.scheduled_seconds += row.scheduled_seconds or 0
        sums.scheduled_shifts += 1
    for row, extra in overtime.values():
        if in_scope(row, ask):
            key = _key(
                dimensions,
                {"business_date": row.business_date, "location_id": row.location_id, "role": row.role},
                ask.week_start,
            )
            sums = groups.setdefault(key, LaborSums())
            sums.overtime_seconds += extra.seconds
            sums.overtime_premium += extra.premium
    return groups


def _hour_groups(
    conn: Connection, ask: LaborAsk, dimensions: list[str], all_overtime: dict[int, tuple[ShiftRow, Overtime]]
) -> dict[tuple, LaborSums]:
    """Groups with the local hour: each shift's paid time in each hour at its rate; an overtime shift's
    premium is spread over its hours in proportion to their paid time (an estimate)."""
    period, ids = ask.scope.period, [place.id for place in ask.scope.places]
    joined = shift_hours.join(shifts, shift_hours.c.shift_id == shifts.c.id)
    conditions = [
        shift_hours.c.business_date.between(period.start, period.end),
        shift_hours.c.location_id.in_(ids),
    ]
    if ask.roles:
        conditions.append(shifts.c.role.in_(ask.roles))
    columns = _group_columns(shift_hours, dimensions)
    query = (
        select(
            *columns,
            func.sum(shift_hours.c.paid_seconds).label("paid"),
            func.sum(shift_hours.c.paid_seconds * shifts.c.hourly_rate).label("rate_seconds"),
            func.count(func.distinct(shift_hours.c.shift_id)).label("shifts"),
        )
        .select_from(joined)
        .where(*conditions)
        .group_by(*columns)
    )
    groups: dict[tuple, LaborSums] = {}
    for row in conn.execute(query):
        key = _key(dimensions, row._asdict(), ask.week_start)
        groups[key] = LaborSums(
            paid_seconds=int(row.paid),
            base_cost=half_up(Fraction(int(row.rate_seconds), 3600)),
            shifts=int(row.shifts),
        )
    overtime = {sid: pair for sid, pair in all_overtime.items() if in_scope(pair[0], ask)}
    if overtime:
        seconds: dict[tuple, Fraction] = {}
        premium: dict[tuple, Fraction] = {}
        pieces = conn.execute(
            select(shift_hours.c.shift_id, shift_hours.c.local_hour, shift_hours.c.paid_seconds).where(
                shift_hours.c.shift_id.in_(list(overtime))
            )
        )
        for shift_id, hour, paid in pieces:
            row, extra = overtime[shift_id]
            if not row.paid_seconds:
                continue
            values = {
                "business_date": row.business_date,
                "location_id": row.location_id,
                "role": row.role,
                "local_hour": hour,
            }
            key = _key(dimensions, values, ask.week_start)
            share = Fraction(paid, row.paid_seconds)
            seconds[key] = seconds.get(key, Fraction(0)) + extra.seconds * share
            premium[key] = premium.get(key, Fraction(0)) + extra.premium * share
        for key in seconds:
            sums = groups.setdefault(key, LaborSums())
            sums.overtime_seconds += half_up(seconds[key])
            sums.overtime_premium += half_up(premium[key])
    return groups
