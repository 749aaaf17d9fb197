"""The rollups of migration 0014. The refunds rollup (daily_refunds): exact against the raw payloads on the
demo store (SQLite and PostgreSQL); kept in step by the writer when an order gains a refund, its refund moves
to another day or stops counting, or the order turns out to be a POS copy; equal to a rebuild from the stored
orders. Hourly payments: exact against the stored payments, and what payment methods within some hours read.
The all-locations rollups: their per-location rollups summed, after the demo's sync, after a rewrite and
after a rebuild (the tools' answers from them are checked against the raw payloads in test_metrics_v2)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_FIXTURES
from tests.fixture_facts import facts_from_fixtures
from tests.fixture_oracle import dollars
from tests.payloads import (
    DELIVERECT_IDS,
    LA_SQUARE,
    NY_SQUARE,
    TEST_LOCATIONS,
    deliverect_order,
    square_order,
)
from tests.test_order_writer import write
from tools.store.models import DailySales, HourlyPayments, Location, Order, Payment, StoreMeta
from tools.store.rollups import ensure_current, refresh_all
from tools.store.rollups_all_locations import SOURCES
from tools.store.rollups_refunds import DAILY_REFUNDS
from tools.sync.reference_writer import upsert_locations

PLACED = "2026-10-01T16:00:00Z"


@pytest.fixture
def store(engine):
    upsert_locations(engine, TEST_LOCATIONS, DELIVERECT_IDS)
    return engine


def rollup_rows(conn) -> Counter:
    """(location name, refund day, local hour, channel, platform, reason, count|amount) → sum."""
    names = dict(conn.execute(select(Location.id, Location.name)).all())
    sums: Counter = Counter()
    for row in conn.execute(select(DAILY_REFUNDS)):
        key = (
            names[row.location_id],
            row.business_date,
            row.local_hour,
            row.channel,
            row.platform,
            row.reason,
        )
        sums[(*key, "count")] += row.refunds
        sums[(*key, "amount")] += row.amount
    return sums


def stored(engine) -> Counter:
    with engine.connect() as conn:
        return rollup_rows(conn)


def test_the_refunds_rollup_is_exact_against_the_raw_payloads(demo_store):
    engine, _ = demo_store
    expected: Counter = Counter()
    for refund in facts_from_fixtures(DEMO_FIXTURES).refunds:
        key = (
            refund.location,
            refund.business_date,
            refund.local_hour,
            refund.channel,
            refund.platform or "",
        )
        expected[(*key, refund.reason or "", "count")] += 1
        expected[(*key, refund.reason or "", "amount")] += refund.amount
    assert expected  # the demo has refunds
    assert stored(engine) == expected


def test_a_rebuild_from_the_stored_orders_gives_the_same_rollup(demo_store):
    engine, _ = demo_store
    with engine.connect() as conn:
        kept = rollup_rows(conn)
        refresh_all(conn)
        rebuilt = rollup_rows(conn)
        conn.rollback()
    assert rebuilt == kept


def _refund(created_at: str, status: str = "APPROVED", order_id: str = "O1") -> dict:
    return {
        "id": f"{order_id}-R",
        "amount_money": {"amount": 550, "currency": "USD"},
        "reason": "Cold",
        "status": status,
        "created_at": created_at,
        "tender_id": f"{order_id}-T",
    }


def _one(day: date, hour: int, channel: str = "in_store") -> Counter:
    key = ("Test NY", day, hour, channel, "", "Cold")
    return Counter({(*key, "count"): 1, (*key, "amount"): 550})


def _version(updated_at: str, refund: dict | None) -> dict:
    return square_order(
        "O1", PLACED, lines=[("A", 2, 500)], updated_at=updated_at, refunds=[refund] if refund else None
    )


def test_the_writer_keeps_the_refunds_rollup_in_step(store):
    write(store, _version(PLACED, None))
    assert stored(store) == Counter()
    # Given at 23:30 New York time on 1 October: that day and hour.
    write(store, _version("2026-10-02T03:30:00Z", _refund("2026-10-02T03:30:00Z")))
    assert stored(store) == _one(date(2026, 10, 1), 23)
    # A later version has it given the next morning: the rollup moves with it.
    write(store, _version("2026-10-02T14:00:00Z", _refund("2026-10-02T14:00:00Z")))
    assert stored(store) == _one(date(2026, 10, 2), 10)
    # Still pending in the newest version: it does not count.
    write(store, _version("2026-10-02T15:00:00Z", _refund("2026-10-02T14:00:00Z", status="PENDING")))
    assert stored(store) == Counter()


def test_a_pos_copy_s_refunds_stop_counting_once_the_aggregator_order_names_it(store):
    copy = square_order(
        "SQ1",
        "2026-10-01T23:00:02Z",
        source="Deliverect",
        refunds=[_refund("2026-10-02T01:00:00Z", order_id="SQ1")],
    )
    write(store, copy)
    assert stored(store) == _one(date(2026, 10, 1), 21, channel="delivery")
    write(store, deliverect_order("D1", "2026-10-01T23:00:00Z", pos_location=NY_SQUARE, pos_id="SQ1"))
    assert stored(store) == Counter()


def test_a_store_built_before_the_refunds_rollup_gets_only_that_one_built(store):
    write(store, _version("2026-10-02T03:30:00Z", _refund("2026-10-02T03:30:00Z")))
    ensure_current(store)
    with store.begin() as conn:  # as a store from before: no refunds rollup, the day rollups' version only
        conn.execute(DAILY_REFUNDS.delete())
        conn.execute(StoreMeta.__table__.update().where(StoreMeta.key == "rollups_version").values(value="6"))
        conn.execute(DailySales.__table__.update().values(orders=99))  # a mark: not rebuilt
    assert ensure_current(store) is True
    assert stored(store) == _one(date(2026, 10, 1), 23)
    with store.connect() as conn:
        assert conn.scalar(select(DailySales.orders)) == 99
    assert ensure_current(store) is False


# --- Hourly payments ----------------------------------------------------------------------------------------


def _payments_by_hour(conn) -> dict:
    """(location, day, hour, channel, platform, method) → (payments, amount, tips) from the stored payments
    of counted orders."""
    orders, payments = Order.__table__, Payment.__table__
    keys = (
        orders.c.location_id,
        orders.c.business_date,
        orders.c.local_hour,
        orders.c.channel,
        func.coalesce(orders.c.platform, ""),
        payments.c.method,
    )
    rows = conn.execute(
        select(*keys, func.count(), func.sum(payments.c.amount), func.sum(payments.c.tip))
        .select_from(payments.join(orders, orders.c.id == payments.c.order_id))
        .where(orders.c.status == "completed", orders.c.duplicate_of_id.is_(None))
        .group_by(*keys)
    ).all()
    return {tuple(row[:6]): tuple(int(v) for v in row[6:]) for row in rows}


def test_hourly_payments_are_the_stored_payments_by_hour(demo_store):
    engine, _ = demo_store
    table = HourlyPayments.__table__
    with engine.connect() as conn:
        expected = _payments_by_hour(conn)
        stored = {
            (r.location_id, r.business_date, r.local_hour, r.channel, r.platform, r.method): (
                r.payments,
                r.amount,
                r.tips,
            )
            for r in conn.execute(select(table))
        }
    assert len(expected) > 100
    assert stored == expected


def test_payment_methods_within_some_hours(call, demo_store):
    engine, _ = demo_store
    with engine.connect() as conn:
        raw = _payments_by_hour(conn)
    october = [
        (key, value)
        for key, value in raw.items()
        if key[1].month == 10 and key[1].year == 2026 and 11 <= key[2] < 14
    ]
    methods: Counter = Counter()
    for key, (_count, amount, _tips) in october:
        methods[key[5]] += amount
    result = call("sales_report", period="October 2026", hours="lunch", group_by=["payment_method"])
    assert {r["payment_method"]: r["amount"] for r in result["rows"]} == {
        method: dollars(amount) for method, amount in methods.items()
    }


# --- All locations ------------------------------------------------------------------------------------------


def _summed_and_stored(conn) -> list[tuple[dict, dict]]:
    """Per all-locations rollup: its per-location source summed over the locations, and its own rows."""
    pairs = []
    for target, source, keys, measures in SOURCES:
        grouping = [source.c.business_date, *(source.c[k] for k in keys)]
        summed = {
            tuple(row[: len(grouping)]): tuple(round(float(v), 6) for v in row[len(grouping) :])
            for row in conn.execute(
                select(*grouping, *(func.sum(source.c[m]) for m in measures)).group_by(*grouping)
            )
        }
        own_keys = [target.c.business_date, *(target.c[k] for k in keys)]
        stored = {
            tuple(row[: len(own_keys)]): tuple(round(float(v), 6) for v in row[len(own_keys) :])
            for row in conn.execute(select(*own_keys, *(target.c[m] for m in measures)))
        }
        pairs.append((summed, stored))
    return pairs


def test_the_all_locations_rollups_sum_their_per_location_ones(demo_store):
    engine, _ = demo_store
    with engine.connect() as conn:
        for summed, stored in _summed_and_stored(conn):
            assert len(stored) > 100
            assert stored == summed
        refresh_all(conn)
        for summed, stored in _summed_and_stored(conn):
            assert stored == summed
        conn.rollback()


def test_the_writer_keeps_the_all_locations_rollups_in_step(store):
    write(store, _version(PLACED, None))
    write(store, square_order("LA1", "2026-10-01T19:00:00Z", location=LA_SQUARE, lines=[("A", 1, 500)]))
    write(store, _version("2026-10-02T03:30:00Z", _refund("2026-10-02T03:30:00Z")))  # a rewrite
    with store.connect() as conn:
        for summed, stored in _summed_and_stored(conn):
            assert stored == summed and stored
