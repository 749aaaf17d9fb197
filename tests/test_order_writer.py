"""The store writer: business dates, idempotent upserts, cancellations, POS copies, atomic batches."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from tests.payloads import (
    DELIVERECT_IDS,
    LA_SQUARE,
    NY_DELIVERECT,
    NY_SQUARE,
    TEST_LOCATIONS,
    deliverect_order,
    square_order,
)
from tools.sources.deliverect import parser as deliverect_parser
from tools.sources.square import parser as square_parser
from tools.store.models import Order, OrderLineItem, OrderLineModifier, Payment, Refund
from tools.sync.orders import writer as order_writer
from tools.sync.orders.writer import OrderWriter
from tools.sync.reference_writer import parse_commission_rates, replace_commission_rates, upsert_locations


@pytest.fixture
def store(engine):
    upsert_locations(engine, TEST_LOCATIONS, DELIVERECT_IDS)
    replace_commission_rates(
        engine, parse_commission_rates([{"platform": "uber_eats", "rate_percent": "30"}], "rates")
    )
    return engine


def write(engine, *payloads):
    records = [
        ("test", square_parser.parse_order(p) if "location_id" in p else deliverect_parser.parse_order(p))
        for p in payloads
    ]
    return OrderWriter(engine, now=datetime(2026, 11, 24, tzinfo=UTC)).write_batch(records)


def orders(engine):
    with engine.connect() as conn:
        return {row.source_order_id: row for row in conn.execute(select(Order.__table__))}


def count(engine, table):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


@pytest.mark.parametrize(
    ("created_at", "location", "business_date", "local_hour"),
    [
        # 23:59 EDT on Saturday 31 October, the night before the clocks go back.
        ("2026-11-01T03:59:00Z", NY_SQUARE, date(2026, 10, 31), 23),
        ("2026-11-01T04:00:00Z", NY_SQUARE, date(2026, 11, 1), 0),
        # After the change New York is UTC-5: 04:59 UTC is still 23:59 on the 1st.
        ("2026-11-02T04:59:00Z", NY_SQUARE, date(2026, 11, 1), 23),
        # Los Angeles (UTC-8 in November): a 21:30 dinner is already the next day in UTC.
        ("2026-11-03T05:30:00Z", LA_SQUARE, date(2026, 11, 2), 21),
        ("2026-11-03T08:00:00Z", LA_SQUARE, date(2026, 11, 3), 0),
    ],
)
def test_business_date_is_the_local_day_in_the_location_timezone(
    store, created_at, location, business_date, local_hour
):
    write(store, square_order("O1", created_at, location=location))
    row = orders(store)["O1"]
    assert (row.business_date, row.local_hour) == (business_date, local_hour)
    assert row.created_at == datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    assert row.created_at.tzinfo is not None


def test_writing_the_same_payload_twice_changes_nothing(store):
    first = write(store, square_order("O1", "2026-10-01T16:00:00Z", lines=[("A", 2, 500), ("B", 1, 300)]))
    second = write(store, square_order("O1", "2026-10-01T16:00:00Z", lines=[("A", 2, 500), ("B", 1, 300)]))
    assert (first.inserted, second.inserted, second.updated, second.unchanged) == (1, 0, 0, 1)
    assert count(store, OrderLineItem) == 2
    assert count(store, Payment) == 1


def test_an_updated_order_replaces_its_child_rows(store):
    write(store, square_order("O1", "2026-10-01T16:00:00Z", lines=[("A", 2, 500), ("B", 1, 300)]))
    refund = {
        "id": "R1",
        "amount_money": {"amount": 550, "currency": "USD"},
        "reason": "Cold",
        "status": "APPROVED",
        "created_at": "2026-10-02T03:30:00Z",
        "tender_id": "O1-T",
    }
    counts = write(
        store,
        square_order(
            "O1",
            "2026-10-01T16:00:00Z",
            lines=[("A", 1, 500)],
            updated_at="2026-10-02T03:30:00Z",
            refunds=[refund],
        ),
    )
    assert (counts.inserted, counts.updated) == (0, 1)
    row = orders(store)["O1"]
    assert (row.gross_sales, row.tax, row.total_collected) == (500, 50, 550)
    assert count(store, OrderLineItem) == 1
    with store.connect() as conn:
        refunds = conn.execute(select(Refund.amount, Refund.reason, Refund.business_date)).all()
    # The refund happened at 23:30 on 1 October in New York: its own business day.
    assert refunds == [(550, "Cold", date(2026, 10, 1))]


def test_a_cancellation_updates_the_same_order_and_a_late_redelivery_does_not_undo_it(store):
    placed = deliverect_order("D1", "2026-10-01T23:00:00Z", tax=50)
    canceled = deliverect_order(
        "D1", "2026-10-01T23:00:00Z", tax=50, status=100, updated_at="2026-10-01T23:10:00Z"
    )
    assert write(store, placed).inserted == 1
    row = orders(store)["D1"]
    assert (row.status, row.commission, row.commission_is_estimated) == ("completed", 150, True)
    assert write(store, canceled).updated == 1
    assert write(store, placed).unchanged == 1  # the older version arrives again, late
    row = orders(store)["D1"]
    assert (row.status, row.raw_status, row.commission) == ("canceled", "100 CANCEL", 0)
    assert row.canceled_at == datetime(2026, 10, 1, 23, 10, tzinfo=UTC)
    assert count(store, Order) == 1


def test_an_order_and_its_cancellation_in_one_batch_store_the_cancellation(store):
    counts = write(
        store,
        deliverect_order("D1", "2026-10-01T23:00:00Z"),
        deliverect_order("D1", "2026-10-01T23:00:00Z", status=110, updated_at="2026-10-01T23:05:00Z"),
    )
    assert (counts.inserted, counts.updated) == (1, 1)
    assert orders(store)["D1"].status == "canceled"


@pytest.mark.parametrize("deliverect_first", [True, False])
def test_an_order_injected_into_the_pos_is_counted_once(store, deliverect_first):
    platform_order = deliverect_order("D1", "2026-10-01T23:00:00Z", pos_location=NY_SQUARE, pos_id="SQ1")
    pos_copy = square_order("SQ1", "2026-10-01T23:00:02Z", source="Deliverect")
    other = square_order("SQ2", "2026-10-01T23:30:00Z")
    for payload in ([platform_order, pos_copy] if deliverect_first else [pos_copy, platform_order]) + [other]:
        write(store, payload)
    rows = orders(store)
    assert rows["SQ1"].duplicate_of_id == rows["D1"].id
    assert rows["D1"].duplicate_of_id is None and rows["SQ2"].duplicate_of_id is None
    with store.connect() as conn:
        counted = conn.scalar(select(func.count()).where(Order.duplicate_of_id.is_(None)))
    assert counted == 2
    # Re-syncing either side keeps the link.
    write(store, pos_copy, platform_order)
    assert orders(store)["SQ1"].duplicate_of_id == rows["D1"].id


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)  # SQLite has one writer at a time
@pytest.mark.parametrize("deliverect_first", [True, False])
def test_both_halves_of_an_injected_order_written_at_the_same_instant_are_still_linked(
    store, deliverect_first, monkeypatch
):
    """A webhook and a Square sync in two processes: the first writer is held inside its transaction, after
    its link statements, while the second writes the other half. Unserialized, each would look for the other
    before either committed, and the sale would count twice."""
    platform_order = deliverect_order("D1", "2026-10-01T23:00:00Z", pos_location=NY_SQUARE, pos_id="SQ1")
    pos_copy = square_order("SQ1", "2026-10-01T23:00:02Z", source="Deliverect")
    first, second = (platform_order, pos_copy) if deliverect_first else (pos_copy, platform_order)
    held, release = threading.Event(), threading.Event()
    refresh = order_writer.rollups.refresh

    def hold_the_first_writer(conn, touched):
        refresh(conn, touched)
        if threading.current_thread().name == "first":
            held.set()
            assert release.wait(30)

    monkeypatch.setattr(order_writer.rollups, "refresh", hold_the_first_writer)
    writers = {
        name: threading.Thread(target=write, args=(store, payload), name=name)
        for name, payload in (("first", first), ("second", second))
    }
    writers["first"].start()
    assert held.wait(30)
    writers["second"].start()

    def second_done_or_waiting() -> bool:
        with store.connect() as conn:
            waiting = conn.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            )
        return not writers["second"].is_alive() or waiting > 0

    deadline = time.monotonic() + 30
    while not second_done_or_waiting():
        assert time.monotonic() < deadline, "the second writer neither finished nor waited"
        time.sleep(0.01)
    release.set()
    for writer in writers.values():
        writer.join(30)
    rows = orders(store)
    assert set(rows) == {"D1", "SQ1"}
    assert rows["SQ1"].duplicate_of_id == rows["D1"].id


def test_deliverect_orders_find_their_location_by_pos_or_deliverect_id(store):
    write(
        store,
        deliverect_order("D1", "2026-10-01T23:00:00Z", location=NY_DELIVERECT),
        deliverect_order("D2", "2026-10-01T23:00:00Z", location="unknown", pos_location=LA_SQUARE),
    )
    rows = orders(store)
    assert rows["D1"].location_id != rows["D2"].location_id
    assert rows["D2"].business_date == date(2026, 10, 1)  # 16:00 in Los Angeles


def test_an_order_for_an_unknown_location_is_reported_and_not_stored(store):
    counts = write(
        store,
        square_order("O1", "2026-10-01T16:00:00Z", location="LNOWHERE"),
        square_order("O2", "2026-10-01T16:00:00Z"),
    )
    assert counts.inserted == 1
    (error,) = counts.errors
    assert str(error) == (
        f"test: square order O1 is for unknown Square location 'LNOWHERE' (known: {LA_SQUARE}, {NY_SQUARE})"
    )
    assert set(orders(store)) == {"O2"}


def test_a_failing_batch_leaves_nothing_half_written(store, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrderWriter, "_link_pos_copies", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        write(store, square_order("O1", "2026-10-01T16:00:00Z", lines=[("A", 1, 100)]))
    assert count(store, Order) == 0
    assert count(store, OrderLineItem) == 0
    assert count(store, Payment) == 0


def test_modifiers_are_child_rows_of_their_line(store):
    items = [
        {
            "plu": "B",
            "name": "Burger",
            "price": 1000,
            "quantity": 2,
            "subItems": [{"plu": "C", "name": "Cheese", "price": 100, "quantity": 1}],
        }
    ]
    write(store, deliverect_order("D1", "2026-10-01T23:00:00Z", items=items))
    with store.connect() as conn:
        rows = conn.execute(
            select(
                OrderLineItem.item_name,
                OrderLineItem.gross_sales,
                OrderLineModifier.name,
                OrderLineModifier.total_price,
            ).join(OrderLineModifier, OrderLineModifier.line_item_id == OrderLineItem.id)
        ).all()
    assert rows == [("Burger", 2200, "Cheese", 200)]


def test_rollups_follow_cancellations_and_pos_copies(store):
    from tools.store.models import DailySales

    def daily(engine):
        with engine.connect() as conn:
            return conn.execute(
                select(
                    DailySales.business_date,
                    DailySales.channel,
                    DailySales.platform,
                    DailySales.orders,
                    DailySales.net_sales,
                    DailySales.items_sold,
                ).order_by(DailySales.channel)
            ).all()

    write(store, square_order("SQ1", "2026-10-01T23:00:02Z", source="Deliverect", lines=[("Fries", 2, 500)]))
    assert daily(store) == [(date(2026, 10, 1), "delivery", "", 1, 1000, 2.0)]
    write(store, deliverect_order("D1", "2026-10-01T23:00:00Z", pos_location=NY_SQUARE, pos_id="SQ1"))
    assert daily(store) == [(date(2026, 10, 1), "delivery", "uber_eats", 1, 500, 1.0)]
    write(
        store,
        deliverect_order(
            "D1",
            "2026-10-01T23:00:00Z",
            pos_location=NY_SQUARE,
            pos_id="SQ1",
            status=100,
            updated_at="2026-10-01T23:09:00Z",
        ),
    )
    assert daily(store) == [(date(2026, 10, 1), "delivery", "uber_eats", 0, 0, 0.0)]  # one canceled order
