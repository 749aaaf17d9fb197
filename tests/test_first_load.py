"""A first load (a fixtures sync into a store without orders) writes both sources' orders in one transaction
and refreshes each day's rollups once, before it commits: readers see all of it or nothing, a failure
stores nothing of it, and the store holds what a full rebuild of the rollups gives. A later sync goes batch
by batch as before."""

from __future__ import annotations

from math import ceil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from benchmarks.reference_loader import store_rows
from tests.conftest import FIXED_NOW
from tools.sources.fixtures.sync import sync_fixtures
from tools.store import rollups
from tools.store.models import DailySales, Order, OrderLineItem, Payment, SyncRun
from tools.sync.orders import writer
from tools.sync.orders.writer import OrderWriter


def inserted(report) -> int:
    return sum(stage.counts.inserted for stage in report.stages[1:])


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def rebuilt_rows(engine: Engine) -> dict[str, list[tuple]]:
    """The store's rows once every rollup is rebuilt from the stored orders."""
    with engine.connect() as conn:
        rollups.refresh_all(conn)
        conn.commit()
    return store_rows(engine)


@pytest.fixture
def refreshes(monkeypatch) -> list[list[tuple]]:
    """Each rollup refresh's (location, day) pairs, in order."""
    calls: list[list[tuple]] = []
    refresh = rollups.refresh

    def recording(conn, pairs):
        pairs = sorted(set(pairs))
        calls.append(pairs)
        refresh(conn, pairs)

    monkeypatch.setattr(rollups, "refresh", recording)
    return calls


def test_a_first_load_refreshes_every_day_once_and_stores_what_a_full_rebuild_gives(
    engine, small_fixtures: Path, refreshes
):
    report = sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW, batch_size=7)
    assert not report.errors and inserted(report) == count(engine, Order) > 100
    with engine.connect() as conn:
        days = sorted(conn.execute(select(Order.location_id, Order.business_date).distinct()).all())
    assert refreshes == [days]  # 20-odd batches, one refresh
    assert count(engine, SyncRun) == 2
    synced = store_rows(engine)
    assert synced["daily_sales"] and synced["hourly_item_sales"]
    assert rebuilt_rows(engine) == synced


def test_a_sync_into_a_store_with_orders_refreshes_batch_by_batch(engine, small_fixtures: Path, refreshes):
    sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW, batch_size=7)
    refreshes.clear()
    moved = sync_fixtures(engine, small_fixtures, anchor=True, now=FIXED_NOW, batch_size=7)
    assert moved.stages[1].counts.updated > 7  # the anchor moved the orders' dates
    assert len(refreshes) == sum(ceil(stage.counts.seen / 7) for stage in moved.stages[1:])  # one a batch
    assert rebuilt_rows(engine) == store_rows(engine)


def test_readers_see_nothing_of_a_first_load_until_it_commits(engine, small_fixtures: Path):
    seen_while_loading: set[tuple[int, int]] = set()

    def progress(stage: str, fraction: float, _seen: int) -> None:
        if stage == "deliverect orders" and fraction < 1:  # every Square batch written, not committed
            seen_while_loading.add((count(engine, Order), count(engine, DailySales)))

    report = sync_fixtures(
        engine, small_fixtures, anchor=False, now=FIXED_NOW, progress=progress, batch_size=7
    )
    assert seen_while_loading == {(0, 0)}  # 100% is reported once it has committed
    assert count(engine, Order) == inserted(report) > 100 and count(engine, DailySales) > 0


def test_a_failure_in_the_second_stage_of_a_first_load_stores_nothing_and_a_rerun_loads_all(
    engine, small_fixtures: Path, monkeypatch, tmp_path
):
    link = OrderWriter._link_pos_copies

    def fail_on_deliverect(self, conn, written):
        if any(record.source == "deliverect" for _, record, _ in written):
            raise RuntimeError("disk full")
        link(self, conn, written)

    monkeypatch.setattr(OrderWriter, "_link_pos_copies", fail_on_deliverect)
    with pytest.raises(RuntimeError, match="disk full"):
        sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW, batch_size=7)
    for table in (Order, OrderLineItem, Payment, DailySales, SyncRun):
        assert count(engine, table) == 0, table
    monkeypatch.undo()
    report = sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW, batch_size=7)
    assert not report.errors and count(engine, Order) == inserted(report) > 100
    assert count(engine, SyncRun) == 2


def test_a_collision_during_a_first_load_rolls_it_back_and_loads_batch_by_batch(
    engine, small_fixtures: Path, monkeypatch
):
    """Another writer storing one of the orders meanwhile makes the unique key collide: the one transaction
    is rolled back and the orders are loaded again, each batch in its own transaction."""
    insert = writer.insert_orders
    collided: list[bool] = []

    def collide_once(conn, new, *args):
        if not collided:
            collided.append(True)
            raise IntegrityError("INSERT INTO orders", {}, Exception("UNIQUE constraint failed"))
        return insert(conn, new, *args)

    monkeypatch.setattr(writer, "insert_orders", collide_once)
    report = sync_fixtures(engine, small_fixtures, anchor=False, now=FIXED_NOW, batch_size=7)
    assert collided == [True]
    assert "another writer stored orders during the first load: loaded batch by batch" in report.notes
    assert [stage.name for stage in report.stages] == [
        "locations and menu",
        "square orders",
        "deliverect orders",
    ]
    assert not report.errors and count(engine, Order) == inserted(report) > 100
    assert count(engine, SyncRun) == 2
    assert rebuilt_rows(engine) == store_rows(engine)
