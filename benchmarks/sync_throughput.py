"""Benchmark: generate a business of any size and time `sync` into a fresh SQLite file (and PostgreSQL).

    python benchmarks/sync_throughput.py                      # 10 locations × 365 days, ~1.5M orders
    python benchmarks/sync_throughput.py --days 28 --locations 4 --orders-per-day 95   # demo-sized

Generated fixtures are cached under benchmarks/data/ (git-ignored). ``--rounds N`` repeats the SQLite runs
and states the ratios of the best times, the least disturbed by other work. Prints one line per stage with
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

from sqlalchemy import Engine, func, select  # noqa: E402

from benchmarks.reference_loader import (  # noqa: E402
    Timing,
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


def run(url: str, folder: Path, label: str) -> tuple[float, float, float, float]:
    """Sync ``folder`` into the store at ``url`` and again with nothing new; (first, re-sync) seconds, then
    the CPU seconds of each."""
    engine = open_store(url)
    started, cpu = time.perf_counter(), time.process_time()
    report = sync_fixtures(engine, folder, anchor=False, now=SYNCED_AT, batch_size=2000)
    elapsed = first = time.perf_counter() - started
    first_cpu = time.process_time() - cpu
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
    started, cpu = time.perf_counter(), time.process_time()
    again = sync_fixtures(engine, folder, anchor=False, now=SYNCED_AT, batch_size=2000)
    elapsed = time.perf_counter() - started
    again_cpu = time.process_time() - cpu
    print(
        f"[{label}] re-sync (nothing new, changed={again.changed}): {seen / elapsed:,.0f} orders/s "
        f"({elapsed:.1f} s)"
    )
    engine.dispose()
    return first, elapsed, first_cpu, again_cpu


def references(url: str, folder: Path) -> tuple[Timing, Timing, Engine]:
    """The parse-only rate and the minimal loader into the fresh SQLite store at ``url`` (left open)."""
    engine = open_store(url)
    load_reference_data(engine, folder)
    parsed = parse_only(folder, currencies_of(engine))
    print(f"[reference] parse only: {parsed.orders:,} orders in {parsed.seconds:.1f} s")
    minimal = load_minimal(engine, folder, SYNCED_AT)
    print(
        f"[reference] minimal executemany loader: {minimal.seconds:.1f} s "
        f"(parse {minimal.parse_seconds:.1f}, insert {minimal.insert_seconds:.1f}, "
        f"rollups {minimal.rollup_seconds:.1f})"
    )
    return parsed, minimal, engine


def sqlite_rounds(tmp: str, folder: Path, rounds: int) -> None:
    """``rounds`` times, one after the other: the sync (first and again) and the two references, each in a
    fresh SQLite file; the ratios of the best time of each (the least disturbed by other work on the
    machine), and whether the first round's sync stored the minimal loader's rows."""
    firsts, resyncs, parses, minimals = [], [], [], []
    cpu: dict[str, list[float]] = {"first": [], "again": [], "parse": [], "loader": []}
    for number in range(rounds):
        print(f"round {number + 1} of {rounds}:")
        db = Path(tmp) / f"bench{number}.db"
        first, resync, first_cpu, again_cpu = run(f"sqlite:///{db}", folder, "sqlite")
        print(f"    SQLite file: {db.stat().st_size / 1e6:.0f} MB")
        parsed, minimal, reference = references(f"sqlite:///{tmp}/reference{number}.db", folder)
        if number == 0:
            synced = open_store(f"sqlite:///{db}")
            same = store_rows(reference) == store_rows(synced)
            synced.dispose()
            print(f"  same rows as the minimal loader: {'yes' if same else 'NO'}")
        reference.dispose()
        for path in Path(tmp).glob(f"*{number}.db*"):
            path.unlink()  # the big business's stores are a gigabyte each
        firsts.append(first)
        resyncs.append(resync)
        parses.append(parsed.seconds)
        minimals.append(minimal.seconds)
        for key, value in zip(
            cpu, (first_cpu, again_cpu, parsed.cpu_seconds, minimal.cpu_seconds), strict=True
        ):
            cpu[key].append(value)
    orders = parsed.orders
    first, resync, parse, loader = min(firsts), min(resyncs), min(parses), min(minimals)
    print(f"best of {rounds}: first sync {first:.1f} s, re-sync {resync:.1f} s, parse only {parse:.1f} s, "
          f"minimal loader {loader:.1f} s")  # fmt: skip
    print(
        f"  first sync / minimal loader time: {first / loader:.2f}  (target <= 1.00; "
        f"{orders / first:,.0f} vs {orders / loader:,.0f} orders/s)"
    )
    print(
        f"  first sync / parse-only rate:     {parse / first:.2f}  (target >= 0.50; "
        f"parse only {orders / parse:,.0f} orders/s)"
    )
    print(f"  re-sync / parse-only rate:        {parse / resync:.2f}  (target >= 0.80)")
    best = {key: min(values) for key, values in cpu.items()}
    print(
        f"  in CPU seconds of this process (its threads together; best of {rounds}): first sync "
        f"{best['first']:.1f}, re-sync {best['again']:.1f}, parse only {best['parse']:.1f}, minimal loader "
        f"{best['loader']:.1f} — ratios {best['first'] / best['loader']:.2f}, "
        f"{best['parse'] / best['first']:.2f}, {best['parse'] / best['again']:.2f}"
    )


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
    parser.add_argument("--rounds", type=int, default=1, help="repeat the SQLite runs; ratios of the best")
    args = parser.parse_args()
    params = business_params(args)
    folder = fixtures_for(params)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"fixtures: {folder.relative_to(ROOT)} ({size / 1e6:.1f} MB compressed)")
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        sqlite_rounds(tmp, folder, args.rounds)
    if args.postgres:
        from tests.support.postgres_server import PostgresServer

        with PostgresServer() as server:
            run(server.create_database("bench"), folder, "postgresql")


if __name__ == "__main__":
    main()
