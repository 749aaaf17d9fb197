"""Benchmark: analytics tool latency per call shape on a large store, against DuckDB and a demo-size store.

    python benchmarks/tool_latency.py                 # 10 locations × 365 days (~1.5M orders), SQLite
    python benchmarks/tool_latency.py --postgres      # and the same on a throwaway PostgreSQL, side by side
    python benchmarks/tool_latency.py --days 84 --locations 4 --orders-per-day 95   # demo-sized only

Builds (once, cached in benchmarks/data/) the store from generated fixtures, then runs every call shape —
a realistic mix of owners' questions, each breakdown, filter and comparison of metrics v2, and order lookup
by every kind of id — and prints p50/p95 per shape (a shape = a tool and its distinctive arguments), with:

- DuckDB computing the same answer from the same raw rows (``benchmarks/duckdb_reference.py``; its figures
  are checked equal to the tool's before it is timed) and the ratio tool / DuckDB — with the ``bench``
  extra installed (``pip install -e '.[bench]'``), else that column is left out;
- the same shape on the demo-size store (4 locations × 84 days, ~40k orders, also built once) and the ratio
  big / demo: how flat latency stays as the store grows;
- with ``--postgres``, PostgreSQL's p50/p95 beside SQLite's.

Then per tool, how many shapes are over 50 ms p50 / 100 ms p95, and last week's net sales answered the
naive way (every order into pandas, filter, sum) against the tool, with the ratio.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import get_args

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402

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
from tools.store.models import Location, Order  # noqa: E402

FIRST_DAY = BENCHMARK_FIRST_DAY
P50_BUDGET_MS = 50
P95_BUDGET_MS = 100
POSTGRES_P50_BUDGET_MS = 100
FLAT_BUDGET = 2.0  # big store / demo-size store, per shape
DEMO_SIZE = GeneratorParams(locations=4, days=84, orders_per_day=95, first_day=BENCHMARK_FIRST_DAY)


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
    print(f"{db.name} opened (and migrated if needed) in {time.perf_counter() - started:.1f} s")
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
    """Every shape measured but order lookups: the realistic mix of owners' questions, then each breakdown,
    filter and comparison of metrics v2 over a month."""
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


def _unique_order(conn, source: str, day: date, *, ticket: bool) -> Order:
    """An order of ``source`` on ``day`` whose display id names it alone (``ticket``: alone on its day and
    at its location, as repeating tickets are looked up)."""
    candidates = conn.execute(
        select(Order.__table__).where(Order.source == source, Order.business_date == day).limit(50)
    ).all()
    for order in candidates:
        same = select(func.count()).where(Order.display_id == order.display_id)
        if ticket:
            same = same.where(Order.business_date == day, Order.location_id == order.location_id)
        if order.display_id and conn.scalar(same) == 1:
            return order
    raise RuntimeError(f"no {source} order on {day} with a display id of its own")


def order_shapes(engine: Engine, today: date) -> list[Shape]:
    """order_details by every kind of id it takes, for orders of ten days ago: a Square order id, a
    Deliverect order id, a Deliverect display id, and a Square ticket with its date and location."""
    day = today - timedelta(days=10)
    with engine.connect() as conn:
        square = _unique_order(conn, "square", day, ticket=True)
        deliverect = _unique_order(conn, "deliverect", day, ticket=False)
        position = conn.scalar(select(Location.position).where(Location.id == square.location_id))
    return [
        ("order_details by Square order id", "order_details", {"order_id": square.source_order_id}),
        ("order_details by Deliverect order id", "order_details", {"order_id": deliverect.source_order_id}),
        ("order_details by Deliverect display id", "order_details", {"order_id": deliverect.display_id}),
        (
            "order_details by ticket + on_date + location",
            "order_details",
            {"order_id": square.display_id, "on_date": day.isoformat(), "location": f"Location {position}"},
        ),
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


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p95) of some timings; the p95 is the nearest rank."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Run:
    """One store's figures: each shape's call times (ms) and its last result, in shape order."""

    label: str
    url: str
    today: date
    shapes: list[Shape]
    timings: dict[str, list[float]]
    results: dict[str, dict]

    def p(self, label: str) -> tuple[float, float]:
        return percentiles(self.timings[label])


def registry_and_context(url: str, today: date) -> tuple[ToolRegistry, ToolContext]:
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function)
    return registry, ToolContext(engine=open_readonly(url), today=today)


def measure(label: str, url: str, days: int, repeat: int) -> Run:
    """Run every shape against one store, ``repeat`` times in turn."""
    today = FIRST_DAY + timedelta(days=days)
    registry, context = registry_and_context(url, today)
    chosen = shapes() + order_shapes(context.engine, today)
    with context.engine.connect() as conn:
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar()
    print(f"[{label}] {orders:,} orders; today = {today}; {len(chosen)} shapes × {repeat} calls")
    timings: dict[str, list[float]] = {name: [] for name, _tool, _args in chosen}
    results: dict[str, dict] = {}
    for _ in range(repeat):
        for name, tool, arguments in chosen:
            result = registry.call(tool, arguments, context)
            assert result.ok, (name, result.error)
            timings[name].append(result.seconds * 1000)
            results[name] = result.content
    run = Run(label, url, today, chosen, timings, results)
    naive_comparison(registry, context, url)
    context.engine.dispose()
    return run


def naive_comparison(registry: ToolRegistry, context: ToolContext, url: str) -> None:
    """Last week's net sales the naive way (on a plain engine: no statement time limit) against the tool."""
    today = context.today
    week_start, week_end = (
        today - timedelta(days=today.weekday() + 7),
        today - timedelta(days=today.weekday() + 1),
    )
    started = time.perf_counter()
    plain = create_engine(url)
    naive = naive_week_sales(plain, week_start, week_end)
    plain.dispose()
    naive_ms = (time.perf_counter() - started) * 1000
    result = registry.call("sales_report", {"period": "last week"}, context)
    tool_ms = result.seconds * 1000
    print(
        f"    last week's net sales: tool {tool_ms:.1f} ms vs naive pandas {naive_ms:.0f} ms "
        f"= {naive_ms / tool_ms:.0f}× faster (tool says {result.content['totals']['net_sales']}, "
        f"naive ${naive / 100:,.2f})"
    )


def duckdb_timings(run: Run, repeat: int) -> dict[str, float] | None:
    """DuckDB's p50 (ms) per shape, computing the same answer from the raw rows of the run's SQLite store
    (its figures checked equal to the tool's first); None without the bench extra."""
    if importlib.util.find_spec("duckdb") is None:
        print("(DuckDB is not installed — `pip install -e '.[bench]'` adds the DuckDB column)")
        return None
    from benchmarks.duckdb_reference import open_reference, reference

    duck = open_reference(Path(run.url.removeprefix("sqlite:///")))
    figures: dict[str, float] = {}
    for name, tool, arguments in run.shapes:
        ref = reference(duck, tool, arguments, run.results[name])
        try:
            ref.check(ref.run(), run.results[name])
        except AssertionError as exc:
            raise AssertionError(f"{name}: DuckDB's figures differ from the tool's — {exc}") from exc
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            ref.run()
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = statistics.median(times)
    duck.close()
    print(f"DuckDB: every shape's figures equal the tool's ({len(figures)} shapes)")
    return figures


def postgres_run(params: GeneratorParams, repeat: int, server) -> Run:
    url = server.create_database("bench")
    engine = open_store(url)
    started = time.perf_counter()
    sync_fixtures(engine, fixtures_for(params), anchor=False, now=datetime.now(UTC), batch_size=2000)
    engine.dispose()
    print(f"PostgreSQL store synced in {time.perf_counter() - started:.0f} s")
    return measure("postgresql", url, params.days, repeat)


def print_table(main: Run, duck: dict[str, float] | None, demo: Run | None, postgres: Run | None) -> None:
    """One line per shape: SQLite p50/p95, PostgreSQL's, DuckDB's p50 and the ratio, the demo-size store's
    p50 and the ratio; flags for each target missed."""
    width = max(len(name) for name, _tool, _args in main.shapes)
    header = f"{'shape':<{width}} {'p50':>6} {'p95':>6}"
    if postgres:
        header += f" {'pg p50':>7} {'pg p95':>7}"
    if duck is not None:
        header += f" {'duckdb':>7} {'÷duck':>6}"
    if demo:
        header += f" {'demo':>6} {'÷demo':>6}"
    print(f"\n{header}   (ms; ÷ = ratio)")
    missed = {"p50": 0, "p95": 0, "duckdb": 0, "flat": 0, "pg p50": 0}
    by_tool: dict[str, list[float]] = {}
    for name, tool, _arguments in main.shapes:
        by_tool.setdefault(tool, []).extend(main.timings[name])
        p50, p95 = main.p(name)
        line = f"{name:<{width}} {p50:>6.1f} {p95:>6.1f}"
        flags = []
        if p50 > P50_BUDGET_MS:
            flags.append("p50")
        if p95 > P95_BUDGET_MS:
            flags.append("p95")
        if postgres:
            pg50, pg95 = postgres.p(name)
            line += f" {pg50:>7.1f} {pg95:>7.1f}"
            if pg50 > POSTGRES_P50_BUDGET_MS:
                flags.append("pg p50")
        if duck is not None:
            line += f" {duck[name]:>7.1f} {p50 / duck[name]:>6.2f}"
            if p50 > duck[name]:
                flags.append("duckdb")
        if demo:
            small = demo.p(name)[0]
            line += f" {small:>6.1f} {p50 / small:>6.2f}"
            if p50 / small > FLAT_BUDGET:
                flags.append("flat")
        for flag in flags:
            missed[flag] += 1
        print(line + ("  over: " + ", ".join(flags) if flags else ""))
    print(f"\n{'tool':<24} {'calls':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for tool, values in sorted(by_tool.items()):
        p50, p95 = percentiles(values)
        print(f"{tool:<24} {len(values):>5} {p50:>8.1f} {p95:>8.1f}")
    summary = [
        f"{missed['p50']} over {P50_BUDGET_MS} ms p50",
        f"{missed['p95']} over {P95_BUDGET_MS} ms p95",
    ]
    if duck is not None:
        summary.append(f"{missed['duckdb']} slower than DuckDB")
    if demo:
        summary.append(f"{missed['flat']} over {FLAT_BUDGET:g}× the demo-size store")
    if postgres:
        summary.append(f"{missed['pg p50']} over {POSTGRES_P50_BUDGET_MS} ms p50 on PostgreSQL")
    print(f"\n{len(main.shapes)} shapes ({main.label}): " + ", ".join(summary))


def main() -> None:
    parser = business_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--postgres", action="store_true", help="also measure on a throwaway PostgreSQL")
    parser.add_argument("--no-duckdb", action="store_true", help="leave out the DuckDB reference")
    parser.add_argument("--no-demo", action="store_true", help="leave out the demo-size store")
    args = parser.parse_args()
    params = business_params(args)
    url = build_store(params)
    demo_url = None if args.no_demo or params == DEMO_SIZE else build_store(DEMO_SIZE)
    main_run = measure("sqlite", url, params.days, args.repeat)
    demo = measure("sqlite, demo size", demo_url, DEMO_SIZE.days, args.repeat) if demo_url else None
    duck = None if args.no_duckdb else duckdb_timings(main_run, args.repeat)
    postgres = None
    if args.postgres:
        from tests.support.postgres_server import PostgresServer

        with PostgresServer() as server:
            postgres = postgres_run(params, args.repeat, server)
    print_table(main_run, duck, demo, postgres)


if __name__ == "__main__":
    main()
