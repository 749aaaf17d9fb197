"""Parse-and-store, under every source's one ingest function (``tools/sources/<source>/ingest.py``): pairs of
``(origin, payload)`` are parsed by the source's parser, optionally adjusted, and written batch by batch, each
batch in its own transaction."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from tools.sources.records import OrderRecord, PayloadError
from tools.sync.orders.batch_pipeline import write_in_order
from tools.sync.orders.writer import OrderWriter, RecordError, WriteCounts

# (where the payload came from, the payload — or the PayloadError standing in for one that could not be read)
Payload = tuple[str, Any]
Parse = Callable[[Any], OrderRecord]
# Called with each parsed record before it is written: the record to write (possibly changed), or None to
# leave it out.
Adjust = Callable[[OrderRecord], OrderRecord | None]


class StoreOrders(Protocol):
    """A source's ingest function: parse and store a batch of its order payloads; ``now``, the caller's
    clock when it has one, bounds the payloads' timestamps."""

    def __call__(
        self,
        writer: OrderWriter,
        payloads: Iterable[Payload],
        *,
        adjust: Adjust | None = None,
        now: datetime | None = None,
    ) -> WriteCounts: ...


def store_payloads(
    writer: OrderWriter, payloads: Iterable[Payload], parse: Parse, adjust: Adjust | None = None
) -> WriteCounts:
    """Parse ``payloads`` and store the records in batches of ``writer.batch_size`` (each batch written while
    the next is parsed: ``batch_pipeline``); a payload that does not parse, and a record the writer cannot
    place, is in ``errors`` (parse errors first)."""
    counts = WriteCounts()
    records = _parsed(payloads, parse, adjust, counts.errors)
    batches = iter(lambda: list(islice(records, writer.batch_size)), [])
    written = WriteCounts()
    with fewer_collections():
        write_in_order(batches, lambda batch: _write_batch(writer, batch), written.add)
    counts.add(written)
    return counts


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Parsing makes and drops many short-lived objects without reference cycles; the garbage collector's
    default threshold (a young-generation pass every 700 allocations, a full pass over every live object
    every 100 of those) spends a tenth of a bulk sync's time finding nothing. Raise it while pages are
    parsed and stored; the last of the syncs running at once puts it back."""
    global _raised_by, _threshold_before
    with _threshold_lock:
        if _raised_by == 0:
            _threshold_before = gc.get_threshold()
            gc.set_threshold(*BULK_THRESHOLD)
        _raised_by += 1
    try:
        yield
    finally:
        with _threshold_lock:
            _raised_by -= 1
            if _raised_by == 0:
                gc.set_threshold(*_threshold_before)


BULK_THRESHOLD = (100_000, 20, 50)
_threshold_lock = threading.Lock()
_raised_by = 0  # syncs running that raised the threshold
_threshold_before = gc.get_threshold()


def _parsed(
    payloads: Iterable[Payload], parse: Parse, adjust: Adjust | None, errors: list[RecordError]
) -> Iterator[tuple[str, OrderRecord]]:
    for origin, payload in payloads:
        if isinstance(payload, PayloadError):
            errors.append(RecordError(origin, str(payload)))
            continue
        try:
            record: OrderRecord | None = parse(payload)
        except PayloadError as exc:
            errors.append(RecordError(origin, str(exc)))
            continue
        if adjust is not None:
            record = adjust(record)
        if record is not None:
            yield origin, record


def _write_batch(writer: OrderWriter, batch: list[tuple[str, OrderRecord]]) -> WriteCounts:
    """Write one batch. Two deliveries of a new order at once can collide on its unique key — the second
    then retries, with a fresh writer, as an update — unless the writer holds one transaction for many
    batches, which the collision has spoiled: its caller starts over."""
    try:
        return writer.write_batch(batch)
    except IntegrityError:
        if writer.holds_transaction:
            raise
        return OrderWriter(writer.engine, batch_size=writer.batch_size, now=writer.now).write_batch(batch)
