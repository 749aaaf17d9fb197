"""A bulk sync raises the garbage collector's threshold while it parses and stores, and puts it back when
the last sync running at once has finished — also when one fails."""

from __future__ import annotations

import gc
import threading

import pytest

from tools.sync.orders.ingest import BULK_THRESHOLD, fewer_collections


def test_the_threshold_is_raised_during_a_sync_and_restored_after_it_even_on_failure():
    before = gc.get_threshold()
    assert before != BULK_THRESHOLD
    with fewer_collections():
        assert gc.get_threshold() == BULK_THRESHOLD
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the store went away")
    assert gc.get_threshold() == before


def test_overlapping_syncs_restore_it_once_the_last_has_finished():
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[tuple[int, ...]] = []

    def first() -> None:
        with fewer_collections():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with fewer_collections():
            second_in.set()
            first_out.wait(10)
            seen.append(gc.get_threshold())  # the first has finished: still raised for this one

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert seen == [BULK_THRESHOLD]
    assert gc.get_threshold() == before
