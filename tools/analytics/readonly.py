"""A read-only connection to the store for the analytics tools: read-only by construction, not by prompt, and
no statement runs longer than a time limit, so no tool call can hold a connection forever."""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from tools.registry import ToolError
from tools.store.database import StoreError, normalize_url

DEFAULT_QUERY_TIMEOUT_SECONDS = 10.0
# SQLite calls the progress handler every this many virtual-machine instructions (about a millisecond of
# work), so a statement stops within a millisecond or so of its limit; at 1,000 the handler cost a heavy join
# ~3%, at 10,000 nothing measurable.
SQLITE_PROGRESS_STEPS = 10_000
# Each read-only SQLite connection keeps up to this many KiB of the store's pages (SQLite's default is 2 MiB):
# on a large store a month's rollup rows then stay in the connection instead of being read again each call.
SQLITE_CACHE_KIB = 65_536
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout
_CLOCK = "opsbot_statement_clock"  # the key of a SQLite connection's clock in its pool record's info


class _StatementClock:
    """One SQLite connection's deadline for the statement it is running; its progress handler stops the
    statement once the deadline has passed (on a monotonic clock)."""

    __slots__ = ("deadline", "limit", "stopped")

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.deadline = math.inf
        self.stopped = False

    def start(self) -> None:
        """A statement starts: it may run until ``limit`` seconds from now."""
        self.deadline = time.monotonic() + self.limit
        self.stopped = False

    def expired(self) -> bool:
        """The progress handler: true (SQLite then stops the statement, "interrupted") past the deadline."""
        if time.monotonic() < self.deadline:
            return False
        self.stopped = True
        return True


def _too_slow(limit: float) -> ToolError:
    return ToolError(
        f"the query took longer than {limit:g} s and was stopped — ask for a shorter period or fewer "
        "breakdowns"
    )


def _open_sqlite(path: Path, limit: float) -> Engine:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")

    @event.listens_for(engine, "connect")
    def _read_only_with_clock(dbapi_connection: sqlite3.Connection, record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()
        clock = _StatementClock(limit)
        dbapi_connection.set_progress_handler(clock.expired, SQLITE_PROGRESS_STEPS)
        record.info[_CLOCK] = clock

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
        conn.info[_CLOCK].start()

    @event.listens_for(engine, "handle_error")
    def _stopped_by_clock(context: ExceptionContext) -> None:
        # no clock yet while SQLAlchemy first sets up a connection (before the "connect" listener)
        clock = context.connection.info.get(_CLOCK) if context.connection is not None else None
        if clock is not None and clock.stopped:
            raise _too_slow(limit) from context.original_exception

    return engine


def _open_postgresql(url: str, limit: float) -> Engine:
    timeout_ms = max(1, round(limit * 1000))
    engine = create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}"},
    )

    @event.listens_for(engine, "handle_error")
    def _stopped_by_timeout(context: ExceptionContext) -> None:
        if getattr(context.original_exception, "sqlstate", None) == QUERY_CANCELED:
            raise _too_slow(limit) from context.original_exception

    return engine


def open_readonly(url: str, query_timeout_seconds: float = DEFAULT_QUERY_TIMEOUT_SECONDS) -> Engine:
    """An engine that cannot write: SQLite opened ``mode=ro`` with ``query_only``; PostgreSQL sessions with
    ``default_transaction_read_only``. A statement running longer than ``query_timeout_seconds`` is stopped
    (SQLite: a progress handler; PostgreSQL: ``statement_timeout``) and raises a ``ToolError`` saying so."""
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
        return _open_sqlite(path, query_timeout_seconds)
    if backend == "postgresql":
        return _open_postgresql(url, query_timeout_seconds)
    raise StoreError(f"unsupported DATABASE_URL backend {backend!r}")
