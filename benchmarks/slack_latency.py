"""Benchmark: how fast the Slack app reacts. The real ``opsbot serve`` (Bolt in HTTP mode) gets signed
Events API requests; the fake Slack Web API and the fake Messages API run in this process, so one clock
times each step: the HTTP acknowledgement, the first status call, the first streamed text, the end.

    python benchmarks/slack_latency.py [--events 50] [--concurrent 10]

The model answers at once (a one-step answer), so the figures are opsbot's and Slack-side overhead only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.demo_store import load_demo_store  # noqa: E402
from bot.agent.scripted_model import say  # noqa: E402
from tests.fakes.anthropic_server import FakeAnthropic  # noqa: E402
from tests.fakes.slack_api import (  # noqa: E402
    FakeSlack,
    direct_message,
    event_callback,
    post_event,
)
from tests.support.serve import ServeProcess, slack_http_env  # noqa: E402

ANSWER = "Net sales yesterday were **$16,178.83** across the four locations, from 524 completed orders."


def one_event(server: ServeProcess, slack: FakeSlack, number: int) -> dict[str, float]:
    """Send one direct message; seconds from sending to each step."""
    channel, ts = f"D0BENCH{number:04d}", f"1790001000.{number:06d}"
    sent = time.perf_counter()
    status, _, acked = post_event(
        f"{server.url}/slack/events",
        event_callback(direct_message(f"U0B{number:04d}", "Sales?", ts, channel)),
    )
    assert status == 200
    calls = slack.answered(channel, ts, timeout=120)
    first_status = next(c.at for c in calls if c.method == "assistant.threads.setStatus")
    first_text = next(c.at for c in calls if c.method == "chat.startStream")
    return {
        "acknowledged": acked,
        "first status": first_status - sent,
        "first streamed text": first_text - sent,
        "answer finished": calls[-1].at - sent,
    }


def run(server: ServeProcess, slack: FakeSlack, count: int, concurrent: int, start: int) -> list[dict]:
    results: list[dict] = []
    lock = threading.Lock()
    numbers = iter(range(start, start + count))

    def worker() -> None:
        for number in numbers:
            timing = one_event(server, slack, number)
            with lock:
                results.append(timing)

    workers = [threading.Thread(target=worker) for _ in range(concurrent)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return results


def report(label: str, results: list[dict]) -> None:
    print(f"{label} ({len(results)} events):")
    for step in results[0]:
        values = sorted(r[step] * 1000 for r in results)
        p95 = values[max(0, round(0.95 * len(values)) - 1)]
        print(f"  event sent → {step:<20} p50 {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=10)
    args = parser.parse_args()
    folder, url = load_demo_store("opsbot-slack-bench-")
    with FakeSlack() as slack, FakeAnthropic(lambda _body: say(ANSWER)) as api:
        env = slack_http_env(url, slack, api)
        with ServeProcess(env, folder) as server:
            run(server, slack, 3, 1, start=0)  # warm up
            report("One at a time", run(server, slack, args.events, 1, start=100))
            report(f"{args.concurrent} at once", run(server, slack, args.events, args.concurrent, start=1000))


if __name__ == "__main__":
    main()
