"""Benchmark: the labor plugin's tools on the large store with a year of shifts, against pandas.

    python benchmarks/labor_latency.py                # 10 locations × 365 days (~1.5M orders), SQLite
    python benchmarks/labor_latency.py --days 84 --locations 4 --orders-per-day 95   # demo-sized

Uses the store ``benchmarks/tool_latency.py`` builds (cached in benchmarks/data/), adds the labor plugin's
demo labor and item costs for it once (generated from that store's own orders, loaded by the same hook as
the demo's), then runs each labor, prime-cost and menu-engineering call shape and prints p50/p95 per shape
against the 50 ms / 100 ms budget. The reference, measured in the same run: pandas computing labor % by
location for last week from the raw rows (every shift of the weeks involved and the period's orders),
printed with the tool's time as a ratio.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from opsbot_labor import TOOLS  # noqa: E402
from opsbot_labor.demo_fixtures import generate_demo, load_fixtures  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.sync_throughput import business_params, business_parser, fixtures_for  # noqa: E402
from benchmarks.tool_latency import FIRST_DAY, build_store, print_figures, time_shapes  # noqa: E402
from tools.analytics.readonly import open_readonly  # noqa: E402
from tools.data_sources import FixtureLoad, square_location_ids  # noqa: E402
from tools.registry import ToolContext, ToolRegistry  # noqa: E402
from tools.store.database import open_store  # noqa: E402

SHAPES = [
    ("labor total yesterday", "labor_report", {"period": "yesterday"}),
    ("labor by location last week", "labor_report", {"period": "last week", "group_by": ["location"]}),
    ("labor by day last month", "labor_report", {"period": "last month", "group_by": ["day"]}),
    (
        "labor by role × location, month",
        "labor_report",
        {"period": "last month", "group_by": ["role", "location"]},
    ),
    (
        "labor by hour, one location, week",
        "labor_report",
        {"period": "last week", "group_by": ["hour"], "locations": ["1"]},
    ),
    ("labor by weekday, last 4 weeks", "labor_report", {"period": "last 4 weeks", "group_by": ["weekday"]}),
    ("overtime shifts last week", "labor_shifts", {"period": "last week", "only": "overtime"}),
    ("shifts of one location yesterday", "labor_shifts", {"period": "yesterday", "locations": ["2"]}),
    ("prime cost last month", "prime_cost", {"period": "last month"}),
    ("prime cost by location, month", "prime_cost", {"period": "last month", "group_by": "location"}),
    ("prime cost by week, quarter", "prime_cost", {"period": "last 13 weeks", "group_by": "week"}),
    ("menu engineering last month", "menu_engineering", {"period": "last month"}),
    ("menu engineering, one location", "menu_engineering", {"period": "last month", "locations": ["3"]}),
]


def add_labor(url: str, folder: Path) -> None:
    """Generate (once) and load (once) the labor fixtures of the benchmark business."""
    if not (folder / "labor").is_dir():
        started = time.perf_counter()
        for note in generate_demo(folder):
            print(note)
        print(f"generated labor fixtures in {time.perf_counter() - started:.0f} s")
    engine = open_store(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM labor_shifts")).scalar()
    location_ids = square_location_ids(engine)
    if not stored:
        started = time.perf_counter()
        load = FixtureLoad(engine, folder, 0, datetime.now(UTC), location_ids)
        for note in load_fixtures(load):
            print(note)
        print(f"loaded labor fixtures in {time.perf_counter() - started:.0f} s")
    engine.dispose()


def pandas_labor_by_location(engine, first, last) -> pd.DataFrame:
    """The reference: labor cost (base + 0.5 × rate × weekly overtime over 40 h) ÷ net sales per location."""
    week_first = first - timedelta(days=first.weekday())
    shifts = pd.read_sql_query(
        text(
            "SELECT id, location_id, team_member_id, business_date, start_at, paid_seconds, hourly_rate, "
            "base_cost FROM labor_shifts WHERE business_date BETWEEN :a AND :b"
        ),
        engine,
        params={"a": week_first, "b": last},
    )
    shifts["business_date"] = pd.to_datetime(shifts["business_date"])
    shifts["week"] = shifts["business_date"] - pd.to_timedelta(
        shifts["business_date"].dt.day_of_week, unit="D"
    )
    shifts = shifts.sort_values(["team_member_id", "week", "start_at", "id"])
    shifts["worked"] = shifts.groupby(["team_member_id", "week"])["paid_seconds"].cumsum()
    limit = 40 * 3600
    over = (shifts["worked"] - limit).clip(lower=0) - (
        shifts["worked"] - shifts["paid_seconds"] - limit
    ).clip(lower=0)
    shifts["cost"] = shifts["base_cost"] + (over * shifts["hourly_rate"] * 0.5 / 3600).round()
    shifts = shifts[shifts["business_date"] >= pd.Timestamp(first)]
    orders = pd.read_sql_query(
        text(
            "SELECT location_id, net_sales FROM orders WHERE business_date BETWEEN :a AND :b "
            "AND status = 'completed' AND duplicate_of_id IS NULL"
        ),
        engine,
        params={"a": first, "b": last},
    )
    labor = shifts.groupby("location_id")["cost"].sum()
    sales = orders.groupby("location_id")["net_sales"].sum()
    return (100 * labor / sales).round(1).to_frame("labor_percent")


def measure(label: str, url: str, args) -> None:
    engine = open_readonly(url)
    today = FIRST_DAY + timedelta(days=args.days)
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function, source="labor")
    context = ToolContext(engine=engine, today=today)
    with engine.connect() as conn:
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar()
        shifts = conn.execute(text("SELECT count(*) FROM labor_shifts")).scalar()
    print(f"[{label}] store: {orders:,} orders, {shifts:,} shifts; today = {today}")
    print_figures(time_shapes(registry, context, SHAPES, args.repeat), args.repeat)
    first = today - timedelta(days=today.weekday() + 7)
    last = first + timedelta(days=6)
    started = time.perf_counter()
    reference = pandas_labor_by_location(engine, first, last)
    pandas_ms = (time.perf_counter() - started) * 1000
    result = registry.call("labor_report", {"period": "last week", "group_by": ["location"]}, context)
    tool_ms = result.seconds * 1000
    tool_percents = [row["labor_percent"] for row in result.content["rows"]]
    print(
        f"labor % by location last week: tool {tool_ms:.1f} ms vs pandas from raw rows {pandas_ms:.0f} ms "
        f"= {pandas_ms / tool_ms:.1f}× (tool {tool_percents[:4]}…, pandas "
        f"{reference['labor_percent'].tolist()[:4]}…)"
    )
    engine.dispose()


def main() -> None:
    parser = business_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    params = business_params(args)
    url = build_store(params)
    add_labor(url, fixtures_for(params))
    measure("sqlite", url, args)


if __name__ == "__main__":
    main()
