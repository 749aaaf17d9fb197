"""``opsbot serve`` as a user runs it, with the live sources configured: the real process on a free port,
its periodic Square sync pulling from the fake Square API, Deliverect's signed webhook answered fast, and a
clean stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

import httpx
from sqlalchemy import func, select

from tests.fakes.square_api import VALID_TOKEN, FakeSquare
from tests.support.cli import opsbot_env
from tools.sources.deliverect.signature import SIGNATURE_HEADER, sign
from tools.store.database import open_store
from tools.store.models import Order

SECRET = "whsec-serve-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float = 30.0, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s")


def test_serve_syncs_square_periodically_takes_signed_webhooks_and_stops_cleanly(tmp_path, live_business):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    port = free_port()
    with FakeSquare(live_business.locations, live_business.catalog, live_business.square_orders) as square:
        env = opsbot_env(
            {
                "DATABASE_URL": url,
                "SQUARE_ACCESS_TOKEN": VALID_TOKEN,
                "SQUARE_BASE_URL": square.url,
                "SQUARE_SYNC_INTERVAL_MINUTES": "0.01",  # every 0.6 s
                "OPSBOT_SYNC_INITIAL_DAYS": "3650",
                "DELIVERECT_WEBHOOK_SECRET": SECRET,
                "DELIVERECT_LOCATIONS": ",".join(
                    f"{d}={s}" for d, s in live_business.deliverect_locations.items()
                ),
                "OPSBOT_LOG_LEVEL": "INFO",
            }
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: _answers(base + "/healthz"))
            engine = open_store(url)
            # Two periodic syncs: the first stores every order, the next ones only re-read the window.
            wait_for(lambda: len(square.searches) >= 12)
            with engine.connect() as conn:
                stored = conn.scalar(select(func.count()).where(Order.source == "square"))
            assert stored == len(live_business.square_orders)

            body = json.dumps(next(iter(live_business.deliverect_orders.values()))).encode()
            started = time.perf_counter()
            response = httpx.post(
                base + "/webhooks/deliverect/orders",
                content=body,
                headers={SIGNATURE_HEADER: sign(body, SECRET)},
            )
            latency = time.perf_counter() - started
            assert response.status_code == 200, response.text
            assert response.json()["result"] == "inserted"
            assert latency < 1.0
            bad = httpx.post(
                base + "/webhooks/deliverect/orders", content=body, headers={SIGNATURE_HEADER: "0" * 64}
            )
            assert bad.status_code == 401
            with engine.connect() as conn:
                assert conn.scalar(select(func.count()).where(Order.source == "deliverect")) == 1
            engine.dispose()
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        lines = err.splitlines()
        assert (
            f"opsbot serving on http://127.0.0.1:{port} — GET /healthz, POST /webhooks/deliverect/orders"
            in lines
        )
        assert "opsbot: syncing Square every 0.01 min" in lines
        assert "periodic square sync: 111 orders new or changed" in err
        assert "periodic square sync: 0 orders new or changed" in err
        assert "Traceback" not in err


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False
