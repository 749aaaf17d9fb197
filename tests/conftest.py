"""Shared test fixtures: stores on SQLite and on a throwaway PostgreSQL server, and the synced demo."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.postgres_server import PostgresServer, find_postgres_bin
from tools.analytics.builtin import TOOLS
from tools.analytics.readonly import open_readonly
from tools.registry import ToolContext, ToolRegistry
from tools.sources.fixtures.sync import sync_fixtures
from tools.store.database import open_store
from tools.sync.report import SyncReport

REPO = Path(__file__).resolve().parents[1]
DEMO_FIXTURES = REPO / "fixtures" / "demo"
SAMPLES = Path(__file__).resolve().parent / "data" / "official_samples"
# A fixed clock for anything that would otherwise read the real one.
FIXED_NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)

BACKENDS = ["sqlite", "postgres"]

# --- No test reaches the real Anthropic (or any other) API -----------------------------------------------
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
BLOCKED_ATTEMPTS: list[str] = []


class NetworkGuardError(OSError):
    """A test tried to open a connection to a non-loopback host."""


_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None and host not in LOOPBACK:
        BLOCKED_ATTEMPTS.append(str(host))
        raise NetworkGuardError(f"tests may not reach {host}: use the local fakes (tests/fakes)")
    return _real_getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
        BLOCKED_ATTEMPTS.append(str(address[0]))
        raise NetworkGuardError(f"tests may not connect to {address[0]}: use the local fakes (tests/fakes)")
    return _real_connect(self, address)


def pytest_configure(config):
    """Guard every socket of the test process, and point subprocesses away from the real API."""
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect
    os.environ.pop("ANTHROPIC_API_KEY", None)
    os.environ.pop("ANTHROPIC_AUTH_TOKEN", None)
    os.environ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9"  # the discard port: fails at once, locally


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run; never skipped in CI."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed, and CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL is not installed (initdb/pg_ctl not found); PostgreSQL tests skipped")
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()


def _new_store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to a new, empty database on each backend."""
    return _new_store_url(request.param, tmp_path, request)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated, empty store on each backend."""
    engine = open_store(store_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def demo_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, SyncReport]]:
    """The committed demo fixtures synced once per backend, on their own dates (no anchoring)."""
    url = _new_store_url(request.param, tmp_path_factory.mktemp("demo"), request)
    engine = open_store(url)
    report = sync_fixtures(engine, DEMO_FIXTURES, anchor=False, now=FIXED_NOW)
    yield engine, report
    engine.dispose()


@pytest.fixture
def call(demo_store):
    """``call(tool, **arguments)``: a built-in tool's result on the demo store, read-only, today being
    FIXED_NOW's date (asserting it succeeded); ``call.registry`` and ``call.context`` for failing calls."""
    engine, _ = demo_store
    registry = ToolRegistry()
    for function in TOOLS:
        registry.register(function)
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    context = ToolContext(engine=readonly, today=FIXED_NOW.date())

    def run(name: str, **arguments):
        result = registry.call(name, arguments, context)
        assert result.ok, result.error
        return result.content

    run.registry, run.context = registry, context
    yield run
    readonly.dispose()


@pytest.fixture(scope="session")
def small_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-week demo business (10 orders a day), generated once: for tests that sync in a subprocess."""
    from tools.demo.generator import DemoGenerator, GeneratorParams

    folder = tmp_path_factory.mktemp("small-demo")
    params = GeneratorParams(first_day=date(2026, 11, 2), days=7, orders_per_day=10, seed=11)
    DemoGenerator(params).write(folder)
    return folder


@pytest.fixture(scope="session")
def live_business(tmp_path_factory: pytest.TempPathFactory):
    """A twelve-location business in the real APIs' payload shapes, for the fake Square and Deliverect."""
    from tests.support.live_business import generate_live_business

    return generate_live_business(tmp_path_factory.mktemp("live-business"))
