"""The morning brief of one business day, gathered by calling the analytics tools through the registry — the
same path ``opsbot call`` takes — so that every figure in it is one a tool returned, never one computed here.

For the day D, per location and in total: net sales, orders and average ticket (``sales_report`` grouped by
location), against the usual same weekday (the ``anomalies`` tool's expected value where it has one, else the
median of the same weekday over the previous weeks from ``sales_report`` — the lower middle value of an even
count, so the figure shown is one the tool returned) and against the same day a week earlier
(``compare_periods``); the anomalies of D (``anomalies``), the week to date (``sales_report`` from the week's
first day to D, and ``compare_periods`` against the same days a week earlier), tomorrow's forecast
(``forecast_sales``) and a chart of the last 14 days' net sales. A tool that is not installed, or fails,
leaves its section out with a note; the sales tools are needed (``BriefError`` without them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.agent.provenance import money_amount
from bot.slack.charts import ChartData
from tools.analytics.scope import load_places, resolve_location
from tools.registry import ToolContext, ToolError, ToolRegistry

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block

    from bot.application import Application

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BASELINE_WEEKS = 4  # the usual value: the median of the same weekday over this many previous weeks
CHART_DAYS = 14
ANOMALY_LIMIT = 10
MEASURES = ("net_sales", "orders", "average_ticket")

Shown = str | int | float  # a figure as a tool wrote it: "$3,802.61", 131


class BriefError(Exception):
    """The brief cannot be made (an empty store, no data for the day, a sales tool failed); one line."""


@dataclass(frozen=True)
class ToolCall:
    """One tool call the brief made: the tool, its arguments and its result (the brief's provenance)."""

    tool: str
    arguments: dict
    content: Any


@dataclass(frozen=True)
class Measure:
    """One measure on the day, against its usual value and the same day a week earlier, as the tools wrote
    them. ``direction`` says in words whether the day was above or below its usual value (no figure is
    computed); ``usual_percent`` is the change from usual only where a tool gave it (the anomalies tool)."""

    value: Shown
    usual: Shown | None = None
    usual_from_anomalies: bool = False  # the anomalies tool's expected value, not the plain median
    usual_percent: float | None = None
    direction: str | None = None  # "above", "below", "level with" (the usual value); None without one
    last_week: Shown | None = None
    last_week_percent: float | None = None  # compare_periods' change, in percent


@dataclass(frozen=True)
class Figures:
    """The day's three headline measures of one location (``label`` "Location 1 (Downtown)") or of all."""

    label: str
    net_sales: Measure
    orders: Measure
    average_ticket: Measure

    def measures(self) -> list[tuple[str, Measure]]:
        """(name, measure) in the order they are shown."""
        return [
            ("net_sales", self.net_sales),
            ("orders", self.orders),
            ("average_ticket", self.average_ticket),
        ]


@dataclass(frozen=True)
class Anomalies:
    """The anomalies tool's findings for the day: its ranked dicts (location, label, value, expected,
    expected_range, change_percent, severity, cause…), how many values it checked and left out."""

    items: list[dict]
    checked: int | None
    omitted: int
    baseline: str | None


@dataclass(frozen=True)
class WeekToDate:
    """The week from its first day to D: totals, each location's net sales and orders, and the change of
    net sales against the same days a week earlier (compare_periods)."""

    period_label: str  # "Mon 16 Nov 2026 – Sat 21 Nov 2026"
    net_sales: Shown
    orders: Shown
    average_ticket: Shown
    change_percent: float | None
    last_week_net_sales: Shown | None
    locations: list[tuple[str, Shown, Shown]]  # (label, net sales, orders)


@dataclass(frozen=True)
class Forecast:
    """Tomorrow's forecast as forecast_sales gave it: the day, net sales with its interval, orders with
    theirs, the per-location rows, the model and its backtest."""

    day: str  # "2026-11-22 (Sun)"
    net_sales: Shown | None
    low: Shown | None
    high: Shown | None
    orders: Shown | None
    orders_low: Shown | None
    orders_high: Shown | None
    locations: list[dict]
    model: str | None
    backtest: dict | None


@dataclass(frozen=True)
class Brief:
    """One business day's brief: the figures (every one from ``calls``), what was left out (``notes``) and
    the chart's series. ``text()`` for a terminal, ``blocks()`` for Slack, ``chart_png()`` to upload."""

    day: date
    day_label: str  # "Sat 21 Nov 2026", as the tools label the period
    business: str | None
    scope: str  # "all locations" or one location's label
    total: Figures | None  # None for a brief of one location
    locations: list[Figures]
    last_week_label: str  # the same day a week earlier, "Sat 14 Nov 2026"
    anomalies: Anomalies | None  # None: the section is left out (see notes)
    week: WeekToDate | None
    forecast: Forecast | None
    chart: ChartData | None
    notes: list[str] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)

    @property
    def weekday(self) -> str:
        """The day's weekday name, "Saturday"."""
        return WEEKDAYS[self.day.weekday()]

    @property
    def any_usual_from_anomalies(self) -> bool:
        """Whether some usual value shown is the anomalies tool's expected value."""
        every = ([self.total] if self.total else []) + self.locations
        return any(m.usual_from_anomalies for f in every for _name, m in f.measures())

    def tool_results(self) -> list[Any]:
        """Every tool result the brief was built from (for the provenance check)."""
        return [call.content for call in self.calls]

    def text(self) -> str:
        """The brief as plain text for a terminal."""
        from bot.insights.brief_text import render_text

        return render_text(self)

    def blocks(self) -> list[Block]:
        """The brief as Block Kit blocks (``slack_sdk.models.blocks``)."""
        from bot.insights.brief_blocks import brief_blocks

        return brief_blocks(self)

    def fallback_text(self) -> str:
        """The one-line text Slack shows in notifications."""
        from bot.insights.brief_blocks import fallback_text

        return fallback_text(self)

    def chart_png(self) -> bytes | None:
        """The chart as a PNG (matplotlib), or None when there is nothing to draw."""
        if self.chart is None:
            return None
        from bot.slack.charts import render_png

        return render_png(self.chart)


def day_label(day: date) -> str:
    """A date as the tools label a one-day period: "Sat 14 Nov 2026"."""
    return f"{WEEKDAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def default_brief_date(engine, now: datetime | None = None) -> date:
    """Yesterday, for every location: the day before the earliest of the locations' local dates now (so the
    day is over everywhere)."""
    moment = now or datetime.now(UTC)
    zones = {place.timezone for place in load_places(engine)} or {"UTC"}
    return min(moment.astimezone(ZoneInfo(zone)).date() for zone in zones) - timedelta(days=1)


def brief_for(app: Application, day: date, location: str | None = None) -> Brief:
    """The brief of ``day`` from the application's tools on its read-only engine (today: the day after)."""
    return gather_brief(app.registry, app.tool_context(day + timedelta(days=1)), day, location=location)


class _Tools:
    """Calls tools through the registry on one context and keeps every result, with notes on what failed."""

    def __init__(self, registry: ToolRegistry, ctx: ToolContext) -> None:
        self._registry = registry
        self._ctx = ctx
        self.calls: list[ToolCall] = []
        self.notes: list[str] = []

    def installed(self, name: str) -> bool:
        """Whether the registry has the tool."""
        try:
            self._registry.get(name)
        except ToolError:
            return False
        return True

    def call(self, name: str, **arguments: Any) -> dict:
        """The tool's result (None arguments left out, dates as ISO strings); BriefError when it fails."""
        given = {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in arguments.items()
            if value is not None
        }
        result = self._registry.call(name, given, self._ctx)
        if not result.ok:
            raise BriefError(f"{name} failed: {result.error}")
        self.calls.append(ToolCall(name, given, result.content))
        return result.content

    def optional(self, name: str, section: str, **arguments: Any) -> dict | None:
        """The tool's result, or None and a note when it is not installed or fails (the section is left
        out)."""
        if not self.installed(name):
            self.notes.append(f"{section} left out: the {name} tool is not installed")
            return None
        try:
            return self.call(name, **arguments)
        except BriefError as exc:
            self.notes.append(f"{section} left out: {exc}")
            return None


def gather_brief(
    registry: ToolRegistry, ctx: ToolContext, day: date, *, location: str | None = None
) -> Brief:
    """The brief of business date ``day`` for every location, or for ``location`` (a name or number; an
    unknown one is a ToolError naming the known ones). BriefError when the day has no sales data."""
    places = load_places(ctx.engine)
    if not places:
        raise BriefError("the store holds no locations yet — run `opsbot sync` first")
    chosen = [resolve_location(places, location)] if location else places
    labels = [place.label for place in chosen]
    locations = labels if location else None
    tools = _Tools(registry, ctx)
    business = _business_name(tools)

    report = tools.call(
        "sales_report", start_date=day, end_date=day, group_by=["location"], locations=locations
    )
    totals = report.get("totals")
    if not totals or not totals.get("orders"):
        raise BriefError(report.get("note") or f"no orders on {day.isoformat()}")
    rows = {row["location"]: row for row in report.get("rows", [])}

    usual_scope = {
        "start_date": day - timedelta(weeks=BASELINE_WEEKS),
        "end_date": day - timedelta(weeks=1),
        "weekdays": [WEEKDAYS[day.weekday()]],
        "locations": locations,
        "limit": 100,
    }
    usual = tools.call("sales_report", group_by=["location", "day"], **usual_scope)
    usual_by_place: dict[str, list[dict]] = {}
    for row in usual.get("rows", []):
        usual_by_place.setdefault(row["location"], []).append(row)

    anomalies = _anomalies(tools, day, locations)
    found = anomalies.items if anomalies else []

    figures = []
    for label in labels:
        row = rows.get(label)
        if row is None:
            tools.notes.append(f"{label}: no orders on {report['period']['label']}")
            continue
        week_ago = _same_day_last_week(tools, day, [label])
        expected = {
            a["measure"]: a for a in found if a.get("location") == label and a.get("measure") in MEASURES
        }
        figures.append(_figures(label, row, usual_by_place.get(label, []), week_ago, expected))
    total = None
    if len(labels) > 1:
        usual_days = tools.call("sales_report", group_by=["day"], **usual_scope)
        week_ago = _same_day_last_week(tools, day, None)
        total = _figures("All locations", totals, usual_days.get("rows", []), week_ago, {})

    week = _week_to_date(tools, day, ctx.week_start, locations)
    forecast = _forecast(tools, day, locations)
    scope = labels[0] if location else "all locations"
    chart_rows = tools.call(
        "sales_report",
        start_date=day - timedelta(days=CHART_DAYS - 1),
        end_date=day,
        group_by=["day"],
        locations=locations,
    ).get("rows", [])
    return Brief(
        day=day,
        day_label=report["period"]["label"],
        business=business,
        scope=scope,
        total=total,
        locations=figures,
        last_week_label=day_label(day - timedelta(weeks=1)),
        anomalies=anomalies,
        week=week,
        forecast=forecast,
        chart=_chart(chart_rows, scope),
        notes=tools.notes,
        calls=tools.calls,
    )


def _business_name(tools: _Tools) -> str | None:
    try:
        return tools.call("business_info").get("business")
    except BriefError:
        return None


def _same_day_last_week(tools: _Tools, day: date, locations: list[str] | None) -> dict:
    return tools.call(
        "compare_periods",
        start_date=day,
        end_date=day,
        compare_to="same_period_last_week",
        locations=locations,
    )


def _anomalies(tools: _Tools, day: date, locations: list[str] | None) -> Anomalies | None:
    result = tools.optional(
        "anomalies", "Anomalies", start_date=day, end_date=day, locations=locations, limit=ANOMALY_LIMIT
    )
    if result is None:
        return None
    items = [
        a for a in result.get("anomalies") or [] if str(a.get("day", day.isoformat())).startswith(str(day))
    ]
    return Anomalies(
        items=items,
        checked=result.get("checked"),
        omitted=int(result.get("anomalies_omitted") or 0),
        baseline=result.get("baseline"),
    )


def number(value: Shown) -> float | None:
    """The number a shown figure stands for ("$3,802.61" → 3802.61, 131 → 131.0); None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        amount = money_amount(value)
        if amount is not None:
            return amount
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


def median_shown(values: Iterable[Shown | None]) -> Shown | None:
    """The median of shown figures as one of them: the lower middle value of an even count."""
    ordered = sorted((v for v in values if v is not None and number(v) is not None), key=number)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def _direction(value: Shown, usual: Shown | None) -> str | None:
    now, then = number(value), number(usual) if usual is not None else None
    if now is None or then is None:
        return None
    return "above" if now > then else "below" if now < then else "level with"


def _figures(
    label: str, today: dict, usual_rows: list[dict], week_ago: dict, expected: dict[str, dict]
) -> Figures:
    earlier = week_ago.get("earlier") or {}
    change = week_ago.get("change") or {}
    measures = {}
    for name in MEASURES:
        value = today[name]
        anomaly = expected.get(name)
        if anomaly is not None and anomaly.get("expected") is not None:
            usual, usual_percent = anomaly["expected"], anomaly.get("change_percent")
        else:
            anomaly, usual_percent = None, None
            usual = median_shown(row.get(name) for row in usual_rows)
        measures[name] = Measure(
            value=value,
            usual=usual,
            usual_from_anomalies=anomaly is not None,
            usual_percent=usual_percent,
            direction=_direction(value, usual),
            last_week=earlier.get(name),
            last_week_percent=(change.get(name) or {}).get("percent"),
        )
    return Figures(label, **measures)


def _week_to_date(tools: _Tools, day: date, week_start: int, locations: list[str] | None) -> WeekToDate:
    first = day - timedelta(days=(day.weekday() - week_start) % 7)
    report = tools.call(
        "sales_report", start_date=first, end_date=day, group_by=["location"], locations=locations
    )
    versus = tools.call(
        "compare_periods",
        start_date=first,
        end_date=day,
        compare_to="same_period_last_week",
        locations=locations,
    )
    totals = report["totals"]
    change = (versus.get("change") or {}).get("net_sales") or {}
    return WeekToDate(
        period_label=report["period"]["label"],
        net_sales=totals["net_sales"],
        orders=totals["orders"],
        average_ticket=totals["average_ticket"],
        change_percent=change.get("percent"),
        last_week_net_sales=(versus.get("earlier") or {}).get("net_sales"),
        locations=[(row["location"], row["net_sales"], row["orders"]) for row in report.get("rows", [])],
    )


def _forecast(tools: _Tools, day: date, locations: list[str] | None) -> Forecast | None:
    result = tools.optional(
        "forecast_sales",
        "Tomorrow's forecast",
        start_date=day + timedelta(days=1),
        days=1,
        locations=locations,
    )
    if result is None:
        return None
    days = result.get("forecast") or []
    if not days:
        tools.notes.append("Tomorrow's forecast left out: forecast_sales returned no days")
        return None
    first = days[0]
    return Forecast(
        day=str(first.get("day", (day + timedelta(days=1)).isoformat())),
        net_sales=first.get("net_sales"),
        low=first.get("low"),
        high=first.get("high"),
        orders=first.get("orders"),
        orders_low=first.get("orders_low"),
        orders_high=first.get("orders_high"),
        locations=list(result.get("by_location") or []),
        model=result.get("model"),
        backtest=result.get("backtest"),
    )


_SYMBOL = re.compile(r"[-+−]?([^\d\s,.+−-]*)")


def _chart(rows: list[dict], scope: str) -> ChartData | None:
    """Net sales per day as a chart series, the values written as the tool wrote them."""
    points = [(str(row["day"]), row["net_sales"]) for row in rows if number(row.get("net_sales")) is not None]
    if len(points) < 2:
        return None
    shown = [str(value) for _day, value in points]
    match = _SYMBOL.match(shown[0])
    return ChartData(
        title=f"Net sales by day, {scope}",
        label_header="Day",
        value_header="Net sales",
        labels=[day for day, _value in points],
        values=[number(value) or 0.0 for _day, value in points],
        shown=shown,
        symbol=match.group(1) if match else "",
        percent=False,
    )
