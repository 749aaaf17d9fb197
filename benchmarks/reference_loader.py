"""The sync benchmark's two references, written by hand and sharing nothing with the order writer:

- ``parse_only``: the same fixture pages read and parsed by the same parsers (Square's and Deliverect's
  ``parse_order``, test orders left out as the ingest does), nothing stored;
- ``load_minimal``: the same pages parsed the same way, each order's newest version kept, and the same rows
  inserted with plain ``executemany`` on the raw SQLite connection (ids counted by hand, POS copies linked
  and commissions estimated in Python), the rollups built once at the end by ``rollups.refresh_all``.

The order writer must produce exactly the store ``load_minimal`` produces (``store_rows`` compares them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, inspect, select, text

from tools.currencies import LocationCurrencies
from tools.sources.deliverect.parser import parse_order as parse_deliverect
from tools.sources.deliverect.schema import is_test_order
from tools.sources.fixtures.folder import FixtureSource
from tools.sources.records import OrderRecord, PayloadError
from tools.sources.square.parser import parse_order as parse_square
from tools.store import rollups
from tools.store.models import Base, Location, MenuItem
from tools.sync.orders.commissions import CommissionRates
from tools.sync.reference_writer import replace_commission_rates, set_meta, upsert_locations, upsert_menu


@dataclass
class Timing:
    """How many orders a reference handled and how long each of its parts took."""

    orders: int = 0
    parse_seconds: float = 0.0
    insert_seconds: float = 0.0
    rollup_seconds: float = 0.0
    cpu_seconds: float = 0.0  # the process's CPU time over the whole of it

    @property
    def seconds(self) -> float:
        return self.parse_seconds + self.insert_seconds + self.rollup_seconds


def currencies_of(engine: Engine) -> LocationCurrencies:
    """The stored locations' currencies, as the Deliverect parser needs them."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Location.square_location_id, Location.deliverect_location_id, Location.currency)
        ).all()
    return LocationCurrencies(
        by_square_location={r.square_location_id: r.currency for r in rows if r.square_location_id},
        by_deliverect_location={
            r.deliverect_location_id: r.currency for r in rows if r.deliverect_location_id
        },
    )


def parsed_records(folder: Path, currencies: LocationCurrencies) -> Iterator[OrderRecord]:
    """Every order of the folder's pages, parsed, in arrival order (Square first, then Deliverect)."""
    source = FixtureSource(folder)
    for _, order in source.square_order_payloads():
        if not isinstance(order, PayloadError):
            yield parse_square(order)
    for _, body in source.deliverect_order_payloads():
        if not isinstance(body, PayloadError) and not is_test_order(body):
            yield parse_deliverect(body, currencies)


def parse_only(folder: Path, currencies: LocationCurrencies) -> Timing:
    """Read and parse every page; store nothing."""
    started, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in parsed_records(folder, currencies))
    return Timing(
        orders=count, parse_seconds=time.perf_counter() - started, cpu_seconds=time.process_time() - cpu
    )


def load_reference_data(engine: Engine, folder: Path) -> None:
    """Locations, menu, commission rates and store facts, as the fixtures sync writes them (not timed)."""
    source = FixtureSource(folder)
    upsert_locations(engine, source.locations(), {v: k for k, v in source.deliverect_locations.items()})
    upsert_menu(engine, source.menu())
    replace_commission_rates(engine, source.commission_rates())
    set_meta(
        engine,
        {
            "business_name": str(source.business.get("business_name", "")),
            "business_description": str(source.business.get("description", "")),
            "data_source": f"fixtures:{Path(folder).name}",
            "demo_shift_days": "0",
        },
    )


def _stamp(moment: datetime | None) -> str | None:
    """A UTC datetime as SQLAlchemy stores it in SQLite."""
    return None if moment is None else moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def _day(day: date) -> str:
    return day.isoformat()


def load_minimal(engine: Engine, folder: Path, synced_at: datetime) -> Timing:
    """Parse the folder's orders and insert them into a SQLite store that holds its reference data."""
    timing = Timing()
    cpu = time.process_time()
    started = time.perf_counter()
    newest: dict[tuple[str, str], OrderRecord] = {}
    for record in parsed_records(folder, currencies_of(engine)):
        key = (record.source, record.source_order_id)
        previous = newest.get(key)
        if previous is None or not (
            record.source_updated_at
            and previous.source_updated_at
            and record.source_updated_at < previous.source_updated_at
        ):
            newest[key] = record
    timing.orders = len(newest)
    timing.parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with engine.begin() as conn:
        places: dict[str, tuple[int, ZoneInfo, str]] = {}
        for loc in conn.execute(select(Location.__table__)):
            place = (loc.id, ZoneInfo(loc.timezone), loc.currency)
            places[f"s:{loc.square_location_id}"] = place
            if loc.deliverect_location_id:
                places[f"d:{loc.deliverect_location_id}"] = place
        by_variation: dict[str, tuple[int, str | None]] = {}
        by_sku: dict[str, tuple[int, str | None]] = {}
        for item in conn.execute(select(MenuItem.__table__)):
            if item.square_variation_id:
                by_variation[item.square_variation_id] = (item.id, item.category)
            if item.sku:
                by_sku.setdefault(item.sku, (item.id, item.category))
        rates = CommissionRates(conn)
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()

        def next_id(table: str) -> int:
            return int(cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]) + 1

        order_id, line_id = next_id("orders"), next_id("order_line_items")
        ids: dict[tuple[str, str], int] = {}
        aggregator_of_pos: dict[str, int] = {}
        orders: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        modifiers: list[tuple[Any, ...]] = []
        discounts: list[tuple[Any, ...]] = []
        payments: list[tuple[Any, ...]] = []
        refunds: list[tuple[Any, ...]] = []
        placed: list[tuple[int, OrderRecord, tuple[int, ZoneInfo, str]]] = []
        copies: list[tuple[int, int]] = []  # (aggregator order id, POS copy id)
        for key, record in newest.items():
            place = places.get(f"s:{record.square_location_id}") or places.get(
                f"d:{record.deliverect_location_id}"
            )
            if place is None:
                continue
            ids[key] = order_id
            placed.append((order_id, record, place))
            if record.source == "deliverect" and record.pos_order_id:
                aggregator_of_pos.setdefault(record.pos_order_id, order_id)
            order_id += 1
        for oid, record, (location_id, tz, currency) in placed:
            local = record.created_at.astimezone(tz)
            commission = rates.estimate(record, location_id, local.date())
            if record.source == "square" and record.source_order_id in aggregator_of_pos:
                copies.append((aggregator_of_pos[record.source_order_id], oid))
            orders.append(
                (
                    oid, record.source, record.source_order_id, location_id, record.display_id,
                    record.channel, record.platform, record.order_type, record.status, record.raw_status,
                    _stamp(record.created_at), _stamp(record.closed_at), _stamp(record.canceled_at),
                    _stamp(record.source_updated_at), _day(local.date()), local.hour,
                    record.currency or currency, record.gross_sales, record.discounts, record.net_sales,
                    record.tax, record.tips, record.courier_tips, record.service_charge,
                    record.delivery_fee, record.other_fees, record.total_collected,
                    int(record.prices_include_tax), commission,
                    int(commission is not None and record.platform is not None),
                    _stamp(record.pickup_at), _stamp(record.delivery_at), record.pos_order_id,
                    record.injected_by, None, record.payload_hash, _stamp(synced_at),
                )
            )  # fmt: skip
            for line in record.line_items:
                item = by_variation.get(line.catalog_id or "") or by_sku.get(line.sku or "") or (None, None)
                lines.append(
                    (
                        line_id, oid, line.line_no, item[0], line.item_name, line.variation_name, item[1],
                        line.sku, line.quantity, line.unit_price, line.modifiers_total, line.gross_sales,
                        line.discounts, line.net_sales, line.tax,
                    )
                )  # fmt: skip
                modifiers += [
                    (line_id, m.name, m.sku, m.quantity, m.unit_price, m.total_price) for m in line.modifiers
                ]
                line_id += 1
            discounts += [(oid, d.name, d.kind, d.scope, d.provider, d.amount) for d in record.discount_lines]
            payments += [
                (
                    oid, p.source_payment_id, p.method, p.card_brand, p.amount, p.tip, p.processing_fee,
                    p.status, _stamp(p.created_at),
                )
                for p in record.payments
            ]  # fmt: skip
            refunds += [
                (
                    oid, r.source_refund_id, r.source_payment_id, r.amount, r.reason, r.status,
                    _stamp(r.created_at), _day(r.created_at.astimezone(tz).date()),
                )
                for r in record.refunds
            ]  # fmt: skip
        for table, columns, rows in (
            ("orders", _ORDER_COLUMNS, orders),
            ("order_line_items", _LINE_COLUMNS, lines),
            ("order_line_modifiers", "line_item_id, name, sku, quantity, unit_price, total_price", modifiers),
            ("order_discounts", "order_id, name, kind, scope, provider, amount", discounts),
            ("payments", _PAYMENT_COLUMNS, payments),
            ("refunds", _REFUND_COLUMNS, refunds),
        ):
            marks = ", ".join("?" * len(columns.split(",")))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        # Linked after the insert: a POS copy may name an aggregator order inserted after it.
        cursor.executemany("UPDATE orders SET duplicate_of_id = ? WHERE id = ?", copies)
        timing.insert_seconds = time.perf_counter() - started
        started = time.perf_counter()
        rollups.refresh_all(conn)
        timing.rollup_seconds = time.perf_counter() - started
    timing.cpu_seconds = time.process_time() - cpu
    return timing


_ORDER_COLUMNS = (
    "id, source, source_order_id, location_id, display_id, channel, platform, order_type, status, "
    "raw_status, created_at, closed_at, canceled_at, source_updated_at, business_date, local_hour, currency, "
    "gross_sales, discounts, net_sales, tax, tips, courier_tips, service_charge, delivery_fee, other_fees, "
    "total_collected, prices_include_tax, commission, commission_is_estimated, pickup_at, delivery_at, "
    "pos_order_id, injected_by, duplicate_of_id, payload_hash, synced_at"
)
_LINE_COLUMNS = (
    "id, order_id, line_no, menu_item_id, item_name, variation_name, category, sku, quantity, unit_price, "
    "modifiers_total, gross_sales, discounts, net_sales, tax"
)
_PAYMENT_COLUMNS = (
    "order_id, source_payment_id, method, card_brand, amount, tip, processing_fee, status, created_at"
)
_REFUND_COLUMNS = (
    "order_id, source_refund_id, source_payment_id, amount, reason, status, created_at, business_date"
)

# Rows of these tables are named by their order (and line number), not their own ids: a rewritten order's
# children are inserted anew by the writer, so their ids legitimately differ from a one-pass load's.
_CHILD_KEYS = {
    "order_line_items": "order_id",
    "order_discounts": "order_id",
    "payments": "order_id",
    "refunds": "order_id",
}
# Volatile by nature: when each sync ran.
_SKIPPED_TABLES = {"sync_runs", "alembic_version"}


def store_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every core table's rows (plugins' tables aside), sorted, in a form two loads of the same data must
    agree on: child rows named by their order's (source, source_order_id) and line number instead of their
    own ids, rollup rows without their ids."""
    names = sorted((set(inspect(engine).get_table_names()) & set(Base.metadata.tables)) - _SKIPPED_TABLES)
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in names:
            columns = [c["name"] for c in inspect(engine).get_columns(name)]
            if name == "order_line_modifiers":
                query = (
                    "SELECT o.source, o.source_order_id, l.line_no, m.name, m.sku, m.quantity, "
                    "m.unit_price, m.total_price FROM order_line_modifiers m "
                    "JOIN order_line_items l ON l.id = m.line_item_id JOIN orders o ON o.id = l.order_id"
                )
            elif name in _CHILD_KEYS:
                kept = ", ".join(f"t.{c}" for c in columns if c not in ("id", "order_id"))
                query = (
                    f"SELECT o.source, o.source_order_id, {kept} FROM {name} t "
                    "JOIN orders o ON o.id = t.order_id"
                )
            elif name == "orders" or "id" not in columns or not _is_rollup(name):
                query = f"SELECT * FROM {name}"
            else:
                query = f"SELECT {', '.join(c for c in columns if c != 'id')} FROM {name}"
            found[name] = sorted(
                (tuple(row) for row in conn.execute(text(query))), key=lambda row: tuple(map(_sortable, row))
            )
    return found


def _is_rollup(name: str) -> bool:
    return name in {table.name for table in rollups.ROLLUP_TABLES}


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, str(value))
