"""A PostgreSQL store holding the same rows as a SQLite one, for tool_latency.py's side-by-side figures.

Syncing 1.5M orders into PostgreSQL again would take most of an hour on a small machine; the benchmark only
needs the same rows, so the migrated (empty) PostgreSQL store gets every table of the SQLite store copied in
with COPY — orders, their children, the rollups, the reference tables — and is vacuumed and analyzed, as
autovacuum would have left a store in use (and would otherwise do while the shapes are timed).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, MetaData

from tools.store.database import open_store
from tools.store.models import Base

_BATCH = 20_000


def _copied_tables(sqlite_path: Path) -> list[str]:
    """The tables of the store's models that hold rows in the SQLite store, parents first."""
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    present = {name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables = [
        table.name
        for table in Base.metadata.sorted_tables
        if table.name in present and source.execute(f"SELECT 1 FROM {table.name} LIMIT 1").fetchone()
    ]
    source.close()
    return tables


def copy_into_postgres(sqlite_path: Path, url: str) -> Engine:
    """Migrate the PostgreSQL store at ``url`` and fill it with the SQLite store's rows."""
    started = time.perf_counter()
    engine = open_store(url)
    tables = _copied_tables(sqlite_path)
    reflected = MetaData()
    reflected.reflect(engine, only=tables)
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    rows = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")  # the SQLite store keeps UTC times without a zone
        for name in reversed(tables):
            cursor.execute(f"DELETE FROM {name}")  # open_store's own rows (the rollups' version)
        for name in tables:
            columns = [column.name for column in reflected.tables[name].columns]
            listed = ", ".join(columns)
            with cursor.copy(f"COPY {name} ({listed}) FROM STDIN") as copy:
                result = source.execute(f"SELECT {listed} FROM {name}")
                while batch := result.fetchmany(_BATCH):
                    for row in batch:
                        copy.write_row(row)
                    rows += len(batch)
        raw.commit()
        driver = raw.driver_connection
        driver.autocommit = True  # VACUUM runs outside a transaction
        for name in tables:  # what autovacuum would do now, while the shapes are timed
            driver.execute(f"VACUUM (ANALYZE) {name}")
        driver.autocommit = False
    finally:
        raw.close()
        source.close()
    print(
        f"PostgreSQL store: {rows:,} rows of {len(tables)} tables copied from {sqlite_path.name} "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return engine
