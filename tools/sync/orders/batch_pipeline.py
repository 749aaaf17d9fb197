"""Batches written on a second thread while the next one is parsed.

Parsing is Python (the GIL held); writing is mostly SQLite or PostgreSQL working with the GIL released, so
on a machine with two cores the one hides behind the other. Batches are still written one at a time and in
order, each in its own transaction; at most one parsed batch waits. A single batch (a webhook's order, a
live page) is written on the calling thread as before.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

Batch = TypeVar("Batch")
Result = TypeVar("Result")

_DONE = object()  # the producer's last item: no more batches


def write_in_order(
    batches: Iterator[Batch], write: Callable[[Batch], Result], on_written: Callable[[Result], None]
) -> None:
    """``write`` each of ``batches`` in order (``on_written`` gets each result, on the writing thread) while
    the next batch is produced. A failing write stops the writing and is raised here; when producing fails,
    the batches produced before are still written (as if written one after the other), then it is raised."""
    first = next(batches, _DONE)
    if first is _DONE:
        return
    second = next(batches, _DONE)
    if second is _DONE:
        on_written(write(first))  # type: ignore[arg-type]
        return
    pending: queue.Queue[object] = queue.Queue(maxsize=1)
    failure: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        while (batch := pending.get()) is not _DONE:
            if stop.is_set():
                continue  # a write failed: drain without writing
            try:
                on_written(write(batch))  # type: ignore[arg-type]
            except BaseException as exc:  # raised on the producing thread
                failure.append(exc)
                stop.set()

    thread = threading.Thread(target=writer, name="opsbot-batch-writer", daemon=True)
    thread.start()
    try:
        for batch in _chain(first, second, batches):
            if stop.is_set():
                break
            pending.put(batch)
    finally:
        pending.put(_DONE)
        thread.join()
    if failure:
        raise failure[0]


def _chain(first: object, second: object, rest: Iterator[Batch]) -> Iterator[object]:
    yield first
    yield second
    yield from rest
