"""Progress lines for long commands on a terminal (silent when output is redirected)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def progress_bar(stream: TextIO = sys.stderr) -> Callable[[str, float, int], None] | None:
    """A one-line progress bar ``show(stage, fraction)`` on a terminal; None when output is redirected."""
    if not stream.isatty():
        return None
    state = {"last": 0.0}

    def show(stage: str, fraction: float, _seen: int = 0) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - state["last"] < 0.1:
            return
        state["last"] = now
        filled = int(fraction * 30)
        stream.write(f"\r  {stage:<20} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}")
        if fraction >= 1.0:
            stream.write("\n")
        stream.flush()

    return show


def page_counter(stream: TextIO = sys.stderr) -> Callable[[str, int, int], None] | None:
    """A one-line page counter ``show(stage, pages, seen)`` on a terminal; None when output is redirected."""
    if not stream.isatty():
        return None

    def show(stage: str, pages: int, seen: int) -> None:
        stream.write(f"\r  {stage:<20} page {pages:,} · {seen:,} orders")
        stream.flush()

    return show
