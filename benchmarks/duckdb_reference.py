"""DuckDB computing each call shape's answer from the same raw rows: the reference tool_latency.py holds the
tools to. Benchmark-only (``pip install -e '.[bench]'``); neither the app nor the tests import it.

The raw tables (orders, line items, menu items, payments, refunds, discounts, locations — no rollup) are
copied from the SQLite store into a DuckDB file next to it once (DuckDB's own SQLite scanner is an extension
it would download). Per shape family there is one piece of SQL over those raw rows; ``reference`` gives
the DuckDB work to time and a check that its figures equal the ones in the tool's result.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from tools.analytics.calendar_filters import DEFAULT_DAY_PARTS, parse_hours, parse_weekdays

RAW_TABLES = {
    "locations": "SELECT id, position, name FROM locations",
    "orders": (
        "SELECT id, source, source_order_id, display_id, location_id, business_date, local_hour, channel,"
        " platform, status, duplicate_of_id, net_sales FROM orders"
    ),
    "order_line_items": (
        "SELECT order_id, menu_item_id, item_name, category, quantity, gross_sales FROM order_line_items"
    ),
    "menu_items": "SELECT id, item_name FROM menu_items",
    "payments": "SELECT order_id, method, amount FROM payments",
    "refunds": "SELECT order_id, amount, reason, status, business_date FROM refunds",
    "order_discounts": "SELECT order_id, name, amount FROM order_discounts",
}
_DATES = {"orders": ("business_date",), "refunds": ("business_date",)}


def open_reference(sqlite_path: Path) -> duckdb.DuckDBPyConnection:
    """The DuckDB copy of the store's raw tables (built once, rebuilt when the store is newer)."""
    target = sqlite_path.with_suffix(".duckdb")
    if target.exists() and target.stat().st_mtime < sqlite_path.stat().st_mtime:
        target.unlink()
    if not target.exists():
        started = time.perf_counter()
        building = target.with_suffix(".duckdb-building")
        building.unlink(missing_ok=True)
        source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
        duck = duckdb.connect(str(building))
        for name, query in RAW_TABLES.items():
            frame = pd.read_sql_query(query, source)
            for column in _DATES.get(name, ()):
                frame[column] = pd.to_datetime(frame[column]).dt.date
            duck.register("frame", frame)
            duck.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            duck.unregister("frame")
        duck.close()
        source.close()
        building.rename(target)
        print(f"DuckDB copy of the raw tables built in {time.perf_counter() - started:.0f} s")
    return duckdb.connect(str(target), read_only=True)


# --- Reading the tool's figures -----------------------------------------------------------------------------


def cents(text: str) -> int:
    """ "$1,234.56" / "-$3.10" / "+$2.00" → minor units."""
    digits = re.sub(r"[^0-9.]", "", text)
    whole, _, fraction = digits.partition(".")
    value = int(whole or 0) * 100 + int((fraction + "00")[:2])
    return -value if text.lstrip().startswith("-") else value


def number(value) -> float:
    """A count or quantity compared at two decimals (tools show 12 or 12.5)."""
    return round(float(value), 2)


# --- The SQL ------------------------------------------------------------------------------------------------

COUNTED = "o.status = 'completed' AND o.duplicate_of_id IS NULL"
_DAY_PART = (
    "CASE "
    + " ".join(
        f"WHEN o.local_hour IN ({', '.join(map(str, part.hours))}) THEN {index}"
        for index, part in enumerate(DEFAULT_DAY_PARTS)
    )
    + " ELSE -1 END"
)
KEYS = {
    "day": "o.business_date",
    "week": "date_trunc('week', o.business_date)",
    "month": "strftime(o.business_date, '%Y-%m')",
    "weekday": "isodow(o.business_date)",
    "hour": "o.local_hour",
    "day_part": _DAY_PART,
    "location": "o.location_id",
    "channel": "o.channel",
    "platform": "coalesce(o.platform, '')",
    "category": "coalesce(l.category, 'Uncategorized')",
    "item": "coalesce(m.item_name, l.item_name)",
    "payment_method": "p.method",
}
_FROM = {
    "sales": "orders o",
    "items": (
        "orders o JOIN order_line_items l ON l.order_id = o.id"
        " LEFT JOIN menu_items m ON m.id = l.menu_item_id"
    ),
    "payments": "orders o JOIN payments p ON p.order_id = o.id",
}
_MEASURES = {
    "sales": "count(*), coalesce(sum(o.net_sales), 0)",
    "items": "coalesce(sum(l.quantity), 0), coalesce(sum(l.gross_sales), 0)",
    "payments": "count(*), coalesce(sum(p.amount), 0)",
}


def family(dimensions: list[str], items: bool = False) -> str:
    if "payment_method" in dimensions:
        return "payments"
    return "items" if items or any(d in ("category", "item") for d in dimensions) else "sales"


@dataclass(frozen=True)
class Scope:
    """The filters of a shape, as SQL over the raw rows."""

    start: date
    end: date
    location_ids: tuple[int, ...] = ()
    weekdays: tuple[int, ...] = ()
    hours: tuple[int, ...] = ()
    any_platform: bool = False
    items: tuple[str, ...] = ()

    def where(self) -> tuple[str, list]:
        conditions = [COUNTED, "o.business_date BETWEEN ? AND ?"]
        params: list = [self.start, self.end]
        if self.location_ids:
            conditions.append(f"o.location_id IN ({', '.join(map(str, self.location_ids))})")
        if self.weekdays:
            conditions.append(f"isodow(o.business_date) - 1 IN ({', '.join(map(str, self.weekdays))})")
        if self.hours:
            conditions.append(f"o.local_hour IN ({', '.join(map(str, self.hours))})")
        if self.any_platform:
            conditions.append("o.platform IS NOT NULL")
        if self.items:
            conditions.append(f"coalesce(m.item_name, l.item_name) IN ({', '.join('?' for _ in self.items)})")
            params += list(self.items)
        return " AND ".join(conditions), params


def grouped(
    duck: duckdb.DuckDBPyConnection, scope: Scope, dimensions: list[str], kind: str
) -> dict[tuple, tuple[float, int]]:
    """(key…) → (count or quantity, money) over the raw rows."""
    where, params = scope.where()
    keys = [KEYS[d] for d in dimensions]
    select = ", ".join([*keys, _MEASURES[kind]])
    sql = f"SELECT {select} FROM {_FROM[kind]} WHERE {where}"
    if keys:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
    rows = duck.execute(sql, params).fetchall()
    return {tuple(row[: len(keys)]): (number(row[-2]), int(row[-1])) for row in rows if row[-2]}


# --- One shape's reference ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """The DuckDB work for a shape (``run``, timed) and ``check(figures, result)``, which raises
    AssertionError unless DuckDB's figures are the tool's."""

    run: Callable[[], object]
    check: Callable[[object, dict], None]


def _period(result: dict, key: str = "period") -> tuple[date, date]:
    period = result[key]
    return date.fromisoformat(period["start"]), date.fromisoformat(period["end"])


def _position(name: str) -> int:
    return int(name.split()[1])


def _scope(duck, arguments: dict, result: dict, key: str = "period") -> Scope:
    positions = [_position(n) for n in arguments.get("locations") or ()]
    ids = dict(duck.execute("SELECT position, id FROM locations").fetchall())
    hours = parse_hours(arguments.get("hours"), DEFAULT_DAY_PARTS)
    return Scope(
        *_period(result, key),
        location_ids=tuple(ids[p] for p in positions),
        weekdays=parse_weekdays(arguments.get("weekdays")),
        hours=hours.hours if hours else (),
        any_platform="any" in (arguments.get("platforms") or ()),
        items=tuple(arguments.get("items") or ()),
    )


def _subset(shown: set, computed: set, what: str) -> None:
    missing = shown - computed
    assert not missing, f"{what}: the tool shows {sorted(missing)[:3]} that DuckDB does not compute"


def _row_figures(rows: list[dict], kind: str) -> set:
    names = {
        "sales": ("orders", "net_sales"),
        "items": ("items_sold", "gross_sales"),
        "payments": ("payments", "amount"),
    }
    count, money = names[kind]
    return {(number(r[count]), cents(r[money])) for r in rows}


def _sales_report(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, arguments, result)
    dimensions = [d for d in arguments.get("group_by") or () if d != "none"]
    items = bool(scope.items)
    kind = family(dimensions, items)

    def run():
        totals = grouped(duck, scope, [], "items" if items else "sales")
        groups = grouped(duck, scope, dimensions, kind) if dimensions else {}
        return totals, groups

    def check(figures, result: dict) -> None:
        totals, groups = figures
        count, money = totals.get((), (0.0, 0))
        if items:
            shown = result["item_totals"]
            assert (number(shown["items_sold"]), cents(shown["gross_sales"])) == (count, money), "item totals"
        else:
            shown = result["totals"]
            assert (number(shown["orders"]), cents(shown["net_sales"])) == (count, money), "totals"
        if dimensions:
            _subset(_row_figures(result["rows"], kind), set(groups.values()), "rows")

    return Reference(run, check)


def _top_items(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, arguments, result)
    dimensions = ["location", "item"] if arguments.get("per_location") else ["item"]

    def run():
        return grouped(duck, scope, dimensions, "items")

    def check(groups, result: dict) -> None:
        blocks = result.get("by_location") or [result]
        shown = {
            (number(i["units_sold"]), cents(i["revenue"]))
            for block in blocks
            for i in block["items"]
            if i["units_sold"]
        }
        _subset(shown, set(groups.values()), "items")

    return Reference(run, check)


def _compare_periods(duck, arguments: dict, result: dict) -> Reference:
    now, then = _scope(duck, arguments, result), _scope(duck, arguments, result, "compared_with")
    dimensions = [d for d in arguments.get("group_by") or () if d != "none"]
    kind = family(dimensions)

    def run():
        totals = grouped(duck, now, [], "sales"), grouped(duck, then, [], "sales")
        groups = (
            (grouped(duck, now, dimensions, kind), grouped(duck, then, dimensions, kind))
            if dimensions
            else None
        )
        return totals, groups

    def check(figures, result: dict) -> None:
        (current, earlier), groups = figures
        for name, computed in (("current", current), ("earlier", earlier)):
            shown = result[name]
            count, money = computed.get((), (0.0, 0))
            if shown is None:  # no data in that period
                assert not count, f"{name}: DuckDB finds {count} orders"
                continue
            assert (number(shown["orders"]), cents(shown["net_sales"])) == (count, money), name
        if groups:
            first, second = groups
            pairs = {
                (first.get(k, (0, 0))[1], second.get(k, (0, 0))[1]) for k in first.keys() | second.keys()
            }
            _subset({(cents(r["current"]), cents(r["earlier"])) for r in result["rows"]}, pairs, "rows")

    return Reference(run, check)


def _compare_locations(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, arguments, result)
    dimensions = [d for d in arguments.get("group_by") or () if d != "none"]

    def run():
        per_location = grouped(duck, scope, ["location"], "sales")
        if dimensions:
            grouped(duck, scope, ["location", *dimensions], family(dimensions))
        return per_location

    def check(per_location, result: dict) -> None:
        ids = dict(duck.execute("SELECT position, id FROM locations").fetchall())
        for row in result["locations_compared"]:
            key = (ids[_position(row["location"])],)
            assert (number(row["orders"]), cents(row["net_sales"])) == per_location[key], row["location"]

    return Reference(run, check)


def _delivery_report(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, {**arguments, "platforms": ["any"]}, result)

    def run():
        return grouped(duck, scope, ["platform"], "sales")

    def check(per_platform, result: dict) -> None:
        shown = {(number(p["orders"]), cents(p["net_sales"])) for p in result["platforms"]}
        _subset(shown, set(per_platform.values()), "platforms")

    return Reference(run, check)


def _refunds_and_discounts(duck, arguments: dict, result: dict) -> Reference:
    start, end = _period(result)

    def run():
        refunds = duck.execute(
            "SELECT count(*), coalesce(sum(r.amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id"
            " WHERE r.business_date BETWEEN ? AND ? AND r.status IN ('approved', 'completed')"
            " AND o.duplicate_of_id IS NULL",
            [start, end],
        ).fetchone()
        discounts = duck.execute(
            "SELECT count(*), coalesce(sum(d.amount), 0) FROM order_discounts d JOIN orders o"
            f" ON o.id = d.order_id WHERE {COUNTED} AND o.business_date BETWEEN ? AND ?",
            [start, end],
        ).fetchone()
        return refunds, discounts

    def check(figures, result: dict) -> None:
        refunds, discounts = figures
        assert (result["refunds"]["count"], cents(result["refunds"]["value"])) == tuple(refunds), "refunds"
        assert (result["discounts"]["count"], cents(result["discounts"]["value"])) == tuple(discounts)

    return Reference(run, check)


def _business_info(duck, arguments: dict, result: dict) -> Reference:
    def run():
        return duck.execute(
            "SELECT l.position, min(o.business_date), max(o.business_date) FROM orders o"
            " JOIN locations l ON l.id = o.location_id GROUP BY l.position"
        ).fetchall()

    def check(ranges, result: dict) -> None:
        shown = {(p["number"], p["data_from"], p["data_to"]) for p in result["locations"]}
        assert shown == {(n, first.isoformat(), last.isoformat()) for n, first, last in ranges}, "data ranges"

    return Reference(run, check)


def _order_details(duck, arguments: dict, result: dict) -> Reference:
    wanted = arguments["order_id"]
    conditions, params = ["(o.source_order_id = ? OR o.display_id = ?)"], [wanted, wanted]
    if arguments.get("on_date"):
        conditions.append("o.business_date = ?")
        params.append(date.fromisoformat(str(arguments["on_date"])))
    if arguments.get("location"):
        conditions.append("l.position = ?")
        params.append(_position(arguments["location"]))
    sql = (
        "SELECT o.net_sales, (SELECT count(*) FROM order_line_items i WHERE i.order_id = o.id) FROM orders o"
        f" JOIN locations l ON l.id = o.location_id WHERE {' AND '.join(conditions)}"
    )

    def run():
        return duck.execute(sql, params).fetchall()

    def check(rows, result: dict) -> None:
        assert rows == [(cents(result["net_sales"]), len(result["items"]))], "the order"

    return Reference(run, check)


_BY_TOOL: dict[str, Callable[[duckdb.DuckDBPyConnection, dict, dict], Reference]] = {
    "sales_report": _sales_report,
    "top_items": _top_items,
    "compare_periods": _compare_periods,
    "compare_locations": _compare_locations,
    "delivery_report": _delivery_report,
    "refunds_and_discounts": _refunds_and_discounts,
    "business_info": _business_info,
    "order_details": _order_details,
}


def reference(duck: duckdb.DuckDBPyConnection, tool: str, arguments: dict, result: dict) -> Reference:
    """The DuckDB reference of one call shape, given the tool's result (its resolved periods)."""
    return _BY_TOOL[tool](duck, arguments, result)
