"""The fixtures sync stores exactly the rows an independent, minimal loader stores from the same payloads
(``benchmarks/reference_loader.py``: the same parsers, plain executemany, POS copies and commissions worked
out by hand, the rollups built once at the end) — every core table, every column, the orders' ids
included — whatever the batch size, and a second sync changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.reference_loader import load_minimal, load_reference_data, store_rows
from tools.demo.generator import DemoGenerator, GeneratorParams
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store

SYNCED_AT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three weeks of a four-location business, with cancellations re-delivered and POS copies."""
    folder = tmp_path_factory.mktemp("same-rows")
    DemoGenerator(GeneratorParams(first_day=date(2026, 11, 2), days=21, orders_per_day=30, seed=5)).write(
        folder
    )
    return folder


@pytest.fixture(scope="module")
def reference(business: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}")
    load_reference_data(engine, business)
    load_minimal(engine, business, SYNCED_AT)
    rows = store_rows(engine)
    engine.dispose()
    return rows


@pytest.mark.parametrize("batch_size", [1000, 37])
def test_the_sync_stores_the_rows_a_minimal_loader_stores(business, reference, tmp_path, batch_size):
    engine = open_store(f"sqlite:///{tmp_path / 'synced.db'}")
    report = sync_fixtures(engine, business, anchor=False, now=SYNCED_AT, batch_size=batch_size)
    assert not report.errors
    updated = sum(stage.counts.updated for stage in report.stages)
    assert updated > 0  # re-delivered orders were rewritten (across batches with the small one)
    synced = store_rows(engine)
    assert sorted(synced) == sorted(reference)
    for table, rows in reference.items():
        assert synced[table] == rows, table
    assert len(reference["orders"]) > 1000 and reference["order_line_modifiers"]
    with engine.connect() as conn:
        assert conn.scalar(
            text("SELECT count(*) FROM orders WHERE duplicate_of_id IS NOT NULL")
        )  # POS copies

    again = sync_fixtures(engine, business, anchor=False, now=SYNCED_AT, batch_size=batch_size)
    assert again.changed == 0 and not again.errors
    assert store_rows(engine) == synced
    engine.dispose()
