"""The synced demo store holds exactly what the raw fixture payloads say, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_FIXTURES, FIXED_NOW
from tests.fixture_oracle import expected_from_fixtures
from tests.support.store_totals import counted_sales_by_day, expected_sales_by_day
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.models import Location, Order, OrderLineItem, Refund


@pytest.fixture(scope="module")
def expected():
    return expected_from_fixtures(DEMO_FIXTURES)


def test_sync_reports_every_record_and_no_errors(demo_store, expected):
    _engine, report = demo_store
    assert report.errors == []
    square, deliverect = report.stages[1], report.stages[2]
    assert square.counts.inserted == expected.square_stored
    assert deliverect.counts.inserted == expected.deliverect_stored


def test_sales_per_location_and_business_date_match_the_raw_payloads(demo_store, expected):
    engine, _ = demo_store
    actual = counted_sales_by_day(engine)
    wanted = expected_sales_by_day(expected)
    assert len(wanted) == 4 * 84  # every location has orders on every day of the twelve weeks
    assert actual == wanted


def test_pos_copies_of_delivery_orders_are_stored_but_counted_once(demo_store, expected):
    engine, _ = demo_store
    with engine.connect() as conn:
        copies = conn.scalar(select(func.count()).where(Order.duplicate_of_id.is_not(None)))
        stored = conn.scalar(select(func.count()).select_from(Order))
        original = Order.__table__.alias("original")
        linked = conn.execute(
            select(Order.source, original.c.source, func.count())
            .join(original, Order.duplicate_of_id == original.c.id)
            .group_by(Order.source, original.c.source)
        ).all()
    assert copies == expected.pos_copies > 1000
    assert stored == expected.square_stored + expected.deliverect_stored
    assert linked == [("square", "deliverect", copies)]


def test_refunds_and_cancellations_match_the_raw_payloads(demo_store, expected):
    engine, _ = demo_store
    with engine.connect() as conn:
        refunds = conn.execute(
            select(Location.name, func.count(), func.sum(Refund.amount))
            .join(Order, Order.id == Refund.order_id)
            .join(Location, Location.id == Order.location_id)
            .group_by(Location.name)
        ).all()
        canceled = dict(
            conn.execute(
                select(Order.platform, func.count())
                .where(Order.source == "deliverect", Order.status == "canceled")
                .group_by(Order.platform)
            ).all()
        )
        lines = conn.scalar(select(func.count()).select_from(OrderLineItem))
    assert {name: (count, int(amount)) for name, count, amount in refunds} == expected.refunds
    assert canceled == dict(expected.canceled_by_platform)
    assert lines == expected.line_items


def test_delivery_share_is_about_thirty_percent(demo_store):
    engine, _ = demo_store
    with engine.connect() as conn:
        by_source = dict(
            conn.execute(
                select(Order.source, func.count())
                .where(Order.status == "completed", Order.duplicate_of_id.is_(None))
                .group_by(Order.source)
            ).all()
        )
    share = by_source["deliverect"] / (by_source["deliverect"] + by_source["square"])
    assert 0.27 <= share <= 0.33


def test_estimated_commissions_follow_the_rate_table(demo_store):
    engine, _ = demo_store
    with engine.connect() as conn:
        rows = conn.execute(
            select(Location.name, Order.platform, Order.gross_sales, Order.discounts, Order.commission)
            .join(Location, Location.id == Order.location_id)
            .where(Order.source == "deliverect", Order.status == "completed")
        ).all()
        flags = conn.execute(
            select(Order.commission_is_estimated, func.count())
            .where(Order.source == "deliverect")
            .group_by(Order.commission_is_estimated)
        ).all()
    rates = {"uber_eats": 30, "doordash": 25}
    for name, platform, gross, discounts, commission in rows:
        percent = 25 if (name, platform) == ("Sunset", "uber_eats") else rates[platform]
        assert commission == (2 * (gross - discounts) * percent + 100) // 200  # half up: 272.5 → 273
    with engine.connect() as conn:
        deliverect_orders = conn.scalar(select(func.count()).where(Order.source == "deliverect"))
        square_commissions = conn.execute(
            select(Order.commission, Order.commission_is_estimated).where(Order.source == "square").distinct()
        ).all()
    assert dict(flags) == {True: deliverect_orders}
    assert square_commissions == [(None, False)]


def test_a_second_sync_changes_nothing(demo_store):
    engine, _ = demo_store
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(Order))
    report = sync_fixtures(engine, DEMO_FIXTURES, anchor=False, now=FIXED_NOW)
    assert report.changed == 0
    assert report.errors == []
    assert [s.counts.unchanged for s in report.stages[1:]] == [s.counts.seen for s in report.stages[1:]]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Order)) == before


def test_daily_rollups_match_the_raw_payloads(demo_store, expected):
    from tests.fixture_oracle import item_sales_from_fixtures
    from tools.store.models import DailyItemSales, DailySales

    engine, _ = demo_store
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Location.name,
                DailySales.business_date,
                func.sum(DailySales.orders),
                func.sum(DailySales.gross_sales),
                func.sum(DailySales.discounts),
                func.sum(DailySales.tax),
                func.sum(DailySales.tips),
                func.sum(DailySales.net_sales),
            )
            .join(Location, Location.id == DailySales.location_id)
            .group_by(Location.name, DailySales.business_date)
        ).all()
        items = conn.execute(
            select(
                Location.name,
                DailyItemSales.business_date,
                DailyItemSales.item,
                func.sum(DailyItemSales.quantity),
            )
            .join(Location, Location.id == DailyItemSales.location_id)
            .group_by(Location.name, DailyItemSales.business_date, DailyItemSales.item)
        ).all()
        items_sold = conn.scalar(select(func.sum(DailySales.items_sold)))
    actual = {(name, day): tuple(int(v) for v in values) for name, day, *values in rows}
    assert actual == {
        key: (t.orders, t.gross, t.discounts, t.tax, t.tips, t.net) for key, t in expected.days.items()
    }
    units = item_sales_from_fixtures(DEMO_FIXTURES).units
    assert {(name, day, item): qty for name, day, item, qty in items} == {
        (name, day, item): qty for (name, day), counter in units.items() for item, qty in counter.items()
    }
    assert items_sold == sum(sum(counter.values()) for counter in units.values())
