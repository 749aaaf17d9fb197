"""A large fixture folder is parsed partly in a second process (``tools/sources/fixtures/parse_ahead.py``):
the store it gives is exactly the one parsing everything here gives — wherever the Square split falls, and
when the worker fails."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import pytest

from benchmarks.reference_loader import store_rows
from tests.conftest import FIXED_NOW
from tools.currencies import LocationCurrencies
from tools.demo.generator import DemoGenerator, GeneratorParams
from tools.sources.fixtures import parse_ahead
from tools.sources.fixtures.parse_ahead import ParseAhead
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store


def synced_rows(folder: Path, database: Path) -> dict[str, list[tuple]]:
    engine = open_store(f"sqlite:///{database}")
    report = sync_fixtures(engine, folder, anchor=False, now=FIXED_NOW, batch_size=50)
    assert not report.errors
    rows = store_rows(engine)
    engine.dispose()
    return rows


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three weeks of a four-location business: five Square pages (600 KB compressed)."""
    folder = tmp_path_factory.mktemp("parse-ahead")
    DemoGenerator(GeneratorParams(first_day=date(2026, 11, 2), days=21, orders_per_day=30, seed=5)).write(
        folder
    )
    return folder


@pytest.fixture(scope="module")
def parsed_here(business: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    assert ParseAhead.start(business, LocationCurrencies()) is None  # below AHEAD_FROM_BYTES: no worker
    return synced_rows(business, tmp_path_factory.mktemp("here") / "store.db")


@pytest.fixture
def received(monkeypatch) -> list[int]:
    """How many records each of the worker's answers held (the Square tail, then Deliverect's)."""
    monkeypatch.setattr(parse_ahead, "AHEAD_FROM_BYTES", 0)
    sizes: list[int] = []
    take = ParseAhead._next

    def counting(self):
        parsed = take(self)
        sizes.append(-1 if parsed is None else len(parsed))
        return parsed

    monkeypatch.setattr(ParseAhead, "_next", counting)
    return sizes


@pytest.mark.parametrize("share", [0.5, 0.0, 1.0])
def test_a_second_process_parsing_part_of_the_folder_stores_the_same_rows(
    business, parsed_here, received, monkeypatch, tmp_path, share
):
    monkeypatch.setattr(parse_ahead, "SQUARE_SHARE", share)
    assert synced_rows(business, tmp_path / "store.db") == parsed_here
    square_tail, deliverect = received
    square = len([row for row in parsed_here["orders"] if row[1] == "square"])
    if share == 1.0:  # no page comes after the split: the worker's Square tail is empty
        assert square_tail == 0
    else:  # the split is at the first page boundary past the share
        assert 0 < square_tail < square
    assert deliverect > 500


def test_a_failing_worker_leaves_the_parsing_to_this_process(
    business, parsed_here, received, monkeypatch, tmp_path, caplog
):
    failing = [sys.executable, "-c", "import sys; sys.stderr.write('no memory'); sys.exit(3)"]
    monkeypatch.setattr(parse_ahead, "worker_command", lambda: failing)
    with caplog.at_level(logging.WARNING, logger=parse_ahead.__name__):
        assert synced_rows(business, tmp_path / "store.db") == parsed_here
    assert received == [-1, -1]  # neither the Square tail nor Deliverect came: both parsed here
    assert caplog.messages == ["parsing fixtures in a second process failed: no memory"]


def test_progress_runs_on_through_the_records_the_worker_parsed(business, received, tmp_path):
    fractions: dict[str, list[float]] = {"square orders": [], "deliverect orders": []}
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    sync_fixtures(
        engine, business, anchor=False, now=FIXED_NOW, progress=lambda s, f, _n: fractions[s].append(f)
    )
    engine.dispose()
    assert received[0] > 0  # the worker parsed the Square tail
    for stage, seen in fractions.items():
        assert seen == sorted(seen), stage
        assert seen[-2:] == [0.99, 1.0], stage  # all handed on; then done once written (and committed)
