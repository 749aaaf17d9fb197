"""Batches written on a second thread while the next is parsed: in order, one at a time, a single batch on
the calling thread, and the first failure of either side raised to the caller once writing has stopped."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tools.sync.orders.batch_pipeline import write_in_order


def test_batches_are_written_in_order_one_at_a_time_while_the_next_is_produced():
    produced: list[int] = []
    written: list[int] = []
    busy = threading.Lock()

    def batches() -> Iterator[int]:
        for number in range(20):
            produced.append(number)
            yield number

    def write(batch: int) -> int:
        assert busy.acquire(blocking=False)  # never two at once
        busy.release()
        return batch * 10

    write_in_order(batches(), write, written.append)
    assert written == [n * 10 for n in range(20)] and produced == list(range(20))


def test_a_single_batch_is_written_on_the_calling_thread():
    threads: list[str] = []
    write_in_order(iter([1]), lambda batch: threads.append(threading.current_thread().name), lambda _: None)
    assert threads == [threading.current_thread().name]
    write_in_order(iter([]), lambda batch: pytest.fail("nothing to write"), lambda _: None)


def test_a_failing_write_stops_the_writing_and_is_raised():
    written: list[int] = []

    def write(batch: int) -> int:
        if batch == 3:
            raise RuntimeError("batch 3 failed")
        return batch

    with pytest.raises(RuntimeError, match="batch 3 failed"):
        write_in_order(iter(range(100)), write, written.append)
    assert written == [0, 1, 2]


def test_when_producing_fails_the_batches_before_are_written_then_it_is_raised():
    written: list[int] = []

    def batches() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("page 3 unreadable")

    with pytest.raises(ValueError, match="page 3 unreadable"):
        write_in_order(batches(), lambda batch: batch, written.append)
    assert written == [1, 2]
