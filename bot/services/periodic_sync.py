"""The incremental Square sync that ``opsbot serve`` runs every ``SQUARE_SYNC_INTERVAL_MINUTES`` on a
background thread, so questions about "today" see fresh orders. ``stop()`` ends it within one request:
it interrupts waits between retries and stops after the page being written."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from tools.sources.api_calls import SourceError
from tools.sync.report import SyncReport

log = logging.getLogger(__name__)

# run(progress, sleep) → one sync's report
SyncRun = Callable[[Callable[[str, int, int], None], Callable[[float], object]], SyncReport]


class SyncStopped(SourceError):
    """The server is stopping; the sync ends after the page it was writing."""


class PeriodicSync:
    """``PeriodicSync(run, interval_seconds).start()`` … ``.stop()``; the first sync starts at once."""

    def __init__(self, run: SyncRun, interval_seconds: float, name: str = "square"):
        self.run = run
        self.interval = interval_seconds
        self.name = name
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"opsbot-{name}-sync", daemon=True)

    def start(self) -> PeriodicSync:
        self._thread.start()
        return self

    def stop(self, timeout: float = 60.0) -> None:
        """Ask the loop to end and wait for it (at most ``timeout`` seconds)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _check(self, *_progress: object) -> None:
        if self._stop.is_set():
            raise SyncStopped("stopped: the server is shutting down")

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._once()
            self._stop.wait(self.interval)

    def _once(self) -> None:
        try:
            report = self.run(self._check, self._stop.wait)
        except Exception:
            log.exception("periodic %s sync failed", self.name)
            return
        self.runs += 1
        orders = [stage.counts for stage in report.stages if stage.name.endswith("orders")]
        changed = sum(counts.inserted + counts.updated for counts in orders)
        if report.failure and not self._stop.is_set():
            log.error("periodic %s sync: %s", self.name, report.failure)
        else:
            log.info("periodic %s sync: %d orders new or changed", self.name, changed)
