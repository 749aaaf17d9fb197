"""A read-only connection to the store for the analytics tools: read-only by construction, not by prompt."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from tools.store.database import StoreError, normalize_url


def _query_only(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def open_readonly(url: str) -> Engine:
    """An engine that cannot write: SQLite opened ``mode=ro`` with ``query_only``; PostgreSQL sessions with
    ``default_transaction_read_only``."""
    url = normalize_url(url)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise StoreError("the analytics tools need a SQLite file, not an in-memory database")
        path = Path(database).expanduser().resolve()
        if not path.exists():
            raise StoreError(f"no store at {path} — run `opsbot sync` first")
        engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
        event.listen(engine, "connect", _query_only)
        return engine
    if backend == "postgresql":
        return create_engine(
            url, pool_pre_ping=True, connect_args={"options": "-c default_transaction_read_only=on"}
        )
    raise StoreError(f"unsupported DATABASE_URL backend {backend!r}")
