"""Draws one answer in the terminal as it arrives: finished Markdown blocks are printed for good, the block
still growing and a live status line ("calling sales_report(…) · 0.04 s") stay in a small live area."""

from __future__ import annotations

import re
import threading
import time

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.live import Live
from rich.markdown import Markdown
from rich.segment import Segment
from rich.spinner import Spinner
from rich.text import Text

from bot.agent.events import (
    Event,
    ModelCallFinished,
    ModelCallStarted,
    TextDelta,
    ToolFinished,
    ToolStarted,
    format_arguments,
)

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_ARGUMENTS_SHOWN = 80


def split_settled(text: str) -> tuple[str, str]:
    """Split streamed Markdown at the last blank line outside a code fence: the part before can no longer
    change how it renders, the part after is still growing."""
    cut = position = 0
    in_fence = False
    for line in text.splitlines(keepends=True):
        position += len(line)
        if not line.endswith("\n"):
            break
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and not line.strip():
            cut = position
    return text[:cut], text[cut:]


def tool_label(name: str, arguments: dict) -> str:
    """``sales_report(period="last Saturday")``, the arguments shortened to one screen line."""
    shown = format_arguments(arguments)
    if len(shown) > _ARGUMENTS_SHOWN:
        shown = shown[: _ARGUMENTS_SHOWN - 1] + "…"
    return f"{name}({shown})"


class Trimmed:
    """A renderable without the blank lines rich puts around some Markdown elements (tables, lists), so
    the blocks of one answer are spaced evenly however the stream was cut into them."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.renderable, options, pad=False)

        def blank(line: list[Segment]) -> bool:
            return not "".join(segment.text for segment in line).strip()

        while lines and blank(lines[0]):
            lines.pop(0)
        while lines and blank(lines[-1]):
            lines.pop()
        for line in lines:
            yield from line
            yield Segment.line()


class AnswerView:
    """An ``EventSink`` for one question; use it as a context manager around ``ReplSession.ask``.

    Tool events come from worker threads, so every change holds ``_lock``, and so does every call into the
    ``Live`` display: always this lock first, then rich's own. (Rich's auto-refresh thread would take its
    lock first and then need ours to draw the live area — a deadlock that froze answers mid-stream — so
    the view runs its own ticker instead.)"""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.wrote_text = False
        self._pending = ""  # streamed text not yet printed for good
        self._running: dict[str, tuple[str, float]] = {}  # tool call id → (label, started)
        self._thinking_since: float | None = None
        self._last_printed: str | None = None  # "text" or "tool": decides the blank lines between them
        self._lock = threading.RLock()
        self._spinner = Spinner("dots", style="cyan")
        self._live = Live(console=console, auto_refresh=False, transient=True, get_renderable=self._live_area)
        self._stop_ticking = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="opsbot-answer-view", daemon=True)

    def __enter__(self) -> AnswerView:
        with self._lock:
            self._thinking_since = time.monotonic()
            self._live.start()
        self._ticker.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop_ticking.set()
        self._ticker.join()
        with self._lock:
            self._thinking_since = None
            self._running.clear()
            self._flush(everything=True)
            self._live.stop()

    def _tick(self) -> None:
        """Redraw the live area ten times a second (the spinner and the elapsed time move)."""
        while not self._stop_ticking.wait(0.1):
            with self._lock:
                self._live.refresh()

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, TextDelta):
                self._thinking_since = None
                self._pending += event.text
                self.wrote_text = True
                self._flush(everything=False)
            elif isinstance(event, ModelCallStarted):
                self._thinking_since = time.monotonic()
            elif isinstance(event, ModelCallFinished):
                self._thinking_since = None
                self._flush(everything=True)
            elif isinstance(event, ToolStarted):
                self._flush(everything=True)
                self._running[event.call_id] = (tool_label(event.name, event.arguments), time.monotonic())
            elif isinstance(event, ToolFinished):
                self._running.pop(event.call_id, None)
                line = Text(f"  ✓ {tool_label(event.name, event.arguments)} · {event.seconds:.2f} s", "dim")
                if not event.ok:
                    line = Text(f"  ✗ {tool_label(event.name, event.arguments)} · {event.error}", "yellow")
                self._print(line, "tool")
                if not self._running:
                    self._thinking_since = time.monotonic()
            self._live.refresh()

    def _flush(self, everything: bool) -> None:
        """Print the settled Markdown blocks (or all pending text) for good."""
        settled, rest = (self._pending, "") if everything else split_settled(self._pending)
        self._pending = rest
        if settled.strip():
            self._print(Trimmed(Markdown(settled.strip())), "text")

    def _print(self, renderable: RenderableType, kind: str) -> None:
        if self._last_printed is not None and (kind == "text" or self._last_printed == "text"):
            self._live.console.print()
        self._live.console.print(renderable)
        self._last_printed = kind

    def _live_area(self) -> RenderableType:
        with self._lock:
            parts: list[RenderableType] = []
            if self._pending.strip():
                if self._last_printed is not None:
                    parts.append(Text(""))
                parts.append(Trimmed(Markdown(self._pending)))
            now = time.monotonic()
            if self._running:
                labels = ", ".join(label for label, _ in self._running.values())
                started = min(started for _, started in self._running.values())
                self._spinner.update(text=Text(f"calling {labels} · {now - started:.2f} s", "cyan"))
                parts.append(self._spinner)
            elif self._thinking_since is not None:
                self._spinner.update(text=Text(f"thinking · {now - self._thinking_since:.1f} s", "cyan"))
                parts.append(self._spinner)
            return Group(*parts)
