"""The periodic sync thread of ``opsbot serve``: runs at once and then every interval, logs failures in one
line, and stops promptly — also while a sync waits between retries or is between pages."""

from __future__ import annotations

import itertools
import logging
import threading
import time

from bot.services.periodic_sync import PeriodicSync
from tools.sync.orders.writer import WriteCounts
from tools.sync.report import StageReport, SyncReport


def report(inserted: int = 0, failure: str | None = None) -> SyncReport:
    return SyncReport(
        stages=[StageReport("square orders", WriteCounts(inserted=inserted), 0.1)], failure=failure
    )


def test_it_runs_at_once_then_every_interval_and_stops(caplog):
    calls: list[float] = []

    def run(_progress, _sleep):
        calls.append(time.monotonic())
        return report(inserted=3 if len(calls) == 1 else 0)

    with caplog.at_level(logging.INFO, logger="bot.services.periodic_sync"):
        periodic = PeriodicSync(run, interval_seconds=0.05).start()
        deadline = time.monotonic() + 5
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        periodic.stop()
    assert periodic.runs >= 3
    assert all(later - earlier >= 0.045 for earlier, later in itertools.pairwise(calls))
    messages = [r.getMessage() for r in caplog.records]
    assert messages[:2] == [
        "periodic square sync: 3 orders new or changed",
        "periodic square sync: 0 orders new or changed",
    ]


def test_a_failed_sync_is_one_error_line_and_the_loop_goes_on(caplog):
    done = threading.Event()

    def run(_progress, _sleep):
        done.set()
        return report(failure="Square rejected the access token (401 …)")

    with caplog.at_level(logging.INFO, logger="bot.services.periodic_sync"):
        periodic = PeriodicSync(run, interval_seconds=60).start()
        assert done.wait(5)
        periodic.stop(timeout=5)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "periodic square sync: Square rejected the access token (401 …)")
    ]


def test_stop_interrupts_a_retry_wait_and_ends_before_the_next_page():
    waiting = threading.Event()
    outcome: dict[str, object] = {}

    def run(progress, sleep):
        waiting.set()
        started = time.monotonic()
        sleep(30)  # a long backoff, cut short by stop()
        outcome["waited"] = time.monotonic() - started
        try:
            progress("square orders", 1, 10)
        except Exception as exc:  # the sync's page loop lets this end the stage
            outcome["stopped"] = str(exc)
        return report()

    periodic = PeriodicSync(run, interval_seconds=60).start()
    assert waiting.wait(5)
    started = time.monotonic()
    periodic.stop(timeout=10)
    assert time.monotonic() - started < 2
    assert outcome["waited"] < 2
    assert outcome["stopped"] == "stopped: the server is shutting down"
