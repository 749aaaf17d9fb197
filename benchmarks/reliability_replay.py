"""Reliability under hostile load: the real ``opsbot serve`` gets a mixed stream of requests at its two open
doors for a bounded time — Deliverect order webhooks (new, duplicate, malformed, mis-signed, oversized) and
Slack Events API requests (questions, unsigned or garbage bodies, events missing their fields) — on SQLite
and on a throwaway PostgreSQL server. The fake Slack Web API and the fake Messages API run in this process.

    python benchmarks/reliability_replay.py [--seconds 20] [--concurrent 8] [--backend sqlite|postgresql|both]

Prints per backend: requests, the statuses per kind of request, 5xx (must be 0), orders stored against the
orders expected (each distinct valid order once), and latency p50/p95 per kind. Exits 1 when a 5xx was seen
or the stored orders differ from the expected ones.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.agent.scripted_model import say  # noqa: E402
from tests.fakes.anthropic_server import FakeAnthropic  # noqa: E402
from tests.fakes.slack_api import FakeSlack, direct_message, event_callback, signed_headers  # noqa: E402
from tests.payloads import DELIVERECT_IDS, TEST_LOCATIONS, deliverect_order  # noqa: E402
from tests.support.postgres_server import PostgresServer, find_postgres_bin  # noqa: E402
from tests.support.serve import ServeProcess, slack_http_env  # noqa: E402
from tools.sources.deliverect.signature import SIGNATURE_HEADER, sign  # noqa: E402
from tools.store.database import open_store  # noqa: E402
from tools.store.models import Order  # noqa: E402
from tools.sync.reference_writer import upsert_locations  # noqa: E402

SECRET = "whsec-bench-deliverect"
WEBHOOK = "/webhooks/deliverect/orders"
SLACK = "/slack/events"
CLOSED = "closed"  # the connection closed without an answer


def _order(number: int) -> dict:
    return deliverect_order(
        f"65a{number:021x}",
        f"2026-11-{1 + number % 28:02d}T18:{number % 60:02d}:00Z",
        status=20,
        items=[{"plu": "BRG", "name": "Burger", "price": 1250 + number % 7, "quantity": 1 + number % 3}],
        tax=100 + number % 50,
    )


# Each malformed order is a real one with one field broken the way a careless integrator would break it.
_BREAKAGES: list[Callable[[dict], None]] = [
    lambda o: o.__setitem__("payment", [1, 2]),
    lambda o: o["items"][0].__setitem__("subItems", "abc"),
    lambda o: o.__setitem__("items", "not a list"),
    lambda o: o["items"].__setitem__(0, 7),
    lambda o: o["items"][0].__setitem__("price", 10**30),
    lambda o: o["items"][0].__setitem__("quantity", -4),
    lambda o: o.__setitem__("_id", 123456),
    lambda o: o.__setitem__("_created", "9999-01-01T00:00:00Z"),
    lambda o: o["items"][0].__setitem__("name", "x" * 200_000),
    lambda o: o.__setitem__("note", "x" * 300_000),
    lambda o: o.__setitem__("status", {"deep": [[[[[[[[[[]]]]]]]]]]}),
    lambda o: o.clear(),
]


class Replay:
    """The mixed load: one request per call of ``step``, recorded by kind."""

    def __init__(self, url: str, seed: int) -> None:
        self.url = url
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.next_order = 0
        self.accepted_ids: set[str] = set()
        self.valid_bodies: list[bytes] = []
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.kinds: list[tuple[str, float]] = [
            ("order: new", 30),
            ("order: duplicate", 12),
            ("order: malformed", 18),
            ("order: not JSON", 4),
            ("order: deeply nested", 3),
            ("order: bad signature", 5),
            ("order: oversized", 2),
            ("slack: question", 6),
            ("slack: unsigned", 8),
            ("slack: garbage", 6),
            ("slack: event missing fields", 6),
        ]

    def _pick(self) -> str:
        with self.lock:
            return self.random.choices([k for k, _ in self.kinds], [w for _, w in self.kinds])[0]

    def _webhook_body(self, kind: str) -> tuple[bytes, str | None, str | None]:
        """The body, its signature and the id of the order it would store."""
        with self.lock:
            number = self.next_order
            self.next_order += 1
            breakage = self.random.choice(_BREAKAGES)
            earlier = self.random.choice(self.valid_bodies) if self.valid_bodies else None
        if kind == "order: duplicate" and earlier:
            return earlier, sign(earlier, SECRET), None
        order = _order(number)
        if kind == "order: malformed":
            breakage(order)
            body = json.dumps(order).encode()
            return body, sign(body, SECRET), None
        if kind == "order: not JSON":
            body = b'{"_id": "65a' + str(number).encode() + b'", "items": [}'
            return body, sign(body, SECRET), None
        if kind == "order: deeply nested":
            body = b'{"_id": "x", "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
            return body, sign(body, SECRET), None
        if kind == "order: oversized":
            order["courier"] = {"notes": "x" * 6_000_000}  # beyond the server's 5 MB body limit
            body = json.dumps(order).encode()
            return body, sign(body, SECRET), None
        body = json.dumps(order).encode()
        if kind == "order: bad signature":
            return body, "0" * 64, None
        with self.lock:
            self.valid_bodies.append(body)
        return body, sign(body, SECRET), order["_id"]

    def _slack_request(self, kind: str) -> tuple[bytes, dict]:
        with self.lock:
            number = self.next_order
            self.next_order += 1
        if kind == "slack: garbage":
            body = bytes(self.random.getrandbits(8) for _ in range(200))
            return body, {"Content-Type": "application/json"}
        event = direct_message(f"U0R{number:05d}", "Sales yesterday?", f"1790002000.{number:06d}", "D0REPLAY")
        if kind == "slack: event missing fields":
            for field in ("channel", "ts", "text", "user"):
                event.pop(field, None)
        body = json.dumps(event_callback(event)).encode()
        if kind == "slack: unsigned":
            return body, {"Content-Type": "application/json"}
        return body, signed_headers(body)

    def step(self, client: httpx.Client) -> None:
        kind = self._pick()
        started = time.perf_counter()
        order_id = None
        if kind.startswith("order"):
            body, signature, order_id = self._webhook_body(kind)
            headers = {"content-type": "application/json"}
            if signature:
                headers[SIGNATURE_HEADER] = signature
            path = WEBHOOK
        else:
            body, headers = self._slack_request(kind)
            path = SLACK
        try:
            status: int | str = client.post(self.url + path, content=body, headers=headers).status_code
        except httpx.TransportError:
            # The server may answer 413 and close before reading an oversized body; the client then sees
            # the connection close instead. Any other kind of request must get an answer.
            status = CLOSED
        took = time.perf_counter() - started
        with self.lock:
            self.statuses[kind][status] += 1
            self.seconds[kind].append(took)
            if order_id and status == 200:
                self.accepted_ids.add(order_id)

    def run(self, seconds: float, concurrent: int) -> None:
        deadline = time.monotonic() + seconds

        def worker() -> None:
            with httpx.Client(timeout=60) as client:
                while time.monotonic() < deadline:
                    self.step(client)

        threads = [threading.Thread(target=worker) for _ in range(concurrent)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _p(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(fraction * len(ordered)) - 1)] * 1000


def replay(label: str, url: str, folder: Path, seconds: float, concurrent: int) -> bool:
    """Run the load against ``opsbot serve`` on the store at ``url``; print the figures; True when clean."""
    engine = open_store(url)
    upsert_locations(engine, TEST_LOCATIONS, DELIVERECT_IDS)
    with FakeSlack() as slack, FakeAnthropic(lambda _body: say("Net sales yesterday were $1,234.00.")) as api:
        env = slack_http_env(url, slack, api, DELIVERECT_WEBHOOK_SECRET=SECRET)
        with ServeProcess(env, folder) as server:
            load = Replay(server.url, seed=20261201)
            load.run(seconds, concurrent)
            server_log = server.log()
    with engine.connect() as conn:
        stored = conn.execute(
            select(func.count()).select_from(Order).where(Order.source == "deliverect")
        ).scalar()
    engine.dispose()
    everything = [s for values in load.seconds.values() for s in values]
    fives = sum(
        n
        for counts in load.statuses.values()
        for status, n in counts.items()
        if status != CLOSED and status >= 500
    )
    unanswered = sum(
        n
        for kind, counts in load.statuses.items()
        if kind != "order: oversized"
        for s, n in counts.items()
        if s == CLOSED
    )
    print(f"\n{label}: {len(everything):,} requests in {seconds:.0f} s from {concurrent} clients")
    print(f"  {'kind':<28} {'requests':>8}  {'statuses':<28} {'p50':>9} {'p95':>9}")
    for kind, _weight in load.kinds:
        counts = load.statuses.get(kind)
        if not counts:
            continue
        shown = ", ".join(
            f"{status}×{n}" for status, n in sorted(counts.items(), key=lambda item: str(item[0]))
        )
        values = load.seconds[kind]
        latency = f"{_p(values, 0.5):>7.1f}ms {_p(values, 0.95):>7.1f}ms"
        print(f"  {kind:<28} {sum(counts.values()):>8}  {shown:<28} {latency}")
    print(f"  all requests: p50 {_p(everything, 0.5):.1f} ms, p95 {_p(everything, 0.95):.1f} ms")
    print(f"  5xx: {fives} · closed without an answer (other than oversized bodies): {unanswered}")
    print(
        f"  orders stored: {stored:,} · expected (distinct valid orders accepted): {len(load.accepted_ids):,}"
    )
    tracebacks = server_log.count("Traceback (most recent call last)")
    print(f"  tracebacks in the server log: {tracebacks}")
    return fives == 0 and unanswered == 0 and stored == len(load.accepted_ids) and tracebacks == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    clean = True
    if args.backend in ("sqlite", "both"):
        folder = Path(tempfile.mkdtemp(prefix="opsbot-replay-"))
        clean &= replay("SQLite", f"sqlite:///{folder / 'store.db'}", folder, args.seconds, args.concurrent)
    if args.backend in ("postgresql", "both"):
        if find_postgres_bin() is None:
            print("PostgreSQL is not installed: skipping that backend")
        else:
            server = PostgresServer()
            server.start()
            try:
                folder = Path(tempfile.mkdtemp(prefix="opsbot-replay-pg-"))
                url = server.create_database("replay")
                clean &= replay("PostgreSQL", url, folder, args.seconds, args.concurrent)
            finally:
                server.stop()
    print("\nclean: no 5xx, no traceback, every valid order stored once" if clean else "\nNOT CLEAN")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
