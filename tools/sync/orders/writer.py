"""Write normalized order records into the store idempotently.

Per batch, in one transaction: orders are matched on (source, source_order_id); new ones are inserted,
changed ones (different payload fingerprint, not older than the stored version) are rewritten with their
child rows, and identical re-deliveries are left alone. A record the store cannot place (unknown location)
is reported and skipped; nothing of it is written. POS copies of Deliverect orders are linked so a sale counts
once (``pos_copies``), commissions are estimated from the rate table (``commissions``) and the rollups of the
days the batch touched are refreshed (``rollup_refresh``), all in the batch's transaction.

Inside ``one_transaction()`` (a first load into an empty store) every batch is written into one transaction
instead, and the rollups of every day the batches touched are refreshed once, just before it commits: a day
written by several batches (and by both sources) is recomputed once, and readers see the orders and their
rollups together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine

from tools.sources.records import OrderRecord
from tools.store import rollups
from tools.sync.orders.batch_dedupe import newest_versions, older_than
from tools.sync.orders.commissions import CommissionRates, recompute_commissions
from tools.sync.orders.places import Place, Places, WrittenOrder
from tools.sync.orders.pos_copies import link_pos_copies, may_link, serialize_linking
from tools.sync.orders.rollup_refresh import touched_by_write
from tools.sync.orders.stage_transaction import StageTransaction
from tools.sync.orders.upsert import (
    MenuLookup,
    existing_orders,
    insert_orders,
    replace_children,
    update_orders,
)


@dataclass(frozen=True)
class RecordError:
    """A record that was not stored, where it came from, and why."""

    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


@dataclass
class WriteCounts:
    """What a write did; ``errors`` lists the records that were skipped."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.inserted + self.updated + self.unchanged + len(self.errors)

    def add(self, other: WriteCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)


class OrderWriter:
    """Upserts OrderRecords; build one per sync (it caches locations, menu and commission rates)."""

    def __init__(self, engine: Engine, *, batch_size: int = 1000, now: datetime | None = None):
        self.engine = engine
        self.batch_size = batch_size
        self.now = now
        with engine.connect() as conn:
            self._places = Places(conn)
            self._menu = MenuLookup(conn)
            self._rates = CommissionRates(conn)
        # For parsers that need a location's currency (Deliverect's prices) before the writer places them.
        self.currencies = self._places.currencies
        self._held: StageTransaction | None = None  # set inside one_transaction()

    @property
    def holds_transaction(self) -> bool:
        """Whether batches are being written into one open transaction (``one_transaction``)."""
        return self._held is not None

    @contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Write every batch of the ``with`` block into one transaction; the rollups of the days they touched
        are refreshed once at its end, in it, and it commits when the block ends — or, if anything raises,
        rolls back so nothing of the block is stored."""
        with self.engine.begin() as conn:
            self._held = StageTransaction(conn)
            try:
                yield
                self._held.refresh_rollups()
            finally:
                self._held = None

    def write_batch(self, batch: list[tuple[str, OrderRecord]]) -> WriteCounts:
        """Store one batch of ``(origin, record)`` pairs in one transaction; ``origin`` names the file and
        record for error messages. Batching and parsing: ``tools/sync/orders/ingest.py``."""
        counts = WriteCounts()
        # The same order twice in one batch (a new order and its cancellation): the newest is applied and
        # the older versions count with it (as updates if it is stored, unchanged if it is not).
        latest, superseded = newest_versions(batch)
        placed: list[tuple[OrderRecord, Place]] = []
        for origin, record in latest.values():
            place = self._places.of(record)
            if place is None:
                message = self._places.unknown_location_message(record)
                counts.errors += [RecordError(origin, message)] * (
                    1 + superseded.get((record.source, record.source_order_id), 0)
                )
            else:
                placed.append((record, place))
        if not placed:
            return counts
        if self._held is not None:
            self._write_placed(self._held.conn, placed, superseded, counts, self._held.touched)
            return counts
        with self.engine.begin() as conn:
            touched = self._write_placed(conn, placed, superseded, counts, set())
            rollups.refresh(conn, touched)
        return counts

    def _write_placed(
        self,
        conn: Connection,
        placed: list[tuple[OrderRecord, Place]],
        superseded: dict[tuple[str, str], int],
        counts: WriteCounts,
        touched: set[tuple[int, date]],
    ) -> set[tuple[int, date]]:
        """Write the placed records in ``conn``'s transaction (counted in ``counts``); ``touched`` gets the
        (location, business day) pairs whose rollups the write changed, and is returned."""
        if any(may_link(record) for record, _ in placed):
            serialize_linking(conn)
        existing = existing_orders(conn, [r for r, _ in placed])
        new: list[tuple[OrderRecord, Place]] = []
        changed: list[WrittenOrder] = []
        for record, place in placed:
            key = (record.source, record.source_order_id)
            found = existing.get(key)
            if found is None:
                new.append((record, place))
                counts.updated += superseded.get(key, 0)
            elif found[1] == record.payload_hash or older_than(record, found[2]):
                counts.unchanged += 1 + superseded.get(key, 0)
            else:
                changed.append((found[0], record, place))
                touched.add(found[3])
                counts.updated += superseded.get(key, 0)
        synced_at = self.now or datetime.now(UTC)
        ids = insert_orders(conn, new, synced_at, self._rates)
        update_orders(conn, changed, synced_at, self._rates)
        written = list(zip(ids, (r for r, _ in new), (p for _, p in new), strict=True))
        written += changed
        replace_children(conn, written, [order_id for order_id, _, _ in changed], self._menu)
        self._link_pos_copies(conn, written)
        touched |= touched_by_write(conn, written)
        counts.inserted += len(new)
        counts.updated += len(changed)
        return touched

    def recompute_commissions(self) -> int:
        """Re-estimate the commission of every platform order from the current rate table."""
        return recompute_commissions(self.engine, self._rates, self._places.by_location_id())

    def _link_pos_copies(self, conn: Connection, written: list[WrittenOrder]) -> None:
        link_pos_copies(conn, written)
