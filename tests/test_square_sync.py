"""The live Square source through the real ``squareup`` client, pointed at a local fake of Square's API:
two SearchOrders batches (12 locations), cursor pages, 429 and 5xx retries, a 401, a failure part-way,
late-arriving and updated orders inside the trailing window. Store assertions on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import math
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.fakes.square_api import VALID_TOKEN, FakeSquare, rate_limited, server_error
from tests.support.live_business import NOW
from tools.sources.api_calls import RetryPolicy
from tools.sources.square.client import SQUARE_API_VERSION, SquareClient
from tools.sources.square.sync import SANDBOX_NOTE, sync_square
from tools.store.models import DailySales, Location, MenuItem, Order, OrderLineItem, SyncMark, SyncRun
from tools.sync.live_stage import LiveSyncOptions

PAGE = 25
OPTIONS = LiveSyncOptions(initial_days=30, trailing=timedelta(hours=72))


@pytest.fixture
def square(live_business):
    with FakeSquare(live_business.locations, live_business.catalog, live_business.square_orders) as fake:
        yield fake


def client_for(fake: FakeSquare, sleeps: list[float], token: str = VALID_TOKEN) -> SquareClient:
    return SquareClient(token, base_url=fake.url, page_size=PAGE, policy=RetryPolicy(sleep=sleeps.append))


def stored_orders(engine) -> dict[str, tuple[str, int]]:
    with engine.connect() as conn:
        return {
            row.source_order_id: (row.status, row.net_sales)
            for row in conn.execute(select(Order.source_order_id, Order.status, Order.net_sales))
        }


def marks(engine) -> dict[str, datetime]:
    with engine.connect() as conn:
        return dict(conn.execute(select(SyncMark.scope, SyncMark.high_water)).all())


def net_by_day(engine) -> dict[date, int]:
    with engine.connect() as conn:
        day = DailySales.business_date
        query = select(day, func.sum(DailySales.net_sales)).group_by(day)
        return {day: int(net) for day, net in conn.execute(query)}


def batches(business) -> list[list[str]]:
    ids = [loc["id"] for loc in business.locations]
    return [ids[:10], ids[10:]]


def test_a_first_sync_reads_every_location_in_batches_of_ten_page_by_page(engine, square, live_business):
    sleeps: list[float] = []
    report = sync_square(engine, client_for(square, sleeps), OPTIONS, now=NOW)

    assert report.failure is None and report.errors == []
    assert [s.name for s in report.stages] == ["locations and menu", "square orders"]
    assert report.stages[1].counts.inserted == len(live_business.square_orders) == 111
    expected = {o["id"]: o["state"].lower() for o in live_business.square_orders}
    assert {k: v[0] for k, v in stored_orders(engine).items()} == expected

    first, second = batches(live_business)
    per_location = Counter(o["location_id"] for o in live_business.square_orders)
    pages = [math.ceil(sum(per_location[loc] for loc in batch) / PAGE) for batch in (first, second)]
    searches = square.searches
    assert pages == [5, 1]  # 101 orders at the first ten locations, 10 at the other two
    assert len(searches) == 6
    assert [r.body["location_ids"] for r in searches] == [first] * pages[0] + [second] * pages[1]
    for request in searches:
        assert request.status == 200
        assert request.headers["square-version"] == SQUARE_API_VERSION
        assert request.headers["authorization"] == f"Bearer {VALID_TOKEN}"
        assert request.body["query"] == {
            "filter": {
                "date_time_filter": {
                    "updated_at": {
                        "start_at": "2026-10-21T12:00:00.000Z",
                        "end_at": "2026-11-20T12:00:00.000Z",
                    }
                }
            },
            "sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"},
        }
        assert request.body["limit"] == PAGE and request.body["return_entries"] is False
    assert ["cursor" in r.body for r in searches] == [False, True, True, True, True, False]
    assert sleeps == []

    # Locations with their timezone and currency; the catalog's categories reach the line items.
    with engine.connect() as conn:
        locations = conn.execute(
            select(Location.square_location_id, Location.timezone, Location.currency)
        ).all()
        categories = Counter(
            conn.scalars(select(OrderLineItem.category).join(Order, Order.id == OrderLineItem.order_id)).all()
        )
        menu = conn.scalar(select(func.count()).select_from(MenuItem))
        runs = conn.execute(select(SyncRun.source, SyncRun.inserted, SyncRun.note)).all()
    assert sorted(locations) == sorted(
        (loc["id"], loc["timezone"], loc["currency"]) for loc in live_business.locations
    )
    names = {o["id"]: o["category_data"]["name"] for o in live_business.catalog if o["type"] == "CATEGORY"}
    assert set(categories) == set(names.values()) and None not in categories
    assert sum(categories.values()) == sum(len(o["line_items"]) for o in live_business.square_orders)
    variations = sum(len(o["item_data"]["variations"]) for o in live_business.catalog if o["type"] == "ITEM")
    assert menu == variations
    assert runs == [("square", 111, None)]
    assert marks(engine) == {loc["id"]: NOW for loc in live_business.locations}


def test_a_second_sync_at_once_reads_the_trailing_window_and_changes_nothing(engine, square):
    sync_square(engine, client_for(square, []), OPTIONS, now=NOW)
    later = NOW + timedelta(minutes=15)
    report = sync_square(engine, client_for(square, []), OPTIONS, now=later)
    assert report.failure is None
    counts = report.stages[1].counts
    assert (counts.inserted, counts.updated) == (0, 0)
    window = square.searches[-1].body["query"]["filter"]["date_time_filter"]["updated_at"]
    assert window == {"start_at": "2026-11-17T12:00:00.000Z", "end_at": "2026-11-20T12:15:00.000Z"}
    assert counts.unchanged == sum(
        1 for o in square.orders.values() if o["updated_at"] >= "2026-11-17T12:00:00.000Z"
    )


def test_a_late_order_inside_the_trailing_window_and_an_updated_order_are_captured(
    engine, square, live_business
):
    sync_square(engine, client_for(square, []), OPTIONS, now=NOW)
    before = net_by_day(engine)

    # An offline-mode order uploaded late: updated 10 h before the last sync's end, seen after it ran.
    late = copy.deepcopy(live_business.square_orders[0])
    late["id"] = "LATE0000000000000000000001"
    late["created_at"] = late["updated_at"] = late["closed_at"] = "2026-11-20T02:00:00.000Z"
    square.put_order(late)
    # Outside the window (80 h before): only a --since re-read reaches it.
    too_late = copy.deepcopy(late)
    too_late["id"] = "LATE0000000000000000000002"
    too_late["created_at"] = too_late["updated_at"] = too_late["closed_at"] = "2026-11-17T04:00:00.000Z"
    square.put_order(too_late)
    # An order canceled after the last sync: a new version with a later updated_at.
    canceled = copy.deepcopy(live_business.square_orders[5])
    canceled.update(state="CANCELED", updated_at="2026-11-20T12:30:00.000Z", version=canceled["version"] + 1)
    square.put_order(canceled)

    report = sync_square(engine, client_for(square, []), OPTIONS, now=NOW + timedelta(hours=1))
    counts = report.stages[1].counts
    assert (counts.inserted, counts.updated, report.failure) == (1, 1, None)
    stored = stored_orders(engine)
    assert stored[late["id"]][0] == "completed"
    assert too_late["id"] not in stored
    assert stored[canceled["id"]][0] == "canceled"
    assert len(stored) == 112

    # The canceled order left its day's sales; the late one joined its own day.
    after = net_by_day(engine)
    with engine.connect() as conn:
        canceled_day = conn.scalar(select(Order.business_date).where(Order.source_order_id == canceled["id"]))
        late_day = conn.scalar(select(Order.business_date).where(Order.source_order_id == late["id"]))
    net = stored[late["id"]][1]
    assert (
        net
        == sum(line["gross_sales_money"]["amount"] for line in late["line_items"])
        - late["total_discount_money"]["amount"]
    )
    changes = {day: after.get(day, 0) - before.get(day, 0) for day in set(after) | set(before)}
    expected_changes = Counter({late_day: net})
    expected_changes[canceled_day] -= stored[canceled["id"]][1]
    assert {d: c for d, c in changes.items() if c} == {d: c for d, c in expected_changes.items() if c}

    since = sync_square(
        engine,
        client_for(square, []),
        LiveSyncOptions(since=date(2026, 11, 16)),
        now=NOW + timedelta(hours=2),
    )
    assert since.stages[1].counts.inserted == 1
    assert too_late["id"] in stored_orders(engine)


def test_429_and_5xx_are_retried_with_backoff(engine, square):
    square.fail(rate_limited(retry_after="3"), after=1)  # the second page
    square.fail(server_error(), times=2, after=3)  # the fourth and fifth requests (page 3)
    sleeps: list[float] = []
    report = sync_square(engine, client_for(square, sleeps), OPTIONS, now=NOW)
    assert report.failure is None
    assert report.stages[1].counts.inserted == 111
    assert sleeps == [3.0, 1.0, 2.0]  # Retry-After, then 1 s doubling
    assert [r.status for r in square.searches] == [200, 429, 200, 500, 500, 200, 200, 200, 200]


def test_a_failed_page_keeps_the_pages_before_it_and_the_next_sync_resumes(engine, square, live_business):
    square.fail(rate_limited(), times=5, after=2)  # page 3 of the first batch fails every attempt
    sleeps: list[float] = []
    report = sync_square(engine, client_for(square, sleeps), OPTIONS, now=NOW)
    assert report.failure == (
        "Square SearchOrders answered 429 (RATE_LIMITED: Rate limit exceeded.) — gave up after 5 attempts; "
        "try again later"
    )
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert report.stages[1].counts.inserted == 2 * PAGE
    stored = stored_orders(engine)
    assert len(stored) == 2 * PAGE
    first = batches(live_business)[0]
    in_order = sorted(
        (o for o in live_business.square_orders if o["location_id"] in first),
        key=lambda o: (o["updated_at"], o["id"]),
    )
    assert set(stored) == {o["id"] for o in in_order[: 2 * PAGE]}
    newest = datetime.fromisoformat(in_order[2 * PAGE - 1]["updated_at"].replace("Z", "+00:00"))
    assert marks(engine) == dict.fromkeys(first, newest)  # the second batch was never reached
    with engine.connect() as conn:
        assert conn.execute(select(SyncRun.inserted, SyncRun.note)).all() == [(2 * PAGE, report.failure)]

    resumed = sync_square(engine, client_for(square, []), OPTIONS, now=NOW + timedelta(minutes=5))
    assert resumed.failure is None
    assert len(stored_orders(engine)) == 111
    starts = [
        r.body["query"]["filter"]["date_time_filter"]["updated_at"]["start_at"]
        for r in square.searches
        if "cursor" not in r.body
    ]
    assert starts[-2:] == [
        (newest - timedelta(hours=72)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "2026-10-21T12:05:00.000Z",  # the second batch has no marks yet: a first sync, 30 days back
    ]


def test_a_rejected_token_is_one_clear_error_and_nothing_is_stored(engine, square):
    sleeps: list[float] = []
    report = sync_square(engine, client_for(square, sleeps, token="EAAA-revoked"), OPTIONS, now=NOW)
    assert report.failure == (
        "Square rejected the access token (401 UNAUTHORIZED: This request could not be authorized.) — check "
        "SQUARE_ACCESS_TOKEN; it may be revoked or be for another environment (this is production: "
        "SQUARE_ENVIRONMENT)"
    )
    assert sleeps == []  # a bad token is not retried
    assert report.stages == []
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Location)) == 0
        assert conn.scalar(select(func.count()).select_from(Order)) == 0


def test_search_orders_refuses_more_than_ten_locations(square):
    client = client_for(square, [])
    with pytest.raises(ValueError, match="1 to 10 location ids, got 11"):
        next(client.search_orders([f"L{i}" for i in range(11)], NOW - timedelta(days=1), NOW))
    assert square.searches == []


def test_configured_location_ids_limit_the_search_and_unknown_ones_are_named(engine, square, live_business):
    ids = [loc["id"] for loc in live_business.locations]
    only = LiveSyncOptions(square_location_ids=(ids[3],))
    report = sync_square(engine, client_for(square, []), only, now=NOW)
    assert [r.body["location_ids"] for r in square.searches] == [[ids[3]]]
    assert report.stages[1].counts.inserted == sum(
        1 for o in live_business.square_orders if o["location_id"] == ids[3]
    )

    unknown = LiveSyncOptions(square_location_ids=("LNOPE",))
    report = sync_square(engine, client_for(square, []), unknown, now=NOW)
    assert report.failure.startswith(
        "SQUARE_LOCATION_IDS names LNOPE, which this Square account does not have"
    )


def test_a_since_later_than_the_marks_leaves_them_so_the_gap_is_read_later(engine, square, live_business):
    sync_square(engine, client_for(square, []), OPTIONS, now=NOW)
    later = NOW + timedelta(days=5)
    report = sync_square(engine, client_for(square, []), LiveSyncOptions(since=date(2026, 11, 24)), now=later)
    assert report.failure is None
    assert marks(engine) == {loc["id"]: NOW for loc in live_business.locations}
    report = sync_square(engine, client_for(square, []), OPTIONS, now=later)
    window = square.searches[-1].body["query"]["filter"]["date_time_filter"]["updated_at"]
    assert window["start_at"] == "2026-11-17T12:00:00.000Z"  # the old marks less 72 hours
    assert marks(engine) == {loc["id"]: later for loc in live_business.locations}


def test_a_sandbox_account_syncs_locations_and_menu_but_stores_no_orders(engine, square, live_business):
    client = SquareClient(VALID_TOKEN, environment="sandbox", base_url=square.url, page_size=PAGE)
    report = sync_square(engine, client, OPTIONS, now=NOW)

    assert report.failure is None
    assert [s.name for s in report.stages] == ["locations and menu"]
    assert report.notes[-1] == SANDBOX_NOTE
    assert square.searches == []
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Location)) == len(live_business.locations)
        assert conn.scalar(select(func.count()).select_from(Order)) == 0
