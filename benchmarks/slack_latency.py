"""Benchmark: how fast the Slack app reacts. The real ``opsbot serve`` (Bolt in HTTP mode) gets signed
Events API requests; the fake Slack Web API and the fake Messages API run in this process, so one clock
times each step: the HTTP acknowledgement, the first visible feedback (the agent session set processing),
the first task of the plan (the tool call), the first streamed text, the end.

    python benchmarks/slack_latency.py [--events 50] [--concurrent 10]

The model answers at once (one tool call, then the answer), so the figures are opsbot's and Slack-side
overhead only. The target: the first visible feedback within 300 ms at p95 with 10 threads at once.
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
from bot.agent.context_budget import tool_results  # noqa: E402
from bot.agent.scripted_model import call, say  # noqa: E402
from tests.fakes.anthropic_server import FakeAnthropic  # noqa: E402
from tests.fakes.slack_api import (  # noqa: E402
    FakeSlack,
    direct_message,
    event_callback,
    post_event,
)
from tests.support.serve import ServeProcess, slack_http_env  # noqa: E402

ANSWER = "Net sales yesterday were **$16,178.83** across the four locations, from 524 completed orders."
TARGET_MS = 300  # first visible feedback, p95, 10 threads at once


def instant_model(body: dict):
    """One tool call, then the answer."""
    return say(ANSWER) if tool_results(body["messages"][-1]) else call("sales_report", period="yesterday")


def first(calls, predicate) -> float:
    return next(c.at for c in calls if predicate(c))


def has_task(c) -> bool:
    return any(chunk.get("type") == "task_update" for chunk in c.args.get("chunks") or [])


def has_text(c) -> bool:
    return bool(c.args.get("markdown_text")) or any(
        chunk.get("type") == "markdown_text" for chunk in c.args.get("chunks") or []
    )


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
    feedback = first(
        calls, lambda c: c.method in ("agents.sessions.setStatus", "assistant.threads.setStatus")
    )
    return {
        "acknowledged": acked,
        "first feedback": feedback - sent,
        "first task": first(calls, has_task) - sent,
        "first streamed text": first(calls, has_text) - sent,
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


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def report(label: str, results: list[dict]) -> None:
    print(f"{label} ({len(results)} events):")
    for step in results[0]:
        values = [r[step] * 1000 for r in results]
        print(
            f"  event sent → {step:<20} p50 {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=10)
    args = parser.parse_args()
    folder, url = load_demo_store("opsbot-slack-bench-")
    with FakeSlack() as slack, FakeAnthropic(instant_model) as api:
        env = slack_http_env(url, slack, api)
        with ServeProcess(env, folder) as server:
            run(server, slack, 3, 1, start=0)  # warm up
            report("One at a time", run(server, slack, args.events, 1, start=100))
            together = run(server, slack, args.events, args.concurrent, start=1000)
            report(f"{args.concurrent} at once", together)
    worst = p95([r["first feedback"] * 1000 for r in together])
    verdict = "within" if worst <= TARGET_MS else "OVER"
    print(
        f"First visible feedback, {args.concurrent} at once: p95 {worst:.1f} ms — "
        f"{verdict} the {TARGET_MS} ms target"
    )
    if slack.invalid:
        print(f"Requests the SDK's models refused: {slack.invalid[:3]}")


if __name__ == "__main__":
    main()
