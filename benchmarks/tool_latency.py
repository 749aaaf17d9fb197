"""Benchmark: analytics tool latency on a large store, and the same questions answered the naive way.

    python benchmarks/tool_latency.py                 # 10 locations × 365 days (~1.5M orders), SQLite
    python benchmarks/tool_latency.py --days 84 --locations 4 --orders-per-day 95   # demo-sized

Builds (once, cached in benchmarks/data/) the store from generated fixtures, then runs every call shape —
a realistic mix of owners' questions, and each breakdown, filter and comparison of metrics v2 — and prints
p50/p95 per shape (a shape = a tool and its distinctive arguments) and per tool, how many shapes are over
50 ms p50 / 100 ms p95, plus the naive way (load the orders into pandas, filter, aggregate) for a
comparable question, with the ratio.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import get_args

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.sync_throughput import (  # noqa: E402
    BENCHMARK_FIRST_DAY,
    business_params,
    business_parser,
    fixtures_for,
)
from tools.analytics.breakdowns import Dimension  # noqa: E402
from tools.analytics.builtin import TOOLS  # noqa: E402
from tools.analytics.readonly import open_readonly  # noqa: E402
from tools.demo.generator import GeneratorParams  # noqa: E402
from tools.registry import ToolContext, ToolRegistry  # noqa: E402
from tools.sources.fixtures.sync import sync_fixtures  # noqa: E402
from tools.store.database import open_store  # noqa: E402

FIRST_DAY = BENCHMARK_FIRST_DAY
P50_BUDGET_MS = 50
P95_BUDGET_MS = 100


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


Shape = tuple[str, str, dict]
"""A call shape: its label, the tool, the arguments."""


def _shown(value) -> str:
    if isinstance(value, list):
        return "[" + ",".join(str(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def shape(tool: str, period: str | None, **arguments) -> Shape:
    """A call shape, labelled by the tool, its distinctive arguments and its period:
    ``sales_report group_by=[weekday,hour] this month``."""
    words = [tool, *(f"{name}={_shown(value)}" for name, value in arguments.items())]
    if period is not None:
        words.append(period)
        arguments = {"period": period, **arguments}
    return " ".join(words), tool, arguments


ONE_DIMENSION = get_args(Dimension)  # every dimension group_by takes
TWO_LOCATIONS = ["Location 3", "Location 1"]
TWO_DIMENSIONS = (
    ("weekday", "hour"),
    ("location", "channel"),
    ("category", "week"),
    ("platform", "location"),
    ("item", "location"),
    ("day_part", "location"),
)


def shapes() -> list[Shape]:
    """Every shape measured: the realistic mix of owners' questions, then each breakdown, filter and
    comparison of metrics v2 over a month."""
    mix = [
        shape("sales_report", "yesterday"),
        shape("sales_report", "last week", group_by=["day"]),
        shape("sales_report", "this month", group_by=["location"]),
        shape("sales_report", "last 7 days", group_by=["hour"], locations=["Location 2"]),
        shape("top_items", "last Saturday", per_location=True, limit=1),
        shape("top_items", "last month", by="revenue", limit=5),
        shape("top_items", "last week", direction="bottom", limit=3),
        shape("compare_locations", "this month", locations=TWO_LOCATIONS),
        shape("compare_periods", "last week", compare_to="previous_period"),
        shape("compare_periods", "month to date", compare_to="same_period_last_month"),
        shape("delivery_report", "last month"),
        shape("refunds_and_discounts", "last month"),
        shape("business_info", None),
    ]
    breakdowns = [shape("sales_report", "last month", group_by=[d]) for d in ONE_DIMENSION]
    breakdowns += [shape("sales_report", "last month", group_by=list(pair)) for pair in TWO_DIMENSIONS]
    filters = [
        shape("sales_report", "last month", weekdays=["weekends"]),
        shape("sales_report", "last month", hours="lunch"),
        shape("sales_report", "last month", hours="lunch", group_by=["location"]),
        shape("sales_report", "last month", hours="21-"),
        shape("sales_report", "last month", items=["Classic Burger"], group_by=["day"]),
        shape("sales_report", "last month", platforms=["any"]),
    ]
    comparisons = [
        shape("compare_periods", "last month", group_by=["category"], sort="grew_most"),
        shape("compare_periods", "last month", group_by=["item"], sort="grew_most"),
        shape("compare_periods", "last month", group_by=["hour"], sort="grew_most"),
        shape("compare_periods", "yesterday", compare_to="same_weekdays_last_year"),
        shape("compare_locations", "last month", locations=TWO_LOCATIONS, group_by=["category"]),
        shape("top_items", "last month", hours="dinner"),
        shape("delivery_report", "last month", hours="dinner"),
    ]
    return mix + breakdowns + filters + comparisons


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
    parser = business_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="also measure on a throwaway PostgreSQL")
    args = parser.parse_args()
    params = business_params(args)
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


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p95) of some timings; the p95 is the nearest rank."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_shapes(
    registry: ToolRegistry, context: ToolContext, chosen: list[Shape], repeat: int
) -> dict[tuple[str, str], list[float]]:
    """Each shape's call times in ms, keyed by (label, tool); the shapes run in turn, ``repeat`` times."""
    timings: dict[tuple[str, str], list[float]] = {(label, tool): [] for label, tool, _ in chosen}
    for _ in range(repeat):
        for label, tool, arguments in chosen:
            result = registry.call(tool, arguments, context)
            assert result.ok, (label, result.error)
            timings[label, tool].append(result.seconds * 1000)
    return timings


def print_figures(timings: dict[tuple[str, str], list[float]], repeat: int) -> None:
    """p50/p95 per shape (flagging those over budget), per tool, and how many shapes are over budget."""
    width = max(len(label) for label, _tool in timings)
    print(f"{'shape':<{width}} {'p50 ms':>8} {'p95 ms':>8}")
    over_p50 = over_p95 = 0
    by_tool: dict[str, list[float]] = {}
    for (label, tool), values in timings.items():
        by_tool.setdefault(tool, []).extend(values)
        p50, p95 = percentiles(values)
        over_p50, over_p95 = over_p50 + (p50 > P50_BUDGET_MS), over_p95 + (p95 > P95_BUDGET_MS)
        flag = "  over" if p50 > P50_BUDGET_MS or p95 > P95_BUDGET_MS else ""
        print(f"{label:<{width}} {p50:>8.1f} {p95:>8.1f}{flag}")
    print(f"\n{'tool':<24} {'calls':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for tool, values in sorted(by_tool.items()):
        p50, p95 = percentiles(values)
        print(f"{tool:<24} {len(values):>5} {p50:>8.1f} {p95:>8.1f}")
    print(
        f"\n{len(timings)} shapes × {repeat} calls: {over_p50} over {P50_BUDGET_MS} ms p50, "
        f"{over_p95} over {P95_BUDGET_MS} ms p95"
    )


def measure(label: str, url: str, args) -> None:
    """Run every shape against one store, print the figures, then the naive comparison."""
    engine = open_readonly(url)
    today = FIRST_DAY + timedelta(days=args.days)
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function)
    context = ToolContext(engine=engine, today=today)
    with engine.connect() as conn:
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar()
    print(f"[{label}] store: {orders:,} orders; today = {today}")
    timings = time_shapes(registry, context, shapes(), args.repeat)
    print_figures(timings, args.repeat)
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
