"""``labor_report`` (hours, labor cost, labor % of net sales, sales per labor hour, overtime, grouped like
sales) and ``labor_shifts`` (the shifts themselves: who worked, when, which ran overtime)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from opsbot_labor.labor_math import LaborSums, Overtime, ShiftRow, hours, week_of
from opsbot_labor.labor_queries import LaborAsk, in_scope, labor_groups, overtime_shifts, read_shifts
from opsbot_labor.settings import overtime_hours, overtime_multiplier
from opsbot_labor.tables import shifts
from tools.plugin_api import (
    SALES_TABLES,
    EndArg,
    LocationsArg,
    Param,
    PeriodArg,
    Scope,
    StartArg,
    ToolContext,
    ToolError,
    activity,
    build_scope,
    close_matches,
    dimension_label,
    dimension_order,
    divide_half_up,
    format_money,
    percent,
    unknown_name_error,
)

LaborDimension = Literal["day", "week", "weekday", "hour", "location", "role"]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LABOR_DEFINITIONS = {
    "hours": "paid hours: clock-in to clock-out less unpaid breaks, of shifts starting in the period",
    "labor_cost": "paid hours × hourly rate, plus the overtime premium; wages only (no taxes or benefits)",
    "overtime": "an employee's paid hours beyond {threshold:g} in a week (weeks start {week_start}), "
    "at {multiplier:g}× the rate: the premium is the extra {extra:g}×",
    "labor_percent": "labor cost as a % of net sales (completed orders, after discounts, before tax) of "
    "the same locations and days",
    "sales_per_labor_hour": "net sales ÷ paid hours",
    "day": "the local date a shift started on, in its location's timezone",
}
RolesArg = Annotated[list[str] | None, Param("Only these roles ('Line Cook').")]
OvertimeArg = Annotated[float | None, Param("Weekly hours before overtime; default the business's (40).")]


def overtime_rule(ctx: ToolContext, overtime_after_hours: float | None) -> tuple[float, float]:
    try:
        threshold = overtime_hours(ctx.options)
        multiplier = overtime_multiplier(ctx.options)
    except ValueError as exc:
        raise ToolError(f"labor settings: {exc}") from exc
    if overtime_after_hours is not None:
        if not 1 <= overtime_after_hours <= 168:
            raise ToolError(f"overtime_after_hours must be between 1 and 168, got {overtime_after_hours:g}")
        threshold = overtime_after_hours
    return threshold, multiplier


def labor_definitions(ctx: ToolContext, threshold: float, multiplier: float) -> dict[str, str]:
    facts = dict(LABOR_DEFINITIONS)
    facts["overtime"] = facts["overtime"].format(
        threshold=threshold, week_start=WEEKDAYS[ctx.week_start], multiplier=multiplier, extra=multiplier - 1
    )
    return facts


def _resolve_roles(engine: Engine, wanted: list[str] | None) -> tuple[str, ...]:
    if not wanted:
        return ()
    with engine.connect() as conn:
        known = sorted(r for r in conn.scalars(select(shifts.c.role).distinct()) if r)
    by_lower = {name.lower(): name for name in known}
    chosen = []
    for name in wanted:
        match = by_lower.get(name.strip().lower())
        if match is None:
            raise unknown_name_error("role", name, known)
        chosen.append(match)
    return tuple(chosen)


def _location_ids(scope: Scope) -> list[int]:
    return [place.id for place in scope.places]


def net_sales_by(ctx: ToolContext, scope: Scope, dimensions: list[str]) -> dict[tuple, int]:
    """Net sales of counted orders per group of ``dimensions`` (role is not a sales dimension: left out)."""
    hourly = "hour" in dimensions
    table = SALES_TABLES.hourly if hourly else SALES_TABLES.daily
    columns = [table.c.location_id, table.c.business_date] + ([table.c.local_hour] if hourly else [])
    query = select(*columns, func.sum(table.c.net_sales)).where(*scope.rollup_conditions(table))
    query = query.group_by(*columns)
    result: dict[tuple, int] = {}
    with ctx.engine.connect() as conn:
        for row in conn.execute(query):
            location_id, day = row[0], row[1]
            day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
            values = {
                "day": day,
                "week": week_of(day, ctx.week_start),
                "weekday": day.weekday(),
                "location": location_id,
                "hour": row[2] if hourly else None,
            }
            key = tuple(values[d] for d in dimensions if d != "role")
            result[key] = result.get(key, 0) + int(row[-1] or 0)
    return result


def group_label(dimension: str, key, scope: Scope) -> str:
    """How a row names its group: as the built-in tools do, and a role by its title."""
    if dimension == "role":
        return key or "(no role)"
    return dimension_label(dimension, key, scope, ())


def labor_figures(sums: LaborSums, net_sales: int | None, currency: str) -> dict:
    """One row's or the totals' labor figures, money formatted."""
    figures = {
        "hours": hours(sums.paid_seconds),
        "labor_cost": format_money(sums.cost, currency),
        "overtime_hours": hours(sums.overtime_seconds),
        "overtime_cost": format_money(sums.overtime_premium, currency),
        "shifts": sums.shifts,
    }
    if net_sales is not None:
        figures["net_sales"] = format_money(net_sales, currency)
        figures["labor_percent"] = percent(sums.cost, net_sales)
        per_hour = divide_half_up(net_sales * 3600, sums.paid_seconds) if sums.paid_seconds else None
        figures["sales_per_labor_hour"] = format_money(per_hour, currency) if per_hour is not None else None
    if sums.scheduled_shifts:
        figures["scheduled_hours"] = hours(sums.scheduled_seconds)
    return figures


def _check_dimensions(group_by: list[str] | None) -> list[str]:
    dimensions = list(dict.fromkeys(group_by or []))
    if len(dimensions) > 2:
        raise ToolError(
            f"group_by takes at most two dimensions, got {len(dimensions)}: {', '.join(dimensions)}"
        )
    return dimensions


def _no_labor_note(ctx: ToolContext, scope: Scope) -> str:
    with ctx.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(shifts.c.business_date), func.max(shifts.c.business_date)).where(
                shifts.c.location_id.in_(_location_ids(scope))
            )
        ).one()
    if first is None:
        return (
            "no shifts are stored for these locations — import them with `opsbot labor import-shifts FILE` "
            "or sync Square Labor"
        )
    return f"no shifts in {scope.period.label}: the labor data covers {first} to {last}"


@activity("adding up labor")
def labor_report(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    group_by: Annotated[
        list[LaborDimension] | None,
        Param("Up to two; default totals only."),
    ] = None,
    roles: RolesArg = None,
    overtime_after_hours: OvertimeArg = None,
    limit: Annotated[int | None, Param("Rows (1–100); default 40.")] = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Labor: paid hours, labor cost, labor % of net sales, sales per labor hour, overtime, scheduled hours —
    in total or grouped."""
    scope = build_scope(ctx, period=period, start_date=start_date, end_date=end_date, locations=locations)
    dimensions = _check_dimensions(group_by)
    if limit is not None and not 1 <= limit <= 100:
        raise ToolError(f"limit must be between 1 and 100, got {limit}")
    threshold, multiplier = overtime_rule(ctx, overtime_after_hours)
    chosen_roles = _resolve_roles(ctx.engine, roles)
    ask = LaborAsk(scope, chosen_roles, threshold, multiplier, ctx.week_start)
    with ctx.engine.connect() as conn:
        overtime = overtime_shifts(conn, ask)
        grouped = labor_groups(conn, ask, dimensions, overtime) if dimensions else {}
        if dimensions and "hour" not in dimensions:  # every shift is in one group: the totals add up
            totals = LaborSums()
            for sums in grouped.values():
                totals.add(sums)
        else:
            totals = labor_groups(conn, ask, [], overtime).get((), LaborSums())
    currency = scope.currency
    sales_total = net_sales_by(ctx, scope, [])
    result: dict = {
        **scope.coverage(),
        "definitions": labor_definitions(ctx, threshold, multiplier),
        "totals": labor_figures(totals, None if chosen_roles else sales_total.get((), 0), currency),
    }
    if chosen_roles:
        result["roles"] = list(chosen_roles)
        result["totals"]["labor_percent_of_all_net_sales"] = percent(totals.cost, sales_total.get((), 0))
        result["totals"]["net_sales"] = format_money(sales_total.get((), 0), currency)
    if not totals.shifts:
        result["data_note"] = _no_labor_note(ctx, scope)
    if dimensions:
        sales = net_sales_by(ctx, scope, dimensions)
        keys = sorted(
            grouped,
            key=lambda k: tuple(dimension_order(d, v, scope) for d, v in zip(dimensions, k, strict=True)),
        )
        cap = limit or 40
        out = []
        for key in keys[:cap]:
            sales_key = tuple(v for d, v in zip(dimensions, key, strict=True) if d != "role")
            row_sales = sales.get(sales_key, 0)
            labels = {d: group_label(d, v, scope) for d, v in zip(dimensions, key, strict=True)}
            figures = labor_figures(grouped[key], row_sales, currency)
            if "role" in dimensions:
                figures["labor_percent_basis"] = "net sales of the whole row, every role"
            out.append({**labels, **figures})
        result["group_by"] = dimensions
        result["rows"] = out
        result["rows_omitted"] = max(0, len(keys) - cap)
    return result


def _local_span(row: ShiftRow, timezone: str) -> str:
    tz = ZoneInfo(timezone)
    start = row.start_at.astimezone(tz)
    if row.end_at is None:
        return f"{start:%H:%M}– (clocked in)"
    end = row.end_at.astimezone(tz)
    return f"{start:%H:%M}–{end:%H:%M}" + ("" if end.date() == start.date() else " (+1 day)")


def _employee_condition(conn, conditions: list, employee: str):
    """A condition keeping one employee's shifts (part of the name, any case); ToolError with the closest
    names when nobody in the period matches."""
    wanted = employee.strip().lower()
    name = func.lower(func.coalesce(shifts.c.employee_name, shifts.c.team_member_id))
    condition = name.contains(wanted, autoescape=True)
    if conn.scalar(select(func.count()).select_from(shifts).where(*conditions, condition)):
        return condition
    names = sorted(
        n
        for n in conn.scalars(
            select(func.coalesce(shifts.c.employee_name, shifts.c.team_member_id))
            .where(*conditions)
            .distinct()
        )
        if n
    )
    if close_matches(employee, names):
        raise unknown_name_error("employee", employee, names)
    raise ToolError(f"no shifts by an employee named {employee!r} in this period")


@activity("looking through shifts")
def labor_shifts(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    roles: RolesArg = None,
    employee: Annotated[str | None, Param("Only this employee (part of the name).")] = None,
    only: Annotated[
        Literal["all", "overtime", "open", "longest"] | None,
        Param("open: still clocked in; longest: by paid hours."),
    ] = None,
    overtime_after_hours: OvertimeArg = None,
    limit: Annotated[int | None, Param("Shifts (1–100); default 25.")] = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """Shifts, one row each: employee, role, location, day, clock-in–out, paid hours, rate, cost, overtime
    (who worked, ran overtime, is clocked in)."""
    scope = build_scope(ctx, period=period, start_date=start_date, end_date=end_date, locations=locations)
    if limit is not None and not 1 <= limit <= 100:
        raise ToolError(f"limit must be between 1 and 100, got {limit}")
    threshold, multiplier = overtime_rule(ctx, overtime_after_hours)
    chosen_roles = _resolve_roles(ctx.engine, roles)
    ask = LaborAsk(scope, chosen_roles, threshold, multiplier, ctx.week_start)
    mode = only or "all"
    cap = limit or 25
    with ctx.engine.connect() as conn:
        overtime = {sid: pair for sid, pair in overtime_shifts(conn, ask).items() if in_scope(pair[0], ask)}
        conditions = [
            shifts.c.business_date.between(scope.period.start, scope.period.end),
            shifts.c.location_id.in_([place.id for place in scope.places]),
        ]
        if chosen_roles:
            conditions.append(shifts.c.role.in_(chosen_roles))
        if employee:
            conditions.append(_employee_condition(conn, conditions, employee))
        if mode == "overtime":
            conditions.append(shifts.c.id.in_(list(overtime)))
        elif mode == "open":
            conditions.append(shifts.c.status == "open")
        matching = conn.scalar(select(func.count()).select_from(shifts).where(*conditions)) or 0
        order = {
            "overtime": (shifts.c.start_at, shifts.c.id),
            "longest": (shifts.c.paid_seconds.desc(), shifts.c.start_at, shifts.c.id),
        }.get(mode, (shifts.c.start_at, shifts.c.id))
        rows = read_shifts(conn, *conditions, order_by=order, limit=None if mode == "overtime" else cap)
    if mode == "overtime":
        rows.sort(key=lambda r: (-overtime[r.id][1].seconds, r.start_at, r.id))
    currency = scope.currency
    places = {place.id: place for place in scope.places}
    cap = limit or 25
    listed = []
    for row in rows[:cap]:
        extra = overtime[row.id][1] if row.id in overtime else Overtime()
        place = places[row.location_id]
        listed.append(
            {
                "employee": row.employee_name or row.team_member_id,
                "role": row.role or "(no role)",
                "location": place.label,
                "day": dimension_label("day", row.business_date, scope, ()),
                "clocked": _local_span(row, place.timezone),
                "hours": hours(row.paid_seconds),
                "hourly_rate": format_money(row.hourly_rate, currency),
                "cost": format_money(row.base_cost + extra.premium, currency),
                "overtime_hours": hours(extra.seconds),
                "overtime_cost": format_money(extra.premium, currency),
            }
        )
    result = {
        **scope.coverage(),
        "definitions": labor_definitions(ctx, threshold, multiplier),
        "shown": mode,
        "shifts": listed,
        "shifts_matching": matching,
        "shifts_omitted": max(0, matching - cap),
    }
    if not matching:
        result["data_note"] = _no_labor_note(ctx, scope)
    return result
