"""One transaction holding many batches: the orders of a first load into an empty store, with the rollups of
every day the batches touched refreshed once before it commits (``OrderWriter.one_transaction``).

On SQLite its connection gets a larger page cache and in-memory temporary tables (the rollups' GROUP BY
b-trees) while it lasts; both are put back before the connection returns to the pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection

from tools.sync.orders.rollup_refresh import refresh_after_write

LOAD_CACHE_KIB = 65536  # SQLite's page cache while loading (its default is 2 MiB)


@dataclass
class StageTransaction:
    """The open transaction batches are written into, and the (location, business day) pairs they touched."""

    conn: Connection
    touched: set[tuple[int, date]] = field(default_factory=set)

    def refresh_rollups(self) -> None:
        """Recompute the rollups of every pair the batches touched (once each), in the transaction."""
        refresh_after_write(self.conn, self.touched)
        self.touched = set()


@contextmanager
def load_pragmas(conn: Connection) -> Iterator[None]:
    """On SQLite: a larger page cache and in-memory temporary storage on ``conn`` for the ``with`` block."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    temp = conn.exec_driver_sql("PRAGMA temp_store").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
    conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
        conn.exec_driver_sql(f"PRAGMA temp_store={int(temp)}")
