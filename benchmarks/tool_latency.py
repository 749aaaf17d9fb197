"""Benchmark: analytics tool latency per call shape on a large store, against DuckDB and a demo-size store.

    python benchmarks/tool_latency.py                 # 10 locations × 365 days (~1.5M orders), SQLite
    python benchmarks/tool_latency.py --postgres      # and the same on a throwaway PostgreSQL, side by side
    python benchmarks/tool_latency.py --days 84 --locations 4 --orders-per-day 95   # demo-sized only
    python benchmarks/tool_latency.py --only delivery --only ticket   # the shapes whose labels say so

Builds (once, cached in benchmarks/data/) the store from generated fixtures, then runs every call shape —
a realistic mix of owners' questions, each breakdown, filter and comparison of metrics v2, and order lookup
by every kind of id — and prints p50/p95 per shape (a shape = a tool and its distinctive arguments), with:

- DuckDB computing the same answer from the same raw rows (``benchmarks/duckdb_reference.py``; its figures
  are checked equal to the tool's before it is timed) and the ratio tool / DuckDB — with the ``bench``
  extra installed (``pip install -e '.[bench]'``), else that column is left out;
- the same shape on the demo-size store (4 locations × 84 days, ~40k orders, also built once) and the ratio
  big / demo: how flat latency stays as the store grows — by the wall clock, and of the process's CPU time
  per call (on a busy machine the steadier of the two);
- with ``--postgres``, PostgreSQL's p50/p95 beside SQLite's (a throwaway server holding the SQLite store's
  rows, copied in: ``benchmarks/postgres_copy.py``).

Then per tool, how many shapes are over 50 ms p50 / 100 ms p95, and last week's net sales answered the
naive way (every order into pandas, filter, sum) against the tool, with the ratio.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
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
        shape("sales_report", "last month", hours="dinner", group_by=["payment_method"]),
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
class Target:
    """One store the shapes run against: its tools, its shapes (the same labels on every store; order
    lookups name that store's orders), each shape's call times (ms) and last result."""

    label: str
    url: str
    registry: ToolRegistry
    context: ToolContext
    shapes: list[Shape]
    timings: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # the process's CPU ms per call
    results: dict[str, dict] = field(default_factory=dict)

    def call(self, index: int, *, timed: bool = True) -> None:
        name, tool, arguments = self.shapes[index]
        cpu = time.process_time()
        result = self.registry.call(tool, arguments, self.context)
        cpu = time.process_time() - cpu
        assert result.ok, (self.label, name, result.error)
        self.results[name] = result.content
        if timed:
            self.timings.setdefault(name, []).append(result.seconds * 1000)
            self.cpu.setdefault(name, []).append(cpu * 1000)

    def p(self, name: str) -> tuple[float, float]:
        return percentiles(self.timings[name])


def chosen(every: list[Shape], only: list[str] | None) -> list[Shape]:
    """The shapes whose label contains one of ``only`` (every shape without it)."""
    if not only:
        return every
    picked = [s for s in every if any(word in s[0] for word in only)]
    if not picked:
        raise SystemExit(f"no call shape's label contains any of {only}")
    return picked


def target(label: str, url: str, days: int, only: list[str] | None = None) -> Target:
    today = FIRST_DAY + timedelta(days=days)
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function)
    context = ToolContext(engine=open_readonly(url), today=today)
    with context.engine.connect() as conn:
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar()
    print(f"[{label}] {orders:,} orders; today = {today}")
    every = shapes() + order_shapes(context.engine, today)
    return Target(label, url, registry, context, chosen(every, only))


def naive_comparison(store: Target) -> None:
    """Last week's net sales the naive way (on a plain engine: no statement time limit) against the tool."""
    today = store.context.today
    week_start, week_end = (
        today - timedelta(days=today.weekday() + 7),
        today - timedelta(days=today.weekday() + 1),
    )
    plain = create_engine(store.url)
    started = time.perf_counter()
    naive = naive_week_sales(plain, week_start, week_end)
    naive_ms = (time.perf_counter() - started) * 1000
    plain.dispose()
    result = store.registry.call("sales_report", {"period": "last week"}, store.context)
    tool_ms = result.seconds * 1000
    print(
        f"[{store.label}] last week's net sales: tool {tool_ms:.1f} ms vs naive pandas {naive_ms:.0f} ms "
        f"= {naive_ms / tool_ms:.0f}× faster (tool says {result.content['totals']['net_sales']}, "
        f"naive ${naive / 100:,.2f})"
    )


def duckdb_references(store: Target) -> list | None:
    """Per shape, DuckDB computing the same answer from the raw rows of the SQLite store (its figures
    checked equal to the tool's result first); None without the bench extra."""
    if importlib.util.find_spec("duckdb") is None:
        print("(DuckDB is not installed — `pip install -e '.[bench]'` adds the DuckDB column)")
        return None
    from benchmarks.duckdb_reference import open_reference, reference

    duck = open_reference(Path(store.url.removeprefix("sqlite:///")))
    references = []
    for name, tool, arguments in store.shapes:
        ref = reference(duck, tool, arguments, store.results[name])
        try:
            ref.check(ref.run(), store.results[name])
        except AssertionError as exc:
            raise AssertionError(f"{name}: DuckDB's figures differ from the tool's — {exc}") from exc
        references.append(ref)
    print(f"DuckDB: every shape's figures equal the tool's ({len(references)} shapes)")
    return references


def postgres_target(sqlite_url: str, days: int, server, only: list[str] | None) -> Target:
    """The same store on a throwaway PostgreSQL server: the SQLite store's rows copied in."""
    from benchmarks.postgres_copy import copy_into_postgres

    url = server.create_database("bench")
    copy_into_postgres(Path(sqlite_url.removeprefix("sqlite:///")), url).dispose()
    return target("postgresql", url, days, only)


def run_interleaved(stores: list[Target], repeat: int) -> None:
    """Each shape in turn on every store, ``repeat`` rounds, who goes first rotating: whatever else loads the
    machine weighs on all of them alike, so the ratios hold."""
    for round_number in range(repeat):
        for index in range(len(stores[0].shapes)):
            first = (round_number + index) % len(stores)
            for store in stores[first:] + stores[:first]:
                store.call(index)


def time_references(references: list, repeat: int) -> list[float]:
    """DuckDB's p50 (ms) per shape, ``repeat`` rounds, timed on its own after the tools: in the same
    process its worker threads and scans between two tool calls would slow the tools by half or more."""
    times: list[list[float]] = [[] for _ in references]
    for _ in range(repeat):
        for index, ref in enumerate(references):
            started = time.perf_counter()
            ref.run()
            times[index].append((time.perf_counter() - started) * 1000)
    return [statistics.median(values) for values in times]


def print_table(main: Target, duck: list[float] | None, demo: Target | None, postgres: Target | None) -> None:
    """One line per shape: SQLite p50/p95, PostgreSQL's, DuckDB's p50 and the ratio, the demo-size store's
    p50 and the ratio; flags for each target missed."""
    width = max(len(name) for name, _tool, _args in main.shapes)
    header = f"{'shape':<{width}} {'p50':>6} {'p95':>6}"
    if postgres:
        header += f" {'pg p50':>7} {'pg p95':>7}"
    if duck is not None:
        header += f" {'duckdb':>7} {'÷duck':>6}"
    if demo:
        header += f" {'demo':>6} {'÷demo':>6} {'cpu÷demo':>8}"
    print(f"\n{header}   (ms; ÷ = ratio; cpu÷demo: of the CPU ms per call, which other work loads less)")
    missed = {"p50": 0, "p95": 0, "duckdb": 0, "flat": 0, "pg p50": 0}
    by_tool: dict[str, list[float]] = {}
    for index, (name, tool, _arguments) in enumerate(main.shapes):
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
            line += f" {duck[index]:>7.1f} {p50 / duck[index]:>6.2f}"
            if p50 > duck[index]:
                flags.append("duckdb")
        if demo:
            small = demo.p(name)[0]
            cpu_ratio = statistics.median(main.cpu[name]) / statistics.median(demo.cpu[name])
            line += f" {small:>6.1f} {p50 / small:>6.2f} {cpu_ratio:>8.2f}"
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
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", action="store_true", help="also measure on a throwaway PostgreSQL")
    parser.add_argument("--no-duckdb", action="store_true", help="leave out the DuckDB reference")
    parser.add_argument("--no-demo", action="store_true", help="leave out the demo-size store")
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORDS",
        help="only the shapes whose label contains WORDS (repeatable), e.g. --only delivery",
    )
    args = parser.parse_args()
    params = business_params(args)
    with ExitStack() as stack:
        main_store = target("sqlite", build_store(params), params.days, args.only)
        demo = None
        if not args.no_demo and params != DEMO_SIZE:
            demo = target("sqlite, demo size", build_store(DEMO_SIZE), DEMO_SIZE.days, args.only)
        postgres = None
        if args.postgres:
            from tests.support.postgres_server import PostgresServer

            server = stack.enter_context(PostgresServer())
            postgres = postgres_target(main_store.url, params.days, server, args.only)
        stores = [store for store in (main_store, demo, postgres) if store is not None]
        for store in stores:  # a first, untimed round: warm caches, results for the DuckDB checks
            for index in range(len(store.shapes)):
                store.call(index, timed=False)
        if postgres:
            differ = [
                name
                for name, _t, _a in main_store.shapes
                if postgres.results[name] != main_store.results[name]
            ]
            print(
                f"PostgreSQL's answers equal SQLite's for {len(main_store.shapes) - len(differ)} shapes",
                end="",
            )
            print(f"; they differ for {', '.join(differ)}" if differ else "")
        references = None if args.no_duckdb else duckdb_references(main_store)
        print(
            f"{len(main_store.shapes)} shapes × {args.repeat} rounds on {', '.join(s.label for s in stores)}"
        )
        run_interleaved(stores, args.repeat)
        duck = time_references(references, args.repeat) if references else None
        print_table(main_store, duck, demo, postgres)
        for store in stores:
            naive_comparison(store)
            store.context.engine.dispose()


if __name__ == "__main__":
    main()
