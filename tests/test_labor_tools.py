"""The labor plugin's tools on a small demo business with a handful of hand-written shifts and costs: every
expected figure is worked out here by hand (or from the raw order fixtures by tests/fixture_oracle.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from opsbot_labor import TOOLS
from opsbot_labor.records import ItemCostRecord, ShiftRecord
from opsbot_labor.shift_store import store_shifts, write_item_costs
from sqlalchemy import select

from tests.conftest import FIXED_NOW
from tests.fixture_oracle import dollars, expected_from_fixtures, half_up, item_sales_from_fixtures
from tools.analytics.readonly import open_readonly
from tools.registry import ToolContext, ToolRegistry
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.models import Location

NY = ZoneInfo("America/New_York")
WEEK = (date(2026, 11, 2), date(2026, 11, 8))  # small_fixtures' one week, Monday to Sunday


def local(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=NY)


def shift(
    sid: str,
    location_id: int,
    who: str,
    role: str,
    day: str,
    start: str,
    end: str | None,
    rate: int,
    breaks: tuple[tuple[str, str], ...] = (),
) -> ShiftRecord:
    unpaid = tuple((local(day, a), local(day, b)) for a, b in breaks)
    return ShiftRecord(
        source="test",
        source_shift_id=sid,
        location_id=location_id,
        timezone="America/New_York",
        team_member_id=who.lower(),
        employee_name=who,
        role=role,
        start_at=local(day, start),
        end_at=local(day, end) if end else None,
        hourly_rate=rate,
        currency="USD",
        unpaid_breaks=unpaid,
        unpaid_break_seconds=sum(round((b - a).total_seconds()) for a, b in unpaid),
    )


@pytest.fixture
def business(engine, small_fixtures):
    """The one-week demo with Ana (Downtown line cook, 5 × 9 h with a 30-min unpaid lunch: 2.5 h of
    overtime on Friday), Ben (cashier, 4 h at Harbor on Saturday and 4 h at Downtown on Sunday), Cy (still
    clocked in at Downtown) and Classic Burger costs ($4.00 everywhere, $4.50 at Downtown from Thursday)."""
    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Location.name, Location.id)).all())
    downtown, harbor = ids["Downtown"], ids["Harbor"]
    records = [
        shift(
            f"ana-{d}",
            downtown,
            "Ana",
            "Line Cook",
            f"2026-11-0{d}",
            "09:00",
            "18:00",
            2000,
            (("13:00", "13:30"),),
        )
        for d in range(2, 7)
    ]
    records += [
        shift("ben-sat", harbor, "Ben", "Cashier", "2026-11-07", "11:00", "15:00", 1650),
        shift("ben-sun", downtown, "Ben", "Cashier", "2026-11-08", "10:00", "14:00", 1650),
        shift("cy-sun", downtown, "Cy", "Cashier", "2026-11-08", "12:00", None, 1500),
    ]
    store_shifts(engine, records)
    with engine.begin() as conn:
        write_item_costs(
            conn,
            [
                ItemCostRecord("test", "Classic Burger", None, date(2026, 11, 1), 400, "USD"),
                ItemCostRecord("test", "Classic Burger", downtown, date(2026, 11, 5), 450, "USD"),
            ],
        )
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function, source="labor")

    def run(name: str, week_start: int = 0, options: dict | None = None, **arguments):
        context = ToolContext(
            engine=readonly, today=FIXED_NOW.date(), week_start=week_start, options=options or {}
        )
        result = registry.call(name, arguments, context)
        assert result.ok, result.error
        return result.content

    yield run
    readonly.dispose()


def _net(small_fixtures, location: str, first: date, last: date) -> int:
    days = expected_from_fixtures(small_fixtures).days
    return sum(t.net for (name, day), t in days.items() if name == location and first <= day <= last)


def test_labor_by_location_counts_paid_hours_overtime_and_labor_percent(business, small_fixtures):
    result = business("labor_report", start_date="2026-11-02", end_date="2026-11-08", group_by=["location"])
    rows = {row["location"]: row for row in result["rows"]}
    downtown, harbor = rows["Location 1 (Downtown)"], rows["Location 2 (Harbor)"]
    # Ana 5 × 8.5 h = 42.5 h (2.5 h over 40, premium 2.5 × $20 × 0.5 = $25), Ben 4 h; Cy is still clocked in.
    assert (downtown["hours"], downtown["overtime_hours"]) == (46.5, 2.5)
    assert (downtown["labor_cost"], downtown["overtime_cost"]) == (dollars(5 * 17000 + 2500 + 6600), "$25.00")
    assert downtown["shifts"] == 7
    net = _net(small_fixtures, "Downtown", *WEEK)
    assert downtown["net_sales"] == dollars(net)
    assert downtown["labor_percent"] == round(100 * 94100 / net, 1)
    assert downtown["sales_per_labor_hour"] == dollars(half_up(net * 2, 93))
    assert (harbor["hours"], harbor["labor_cost"], harbor["overtime_hours"]) == (4.0, "$66.00", 0.0)
    assert result["totals"]["labor_cost"] == dollars(94100 + 6600)
    assert result["totals"]["hours"] == 50.5


def test_the_overtime_threshold_and_the_week_start_change_who_is_in_overtime(business):
    week = {"start_date": "2026-11-02", "end_date": "2026-11-08"}
    assert business("labor_report", overtime_after_hours=45, **week)["totals"]["overtime_hours"] == 0.0
    configured = business("labor_report", options={"OPSBOT_LABOR_OVERTIME_HOURS": "38"}, **week)
    assert configured["totals"]["overtime_hours"] == 4.5  # 42.5 − 38
    assert configured["totals"]["overtime_cost"] == "$45.00"
    # Weeks starting Wednesday: Mon–Tue (17 h) and Wed–Fri (25.5 h) are different weeks, no overtime.
    assert business("labor_report", week_start=2, **week)["totals"]["overtime_hours"] == 0.0


def test_labor_by_hour_splits_shifts_at_the_local_clock_and_takes_breaks_off_their_hour(business):
    result = business(
        "labor_report",
        start_date="2026-11-02",
        end_date="2026-11-02",
        locations=["Downtown"],
        group_by=["hour"],
    )
    rows = {row["hour"]: row for row in result["rows"]}
    assert list(rows) == [f"{h:02d}:00–{h:02d}:59" for h in range(9, 18)]
    assert (rows["13:00–13:59"]["hours"], rows["13:00–13:59"]["labor_cost"]) == (0.5, "$10.00")
    assert (rows["09:00–09:59"]["hours"], rows["09:00–09:59"]["labor_cost"]) == (1.0, "$20.00")


def test_labor_by_role_and_a_role_filter(business):
    week = {"start_date": "2026-11-02", "end_date": "2026-11-08"}
    rows = {r["role"]: r for r in business("labor_report", group_by=["role"], **week)["rows"]}
    assert (rows["Cashier"]["hours"], rows["Cashier"]["labor_cost"]) == (8.0, "$132.00")
    assert rows["Line Cook"]["hours"] == 42.5
    only = business("labor_report", roles=["line cook"], **week)
    assert only["roles"] == ["Line Cook"] and only["totals"]["labor_cost"] == "$875.00"


def test_labor_shifts_lists_the_overtime_shift_and_the_open_one(business):
    week = {"start_date": "2026-11-02", "end_date": "2026-11-08"}
    overtime = business("labor_shifts", only="overtime", **week)
    assert overtime["shifts_matching"] == 1
    (friday,) = overtime["shifts"]
    assert friday == {
        "employee": "Ana",
        "role": "Line Cook",
        "location": "Location 1 (Downtown)",
        "day": "2026-11-06 (Fri)",
        "clocked": "09:00–18:00",
        "hours": 8.5,
        "hourly_rate": "$20.00",
        "cost": "$195.00",
        "overtime_hours": 2.5,
        "overtime_cost": "$25.00",
    }
    (open_shift,) = business("labor_shifts", only="open", **week)["shifts"]
    assert (open_shift["employee"], open_shift["clocked"]) == ("Cy", "12:00– (clocked in)")


def test_unknown_roles_and_employees_are_named(business, engine):
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function, source="labor")
    context = ToolContext(engine=readonly, today=FIXED_NOW.date())
    error = registry.call("labor_report", {"roles": ["Cashir"]}, context).error
    assert error.startswith("unknown role 'Cashir' — did you mean Cashier?")
    error = registry.call(
        "labor_shifts", {"period": "2026-11-02 to 2026-11-08", "employee": "Zed"}, context
    ).error
    assert error == "no shifts by an employee named 'Zed' in this period"
    readonly.dispose()


def test_prime_cost_uses_the_cost_in_effect_on_each_day(business, small_fixtures):
    result = business(
        "prime_cost",
        start_date="2026-11-02",
        end_date="2026-11-08",
        group_by="location",
        locations=["Downtown"],
    )
    units = item_sales_from_fixtures(small_fixtures).units
    before = sum(
        c["Classic Burger"]
        for (n, d), c in units.items()
        if n == "Downtown" and d < date(2026, 11, 5) and d >= WEEK[0]
    )
    after = sum(
        c["Classic Burger"]
        for (n, d), c in units.items()
        if n == "Downtown" and date(2026, 11, 5) <= d <= WEEK[1]
    )
    food = before * 400 + after * 450
    net = _net(small_fixtures, "Downtown", *WEEK)
    labor = 94100
    (row,) = result["rows"]
    assert row["food_cost"] == dollars(food) == result["totals"]["food_cost"]
    assert row["labor_cost"] == dollars(labor)
    assert row["prime_cost"] == dollars(food + labor)
    assert row["prime_cost_percent"] == round(100 * (food + labor) / net, 1)
    assert row["food_cost_percent"] == round(100 * food / net, 1)
    assert "Smash Burger" in result["items_without_cost"]["items"]


def test_menu_engineering_gives_margin_after_cost_and_commission(business, small_fixtures):
    result = business(
        "menu_engineering", start_date="2026-11-02", end_date="2026-11-08", locations=["Harbor"]
    )
    sales = item_sales_from_fixtures(small_fixtures)
    week = [(n, d) for (n, d) in sales.units if n == "Harbor" and WEEK[0] <= d <= WEEK[1]]
    units = sum(sales.units[k]["Classic Burger"] for k in week)
    revenue = sum(sales.revenue[k]["Classic Burger"] for k in week)
    (burger,) = result["items"]  # the only item with a cost
    assert burger["item"] == "Classic Burger" and burger["units"] == units
    assert burger["unit_cost"] == "$4.00"
    assert burger["price"] == dollars(half_up(revenue, units))
    assert burger["class"] == "star"  # alone, it is both the average and popular
    assert result["items_without_cost"]["items_count"] > 5
