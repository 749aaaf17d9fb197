"""The demo business loaded on a background thread on the REPL's first run, so the prompt is up at once.

When the install built the demo (``bot/repl/demo_template.py``) and it matches, it is copied in and is
loaded at once; an ordinary fixtures sync then brings it up to the minute behind the prompt (questions do
not wait for that). Otherwise it is the ordinary fixtures sync (the committed payloads through the real
parsers and the order writer): the prompt shows its progress, a question or tool call waits for it to
finish, and the loaded store is kept as the built demo for the next first run."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.application import Application
from bot.commands.sync import sync_fixture_folder
from bot.repl.demo_template import keep_built_demo, load_built_demo, template_key
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
        self.copied = False  # loaded by copying the built demo in
        self._copied_orders = 0
        self._caught_up = threading.Event()

        def run() -> None:
            try:
                self._load(app)
            except Exception as exc:  # handed to the front end, which shows it in one line
                self._report.write(f"opsbot: {internal_error_line(exc)}\n")
                self.status = 1
            finally:
                self._finish()
            if self.copied:
                self._catch_up(app)
            self._caught_up.set()

        threading.Thread(target=run, name="opsbot-demo-load", daemon=True).start()

    def _load(self, app: Application) -> None:
        settings = app.settings
        key = template_key(self.folder, anchor=settings.demo_anchor) if settings.demo_cache else ""
        copied = load_built_demo(settings, app.store, self.folder, key)
        if copied is not None:
            self.copied, self._copied_orders, self.status = True, copied, 0
            return
        self.status = sync_fixture_folder(
            app, str(self.folder), out=self._report, err=self._report, progress=self._progress
        )
        if self.status == 0 and key:  # kept before questions go ahead, so it holds the demo and nothing else
            try:
                keep_built_demo(settings, app.store, self.folder, key)
            except OSError as exc:
                log.warning("could not keep the built demo in %s: %s", settings.demo_cache, exc)

    def _finish(self) -> None:
        if not self._done.is_set():
            self.seconds = time.perf_counter() - self._started
            self._done.set()

    def _catch_up(self, app: Application) -> None:
        """The ordinary fixtures sync over the copied demo: what happened since it was built (refunds and
        cancellations anchoring had kept in the future) is stored as any later sync would. It runs as
        ``opsbot sync`` in a process of its own at a lower priority, so the questions asked meanwhile keep
        this process (and its interpreter lock) to themselves."""
        settings = app.settings
        command = [
            sys.executable,
            "-m",
            "bot.cli",
            "sync",
            "--source",
            "fixtures",
            "--fixtures",
            str(self.folder),
        ]
        if not settings.demo_anchor:
            command.append("--no-anchor")
        environment = {**os.environ, "DATABASE_URL": settings.database_url, "OPSBOT_DEMO_CACHE": "off"}
        try:
            child = subprocess.Popen(
                command,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # Ctrl-C at the prompt is the user's, not the catch-up's
            )
        except OSError as exc:
            log.warning("could not bring the copied demo up to date: %s", exc)
            return
        with contextlib.suppress(AttributeError, OSError):  # best effort; not on every platform
            os.setpriority(os.PRIO_PROCESS, child.pid, 10)
        output, _ = child.communicate()
        if child.returncode != 0:
            log.warning("bringing the copied demo up to date failed:\n%s", output)

    def wait_caught_up(self, seconds: float | None = None) -> bool:
        """Wait until everything this load does has finished, the catch-up sync after a copy included."""
        return self._caught_up.wait(seconds)

    def _progress(self, stage: str, fraction: float, seen: int) -> None:
        if stage in self._weights:
            self._fraction = self._done_before[stage] + self._weights[stage] * fraction
            self._seen[stage] = seen

    @property
    def orders(self) -> int:
        """The orders read so far (all of them, once a built demo was copied in)."""
        return self._copied_orders if self.copied else sum(self._seen.values())

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
        if self.ok and self.copied:
            return (
                f"The demo is loaded: {self.orders:,} orders of {self.business_name}, copied from the built "
                f"demo in {self.seconds:.1f} s."
            )
        if self.ok:
            return (
                f"The demo is loaded: {self.orders:,} orders of {self.business_name} in {self.seconds:.1f} s."
            )
        return "The demo did not load completely — the sync report:"


log = logging.getLogger(__name__)
_STAGE_FILES = {"square orders": SQUARE_ORDERS, "deliverect orders": DELIVERECT_ORDERS}


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0
