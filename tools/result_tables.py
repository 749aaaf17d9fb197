"""Tool results as the model reads them: every list of row dicts as one compact table.

A tool's content keeps its rows as dicts (front ends, provenance and tests read them so); only the JSON sent
to the model changes. There, a list whose items are all dicts — at any key and any depth: breakdown rows,
top items, compared rows, anomalies, an order's lines — becomes ``{"columns": [...], "rows": [[...], ...]}``:
the columns are the union of the rows' keys in first-seen order and a row without a key has null in its
place, so each key is written once instead of once per row. In a table of ``SAME_FROM_ROWS`` rows or more,
a column holding one value in every row (a basis note, a zero overtime, one variation) leaves the columns
and rows for ``"same": {column: value}``, written once.

``expand_tables`` turns such a table back into the list of dicts (a key a row lacked comes back as None),
and leaves everything else as it is — so results stored before tables existed (rows as dicts) and after
read alike through ``parse_result``.
"""

from __future__ import annotations

import json
from typing import Any

COLUMNS = "columns"
ROWS = "rows"
SAME = "same"
SAME_FROM_ROWS = 3
_ABSENT = object()


def compact_tables(value: Any) -> Any:
    """``value`` with every list (or tuple) of dicts, at any depth, as a columns-plus-rows table (not an
    empty list, nor one of empty dicts); the dicts' values are compacted the same way. Other values are
    returned as they are."""
    kind = type(value)
    if kind is dict:
        return {key: compact_tables(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        if all(type(item) is dict for item in value) and any(value):  # rows of dicts, not all empty
            return _table(value)
        return [compact_tables(item) for item in value]
    return value


def _table(rows: list[dict] | tuple[dict, ...]) -> dict:
    columns: dict[Any, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    same: dict[Any, Any] = {}
    if len(rows) >= SAME_FROM_ROWS:
        for name in columns:
            first = rows[0].get(name, _ABSENT)
            if first is not _ABSENT and all(_identical(row.get(name, _ABSENT), first) for row in rows):
                same[name] = compact_tables(first)
    names = [name for name in columns if name not in same]
    table = {COLUMNS: names, ROWS: [[compact_tables(row.get(name)) for name in names] for row in rows]}
    if same:
        table[SAME] = same
    return table


def _identical(value: Any, other: Any) -> bool:
    """Equal and of the same type (1 and 1.0 and True are different cells)."""
    return type(value) is type(other) and value == other


def is_table(value: Any) -> bool:
    """Whether ``value`` is a table ``compact_tables`` wrote: ``columns`` (distinct strings), ``rows``
    (lists as long as the columns) and optionally ``same`` (a dict)."""
    if type(value) is not dict or len(value) not in (2, 3):
        return False
    columns, rows, same = value.get(COLUMNS), value.get(ROWS), value.get(SAME, {})
    if type(columns) is not list or type(rows) is not list or type(same) is not dict:
        return False
    if (len(value) == 3 and SAME not in value) or not (columns or same):
        return False
    if not all(type(name) is str for name in columns) or len(set(columns)) != len(columns):
        return False
    return all(type(row) is list and len(row) == len(columns) for row in rows)


def expand_tables(value: Any) -> Any:
    """``value`` with every table (``is_table``), at any depth, back as its list of dicts; the inverse of
    ``compact_tables`` for rows that share their keys (a key a row lacked comes back as None)."""
    kind = type(value)
    if kind is dict:
        if is_table(value):
            columns = value[COLUMNS]
            same = {key: expand_tables(item) for key, item in value.get(SAME, {}).items()}
            return [
                {**same, **dict(zip(columns, map(expand_tables, row), strict=True))} for row in value[ROWS]
            ]
        return {key: expand_tables(item) for key, item in value.items()}
    if kind is list:
        return [expand_tables(item) for item in value]
    return value


def parse_result(text: str | None) -> Any:
    """A tool result's JSON as sent to the model or stored — either shape — with its tables expanded back
    into rows of dicts; ``{"text": …}`` when it is not JSON."""
    try:
        parsed = json.loads(text or "")
    except ValueError:
        return {"text": text}
    return expand_tables(parsed)
