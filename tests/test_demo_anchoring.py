"""Anchoring the demo to today: whole weeks, wall-clock times kept, yesterday the last full day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.fixture_oracle import expected_from_fixtures
from tools.demo.generator import DemoGenerator, GeneratorParams
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store
from tools.store.models import Location, Order

# A small business: two weeks from Monday 2 November 2026 to Sunday 15 November.
SMALL = GeneratorParams(first_day=date(2026, 11, 2), days=14, orders_per_day=12, seed=7)


@pytest.fixture(scope="module")
def small_fixtures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small-demo")
    DemoGenerator(SMALL).write(folder)
    return folder


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    yield engine
    engine.dispose()


def per_location_day(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            select(Location.name, Order.business_date, func.count(), func.sum(Order.gross_sales))
            .join(Location, Location.id == Order.location_id)
            .where(Order.status == "completed", Order.duplicate_of_id.is_(None))
            .group_by(Location.name, Order.business_date)
        ).all()
    return {(name, day): (n, int(gross)) for name, day, n, gross in rows}


def test_the_demo_moves_by_whole_weeks_so_yesterday_is_its_last_day(small_fixtures, sqlite_engine):
    now = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # Tuesday; yesterday was Monday 23 November
    report = sync_fixtures(sqlite_engine, small_fixtures, now=now)
    assert report.notes[0].startswith("demo anchored: moved +14 days")
    actual = per_location_day(sqlite_engine)
    expected = expected_from_fixtures(small_fixtures).days
    # Every stored day is a fixture day moved two weeks, with the same orders and sales.
    assert actual == {
        (name, day + timedelta(days=14)): (t.orders, t.gross)
        for (name, day), t in expected.items()
        if day + timedelta(days=14) <= date(2026, 11, 23)
    }
    assert max(day for _, day in actual) == date(2026, 11, 23)
    assert min(day for _, day in actual) == date(2026, 11, 16)


def test_wall_clock_times_are_kept_across_a_daylight_saving_change(small_fixtures, sqlite_engine):
    # Moving a week across no DST change, then four weeks from November into December: local hours stay.
    sync_fixtures(sqlite_engine, small_fixtures, now=datetime(2026, 12, 15, 17, 0, tzinfo=UTC))
    with sqlite_engine.connect() as conn:
        hours = {row[0] for row in conn.execute(select(Order.local_hour).distinct())}
    assert hours <= set(range(11, 24))
    assert 11 in hours and 21 in hours


def test_each_location_stops_at_its_own_yesterday(small_fixtures, sqlite_engine):
    # 06:00 UTC: already Tuesday the 24th in New York, still Monday the 23rd in Los Angeles.
    sync_fixtures(sqlite_engine, small_fixtures, now=datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    last = {}
    for name, day in per_location_day(sqlite_engine):
        last[name] = max(last.get(name, day), day)
    assert last == {
        "Downtown": date(2026, 11, 23),
        "Harbor": date(2026, 11, 23),
        "Uptown": date(2026, 11, 23),
        "Sunset": date(2026, 11, 22),
    }


def test_resync_on_the_same_day_changes_nothing_and_a_week_later_moves_the_demo(
    small_fixtures, sqlite_engine
):
    now = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    sync_fixtures(sqlite_engine, small_fixtures, now=now)
    assert sync_fixtures(sqlite_engine, small_fixtures, now=now + timedelta(hours=3)).changed == 0
    later = sync_fixtures(sqlite_engine, small_fixtures, now=now + timedelta(days=7))
    assert later.changed > 0
    assert later.errors == []
    days = {day for _, day in per_location_day(sqlite_engine)}
    assert max(days) == date(2026, 11, 30)
    with sqlite_engine.connect() as conn:
        assert conn.scalar(select(func.max(Order.business_date))) == date(2026, 11, 30)
