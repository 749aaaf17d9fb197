"""Benchmark: how many bytes each tool result costs the model, rows as dicts against columns plus rows.

    python benchmarks/result_size.py                       # the demo store in a temporary folder, removed
    python benchmarks/result_size.py --store /tmp/demo.db  # built there once, then only read

On the demo business (4 locations, 12 weeks; today 2026-11-24, as the tests see it), runs a representative
set of call shapes — every one-dimensional breakdown, the two-dimensional ones, the comparisons broken down
by a dimension, top items, refunds, delivery, the labor report, anomalies, a forecast and order lookups —
with at most 25 rows each, and prints per shape the largest table's rows and the bytes of the result's JSON
two ways, measured in the same run: as it was sent before (``json.dumps`` of the content: every row a dict
repeating its keys) and as ``ToolResult.to_json`` sends it now (every list of row dicts a ``{"columns",
"rows"}`` table, ``tools/result_tables.py``), with the ratio; then the median (typical) size of each against
the 2 KB target, how many shapes are over it, and the CPU time of serialising every result both ways.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from benchmarks.tool_latency import ONE_DIMENSION, TWO_DIMENSIONS  # noqa: E402
from tools.analytics.readonly import open_readonly  # noqa: E402
from tools.registry import ToolContext, ToolResult, default_registry  # noqa: E402
from tools.result_tables import expand_tables, is_table  # noqa: E402
from tools.sources.fixtures.sync import sync_fixtures  # noqa: E402
from tools.store.database import open_store  # noqa: E402

TODAY = date(2026, 11, 24)  # the demo's data runs from 2026-08-31 to 2026-11-22
TARGET_BYTES = 2048
MAX_ROWS = 25
DIMENSIONS = ONE_DIMENSION
PAIRS = TWO_DIMENSIONS

Shape = tuple[str, str, dict]


def shapes(order_ids: list[str]) -> list[Shape]:
    """The call shapes measured: (label, tool, arguments), each with at most ``MAX_ROWS`` rows."""
    month = {"period": "last month", "limit": MAX_ROWS}
    found: list[Shape] = []
    for dimension in DIMENSIONS:
        found.append((f"sales_report by {dimension}", "sales_report", {**month, "group_by": [dimension]}))
    for pair in PAIRS:
        found.append(
            (f"sales_report by {' × '.join(pair)}", "sales_report", {**month, "group_by": list(pair)})
        )
    found += [
        ("sales_report totals", "sales_report", {"period": "last week"}),
        ("compare_periods by category", "compare_periods", {**month, "group_by": ["category"]}),
        ("compare_periods by item", "compare_periods", {**month, "group_by": ["item"], "sort": "grew_most"}),
        ("compare_periods by hour", "compare_periods", {**month, "group_by": ["hour"]}),
        ("compare_periods totals", "compare_periods", {"period": "last week"}),
        (
            "compare_locations",
            "compare_locations",
            {"period": "last month", "locations": ["Location 1", "Location 3"]},
        ),
        (
            "compare_locations by category",
            "compare_locations",
            {**month, "locations": ["Location 1", "Location 3"], "group_by": ["category"]},
        ),
        ("top_items 10", "top_items", {"period": "last month", "limit": 10}),
        ("top_items per location", "top_items", {"period": "last week", "per_location": True, "limit": 3}),
        ("delivery_report", "delivery_report", {"period": "last month"}),
        ("refunds_and_discounts", "refunds_and_discounts", {"period": "last month"}),
        ("labor_report by location", "labor_report", {"period": "last week", "group_by": ["location"]}),
        ("labor_report by day", "labor_report", {"period": "last week", "group_by": ["day"]}),
        ("labor_report by role × location", "labor_report", {**month, "group_by": ["role", "location"]}),
        (
            "labor_shifts",
            "labor_shifts",
            {"start_date": "2026-11-21", "end_date": "2026-11-21", "limit": MAX_ROWS},
        ),
        ("anomalies 4 weeks", "anomalies", {"start_date": "2026-10-26", "end_date": "2026-11-22"}),
        ("forecast_sales", "forecast_sales", {}),
    ]
    found += [
        (f"order_details #{n}", "order_details", {"order_id": oid}) for n, oid in enumerate(order_ids, 1)
    ]
    return found


def build_demo(path: Path) -> str:
    """The demo fixtures synced into a new SQLite file at ``path``, on their own dates; its URL."""
    url = f"sqlite:///{path}"
    print(f"building the demo store in {url} …", flush=True)
    started = time.perf_counter()
    engine = open_store(url)
    sync_fixtures(
        engine, ROOT / "fixtures" / "demo", anchor=False, now=datetime(2026, 11, 24, 17, tzinfo=UTC)
    )
    engine.dispose()
    print(f"built in {time.perf_counter() - started:.0f} s")
    return url


def some_orders(context: ToolContext) -> list[str]:
    """A Square and a Deliverect order id of a busy day."""
    query = "SELECT source_order_id FROM orders WHERE source = :s AND business_date = '2026-11-21' LIMIT 1"
    with context.engine.connect() as conn:
        return [conn.execute(text(query), {"s": source}).scalar_one() for source in ("square", "deliverect")]


def as_dicts(result: ToolResult) -> str:
    """The JSON as sent before tables: the content as it is (rows as dicts), compact separators."""
    return json.dumps(result.content, separators=(",", ":"), default=_iso, ensure_ascii=False)


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def filled(value: Any) -> Any:
    """``value`` with each list of row dicts given every key of its rows, None where a row lacked one."""
    if isinstance(value, dict):
        return {key: filled(item) for key, item in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(row, dict) for row in value):
            keys = list(dict.fromkeys(key for row in value for key in row))
            return [{key: filled(row.get(key)) for key in keys} for row in value]
        return [filled(item) for item in value]
    return value


def table_rows(value: Any) -> int:
    """The row count of the largest table in the model's JSON."""
    if is_table(value):
        return max([len(value["rows"]), *(table_rows(c) for row in value["rows"] for c in row)])
    if isinstance(value, dict):
        return max([0, *(table_rows(v) for v in value.values())])
    if isinstance(value, list):
        return max([0, *(table_rows(v) for v in value)])
    return 0


def summary(label: str, before: list[int], after: list[int]) -> None:
    """The typical (median) size each way against the target, the totals and the shapes over the target."""
    typical_before, typical_after = statistics.median(before), statistics.median(after)
    verdict = "met" if typical_after <= TARGET_BYTES else "missed"
    print(
        f"{label} ({len(before)}): typical (median) {typical_before:,.0f} B as dicts → "
        f"{typical_after:,.0f} B "
        f"as tables (ratio {typical_after / typical_before:.2f}; target ≤ {TARGET_BYTES:,} B {verdict}); "
        f"all {sum(before):,} → {sum(after):,} B (ratio {sum(after) / sum(before):.2f}); over the target: "
        f"{sum(b > TARGET_BYTES for b in before)} → {sum(a > TARGET_BYTES for a in after)}"
    )


def cpu_seconds(function, results: list[ToolResult], repeat: int) -> float:
    started = time.process_time()
    for _ in range(repeat):
        for result in results:
            function(result)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, help="the demo store's SQLite file: built there if missing")
    parser.add_argument("--repeat", type=int, default=200, help="rounds of serialising for the CPU figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="result-size-") as folder:
        path = args.store or Path(folder) / "opsbot.db"
        url = f"sqlite:///{path}" if path.exists() else build_demo(path)
        measure(url, args.repeat)


def measure(url: str, repeat: int) -> None:
    """Every shape's result on the store at ``url``, both ways, and the summary lines."""
    registry = default_registry()
    context = ToolContext(engine=open_readonly(url), today=TODAY)
    results: list[ToolResult] = []
    print(f"\n{'call shape':<38} {'rows':>4} {'dicts B':>8} {'table B':>8} {'ratio':>6}")
    before: list[int] = []
    after: list[int] = []
    rows_of: list[int] = []
    for label, tool, arguments in shapes(some_orders(context)):
        result = registry.call(tool, arguments, context)
        assert result.ok, (label, result.error)
        old, new = as_dicts(result), result.to_json()
        assert expand_tables(json.loads(new)) == filled(json.loads(old)), label  # the same values, read back
        rows = table_rows(json.loads(new))
        assert rows <= MAX_ROWS, (label, rows)
        results.append(result)
        rows_of.append(rows)
        before.append(len(old.encode()))
        after.append(len(new.encode()))
        print(f"{label:<38} {rows:>4} {before[-1]:>8,} {after[-1]:>8,} {after[-1] / before[-1]:>6.2f}")
    print()
    summary("every shape", before, after)
    tabular = [n for n, count in enumerate(rows_of) if count > 0]
    summary("shapes with rows", [before[n] for n in tabular], [after[n] for n in tabular])
    old_cpu = cpu_seconds(as_dicts, results, repeat)
    new_cpu = cpu_seconds(ToolResult.to_json, results, repeat)
    per_result = 1e6 / (repeat * len(results))
    print(
        f"Serialising every result {repeat}×, CPU seconds: as dicts {old_cpu:.2f} s "
        f"({old_cpu * per_result:.0f} µs a result), as tables {new_cpu:.2f} s "
        f"({new_cpu * per_result:.0f} µs; ratio {new_cpu / old_cpu:.2f})."
    )
    context.engine.dispose()


if __name__ == "__main__":
    main()
