"""The demo business loaded on a background thread on the REPL's first run, so the prompt is up at once.

It is the ordinary fixtures sync (the committed payloads through the real parsers and the order writer);
the prompt shows its progress, and a question or tool call waits for it to finish."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from bot.application import Application
from bot.commands.sync import sync_fixture_folder
from bot.services.internal_error import internal_error_line
from tools.sources.fixtures.folder import DELIVERECT_ORDERS, SQUARE_ORDERS, FixtureSource


class DemoLoad:
    """One background sync of the configured fixture folder; ``percent`` while it runs, ``wait`` for it."""

    def __init__(self, app: Application, folder: Path | None = None) -> None:
        self.folder = Path(folder or app.settings.fixtures_dir)
        self.business_name = str(FixtureSource(self.folder).business.get("business_name") or "the demo")
        sizes = {stage: _size(self.folder / path) for stage, path in _STAGE_FILES.items()}
        total = sum(sizes.values()) or 1
        self._weights = {stage: size / total for stage, size in sizes.items()}
        self._done_before = {"square orders": 0.0, "deliverect orders": self._weights["square orders"]}
        self._fraction = 0.0
        self._seen = dict.fromkeys(_STAGE_FILES, 0)
        self.status: int | None = None  # the sync's exit status, once it has finished
        self.seconds = 0.0
        self.reported = False  # set by the front end once it has told the user the outcome
        self._report = io.StringIO()
        self._done = threading.Event()
        self._started = time.perf_counter()

        def run() -> None:
            try:
                self.status = sync_fixture_folder(
                    app, str(self.folder), out=self._report, err=self._report, progress=self._progress
                )
            except Exception as exc:  # handed to the front end, which shows it in one line
                self._report.write(f"opsbot: {internal_error_line(exc)}\n")
                self.status = 1
            finally:
                self.seconds = time.perf_counter() - self._started
                self._done.set()

        threading.Thread(target=run, name="opsbot-demo-load", daemon=True).start()

    def _progress(self, stage: str, fraction: float, seen: int) -> None:
        if stage in self._weights:
            self._fraction = self._done_before[stage] + self._weights[stage] * fraction
            self._seen[stage] = seen

    @property
    def orders(self) -> int:
        """The orders read so far."""
        return sum(self._seen.values())

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def percent(self) -> int:
        """How far the load has come, by the order files read (0–99 until it has finished)."""
        return 100 if self.done else min(int(self._fraction * 100), 99)

    def wait(self, seconds: float | None = None) -> bool:
        """Wait up to ``seconds`` (None: until it has finished); whether it has."""
        return self._done.wait(seconds)

    @property
    def ok(self) -> bool:
        return self.status == 0

    def report(self) -> str:
        """The sync report, as ``opsbot sync`` prints it (available once it has finished)."""
        return self._report.getvalue()

    def outcome(self) -> str:
        """One line for the user once it has finished."""
        if self.ok:
            return (
                f"The demo is loaded: {self.orders:,} orders of {self.business_name} in {self.seconds:.1f} s."
            )
        return "The demo did not load completely — the sync report:"


_STAGE_FILES = {"square orders": SQUARE_ORDERS, "deliverect orders": DELIVERECT_ORDERS}


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0
