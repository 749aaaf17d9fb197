"""Bulk inserts for the order writer: one plain ``executemany`` per table and batch.

The INSERT is compiled once per (table, columns, dialect) and each value goes through its column type's own
bind processor — exactly what SQLAlchemy would store — but without SQLAlchemy's per-row parameter handling.
New ids come back without ``RETURNING``: on SQLite, whose ``INSERT … RETURNING`` of many rows SQLAlchemy
can only keep in order by sending one statement per row, they are read off the table's largest id (the rows
of one executemany get consecutive ids while its transaction holds the write lock); on PostgreSQL they are
drawn from the table's sequence first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text


@dataclass(frozen=True)
class _Prepared:
    sql: str
    positional: bool
    names: tuple[str, ...]  # the parameters in the order the statement takes them
    processors: tuple[Callable[[Any], Any] | None, ...]


_PREPARED: dict[tuple[str, tuple[str, ...], str], _Prepared] = {}


def _prepared(conn: Connection, table: Table, columns: tuple[str, ...]) -> _Prepared:
    key = (table.name, columns, conn.dialect.name)
    found = _PREPARED.get(key)
    if found is None:
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
        names = tuple(compiled.positiontup or ()) if compiled.positional else columns
        processors = tuple(
            table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for name in names
        )
        found = _PREPARED[key] = _Prepared(compiled.string, compiled.positional, names, processors)
    return found


def _parameters(prepared: _Prepared, rows: Sequence[dict[str, Any]]) -> list[Any]:
    converted = [(index, process) for index, process in enumerate(prepared.processors) if process is not None]
    values = itemgetter(*prepared.names) if len(prepared.names) > 1 else lambda row: (row[prepared.names[0]],)
    parameters: list[Any] = []
    for row in rows:
        row_values = list(values(row))
        for index, process in converted:
            row_values[index] = process(row_values[index])
        if prepared.positional:
            parameters.append(tuple(row_values))
        else:
            parameters.append(dict(zip(prepared.names, row_values, strict=True)))
    return parameters


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) with one executemany."""
    if not rows:
        return
    prepared = _prepared(conn, table, tuple(rows[0]))
    conn.exec_driver_sql(prepared.sql, _parameters(prepared, rows))


def insert_returning_ids(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids, in order."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        ids = list(
            conn.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
                {"table": table.name, "n": len(rows)},
            ).scalars()
        )
        insert_rows(conn, table, [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
        return ids
    insert_rows(conn, table, rows)
    # The executemany took the write lock at its first row, and each row got the largest id + 1: the new rows
    # are the last len(rows) ids, whatever another connection inserted before the lock was taken.
    last = conn.scalar(select(func.max(table.c.id)))
    assert last is not None
    return list(range(last - len(rows) + 1, last + 1))
