"""The real ``opsbot`` process in a pseudo-terminal, its output drawn by a terminal emulator (pyte), so a
test reads the screen a user would see — Markdown rendered, live lines cleared — not raw escape codes."""

from __future__ import annotations

import re
import signal
import sys
import time
from pathlib import Path

import pexpect
import pyte

from tests.support.cli import opsbot_env

UP_ARROW = "\x1b[A"


def _default_signals() -> None:
    """In the child before it starts: Ctrl-C works as in a user's shell, whatever the test process did with
    SIGINT (an ignored SIGINT or a blocked signal mask is inherited through fork and exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


class Terminal:
    """``with Terminal(["repl"], cwd=…, env=…) as term: term.send_line("hi"); term.wait_for("answer")``."""

    def __init__(self, args: list[str], *, cwd: Path, env: dict, rows: int = 50, columns: int = 120) -> None:
        environment = opsbot_env(
            {"TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": str(columns), **env}
        )
        self.columns = columns
        self.screen = pyte.HistoryScreen(columns, rows, history=10_000)
        self._stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "bot.cli", *args],
            cwd=str(cwd),
            env=environment,
            dimensions=(rows, columns),
            preexec_fn=_default_signals,
        )

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)

    def _pump(self, seconds: float) -> bool:
        """Feed the emulator whatever arrives within ``seconds``; False once the process has ended."""
        try:
            data = self.child.read_nonblocking(65536, timeout=seconds)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self._stream.feed(data)
        return True

    def lines(self) -> list[str]:
        """Every line the session has shown, scrolled-off ones included, without trailing blanks."""
        scrolled = [
            "".join(line[column].data for column in range(self.columns)).rstrip()
            for line in self.screen.history.top
        ]
        shown = [line.rstrip() for line in self.screen.display]
        while shown and not shown[-1]:
            shown.pop()
        return scrolled + shown

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, pattern: str, timeout: float = 60, count: int = 1) -> str:
        """Wait until ``pattern`` (a regex, per line) appears on ``count`` lines; the screen text."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        alive = True
        while True:
            found = sum(1 for line in self.lines() if regex.search(line))
            if found >= count:
                return self.text()
            if not alive or time.monotonic() > deadline:
                raise AssertionError(
                    f"{pattern!r} (×{count}) never appeared; the screen shows:\n{self.text()}"
                )
            alive = self._pump(0.05)

    def prompts(self) -> int:
        """How many prompt lines (``› …``) the screen shows."""
        return sum(1 for line in self.lines() if line.startswith("›"))

    def wait_for_prompt(self, count: int, timeout: float = 60) -> str:
        """Wait until the ``count``-th prompt is on screen (the previous input fully handled)."""
        return self.wait_for(r"^›", timeout=timeout, count=count)

    def send_line(self, text: str) -> None:
        self.child.send(text + "\r")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def interrupt(self) -> None:
        self.child.sendintr()

    def wait_exit(self, timeout: float = 15) -> int:
        """Send nothing more; wait for the process to end and return its exit status."""
        deadline = time.monotonic() + timeout
        while self._pump(0.05):
            if time.monotonic() > deadline:
                raise AssertionError(f"opsbot did not exit; the screen shows:\n{self.text()}")
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -(self.child.signalstatus or 0)
