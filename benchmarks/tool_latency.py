"""Benchmark: analytics tool latency on a large store, and the same questions answered the naive way.

    python benchmarks/tool_latency.py                 # 10 locations × 365 days (~1.5M orders), SQLite
    python benchmarks/tool_latency.py --days 84 --locations 4 --orders-per-day 95   # demo-sized

Builds (once, cached in benchmarks/data/) the store from generated fixtures, then runs a realistic mix of
tool calls and prints p50/p95 per tool, plus the naive way (load the orders into pandas, filter, aggregate)
for comparable questions, with the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.sync_throughput import fixtures_for  # noqa: E402
from tools.analytics.builtin import TOOLS  # noqa: E402
from tools.analytics.readonly import open_readonly  # noqa: E402
from tools.demo.generator import GeneratorParams  # noqa: E402
from tools.registry import ToolContext, ToolRegistry  # noqa: E402
from tools.sources.fixtures.sync import sync_fixtures  # noqa: E402
from tools.store.database import open_store  # noqa: E402

FIRST_DAY = date(2025, 11, 24)


def build_store(params: GeneratorParams) -> str:
    folder = fixtures_for(params)
    db = folder.with_suffix(".db")
    url = f"sqlite:///{db}"
    if not db.exists():
        started = time.perf_counter()
        engine = open_store(url)
        sync_fixtures(engine, folder, anchor=False, now=datetime.now(UTC), batch_size=2000)
        engine.dispose()
        print(f"built {db.name} in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    open_store(url).dispose()  # a store built by an older version gets its migrations (and rollups) here
    print(f"store opened (and migrated if needed) in {time.perf_counter() - started:.1f} s")
    return url


def mix(today: date) -> list[tuple[str, dict]]:
    """A realistic spread of owners' questions."""
    return [
        ("sales_report", {"period": "yesterday"}),
        ("sales_report", {"period": "last week", "group_by": "day"}),
        ("sales_report", {"period": "this month", "group_by": "location"}),
        ("sales_report", {"period": "last month", "group_by": "channel"}),
        ("sales_report", {"period": "last 7 days", "group_by": "hour", "locations": ["Location 2"]}),
        ("sales_report", {"period": "last month", "group_by": "category"}),
        ("sales_report", {"period": "last month", "group_by": "payment_method"}),
        ("top_items", {"period": "last Saturday", "per_location": True, "limit": 1}),
        ("top_items", {"period": "last month", "by": "revenue", "limit": 5}),
        ("top_items", {"period": "last week", "direction": "bottom", "limit": 3}),
        ("compare_locations", {"locations": ["Location 3", "Location 1"], "period": "this month"}),
        ("compare_periods", {"period": "last week", "compare_to": "previous_period"}),
        ("compare_periods", {"period": "month to date", "compare_to": "same_period_last_month"}),
        ("delivery_report", {"period": "last month"}),
        ("refunds_and_discounts", {"period": "last month"}),
        ("business_info", {}),
    ]


def naive_week_sales(engine, start: date, end: date) -> float:
    """The way a quick script would do it: every order into pandas, then filter and sum."""
    with engine.connect() as conn:
        frame = pd.read_sql(
            text("SELECT business_date, status, duplicate_of_id, net_sales FROM orders"), conn
        )
    frame["business_date"] = pd.to_datetime(frame["business_date"]).dt.date
    chosen = frame[
        (frame.business_date >= start)
        & (frame.business_date <= end)
        & (frame.status == "completed")
        & frame.duplicate_of_id.isna()
    ]
    return float(chosen.net_sales.sum())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders-per-day", type=int, default=315)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="also measure on a throwaway PostgreSQL")
    args = parser.parse_args()
    params = GeneratorParams(
        locations=args.locations, days=args.days, orders_per_day=args.orders_per_day, first_day=FIRST_DAY
    )
    measure("sqlite", build_store(params), args)
    if args.postgres:
        from tests.support.postgres_server import PostgresServer

        with PostgresServer() as server:
            url = server.create_database("bench")
            engine = open_store(url)
            started = time.perf_counter()
            sync_fixtures(engine, fixtures_for(params), anchor=False, now=datetime.now(UTC), batch_size=2000)
            engine.dispose()
            print(f"\nPostgreSQL store synced in {time.perf_counter() - started:.0f} s")
            measure("postgresql", url, args)


def measure(label: str, url: str, args) -> None:
    """Run the question mix against one store and print the figures."""
    engine = open_readonly(url)
    today = FIRST_DAY + timedelta(days=args.days)
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function)
    context = ToolContext(engine=engine, today=today)
    with engine.connect() as conn:
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar()
    print(f"[{label}] store: {orders:,} orders; today = {today}")
    timings: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for name, arguments in mix(today):
            result = registry.call(name, arguments, context)
            assert result.ok, (name, arguments, result.error)
            timings.setdefault(name, []).append(result.seconds * 1000)
    print(f"{'tool':<24} {'calls':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in sorted(timings.items()):
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"{name:<24} {len(values):>5} {statistics.median(values):>8.1f} {p95:>8.1f}")
    week_start, week_end = (
        today - timedelta(days=today.weekday() + 7),
        today - timedelta(days=today.weekday() + 1),
    )
    started = time.perf_counter()
    naive = naive_week_sales(engine, week_start, week_end)
    naive_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    result = registry.call("sales_report", {"period": "last week"}, context)
    tool_ms = (time.perf_counter() - started) * 1000
    print(
        f"last week's net sales: tool {tool_ms:.1f} ms vs naive pandas {naive_ms:.0f} ms "
        f"= {naive_ms / tool_ms:.0f}× faster (tool says {result.content['totals']['net_sales']}, "
        f"naive ${naive / 100:,.2f})"
    )


if __name__ == "__main__":
    main()
