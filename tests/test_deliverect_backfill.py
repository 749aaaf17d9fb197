"""Deliverect backfill through its orders API (OAuth client credentials, cursor pages) against a local fake,
after a live Square sync: together they must hold exactly what the raw payloads say (the fixture oracle),
with POS copies counted once. Store assertions on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
import math
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.fakes.deliverect_api import CLIENT_ID, CLIENT_SECRET, FakeDeliverect, rate_limited
from tests.fakes.square_api import VALID_TOKEN, FakeSquare
from tests.fixture_oracle import expected_from_fixtures
from tests.support.live_business import NOW
from tests.support.store_totals import counted_sales_by_day, expected_sales_by_day
from tools.sources.api_calls import RetryPolicy
from tools.sources.deliverect.backfill import sync_deliverect
from tools.sources.deliverect.client import DeliverectClient
from tools.sources.square.client import SquareClient
from tools.sources.square.sync import sync_square
from tools.store.models import Order
from tools.sync.live_stage import LiveSyncOptions

PAGE = 10


@pytest.fixture
def square_synced(engine, live_business):
    """The store after a live Square sync of the business (locations, menu, Square orders)."""
    with FakeSquare(live_business.locations, live_business.catalog, live_business.square_orders) as square:
        client = SquareClient(VALID_TOKEN, base_url=square.url, policy=RetryPolicy(sleep=lambda _s: None))
        options = LiveSyncOptions(deliverect_locations=live_business.deliverect_locations)
        assert sync_square(engine, client, options, now=NOW).failure is None
    return engine


@pytest.fixture
def deliverect(live_business):
    with FakeDeliverect(list(live_business.deliverect_orders.values())) as fake:
        yield fake


def client_for(fake, sleeps=None, secret=CLIENT_SECRET) -> DeliverectClient:
    policy = RetryPolicy(sleep=(sleeps if sleeps is not None else []).append)
    return DeliverectClient(CLIENT_ID, secret, base_url=fake.url, page_size=PAGE, policy=policy)


OPTIONS = LiveSyncOptions(since=date(2026, 11, 16))


def test_square_sync_and_backfill_together_hold_exactly_what_the_payloads_say(
    square_synced, deliverect, live_business
):
    engine = square_synced
    report = sync_deliverect(engine, client_for(deliverect), OPTIONS, now=NOW)
    assert report.failure is None and report.errors == []
    assert report.stages[0].counts.inserted == len(live_business.deliverect_orders) == 43

    expected = expected_from_fixtures(live_business.folder)
    assert counted_sales_by_day(engine) == expected_sales_by_day(expected)
    with engine.connect() as conn:
        copies = conn.scalar(select(func.count()).where(Order.duplicate_of_id.is_not(None)))
        stored = conn.scalar(select(func.count()).select_from(Order))
    assert copies == expected.pos_copies > 0
    assert stored == expected.square_stored + expected.deliverect_stored

    # Pages: the first asks for a new cursor, the next ones pass it back with the page number.
    gets = deliverect.requests_to("/orders")
    assert len(gets) == math.ceil(43 / PAGE) == 5
    assert [(r.query["cursor"], r.query["page"]) for r in gets] == [("new", "1")] + [
        ("cursor-1", str(n)) for n in range(2, 6)
    ]
    first = gets[0].query
    assert json.loads(first["where"]) == {
        "_updated": {"$gte": "2026-11-16T05:00:00.000000Z", "$lte": "2026-11-20T12:00:00.000000Z"}
    }
    assert (first["sort"], first["max_results"]) == ("_updated", str(PAGE))
    # One token, requested once with the client credentials, sent with every page.
    [token_request] = deliverect.requests_to("/oauth/token")
    assert token_request.body == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "audience": deliverect.url,
        "grant_type": "client_credentials",
    }
    assert {r.headers["authorization"] for r in gets} == {"Bearer token-1"}


def test_a_backfill_updates_a_canceled_order_in_place_and_resumes_from_its_mark(
    square_synced, deliverect, live_business
):
    engine = square_synced
    sync_deliverect(engine, client_for(deliverect), OPTIONS, now=NOW)
    order = copy.deepcopy(next(iter(live_business.deliverect_orders.values())))
    order.update(status=110, _updated="2026-11-20T12:30:00.000000Z")
    deliverect.put_order(order)
    with engine.connect() as conn:
        row_id = conn.scalar(select(Order.id).where(Order.source_order_id == order["_id"]))

    report = sync_deliverect(engine, client_for(deliverect), LiveSyncOptions(), now=NOW + timedelta(hours=1))
    assert report.failure is None
    assert (report.stages[0].counts.inserted, report.stages[0].counts.updated) == (0, 1)
    where = json.loads(deliverect.requests_to("/orders")[-1].query["where"])
    assert where["_updated"]["$gte"] == "2026-11-17T12:00:00.000000Z"  # the mark less 72 hours
    with engine.connect() as conn:
        row = conn.execute(
            select(Order.id, Order.status, Order.raw_status, Order.commission).where(
                Order.source_order_id == order["_id"]
            )
        ).one()
    assert tuple(row) == (row_id, "canceled", "110 CANCELED", 0)


def test_a_429_is_retried_and_an_expired_token_is_renewed_once(square_synced, deliverect):
    deliverect.fail(rate_limited(), after=1)
    sleeps: list[float] = []
    client = client_for(deliverect, sleeps)
    pages = client.order_pages(NOW - timedelta(days=5), NOW)
    assert len(next(pages)) == PAGE
    deliverect.revoke_tokens()  # as if it expired early
    assert sum(len(page) for page in pages) == 43 - PAGE
    assert sleeps == [1.0]
    assert [r.status for r in deliverect.requests_to("/orders")] == [200, 429, 401, 200, 200, 200, 200]
    assert len(deliverect.requests_to("/oauth/token")) == 2


def test_bad_client_credentials_are_one_clear_error_and_nothing_is_stored(square_synced, deliverect):
    report = sync_deliverect(square_synced, client_for(deliverect, secret="wrong"), OPTIONS, now=NOW)
    assert report.failure == (
        "Deliverect rejected the client credentials (401 Unauthorized) — check DELIVERECT_CLIENT_ID and "
        "DELIVERECT_CLIENT_SECRET, and that DELIVERECT_BASE_URL is the environment they were issued for "
        "(staging or production)"
    )
    with square_synced.connect() as conn:
        assert conn.scalar(select(func.count()).where(Order.source == "deliverect")) == 0
    assert deliverect.requests_to("/orders") == []


def test_a_backfill_into_an_empty_store_says_to_sync_square_first(engine, deliverect):
    report = sync_deliverect(engine, client_for(deliverect), OPTIONS, now=NOW)
    assert report.failure == (
        "the store has no locations to put Deliverect orders at — sync Square first "
        "(`opsbot sync --source square`)"
    )
    assert deliverect.requests == []
