"""Benchmark: generate a business of any size and time `sync` into a fresh SQLite file (and PostgreSQL).

    python benchmarks/sync_throughput.py                      # 10 locations × 365 days, ~1.5M orders
    python benchmarks/sync_throughput.py --days 28 --locations 4 --orders-per-day 95   # demo-sized

Generated fixtures are cached under benchmarks/data/ (git-ignored). Prints one line per stage with
orders per second, the fixture size, rows loaded, and the database size; on SQLite also the two references
(``benchmarks/reference_loader.py``) measured in the same run — the same pages only parsed, and loaded by a
minimal hand-written ``executemany`` loader — with the ratios the targets are stated in: first sync at least
as fast as the minimal loader and at least 50 % of the parse-only rate, re-sync of unchanged pages at least
80 % of it — and whether the sync stored exactly the rows the minimal loader did.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.reference_loader import (  # noqa: E402
    currencies_of,
    load_minimal,
    load_reference_data,
    parse_only,
    store_rows,
)
from tools.demo.generator import DemoGenerator, GeneratorParams  # noqa: E402
from tools.sources.fixtures.sync import sync_fixtures  # noqa: E402
from tools.store.database import open_store  # noqa: E402
from tools.store.models import Order, OrderLineItem, OrderLineModifier, Payment, Refund  # noqa: E402


def fixtures_for(params: GeneratorParams) -> Path:
    folder = (
        ROOT
        / "benchmarks"
        / "data"
        / (f"loc{params.locations}-days{params.days}-opd{params.orders_per_day}-seed{params.seed}")
    )
    if not (folder / "business.json").exists():
        started = time.perf_counter()
        counts = DemoGenerator(params).write(folder)
        print(
            f"generated {counts.square_orders:,} Square orders and {counts.deliverect_orders:,} Deliverect "
            f"orders in {time.perf_counter() - started:.0f} s"
        )
    return folder


def run(url: str, folder: Path, label: str) -> tuple[float, float]:
    """Sync ``folder`` into the store at ``url`` and again with nothing new; (first, re-sync) seconds."""
    engine = open_store(url)
    started = time.perf_counter()
    report = sync_fixtures(engine, folder, anchor=False, now=SYNCED_AT, batch_size=2000)
    elapsed = first = time.perf_counter() - started
    seen = sum(s.counts.seen for s in report.stages[1:])
    print(f"[{label}] first sync: {seen:,} orders in {elapsed:.1f} s = {seen / elapsed:,.0f} orders/s")
    for stage in report.stages[1:]:
        print(
            f"    {stage.name:<18} {stage.counts.seen:>10,} in {stage.seconds:7.1f} s = {stage.rate:9,.0f}/s"
        )
    with engine.connect() as conn:
        rows = {
            t.__tablename__: conn.scalar(select(func.count()).select_from(t))
            for t in (Order, OrderLineItem, OrderLineModifier, Payment, Refund)
        }
    print("    rows: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
    started = time.perf_counter()
    again = sync_fixtures(engine, folder, anchor=False, now=SYNCED_AT, batch_size=2000)
    elapsed = time.perf_counter() - started
    print(
        f"[{label}] re-sync (nothing new, changed={again.changed}): {seen / elapsed:,.0f} orders/s "
        f"({elapsed:.1f} s)"
    )
    engine.dispose()
    return first, elapsed


def references(tmp: str, folder: Path, synced: str, first: float, resync: float) -> None:
    """The parse-only rate and the minimal loader, in a fresh SQLite file; the ratios; same rows or not."""
    engine = open_store(f"sqlite:///{tmp}/reference.db")
    load_reference_data(engine, folder)
    parsed = parse_only(folder, currencies_of(engine))
    print(f"[reference] parse only: {parsed.orders:,} orders in {parsed.seconds:.1f} s")
    minimal = load_minimal(engine, folder, SYNCED_AT)
    print(
        f"[reference] minimal executemany loader: {minimal.seconds:.1f} s "
        f"(parse {minimal.parse_seconds:.1f}, insert {minimal.insert_seconds:.1f}, "
        f"rollups {minimal.rollup_seconds:.1f})"
    )
    synced_engine = open_store(synced)
    same = store_rows(engine) == store_rows(synced_engine)
    synced_engine.dispose()
    engine.dispose()
    print(f"  same rows as the minimal loader: {'yes' if same else 'NO'}")
    orders = parsed.orders
    print(
        f"  first sync / minimal loader time: {first / minimal.seconds:.2f}  (target <= 1.00; "
        f"{orders / first:,.0f} vs {orders / minimal.seconds:,.0f} orders/s)"
    )
    print(
        f"  first sync / parse-only rate:     {parsed.seconds / first:.2f}  (target >= 0.50; "
        f"parse only {orders / parsed.seconds:,.0f} orders/s)"
    )
    print(f"  re-sync / parse-only rate:        {parsed.seconds / resync:.2f}  (target >= 0.80)")


BENCHMARK_FIRST_DAY = date(2025, 11, 24)
SYNCED_AT = datetime.now(UTC)


def business_parser(description: str | None) -> argparse.ArgumentParser:
    """The benchmarks' command line: the generated business's size (default 10 locations × 365 days,
    ~1.5M orders); each benchmark adds its own options."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders-per-day", type=int, default=315)
    return parser


def business_params(args: argparse.Namespace) -> GeneratorParams:
    """The generated business the parsed arguments ask for."""
    return GeneratorParams(
        locations=args.locations,
        days=args.days,
        orders_per_day=args.orders_per_day,
        first_day=BENCHMARK_FIRST_DAY,
    )


def main() -> None:
    parser = business_parser(__doc__)
    parser.add_argument("--postgres", action="store_true", help="also run against a throwaway PostgreSQL")
    parser.add_argument("--tmp", help="where the SQLite files go (default: the system's temporary folder)")
    args = parser.parse_args()
    params = business_params(args)
    folder = fixtures_for(params)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"fixtures: {folder.relative_to(ROOT)} ({size / 1e6:.1f} MB compressed)")
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        first, resync = run(f"sqlite:///{tmp}/bench.db", folder, "sqlite")
        db = Path(tmp) / "bench.db"
        print(f"    SQLite file: {db.stat().st_size / 1e6:.0f} MB")
        references(tmp, folder, f"sqlite:///{db}", first, resync)
    if args.postgres:
        from tests.support.postgres_server import PostgresServer

        with PostgresServer() as server:
            run(server.create_database("bench"), folder, "postgresql")


if __name__ == "__main__":
    main()
