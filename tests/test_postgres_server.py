"""The throwaway PostgreSQL server the PostgreSQL tests run against: starts, serves, stops."""

from __future__ import annotations

import os
import socket

import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres_server import PostgresServer, find_postgres_bin

pytestmark = pytest.mark.postgres


def _accepts_connections(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_server_starts_serves_a_new_database_and_stops():
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL is not installed (no initdb/pg_ctl found)")
        pytest.skip("PostgreSQL is not installed")

    server = PostgresServer(bin_dir)
    server.start()
    try:
        port = server.port
        root = server.root
        url = server.create_database("opsbot_smoke")
        assert url == f"postgresql+psycopg://opsbot@127.0.0.1:{port}/opsbot_smoke"
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                version = conn.execute(text("select version()")).scalar_one()
                database = conn.execute(text("select current_database()")).scalar_one()
        finally:
            engine.dispose()
        assert version.startswith("PostgreSQL 15"), version
        assert database == "opsbot_smoke"
    finally:
        server.stop()

    assert not _accepts_connections(port)
    assert not root.exists()
    server.stop()  # a second stop is harmless
