"""Deliverect's order webhook on the real HTTP server with the routes ``opsbot serve`` builds: signed bodies
over real HTTP on 127.0.0.1 — valid, bad signature, malformed, the same order twice, a cancellation after
acceptance, an unknown channel code, an unknown location. Status codes and the store, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import socket
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from bot.application import Application
from bot.commands.serve import build_routes
from bot.server.http_server import MAX_BODY_BYTES, HttpServer
from bot.settings import load_settings
from tests.payloads import DELIVERECT_IDS, LA_DELIVERECT, NY_DELIVERECT, TEST_LOCATIONS, deliverect_order
from tools.sources.deliverect.signature import SIGNATURE_HEADER, sign
from tools.sources.records import LocationRecord
from tools.store.models import DailySales, Order
from tools.sync.commission_rates_file import apply_commission_rates_file
from tools.sync.reference_writer import upsert_locations

SECRET = "whsec-test-deliverect"
PATH = "/webhooks/deliverect/orders"
RATES = [
    {"platform": "uber_eats", "rate_percent": "30", "valid_from": "2026-01-01"},
    {
        "platform": "doordash",
        "rate_percent": "25",
        "fixed_fee": 50,
        "location": TEST_LOCATIONS[1].square_location_id,
    },
]


@pytest.fixture
def server(engine, tmp_path):
    upsert_locations(engine, TEST_LOCATIONS, DELIVERECT_IDS)
    rates = tmp_path / "rates.json"
    rates.write_text(json.dumps(RATES))
    apply_commission_rates_file(engine, rates)
    settings = load_settings(env_file=None, environ={"DELIVERECT_WEBHOOK_SECRET": SECRET})
    running = HttpServer(build_routes(Application(settings, store=engine))).start()
    yield running
    running.stop()


def post(server: HttpServer, body: bytes, signature: str | None = "sign") -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature == "sign":
        signature = sign(body, SECRET)
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return httpx.post(server.url + PATH, content=body, headers=headers, timeout=10)


def encoded(payload: dict) -> bytes:
    return json.dumps(payload, indent=1).encode()


def orders(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(
                    Order.id,
                    Order.source_order_id,
                    Order.platform,
                    Order.status,
                    Order.gross_sales,
                    Order.net_sales,
                    Order.tax,
                    Order.commission,
                    Order.commission_is_estimated,
                ).order_by(Order.id)
            )
        ]


UBER = deliverect_order(
    "64f0000000000000000000c1",
    "2026-11-20T18:05:00Z",
    status=20,
    channel=7,
    items=[{"plu": "BRG", "name": "Burger", "price": 1250, "quantity": 2}],
    tax=222,
    delivery_cost=299,
    tip=150,
    discount=250,
)


def test_a_signed_order_is_stored_with_its_estimated_commission(engine, server):
    response = post(server, encoded(UBER))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "order": UBER["_id"], "result": "inserted"}
    [row] = orders(engine)
    # gross 2 × 12.50; net after the 2.50 discount; 30% Uber Eats commission on (gross − discounts)
    assert row[1:] == (UBER["_id"], "uber_eats", "completed", 2500, 2250, 222, 675, True)


def test_a_bad_or_missing_signature_is_401_and_nothing_is_stored(engine, server):
    body = encoded(UBER)
    assert post(server, body, signature=sign(body, "someone-else")).status_code == 401
    assert post(server, body, signature=None).status_code == 401
    # The signature covers the raw bytes: the same order re-serialized does not verify.
    response = post(server, json.dumps(UBER).encode(), signature=sign(body, SECRET))
    assert response.status_code == 401
    assert response.json() == {"error": f"bad or missing {SIGNATURE_HEADER} signature"}
    assert orders(engine) == []


def test_a_malformed_body_is_400_an_invalid_order_422_and_nothing_is_stored(engine, server):
    response = post(server, b'{"_id": "64f0000000000000000000c1", "status": ')
    assert response.status_code == 400
    assert response.json()["error"].startswith("the body is not JSON: ")
    response = post(server, encoded({key: value for key, value in UBER.items() if key != "channel"}))
    assert response.status_code == 422
    assert response.json() == {"error": "order 64f0000000000000000000c1.channel is missing"}
    assert post(server, b"[1, 2]").json() == {"error": "order must be an object, got list"}
    assert orders(engine) == []


def test_the_same_order_twice_is_stored_once(engine, server):
    body = encoded(UBER)
    assert post(server, body).json()["result"] == "inserted"
    assert post(server, body).json()["result"] == "unchanged"
    assert len(orders(engine)) == 1


def test_a_cancellation_after_acceptance_updates_the_same_order(engine, server):
    post(server, encoded(UBER))
    [accepted] = orders(engine)
    canceled = dict(UBER, status=110, _updated="2026-11-20T18:20:00Z")
    response = post(server, encoded(canceled))
    assert response.json() == {"ok": True, "order": UBER["_id"], "result": "updated"}
    [row] = orders(engine)
    assert row[0] == accepted[0]
    assert row[3] == "canceled" and row[7] == 0  # no commission on a canceled order
    # An older status arriving late does not undo the cancellation.
    assert post(server, encoded(dict(UBER, status=50, _updated="2026-11-20T18:10:00Z"))).json()["result"] == (
        "unchanged"
    )
    with engine.connect() as conn:
        day = conn.execute(
            select(DailySales.orders, DailySales.canceled_orders, DailySales.canceled_value).where(
                DailySales.platform == "uber_eats"
            )
        ).one()
        status = conn.scalar(select(Order.raw_status))
    assert tuple(day) == (0, 1, 2500)  # no counted sale left; one cancellation worth its gross
    assert status == "110 CANCELED"


def test_an_unknown_channel_code_is_kept_and_a_location_rate_applies(engine, server):
    unknown = deliverect_order("64f0000000000000000000c2", "2026-11-20T19:00:00Z", channel=9999)
    doordash = deliverect_order(
        "64f0000000000000000000c3",
        "2026-11-20T19:00:00Z",
        channel=12,
        location=LA_DELIVERECT,
        items=[{"plu": "PIZ", "name": "Pizza", "price": 1800, "quantity": 1}],
    )
    assert post(server, encoded(unknown)).status_code == 200
    assert post(server, encoded(doordash)).status_code == 200
    rows = {row[1]: row for row in orders(engine)}
    # No rate for channel_9999: no commission and no estimate, but the order is stored and counted.
    assert rows[unknown["_id"]][2:] == ("channel_9999", "completed", 500, 500, 0, None, False)
    # The LA location's own DoorDash rate: 25% of 18.00 + 0.50.
    assert rows[doordash["_id"]][2:] == ("doordash", "completed", 1800, 1800, 0, 500, True)


def test_a_yen_location_stores_its_orders_in_yen(engine, server):
    """Deliverect sends ¥1,850 as 185000 with decimalDigits 2; yen have no minor unit, so 1850 is stored."""
    tokyo = LocationRecord("LTOKYO", "Test Tokyo", "Asia/Tokyo", "JPY", "Test Co", None, "ACTIVE")
    upsert_locations(engine, [tokyo], {"LTOKYO": "6500000000000000000000aa"})
    ramen = deliverect_order(
        "64f0000000000000000000c5",
        "2026-11-20T16:30:00Z",
        location="6500000000000000000000aa",
        items=[{"plu": "RMN", "name": "Ramen", "price": 92500, "quantity": 2}],
    )
    assert post(server, encoded(ramen)).status_code == 200
    with engine.connect() as conn:
        row = conn.execute(
            select(
                Order.gross_sales, Order.net_sales, Order.total_collected, Order.currency, Order.business_date
            )
        ).one()
    assert tuple(row) == (1850, 1850, 1850, "JPY", date(2026, 11, 21))  # 01:30 on the 21st in Tokyo


def test_an_order_for_an_unknown_location_is_422_and_names_it(engine, server):
    stranger = deliverect_order(
        "64f0000000000000000000c4", "2026-11-20T19:00:00Z", location="6100000000000000000000ff"
    )
    response = post(server, encoded(stranger))
    assert response.status_code == 422
    assert "unknown Deliverect location '6100000000000000000000ff'" in response.json()["error"]
    assert orders(engine) == []


def test_without_a_secret_there_is_no_webhook_route(engine):
    routes = build_routes(Application(load_settings(env_file=None, environ={}), store=engine))
    assert routes.paths() == ["GET /healthz"]
    with_secret = build_routes(
        Application(load_settings(env_file=None, environ={"DELIVERECT_WEBHOOK_SECRET": "s"}), store=engine)
    )
    assert with_secret.paths() == ["GET /healthz", f"POST {PATH}"]
    assert NY_DELIVERECT in DELIVERECT_IDS.values()


def test_a_body_over_the_limit_is_413_without_being_read_and_the_connection_is_closed(engine, server):
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
        )
        answer = b""
        while chunk := conn.recv(65536):  # the server closes the connection after answering
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"connection: close" in head.lower()
    assert json.loads(body) == {"error": f"bad or too large body (at most {MAX_BODY_BYTES:,} bytes)"}
    assert orders(engine) == []
