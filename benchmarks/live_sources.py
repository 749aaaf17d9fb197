"""Benchmark: the live sources against the local fakes — Square sync throughput through the real squareup
client (orders/s and pages/s, first sync and the trailing-window re-read) and Deliverect webhook answer
latency (p50/p95 over real HTTP), into a fresh SQLite file.

    python benchmarks/live_sources.py                              # 4 locations × 28 days × 95 orders/day
    python benchmarks/live_sources.py --days 84 --webhooks 1000
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bot.application import Application  # noqa: E402
from bot.commands.serve import build_routes  # noqa: E402
from bot.server.http_server import HttpServer  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.fakes.square_api import VALID_TOKEN, FakeSquare  # noqa: E402
from tools.demo.generator import DemoGenerator, GeneratorParams  # noqa: E402
from tools.sources.deliverect.signature import SIGNATURE_HEADER, sign  # noqa: E402
from tools.sources.square.client import SquareClient  # noqa: E402
from tools.sources.square.sync import sync_square  # noqa: E402
from tools.store.database import open_store  # noqa: E402
from tools.sync.live_stage import LiveSyncOptions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=4)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--orders-per-day", type=int, default=95)
    parser.add_argument("--webhooks", type=int, default=300)
    args = parser.parse_args()

    params = GeneratorParams(
        locations=args.locations,
        first_day=date(2026, 10, 1),
        days=args.days,
        orders_per_day=args.orders_per_day,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "business"
        DemoGenerator(params).write(folder)
        locations = json.loads((folder / "square" / "locations.json").read_text())["locations"]
        catalog = json.loads((folder / "square" / "catalog.json").read_text())["objects"]
        with gzip.open(folder / "square" / "orders.jsonl.gz", "rt") as lines:
            orders = [order for line in lines for order in json.loads(line)["orders"]]
        with gzip.open(folder / "deliverect" / "orders.jsonl.gz", "rt") as lines:
            bodies = [json.loads(line) for line in lines]
        engine = open_store(f"sqlite:///{Path(tmp) / 'store.db'}")
        now = datetime.combine(params.first_day + timedelta(days=args.days + 1), datetime.min.time(), UTC)

        business = json.loads((folder / "business.json").read_text())
        options = LiveSyncOptions(
            initial_days=args.days + 30, deliverect_locations=business["deliverect"]["locations"]
        )
        with FakeSquare(locations, catalog, orders) as square:
            client = SquareClient(VALID_TOKEN, base_url=square.url)
            for label, moment in (
                ("first sync", now),
                ("re-sync (72 h window)", now + timedelta(minutes=15)),
            ):
                started = time.perf_counter()
                report = sync_square(engine, client, options, now=moment)
                seconds = time.perf_counter() - started
                stage = report.stages[-1]
                pages = sum(1 for r in square.searches if r.status == 200)
                print(
                    f"square {label:<22} {stage.counts.seen:>7,} orders  {seconds:6.1f} s  "
                    f"{stage.counts.seen / seconds:8,.0f} orders/s  ({pages} SearchOrders pages so far)"
                )

        settings = load_settings(env_file=None, environ={"DELIVERECT_WEBHOOK_SECRET": "bench"})
        server = HttpServer(build_routes(Application(settings, store=engine))).start()
        latencies = []
        with httpx.Client() as http:
            for body in bodies[: args.webhooks]:
                raw = json.dumps(body).encode()
                started = time.perf_counter()
                answer = http.post(
                    server.url + "/webhooks/deliverect/orders",
                    content=raw,
                    headers={SIGNATURE_HEADER: sign(raw, "bench")},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
        server.stop()
        latencies.sort()
        count = len(latencies)
        print(
            f"deliverect webhook {count} orders: p50 {latencies[count // 2]:.1f} ms  "
            f"p95 {latencies[int(count * 0.95)]:.1f} ms  max {latencies[-1]:.1f} ms"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
