"""Hostile order payloads, as property-based tests: real orders from the committed demo fixtures mutated field
by field (a wrong type at any path, null, a huge or negative number, a long string, deep nesting, a removed
field). Properties: the parsers return a record or raise PayloadError, never anything else; the real webhook
answers 200, 400 or 422 — never 5xx — and a refused payload names the field in one line and changes no row;
an unmutated order is stored with the totals the independent oracle computes. OPSBOT_FUZZ_EXAMPLES raises
the number of examples (default 50)."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.fixture_oracle import gz_lines, unit_total
from tools.sources.deliverect import parser as deliverect_parser
from tools.sources.deliverect.signature import sign
from tools.sources.deliverect.webhook import receive_order
from tools.sources.records import PayloadError
from tools.sources.square import parser as square_parser
from tools.sources.square.parser import parse_locations_response
from tools.store.models import Order
from tools.sync.reference_writer import upsert_locations

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
NOW = datetime(2026, 12, 1, tzinfo=UTC)  # after every demo order: the parsers stay deterministic
SECRET = "whsec-fuzz"
FUZZ = settings(
    max_examples=int(os.environ.get("OPSBOT_FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DELIVERECT = [
    body for _, body in zip(range(40), gz_lines(DEMO / "deliverect" / "orders.jsonl.gz"), strict=False)
]
SQUARE = next(gz_lines(DEMO / "square" / "orders.jsonl.gz"))["orders"][:40]

Path_ = tuple[str | int, ...]


def paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path into ``value``'s objects and lists."""
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    found: list[Path_] = []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


REMOVE = object()
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(10**30), -500, -1, 0, 10**10 + 1, 10**5 + 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["x" * 100_000, "9999-12-31T00:00:00Z", "1970-01-01T00:00:00Z", "\n", ""]),
    st.just([]),
    st.just({}),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.just(nested(40)),
    st.just(REMOVE),
)


@st.composite
def mutated(draw: st.DrawFn, orders: list[dict]) -> tuple[dict, Path_]:
    """A real order with one field at any path replaced by a hostile value (or removed)."""
    order = copy.deepcopy(draw(st.sampled_from(orders)))
    path = draw(st.sampled_from(paths(order)))
    parent = order
    for key in path[:-1]:
        parent = parent[key]
    value = draw(HOSTILE)
    if value is REMOVE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return order, path


def field_text(path: Path_) -> str:
    """How a message names the last part of ``path``: ``.price`` or ``[0]``."""
    last = path[-1]
    return f"[{last}]" if isinstance(last, int) else str(last)


@FUZZ
@given(mutated(DELIVERECT))
def test_the_deliverect_parser_returns_a_record_or_a_payload_error(case):
    order, _ = case
    try:
        deliverect_parser.parse_order(order, now=NOW)
    except PayloadError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("order")


@FUZZ
@given(mutated(SQUARE))
def test_the_square_parser_returns_a_record_or_a_payload_error(case):
    order, _ = case
    try:
        square_parser.parse_order(order, now=NOW)
    except PayloadError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("order")


def stored(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Order))


def demo_locations(engine) -> None:
    locations = json.loads((DEMO / "square" / "locations.json").read_text())
    linked = json.loads((DEMO / "business.json").read_text())["deliverect"]["locations"]
    upsert_locations(engine, parse_locations_response(locations), {sq: dl for dl, sq in linked.items()})


def deliver(engine, order: dict):
    body = json.dumps(order).encode()
    return receive_order(engine, body, sign(body, SECRET), SECRET, now=NOW)


@FUZZ
@given(case=mutated(DELIVERECT))
def test_the_webhook_refuses_a_hostile_order_in_one_line_naming_the_field_and_stores_nothing(engine, case):
    order, path = case
    demo_locations(engine)
    before = stored(engine)
    answer = deliver(engine, order)
    assert answer.status in (200, 400, 422)
    if answer.status == 200:
        assert stored(engine) - before in (0, 1)
        return
    error = answer.body["error"]
    assert stored(engine) == before
    assert "\n" not in error and len(error) <= 300
    # A location id changed to one the store does not know is refused naming the location.
    named = field_text(path) in error or "for unknown Deliverect location" in error
    assert named or "nests deeper than 32 levels" in error, error


def test_raw_bodies_that_are_not_orders_are_400_and_deep_nesting_does_not_crash(engine):
    demo_locations(engine)
    for body, status, message in [
        (b"not json", 400, "the body is not JSON: Expecting value: line 1 column 1 (char 0)"),
        (b"\xff\xfe", 400, None),
        (b"[" * 100_000 + b"]" * 100_000, 400, "the body nests deeper than 32 levels: not an order"),
        (json.dumps(nested(40)).encode(), 400, "order must be an object, got list"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, 400, "the body nests deeper than 32 levels: not an order"),
        (b'{"_id": ' + b"9" * 5000 + b"}", 400, None),
        (b'"an order"', 400, "order must be an object, got str"),
    ]:
        answer = receive_order(engine, body, sign(body, SECRET), SECRET, now=NOW)
        assert answer.status == status
        if message:
            assert answer.body == {"error": message}
        assert "\n" not in answer.body["error"]
    assert stored(engine) == 0


def test_the_classes_of_unreal_values_are_422_with_their_reason(engine):
    demo_locations(engine)
    real = DELIVERECT[0]
    cases = [
        ({"payment": []}, "order 6a959e40498d0d14e989a589.payment must be an object, got list"),
        (
            {"items": [{**real["items"][0], "subItems": "none"}]},
            "order 6a959e40498d0d14e989a589.items[0].subItems must be a list, got str",
        ),
        (
            {"items": [{**real["items"][0], "price": 10**30}]},
            f"order 6a959e40498d0d14e989a589.items[0].price must be between 0 and 10000000000, got {10**30}",
        ),
        (
            {"items": [{**real["items"][0], "price": -500}]},
            "order 6a959e40498d0d14e989a589.items[0].price must be between 0 and 10000000000, got -500",
        ),
        (
            {"items": [{**real["items"][0], "quantity": 10**6}]},
            "order 6a959e40498d0d14e989a589.items[0].quantity must be between 0 and 100000, got 1000000",
        ),
        ({"_id": 12345}, "order._id must be a string, got int"),
        (
            {"pickupTime": "9999-01-01T00:00:00Z"},
            "order 6a959e40498d0d14e989a589.pickupTime '9999-01-01T00:00:00Z' is outside 2000-01-01 … "
            "2026-12-31 00:00 UTC (at most 30 day(s) after now)",
        ),
        (
            {"_created": "1999-12-31T23:59:59Z"},
            "order 6a959e40498d0d14e989a589._created '1999-12-31T23:59:59Z' is outside 2000-01-01 … "
            "2026-12-02 00:00 UTC (at most 1 day(s) after now)",
        ),
        (
            {"items": [{**real["items"][0], "name": "x" * 100_000}]},
            "order 6a959e40498d0d14e989a589.items[0].name is 100000 characters long; the limit is 500",
        ),
        (
            {"orderIsAlreadyPaid": "no"},
            "order 6a959e40498d0d14e989a589.orderIsAlreadyPaid must be true or false",
        ),
    ]
    for change, message in cases:
        answer = deliver(engine, {**real, **change})
        assert (answer.status, answer.body["error"][: len(message)]) == (422, message)
    assert stored(engine) == 0


def test_a_test_order_is_answered_200_and_never_stored(engine):
    demo_locations(engine)
    answer = deliver(engine, {**DELIVERECT[0], "testOrder": True})
    assert (answer.status, answer.body) == (200, {"ok": True, "result": "ignored_test_order"})
    assert stored(engine) == 0


@FUZZ
@given(order=st.sampled_from(DELIVERECT))
def test_an_unmutated_order_is_stored_with_the_oracles_totals(engine, order):
    demo_locations(engine)
    answer = deliver(engine, order)
    assert answer.status == 200, answer.body
    with engine.connect() as conn:
        row = conn.execute(
            select(Order.gross_sales, Order.discounts, Order.tax).where(Order.source_order_id == order["_id"])
        ).one()
    gross = sum(round(unit_total(item) * item["quantity"]) for item in order["items"])
    tax = sum(t["total"] for t in order["taxes"])
    assert tuple(row) == (gross, abs(order["discountTotal"]), tax)
