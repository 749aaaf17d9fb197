"""Benchmark: generate a business of any size and time `sync` into a fresh SQLite file (and PostgreSQL).

    python benchmarks/sync_throughput.py                      # 10 locations × 365 days, ~1.5M orders
    python benchmarks/sync_throughput.py --days 28 --locations 4 --orders-per-day 95   # demo-sized

Generated fixtures are cached under benchmarks/data/ (git-ignored). Prints one line per stage with
orders per second, the fixture size, rows loaded, and the database size.
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


def run(url: str, folder: Path, label: str) -> None:
    engine = open_store(url)
    started = time.perf_counter()
    report = sync_fixtures(engine, folder, anchor=False, now=datetime.now(UTC), batch_size=2000)
    elapsed = time.perf_counter() - started
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
    again = sync_fixtures(engine, folder, anchor=False, now=datetime.now(UTC), batch_size=2000)
    elapsed = time.perf_counter() - started
    print(
        f"[{label}] re-sync (nothing new, changed={again.changed}): {seen / elapsed:,.0f} orders/s "
        f"({elapsed:.1f} s)"
    )
    engine.dispose()


BENCHMARK_FIRST_DAY = date(2025, 11, 24)


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
    args = parser.parse_args()
    params = business_params(args)
    folder = fixtures_for(params)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"fixtures: {folder.relative_to(ROOT)} ({size / 1e6:.1f} MB compressed)")
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", folder, "sqlite")
        db = Path(tmp) / "bench.db"
        print(f"    SQLite file: {db.stat().st_size / 1e6:.0f} MB")
    if args.postgres:
        from tests.support.postgres_server import PostgresServer

        with PostgresServer() as server:
            run(server.create_database("bench"), folder, "postgresql")


if __name__ == "__main__":
    main()
