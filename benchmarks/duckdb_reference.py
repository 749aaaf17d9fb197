"""DuckDB computing each call shape's answer from the same raw rows: the reference tool_latency.py holds the
tools to. Benchmark-only (``pip install -e '.[bench]'``); neither the app nor the tests import it.

The raw tables (orders, line items, menu items, payments, refunds, discounts, locations — no rollup) are
copied from the SQLite store into a DuckDB file next to it once (DuckDB's own SQLite scanner is an extension
it would download). Per shape family there is one piece of SQL over those raw rows; ``reference`` gives
the DuckDB work to time and a check that its figures equal the ones in the tool's result.
"""

from __future__ import annotations

import hashlib
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
    "locations": "SELECT id, position, name, timezone FROM locations",
    "orders": (
        "SELECT id, source, source_order_id, display_id, location_id, business_date, local_hour, channel,"
        " platform, status, duplicate_of_id, gross_sales, discounts, net_sales, tax, tips, courier_tips,"
        " total_collected, commission FROM orders"
    ),
    "order_line_items": (
        "SELECT order_id, menu_item_id, item_name, category, quantity, gross_sales FROM order_line_items"
    ),
    "menu_items": "SELECT id, item_name, category FROM menu_items",
    "payments": "SELECT order_id, method, amount, tip FROM payments",
    "refunds": "SELECT order_id, amount, reason, status, created_at, business_date FROM refunds",
    "order_discounts": "SELECT order_id, name, amount FROM order_discounts",
}
_DATES = {"orders": ("business_date",), "refunds": ("business_date",)}
_TIMES = {"refunds": ("created_at",)}  # UTC


def open_reference(sqlite_path: Path) -> duckdb.DuckDBPyConnection:
    """The DuckDB copy of the store's raw tables (built once; again when the store is newer or the columns
    copied change)."""
    layout = hashlib.sha256(repr(sorted(RAW_TABLES.items())).encode()).hexdigest()[:8]
    target = sqlite_path.with_suffix(f".raw-{layout}.duckdb")  # a new copy when the columns change
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
            for column in _TIMES.get(name, ()):
                frame[column] = pd.to_datetime(frame[column], utc=True)
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
# the measures a breakdown row shows, per family: name → SQL
MEASURES = {
    "sales": {
        "orders": "count(*)",
        "gross_sales": "sum(o.gross_sales)",
        "discounts": "sum(o.discounts)",
        "net_sales": "sum(o.net_sales)",
        "tax": "sum(o.tax)",
        "tips": "sum(o.tips)",
        "total_collected": "sum(o.total_collected)",
    },
    "items": {
        "items_sold": "sum(l.quantity)",
        "gross_sales": "sum(l.gross_sales)",
        "orders": "count(DISTINCT o.id)",
    },
    "payments": {"payments": "count(*)", "amount": "sum(p.amount)", "tips": "sum(p.tip)"},
}
MONEY = {
    "gross_sales",
    "discounts",
    "net_sales",
    "tax",
    "tips",
    "total_collected",
    "amount",
    "courier_tips",
    "refunded",
    "estimated_commission",
    "canceled_net",
    "canceled_value",
}


def family(dimensions: list[str], items: bool = False) -> str:
    if "payment_method" in dimensions:
        return "payments"
    return "items" if items or any(d in ("category", "item") for d in dimensions) else "sales"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(map(str, values))})"


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

    def where(self, *, day: str = "o.business_date", hour: str = "o.local_hour") -> tuple[str, list]:
        """The scope's conditions (not the order status) on the orders, the day and the hour."""
        conditions = ["o.duplicate_of_id IS NULL", f"{day} BETWEEN ? AND ?"]
        params: list = [self.start, self.end]
        if self.location_ids:
            conditions.append(_in("o.location_id", self.location_ids))
        if self.weekdays:
            conditions.append(_in(f"isodow({day}) - 1", self.weekdays))
        if self.hours:
            conditions.append(_in(hour, self.hours))
        if self.any_platform:
            conditions.append("o.platform IS NOT NULL")
        if self.items:
            conditions.append(f"coalesce(m.item_name, l.item_name) IN ({', '.join('?' for _ in self.items)})")
            params += list(self.items)
        return " AND ".join(conditions), params

    def only(self, location_id: int) -> Scope:
        return Scope(self.start, self.end, (location_id,), self.weekdays, self.hours, self.any_platform)


def grouped(
    duck: duckdb.DuckDBPyConnection, scope: Scope, dimensions: list[str], kind: str
) -> dict[tuple, dict[str, float]]:
    """(key…) → the family's measures over the raw rows of counted orders."""
    where, params = scope.where()
    keys = [KEYS[d] for d in dimensions]
    measures = MEASURES[kind]
    if kind == "items" and "item" not in dimensions and len(scope.items) != 1:
        measures = {name: sql for name, sql in measures.items() if name != "orders"}  # not shown
    select = ", ".join([*keys, *measures.values()])
    sql = f"SELECT {select} FROM {_FROM[kind]} WHERE o.status = 'completed' AND {where}"
    if keys:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
    groups = {}
    for row in duck.execute(sql, params).fetchall():
        values = dict(zip(measures, row[len(keys) :], strict=True))
        if any(values.values()):
            groups[tuple(row[: len(keys)])] = {name: number(v or 0) for name, v in values.items()}
    return groups


def totals(duck: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, float]:
    """The totals block of a sales result over the raw rows: counted orders and money, items sold, canceled
    orders, and the refunds given in the scope (on their own day, in their own local hour)."""
    where, params = scope.where()
    completed = "FILTER (WHERE o.status = 'completed')"
    canceled = "FILTER (WHERE o.status = 'canceled')"
    row = duck.execute(
        f"SELECT count(*) {completed}, sum(o.gross_sales) {completed}, sum(o.discounts) {completed},"
        f" sum(o.net_sales) {completed}, sum(o.tax) {completed}, sum(o.tips) {completed},"
        f" sum(o.courier_tips) {completed}, sum(o.total_collected) {completed}, count(*) {canceled},"
        f" sum(o.gross_sales - o.discounts) {canceled}, sum(o.gross_sales) {canceled}"
        f" FROM orders o WHERE {where}",
        params,
    ).fetchone()
    names = (
        "orders",
        "gross_sales",
        "discounts",
        "net_sales",
        "tax",
        "tips",
        "courier_tips",
        "total_collected",
        "canceled_orders",
        "canceled_net",
        "canceled_value",
    )
    result = {name: number(value or 0) for name, value in zip(names, row, strict=True)}
    (units,) = duck.execute(
        "SELECT sum(l.quantity) FROM orders o JOIN order_line_items l ON l.order_id = o.id"
        f" WHERE o.status = 'completed' AND {where}",
        params,
    ).fetchone()
    result["items_sold"] = number(units or 0)
    result["refunds"], result["refunded"] = refunds(duck, scope)
    return result


def refunds(duck: duckdb.DuckDBPyConnection, scope: Scope, by_reason: bool = False):
    """Counted refunds given in the scope: (count, amount), or per reason {reason: (count, amount)}."""
    where, params = scope.where(
        day="r.business_date",
        hour="extract(hour FROM timezone(loc.timezone, r.created_at))",
    )
    reason = "coalesce(nullif(r.reason, ''), 'no reason given')"
    rows = duck.execute(
        f"SELECT {reason if by_reason else 'NULL'}, count(*), coalesce(sum(r.amount), 0) FROM refunds r"
        " JOIN orders o ON o.id = r.order_id JOIN locations loc ON loc.id = o.location_id"
        f" WHERE r.status IN ('approved', 'completed') AND {where} GROUP BY 1",
        params,
    ).fetchall()
    if by_reason:
        return {name: (count, int(amount)) for name, count, amount in rows}
    return (rows[0][1], int(rows[0][2])) if rows else (0, 0)


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


def _ids(duck) -> dict[int, int]:
    """Location number → id."""
    return dict(duck.execute("SELECT position, id FROM locations").fetchall())


def _scope(duck, arguments: dict, result: dict, key: str = "period") -> Scope:
    ids = _ids(duck)
    hours = parse_hours(arguments.get("hours"), DEFAULT_DAY_PARTS)
    return Scope(
        *_period(result, key),
        location_ids=tuple(ids[_position(n)] for n in arguments.get("locations") or ()),
        weekdays=parse_weekdays(arguments.get("weekdays")),
        hours=hours.hours if hours else (),
        any_platform="any" in (arguments.get("platforms") or ()),
        items=tuple(arguments.get("items") or ()),
    )


def shown(name: str, value) -> float:
    """A figure of a tool's result as a number (money in minor units)."""
    return cents(value) if name in MONEY else number(value)


def _same(shown_block: dict, computed: dict, what: str) -> None:
    """Every figure of ``computed`` the tool's block shows equals it."""
    for name, value in computed.items():
        if name in shown_block:
            assert shown(name, shown_block[name]) == value, (
                f"{what} {name}: tool {shown_block[name]}, DuckDB {value}"
            )


def _sales_totals_shown(block: dict) -> dict:
    """A totals block of a sales result, flattened to the names ``totals`` gives."""
    flat = {name: value for name, value in block.items() if not isinstance(value, dict)}
    if "refunds" in block:
        if isinstance(block["refunds"], dict):
            flat["refunds"], flat["refunded"] = block["refunds"]["count"], block["refunds"]["value"]
        else:
            flat["refunds"] = block["refunds"]
    if isinstance(block.get("canceled"), dict):
        canceled = block["canceled"]
        flat["canceled_orders"] = canceled["orders"]
        flat["canceled_net"], flat["canceled_value"] = canceled["net_value"], canceled["gross_value"]
    return flat


def _check_totals(computed: dict, block: dict, what: str) -> None:
    flat = _sales_totals_shown(block)
    for name, value in computed.items():
        if name in flat:
            assert shown(name, flat[name]) == value, f"{what} {name}: tool {flat[name]}, DuckDB {value}"


def _check_rows(rows: list[dict], groups: dict[tuple, dict[str, float]], what: str = "rows") -> None:
    """Each row the tool shows is one of DuckDB's groups: every measure shown equal."""
    computed = list(groups.values())
    for row in rows:
        names = [n for n in (computed[0] if computed else {}) if n in row]
        figures = {n: shown(n, row[n]) for n in names}
        assert any(all(g[n] == v for n, v in figures.items()) for g in computed), (
            f"{what}: {row} not in DuckDB's"
        )
    assert len(rows) <= len(groups), f"{what}: the tool shows {len(rows)} groups, DuckDB finds {len(groups)}"


def _sales_report(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, arguments, result)
    dimensions = [d for d in arguments.get("group_by") or () if d != "none"]
    items = bool(scope.items)
    kind = family(dimensions, items)

    def run():
        whole = grouped(duck, scope, [], "items") if items else totals(duck, scope)
        groups = grouped(duck, scope, dimensions, kind) if dimensions else {}
        return whole, groups

    def check(figures, result: dict) -> None:
        whole, groups = figures
        if items:
            _same(result["item_totals"], whole.get((), {}), "item totals")
        else:
            _check_totals(whole, result["totals"], "totals")
        if dimensions:
            _check_rows(result["rows"], groups)

    return Reference(run, check)


def _top_items(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, arguments, result)
    dimensions = ["location", "item"] if arguments.get("per_location") else ["item"]

    def run():
        return grouped(duck, scope, dimensions, "items")

    def check(groups, result: dict) -> None:
        blocks = result.get("by_location") or [result]
        sold = [
            {"items_sold": i["units_sold"], "gross_sales": i["revenue"]}
            for block in blocks
            for i in block["items"]
            if i["units_sold"]
        ]
        _check_rows(
            sold, {k: {n: v for n, v in g.items() if n != "orders"} for k, g in groups.items()}, "items"
        )

    return Reference(run, check)


def _compare_periods(duck, arguments: dict, result: dict) -> Reference:
    now, then = _scope(duck, arguments, result), _scope(duck, arguments, result, "compared_with")
    dimensions = [d for d in arguments.get("group_by") or () if d != "none"]
    kind = family(dimensions)
    money = "gross_sales" if kind == "items" else "net_sales"

    def run():
        both = totals(duck, now), totals(duck, then)
        groups = (
            (grouped(duck, now, dimensions, kind), grouped(duck, then, dimensions, kind))
            if dimensions
            else None
        )
        return both, groups

    def check(figures, result: dict) -> None:
        (current, earlier), groups = figures
        for name, computed in (("current", current), ("earlier", earlier)):
            if result[name] is None:  # no data in that period
                assert not computed["orders"], f"{name}: DuckDB finds {computed['orders']} orders"
                continue
            _check_totals(computed, result[name], name)
        if groups:
            first, second = groups
            pairs = {
                k: {"current": first.get(k, {}).get(money, 0), "earlier": second.get(k, {}).get(money, 0)}
                for k in first.keys() | second.keys()
            }
            rows = [{"current": r["current"], "earlier": r["earlier"]} for r in result["rows"]]
            _check_rows([{n: cents(v) for n, v in r.items()} for r in rows], pairs)

    return Reference(run, check)


def _compare_locations(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, arguments, result)
    dimensions = [d for d in arguments.get("group_by") or () if d != "none"]

    def run():
        per_location = {i: totals(duck, scope.only(i)) for i in scope.location_ids}
        groups = {i: grouped(duck, scope.only(i), dimensions, family(dimensions)) for i in scope.location_ids}
        return per_location, groups if dimensions else None

    def check(figures, result: dict) -> None:
        per_location, _groups = figures
        ids = _ids(duck)
        for row in result["locations_compared"]:
            _check_totals(per_location[ids[_position(row["location"])]], row, row["location"])

    return Reference(run, check)


def _delivery_report(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, {**arguments, "platforms": ["any"]}, result)
    everything = _scope(duck, {**arguments, "platforms": None}, result)
    where, params = scope.where()
    completed = "FILTER (WHERE o.status = 'completed')"
    sql = (
        f"SELECT o.platform, o.channel, count(*) {completed}, sum(o.gross_sales) {completed},"
        f" sum(o.net_sales) {completed}, sum(o.commission) {completed}, sum(o.courier_tips) {completed},"
        f" count(*) FILTER (WHERE o.status = 'canceled') FROM orders o WHERE {where} GROUP BY 1, 2"
    )
    names = ("orders", "gross_sales", "net_sales", "estimated_commission", "courier_tips", "canceled_orders")

    def run():
        per_platform: dict[tuple, dict[str, float]] = {}
        for platform, channel, *values in duck.execute(sql, params).fetchall():
            sums = per_platform.setdefault((platform,), dict.fromkeys(names, 0.0) | {"delivered_orders": 0.0})
            for name, value in zip(names, values, strict=True):
                sums[name] += number(value or 0)
            if channel == "delivery":
                sums["delivered_orders"] += number(values[0] or 0)
        return per_platform, grouped(duck, everything, [], "sales").get((), {}).get("net_sales", 0)

    def check(figures, result: dict) -> None:
        per_platform, all_net = figures
        rows = [{**p, "canceled_orders": p["canceled"]["orders"]} for p in result["platforms"]]
        _check_rows(
            [{n: r[n] for n in (*names, "delivered_orders")} for r in rows], per_platform, "platforms"
        )
        share = round(100 * cents(result["all_platforms"]["net_sales"]) / all_net, 1)
        assert result["all_platforms"]["share_of_all_net_sales_percent"] == share, "share of all net sales"

    return Reference(run, check)


def _refunds_and_discounts(duck, arguments: dict, result: dict) -> Reference:
    scope = _scope(duck, arguments, result)
    where, params = scope.where()
    limit = arguments.get("limit", 5)

    def run():
        reasons = refunds(duck, scope, by_reason=True)
        discounts = duck.execute(
            "SELECT d.name, count(*), sum(d.amount) FROM order_discounts d JOIN orders o ON o.id = d.order_id"
            f" WHERE o.status = 'completed' AND {where} GROUP BY 1",
            params,
        ).fetchall()
        return reasons, discounts

    def check(figures, result: dict) -> None:
        reasons, discounts = figures
        block = result["refunds"]
        assert block["count"] == sum(c for c, _a in reasons.values()), "refunds"
        assert cents(block["value"]) == sum(a for _c, a in reasons.values()), "refunded"
        top = sorted(reasons.items(), key=lambda kv: (-kv[1][1], kv[0]))[:limit]
        assert [(r["reason"], r["count"], cents(r["value"])) for r in block["top_reasons"]] == [
            (name, count, amount) for name, (count, amount) in top
        ], "top reasons"
        shown_discounts = result["discounts"]
        assert shown_discounts["count"] == sum(n for _name, n, _a in discounts), "discounts"
        assert cents(shown_discounts["value"]) == sum(a for _name, _n, a in discounts), "discounted"
        top_discounts = sorted(discounts, key=lambda d: (-d[2], d[0]))[:limit]
        assert [
            (d["discount"], d["times_used"], cents(d["value"])) for d in shown_discounts["top_discounts"]
        ] == [(name, n, int(a)) for name, n, a in top_discounts], "top discounts"

    return Reference(run, check)


def _business_info(duck, arguments: dict, result: dict) -> Reference:
    def run():
        ranges = duck.execute(
            "SELECT l.position, min(o.business_date), max(o.business_date) FROM orders o"
            " JOIN locations l ON l.id = o.location_id GROUP BY l.position"
        ).fetchall()
        menu = duck.execute(
            "SELECT DISTINCT coalesce(category, 'Uncategorized'), item_name FROM menu_items"
        ).fetchall()
        return ranges, menu

    def check(figures, result: dict) -> None:
        ranges, menu = figures
        shown = {(p["number"], p["data_from"], p["data_to"]) for p in result["locations"]}
        assert shown == {(n, first.isoformat(), last.isoformat()) for n, first, last in ranges}, "data ranges"
        listed = {(category, item) for category, items in result["menu_categories"].items() for item in items}
        assert listed == set(menu), "menu"

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
        "SELECT o.id, o.net_sales, o.total_collected FROM orders o JOIN locations l ON l.id = o.location_id"
        f" WHERE {' AND '.join(conditions)}"
    )

    def run():
        orders = duck.execute(sql, params).fetchall()
        ids = [row[0] for row in orders]
        lines = duck.execute(
            "SELECT count(*) FROM order_line_items WHERE order_id = ANY(?)", [ids]
        ).fetchone()
        paid = duck.execute("SELECT count(*) FROM payments WHERE order_id = ANY(?)", [ids]).fetchone()
        return [row[1:] for row in orders], lines[0], paid[0]

    def check(figures, result: dict) -> None:
        orders, lines, paid = figures
        assert orders == [(cents(result["net_sales"]), cents(result["total_collected"]))], "the order"
        assert (lines, paid) == (len(result["items"]), len(result["payments"])), "its lines and payments"

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
