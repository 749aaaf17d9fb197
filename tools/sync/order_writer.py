"""Write normalized order records into the store idempotently.

Per batch, in one transaction: orders are matched on (source, source_order_id); new ones are inserted,
changed ones (different payload fingerprint, not older than the stored version) are rewritten with their
child rows, and identical re-deliveries are left alone. A record the store cannot place (unknown location)
is reported and skipped; nothing of it is written.

Counted once: an order that Deliverect injected into the POS appears twice, as the Deliverect order (with
``posId`` = the POS order id) and as a POS order whose source is Deliverect. The POS copy gets
``duplicate_of_id`` pointing at the Deliverect order, whichever of the two arrives first, and analytics count
only rows where ``duplicate_of_id`` is NULL. The rule: a POS order is a copy if and only if a Deliverect order
names it as its ``posId``; a POS copy whose Deliverect order never arrives still counts. On PostgreSQL the
transactions that can link are serialized by an advisory lock, so the two halves arriving at the same instant
from two processes are still linked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text, update

from tools.currencies import LocationCurrencies
from tools.sources.records import COMPLETED, OrderRecord
from tools.store import rollups
from tools.store.models import (
    Location,
    MenuItem,
    Order,
    OrderDiscount,
    OrderLineItem,
    OrderLineModifier,
    Payment,
    PlatformCommissionRate,
    Refund,
)

# The POS source, whose orders may be copies of aggregator orders.
POS_SOURCE = "square"

ORDERS = Order.__table__
LINES = OrderLineItem.__table__
MODIFIERS = OrderLineModifier.__table__
DISCOUNTS = OrderDiscount.__table__
PAYMENTS = Payment.__table__
REFUNDS = Refund.__table__


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


@dataclass(frozen=True)
class _Place:
    location_id: int
    timezone: ZoneInfo
    currency: str


@dataclass(frozen=True)
class _Rate:
    location_id: int | None
    valid_from: date
    valid_to: date | None
    rate_bps: int
    fixed_fee: int


class OrderWriter:
    """Upserts OrderRecords; build one per sync (it caches locations, menu and commission rates)."""

    def __init__(self, engine: Engine, *, batch_size: int = 1000, now: datetime | None = None):
        self.engine = engine
        self.batch_size = batch_size
        self.now = now
        with engine.connect() as conn:
            self._load_lookups(conn)

    def _load_lookups(self, conn: Connection) -> None:
        self._square_places: dict[str, _Place] = {}
        self._deliverect_places: dict[str, _Place] = {}
        for loc in conn.execute(
            select(
                Location.id,
                Location.timezone,
                Location.currency,
                Location.square_location_id,
                Location.deliverect_location_id,
            )
        ):
            place = _Place(loc.id, ZoneInfo(loc.timezone), loc.currency)
            if loc.square_location_id:
                self._square_places[loc.square_location_id] = place
            if loc.deliverect_location_id:
                self._deliverect_places[loc.deliverect_location_id] = place
        # For parsers that need a location's currency (Deliverect's prices) before the writer places them.
        self.currencies = LocationCurrencies(
            by_square_location={key: place.currency for key, place in self._square_places.items()},
            by_deliverect_location={key: place.currency for key, place in self._deliverect_places.items()},
        )
        self._menu_by_variation: dict[str, tuple[int, str | None]] = {}
        self._menu_by_sku: dict[str, tuple[int, str | None]] = {}
        for item in conn.execute(
            select(MenuItem.id, MenuItem.square_variation_id, MenuItem.sku, MenuItem.category)
        ):
            if item.square_variation_id:
                self._menu_by_variation[item.square_variation_id] = (item.id, item.category)
            if item.sku:
                self._menu_by_sku.setdefault(item.sku, (item.id, item.category))
        self._rates: dict[str, list[_Rate]] = {}
        for rate in conn.execute(select(PlatformCommissionRate.__table__)):
            self._rates.setdefault(rate.platform, []).append(
                _Rate(rate.location_id, rate.valid_from, rate.valid_to, rate.rate_bps, rate.fixed_fee)
            )

    # -- public API ------------------------------------------------------------------------------------

    def write(self, items: Iterable[tuple[str, OrderRecord]]) -> WriteCounts:
        """Store ``(origin, record)`` pairs; ``origin`` names the file and record for error messages."""
        total = WriteCounts()
        iterator = iter(items)
        while batch := list(islice(iterator, self.batch_size)):
            total.add(self.write_batch(batch))
        return total

    def write_batch(self, batch: list[tuple[str, OrderRecord]]) -> WriteCounts:
        """Store one batch in one transaction."""
        counts = WriteCounts()
        # The same order twice in one batch (a new order and its cancellation): the newest is applied and
        # the older versions count with it (as updates if it is stored, unchanged if it is not).
        latest: dict[tuple[str, str], tuple[str, OrderRecord]] = {}
        superseded: dict[tuple[str, str], int] = {}
        for origin, record in batch:
            key = (record.source, record.source_order_id)
            previous = latest.get(key)
            if previous is not None:
                superseded[key] = superseded.get(key, 0) + 1
                if _older(record, previous[1]):
                    continue
            latest[key] = (origin, record)
        placed: list[tuple[OrderRecord, _Place]] = []
        for origin, record in latest.values():
            place = self._place(record)
            if place is None:
                message = self._unknown_location_message(record)
                counts.errors += [RecordError(origin, message)] * (
                    1 + superseded.get((record.source, record.source_order_id), 0)
                )
            else:
                placed.append((record, place))
        if not placed:
            return counts
        with self.engine.begin() as conn:
            if any(_may_link(record) for record, _ in placed):
                _serialize_linking(conn)
            existing = self._existing(conn, [r for r, _ in placed])
            new: list[tuple[OrderRecord, _Place]] = []
            changed: list[tuple[int, OrderRecord, _Place]] = []
            touched: set[tuple[int, date]] = set()  # (location, business day) pairs whose rollups change
            for record, place in placed:
                key = (record.source, record.source_order_id)
                found = existing.get(key)
                if found is None:
                    new.append((record, place))
                    counts.updated += superseded.get(key, 0)
                elif found[1] == record.payload_hash or _older_than(record, found[2]):
                    counts.unchanged += 1 + superseded.get(key, 0)
                else:
                    changed.append((found[0], record, place))
                    touched.add(found[3])
                    counts.updated += superseded.get(key, 0)
            synced_at = self.now or datetime.now(UTC)
            ids = self._insert_orders(conn, new, synced_at)
            self._update_orders(conn, changed, synced_at)
            written = list(zip(ids, (r for r, _ in new), (p for _, p in new), strict=True))
            written += changed
            self._replace_children(conn, written, [order_id for order_id, _, _ in changed])
            self._link_pos_copies(conn, written)
            touched |= {(place.location_id, _local_day(record, place)) for _, record, place in written}
            # POS copies this batch linked to its aggregator orders stop counting on their own day.
            pos_ids = [record.pos_order_id for _, record, _ in written if record.pos_order_id]
            if pos_ids:
                touched |= set(
                    conn.execute(
                        select(ORDERS.c.location_id, ORDERS.c.business_date).where(
                            ORDERS.c.source == POS_SOURCE, ORDERS.c.source_order_id.in_(pos_ids)
                        )
                    ).all()
                )
            rollups.refresh(conn, touched)
            counts.inserted += len(new)
            counts.updated += len(changed)
        return counts

    def recompute_commissions(self) -> int:
        """Re-estimate the commission of every platform order from the current rate table."""
        changed = []
        touched: set[tuple[int, date]] = set()
        with self.engine.connect() as conn:
            places = {p.location_id: p for p in self._square_places.values()}
            places.update({p.location_id: p for p in self._deliverect_places.values()})
            rows = conn.execute(
                select(
                    ORDERS.c.id,
                    ORDERS.c.location_id,
                    ORDERS.c.platform,
                    ORDERS.c.status,
                    ORDERS.c.business_date,
                    ORDERS.c.gross_sales,
                    ORDERS.c.discounts,
                    ORDERS.c.commission,
                ).where(ORDERS.c.platform.is_not(None))
            )
            for row in rows:
                place = places.get(row.location_id)
                if place is None:
                    continue
                probe = _CommissionProbe(row.platform, row.status, row.gross_sales, row.discounts)
                value = self._commission(probe, place, row.business_date)  # type: ignore[arg-type]
                if value != row.commission:
                    changed.append(
                        {
                            "b_id": row.id,
                            "commission": value,
                            "commission_is_estimated": value is not None,
                        }
                    )
                    touched.add((row.location_id, row.business_date))
        if changed:
            with self.engine.begin() as conn:
                conn.execute(
                    update(ORDERS)
                    .where(ORDERS.c.id == bindparam("b_id"))
                    .values(
                        commission=bindparam("commission"),
                        commission_is_estimated=bindparam("commission_is_estimated"),
                    ),
                    changed,
                )
                rollups.refresh(conn, touched)
        return len(changed)

    # -- helpers ---------------------------------------------------------------------------------------

    def _place(self, record: OrderRecord) -> _Place | None:
        if record.square_location_id and record.square_location_id in self._square_places:
            return self._square_places[record.square_location_id]
        if record.deliverect_location_id:
            return self._deliverect_places.get(record.deliverect_location_id)
        return None

    def _unknown_location_message(self, record: OrderRecord) -> str:
        named = " / ".join(
            f"{kind} location {value!r}"
            for kind, value in (
                ("Square", record.square_location_id),
                ("Deliverect", record.deliverect_location_id),
            )
            if value
        )
        known = ", ".join(sorted(self._square_places)) or "none — sync locations first"
        return f"{record.source} order {record.source_order_id} is for unknown {named} (known: {known})"

    def _existing(self, conn: Connection, records: list[OrderRecord]):
        found: dict[tuple[str, str], tuple[int, str, datetime | None, tuple[int, date]]] = {}
        by_source: dict[str, list[str]] = {}
        for record in records:
            by_source.setdefault(record.source, []).append(record.source_order_id)
        for source, ids in by_source.items():
            rows = conn.execute(
                select(
                    ORDERS.c.id,
                    ORDERS.c.source_order_id,
                    ORDERS.c.payload_hash,
                    ORDERS.c.source_updated_at,
                    ORDERS.c.location_id,
                    ORDERS.c.business_date,
                ).where(ORDERS.c.source == source, ORDERS.c.source_order_id.in_(ids))
            )
            for row in rows:
                found[(source, row.source_order_id)] = (
                    row.id,
                    row.payload_hash,
                    row.source_updated_at,
                    (row.location_id, row.business_date),
                )
        return found

    def _commission(self, record: OrderRecord, place: _Place, day: date) -> int | None:
        if record.platform is None:
            return None
        if record.status != COMPLETED:
            return 0
        candidates = [
            rate
            for rate in self._rates.get(record.platform, ())
            if rate.location_id in (None, place.location_id)
            and rate.valid_from <= day
            and (rate.valid_to is None or day <= rate.valid_to)
        ]
        if not candidates:
            return None
        # A location's own rate beats the business-wide one; the latest start wins among equals.
        rate = max(candidates, key=lambda r: (r.location_id is not None, r.valid_from))
        basis = record.gross_sales - record.discounts
        return round(basis * rate.rate_bps / 10_000) + rate.fixed_fee

    def _order_row(self, record: OrderRecord, place: _Place, synced_at: datetime) -> dict:
        local = record.created_at.astimezone(place.timezone)
        commission = self._commission(record, place, local.date())
        return {
            "source": record.source,
            "source_order_id": record.source_order_id,
            "location_id": place.location_id,
            "display_id": record.display_id,
            "channel": record.channel,
            "platform": record.platform,
            "order_type": record.order_type,
            "status": record.status,
            "raw_status": record.raw_status,
            "created_at": record.created_at,
            "closed_at": record.closed_at,
            "canceled_at": record.canceled_at,
            "source_updated_at": record.source_updated_at,
            "business_date": local.date(),
            "local_hour": local.hour,
            "currency": record.currency or place.currency,
            "gross_sales": record.gross_sales,
            "discounts": record.discounts,
            "net_sales": record.net_sales,
            "tax": record.tax,
            "tips": record.tips,
            "service_charge": record.service_charge,
            "delivery_fee": record.delivery_fee,
            "other_fees": record.other_fees,
            "total_collected": record.total_collected,
            "prices_include_tax": record.prices_include_tax,
            "commission": commission,
            "commission_is_estimated": commission is not None and record.platform is not None,
            "pickup_at": record.pickup_at,
            "delivery_at": record.delivery_at,
            "pos_order_id": record.pos_order_id,
            "injected_by": record.injected_by,
            "payload_hash": record.payload_hash,
            "synced_at": synced_at,
        }

    def _insert_orders(self, conn, new, synced_at) -> list[int]:
        if not new:
            return []
        rows = [self._order_row(record, place, synced_at) for record, place in new]
        return _insert_returning_ids(conn, ORDERS, rows)

    def _update_orders(self, conn, changed, synced_at) -> None:
        if not changed:
            return
        rows = []
        for order_id, record, place in changed:
            row = self._order_row(record, place, synced_at)
            row["b_id"] = order_id
            rows.append(row)
        values = {name: bindparam(name) for name in rows[0] if name != "b_id"}
        conn.execute(update(ORDERS).where(ORDERS.c.id == bindparam("b_id")).values(values), rows)

    def _replace_children(self, conn, written, changed_ids: list[int]) -> None:
        if changed_ids:
            line_ids = select(LINES.c.id).where(LINES.c.order_id.in_(changed_ids))
            conn.execute(delete(MODIFIERS).where(MODIFIERS.c.line_item_id.in_(line_ids)))
            for table in (LINES, DISCOUNTS, PAYMENTS, REFUNDS):
                conn.execute(delete(table).where(table.c.order_id.in_(changed_ids)))
        line_rows, modifier_groups = [], []
        discount_rows, payment_rows, refund_rows = [], [], []
        for order_id, record, place in written:
            for line in record.line_items:
                menu = (
                    self._menu_by_variation.get(line.catalog_id or "")
                    or self._menu_by_sku.get(line.sku or "")
                    or (None, None)
                )
                line_rows.append(
                    {
                        "order_id": order_id,
                        "line_no": line.line_no,
                        "menu_item_id": menu[0],
                        "item_name": line.item_name,
                        "variation_name": line.variation_name,
                        "category": menu[1],
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "modifiers_total": line.modifiers_total,
                        "gross_sales": line.gross_sales,
                        "discounts": line.discounts,
                        "net_sales": line.net_sales,
                        "tax": line.tax,
                    }
                )
                modifier_groups.append(line.modifiers)
            discount_rows += [
                {"order_id": order_id, **_fields(d, "name", "kind", "scope", "provider", "amount")}
                for d in record.discount_lines
            ]
            payment_rows += [
                {
                    "order_id": order_id,
                    **_fields(
                        p,
                        "source_payment_id",
                        "method",
                        "card_brand",
                        "amount",
                        "tip",
                        "processing_fee",
                        "status",
                        "created_at",
                    ),
                }
                for p in record.payments
            ]
            refund_rows += [
                {
                    "order_id": order_id,
                    "business_date": r.created_at.astimezone(place.timezone).date(),
                    **_fields(
                        r,
                        "source_refund_id",
                        "source_payment_id",
                        "amount",
                        "reason",
                        "status",
                        "created_at",
                    ),
                }
                for r in record.refunds
            ]
        if line_rows:
            line_ids = _insert_returning_ids(conn, LINES, line_rows)
            modifier_rows = [
                {
                    "line_item_id": line_id,
                    **_fields(m, "name", "sku", "quantity", "unit_price", "total_price"),
                }
                for line_id, group in zip(line_ids, modifier_groups, strict=True)
                for m in group
            ]
            if modifier_rows:
                conn.execute(insert(MODIFIERS), modifier_rows)
        for table, rows in (
            (DISCOUNTS, discount_rows),
            (PAYMENTS, payment_rows),
            (REFUNDS, refund_rows),
        ):
            if rows:
                conn.execute(insert(table), rows)

    def _link_pos_copies(self, conn, written) -> None:
        """Mark POS copies of aggregator orders as duplicates, whichever side arrived first."""
        links = [
            {"b_dup": order_id, "b_pos": record.pos_order_id}
            for order_id, record, _ in written
            if record.pos_order_id
        ]
        if links:
            conn.execute(
                update(ORDERS)
                .where(
                    ORDERS.c.source == POS_SOURCE,
                    ORDERS.c.source_order_id == bindparam("b_pos"),
                )
                .values(duplicate_of_id=bindparam("b_dup")),
                links,
            )
        copies = [order_id for order_id, record, _ in written if record.source == POS_SOURCE]
        if copies:
            aggregator = ORDERS.alias("aggregator")
            conn.execute(
                update(ORDERS)
                .where(ORDERS.c.id.in_(copies))
                .values(
                    duplicate_of_id=select(aggregator.c.id)
                    .where(
                        aggregator.c.source == "deliverect",
                        aggregator.c.pos_order_id == ORDERS.c.source_order_id,
                    )
                    .limit(1)
                    .scalar_subquery()
                )
            )


# The advisory lock key that serializes the transactions that can link a POS copy to its aggregator order.
LINKING_LOCK_KEY = "opsbot:link-pos-copies"


def _may_link(record: OrderRecord) -> bool:
    """Whether writing ``record`` can make or need a POS-copy link: a POS order, or an order naming one."""
    return record.source == POS_SOURCE or bool(record.pos_order_id)


def _serialize_linking(conn: Connection) -> None:
    """On PostgreSQL, wait until no other transaction that can link POS copies is in flight.

    Without it, a webhook storing a Deliverect order and a Square sync storing its POS copy at the same moment
    each look for the other before either has committed; both commit unlinked and the sale counts twice. Taken
    as the transaction's first statement (so a transaction holding it never waits for one that wants it) and
    released at commit or rollback, it makes the second one's link statements see the first one's rows.
    SQLite already runs one writing transaction at a time."""
    if conn.dialect.name == "postgresql":
        lock = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
        conn.execute(lock, {"key": LINKING_LOCK_KEY})


def _insert_returning_ids(conn: Connection, table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` and return their new ids, in order.

    SQLite returns them from one multi-row INSERT … RETURNING. On PostgreSQL the ids are drawn from the
    table's sequence first and the rows inserted with a plain executemany, which psycopg pipelines; its
    INSERT … RETURNING path re-parses every huge multi-row statement and is several times slower.
    """
    if conn.dialect.name != "postgresql":
        result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return [row.id for row in result]
    ids = list(
        conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": len(rows)},
        ).scalars()
    )
    conn.execute(insert(table), [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
    return ids


def _local_day(record: OrderRecord, place: _Place) -> date:
    """The order's business date: its creation day in the location's timezone."""
    return record.created_at.astimezone(place.timezone).date()


@dataclass(frozen=True)
class _CommissionProbe:
    """The fields of an order that its commission estimate depends on."""

    platform: str
    status: str
    gross_sales: int
    discounts: int


def _fields(obj, *names: str) -> dict:
    return {name: getattr(obj, name) for name in names}


def _older(record: OrderRecord, other: OrderRecord) -> bool:
    return _older_than(record, other.source_updated_at)


def _older_than(record: OrderRecord, stored: datetime | None) -> bool:
    """True when the record is a stale version of what is stored (a late re-delivery)."""
    return bool(stored and record.source_updated_at and record.source_updated_at < stored)
