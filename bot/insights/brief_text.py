"""The morning brief as plain text for a terminal: a table of the day's figures against the usual weekday and
the same day last week, then the anomalies, the week to date, tomorrow's forecast and the notes. Every figure
is written as the tool wrote it (percentages with a sign and one decimal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.insights.brief import Brief, Figures, Measure, Shown

LABEL_WIDTH = 26
COLUMN_WIDTH = 22
COLUMNS = ("Net sales", "Orders", "Avg ticket")
FROM_ANOMALIES = "†"


def percent(value: float | None) -> str:
    """A tool's percentage with its sign: -5.2 → "-5.2%"."""
    return "" if value is None else f"{value:+.1f}%"


def shown(value: Shown | None) -> str:
    """A figure as the tool wrote it; counts with thousands separators."""
    if value is None:
        return "no data"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def usual_cell(measure: Measure) -> str:
    """ "$4,100.00 (below)", or the anomalies tool's "$2,310.00 (-47.9%)†"; "no data" without one."""
    if measure.usual is None:
        return "no data"
    if measure.usual_from_anomalies:
        relation = percent(measure.usual_percent) or measure.direction or ""
        return f"{shown(measure.usual)} ({relation}){FROM_ANOMALIES}" if relation else shown(measure.usual)
    return f"{shown(measure.usual)} ({measure.direction})" if measure.direction else shown(measure.usual)


def last_week_cell(measure: Measure) -> str:
    """ "$4,979.07 (-23.6%)"; "no data" when the day a week earlier had none."""
    if measure.last_week is None:
        return "no data"
    change = percent(measure.last_week_percent)
    return f"{shown(measure.last_week)} ({change})" if change else shown(measure.last_week)


def title(brief: Brief) -> str:
    """ "Copperline Kitchen · morning brief for Sat 21 Nov 2026 · all locations"."""
    who = f"{brief.business} · morning brief" if brief.business else "Morning brief"
    return f"{who} for {brief.day_label} · {brief.scope}"


def _row(label: str, cells: list[str]) -> str:
    return (label.ljust(LABEL_WIDTH) + "".join(cell.rjust(COLUMN_WIDTH) for cell in cells)).rstrip()


def _figure_lines(figures: Figures, brief: Brief) -> list[str]:
    measures = [measure for _name, measure in figures.measures()]
    return [
        _row(figures.label, [shown(m.value) for m in measures]),
        _row(f"  usual {brief.weekday}", [usual_cell(m) for m in measures]),
        _row(f"  {brief.last_week_label}", [last_week_cell(m) for m in measures]),
    ]


def table_lines(brief: Brief) -> list[str]:
    """The day's figures: a header, then three lines per location (and the total first)."""
    lines = [_row("", list(COLUMNS))]
    for figures in ([brief.total] if brief.total else []) + brief.locations:
        lines += _figure_lines(figures, brief)
    legend = f"usual {brief.weekday}: the median of the previous 4 {brief.weekday}s (the lower middle one)"
    if brief.any_usual_from_anomalies:
        legend += f"; {FROM_ANOMALIES} the anomalies tool's expected value"
    return [*lines, legend]


def anomaly_lines(brief: Brief) -> list[str]:
    """The day's anomalies, ranked, each with its cause line; nothing when the section is left out."""
    found = brief.anomalies
    if found is None:
        return []
    checked = f" — {found.checked:,} values checked" if isinstance(found.checked, int) else ""
    if not found.items:
        return [f"Anomalies on {brief.day_label}: none{checked}"]
    lines = [f"Anomalies on {brief.day_label}{checked}:"]
    for rank, item in enumerate(found.items, 1):
        lines.append(f"  {rank}. {anomaly_summary(item)}")
        if item.get("cause"):
            lines.append(f"     {item['cause']}")
    if found.omitted:
        lines.append(f"  and {found.omitted:,} more")
    if found.baseline:
        lines.append(f"  expected values: {found.baseline}")
    return lines


def anomaly_summary(item: dict) -> str:
    """ "high · Location 2 (Harbor) · net sales $1,204.50, expected $2,310.00 ($1,950.10–$2,670.00),
    -47.9%"."""
    what = item.get("label") or item.get("measure") or "a measure"
    text = f"{item.get('severity', 'unusual')} · {item.get('location', '')} · {what}"
    if item.get("value") is not None:
        text += f" {shown(item['value'])}"
    if item.get("expected") is not None:
        text += f", expected {shown(item['expected'])}"
    span = item.get("expected_range")
    if isinstance(span, list | tuple) and len(span) == 2:
        text += f" ({shown(span[0])}–{shown(span[1])})"
    if isinstance(item.get("change_percent"), int | float):
        text += f", {percent(item['change_percent'])}"
    return text


def week_lines(brief: Brief) -> list[str]:
    """The week to date: totals, the change against the same days last week, each location."""
    week = brief.week
    if week is None:
        return []
    line = (
        f"Week to date ({week.period_label}): {shown(week.net_sales)} net sales, "
        f"{shown(week.orders)} orders, average ticket {shown(week.average_ticket)}"
    )
    if week.change_percent is not None and week.last_week_net_sales is not None:
        line += (
            f"; {percent(week.change_percent)} against the same days last week ({week.last_week_net_sales})"
        )
    lines = [line]
    if len(week.locations) > 1:
        for label, net, orders in week.locations:
            lines.append(
                f"  {label.ljust(LABEL_WIDTH - 2)}{shown(net).rjust(14)}{shown(orders).rjust(10)} orders"
            )
    return lines


def forecast_lines(brief: Brief) -> list[str]:
    """Tomorrow's forecast with its interval, each location, and the model's backtest error."""
    forecast = brief.forecast
    if forecast is None:
        return []
    line = f"Tomorrow, {forecast.day} — forecast: {shown(forecast.net_sales)} net sales"
    if forecast.low is not None and forecast.high is not None:
        line += f" (likely {shown(forecast.low)}–{shown(forecast.high)})"
    if forecast.orders is not None:
        line += f", {shown(forecast.orders)} orders"
        if forecast.orders_low is not None and forecast.orders_high is not None:
            line += f" ({shown(forecast.orders_low)}–{shown(forecast.orders_high)})"
    lines = [line]
    if len(forecast.locations) > 1:
        for row in forecast.locations:
            cell = shown(row.get("net_sales"))
            if row.get("low") is not None and row.get("high") is not None:
                cell += f" ({shown(row['low'])}–{shown(row['high'])})"
            orders = f"{shown(row['orders']).rjust(8)} orders" if row.get("orders") is not None else ""
            lines.append(f"  {str(row.get('location', '')).ljust(LABEL_WIDTH - 2)}{cell.rjust(36)}{orders}")
    if backtest := backtest_line(forecast.backtest):
        lines.append(f"  {backtest}")
    if forecast.model:
        lines.append(f"  model: {forecast.model}")
    return lines


def backtest_line(backtest: dict | None) -> str:
    """ "backtest over 28 days: 7.4% mean absolute error on net sales, 6.1% on orders; the range held 82.1% of
    days" — the parts the tool gave."""
    if not backtest:
        return ""
    parts = []
    if isinstance(backtest.get("mape_net_sales_percent"), int | float):
        parts.append(f"{backtest['mape_net_sales_percent']}% mean absolute error on net sales")
    if isinstance(backtest.get("mape_orders_percent"), int | float):
        parts.append(f"{backtest['mape_orders_percent']}% on orders")
    text = ", ".join(parts)
    if isinstance(backtest.get("interval_coverage_percent"), int | float):
        text += f"; the range held {backtest['interval_coverage_percent']}% of days"
    if not text:
        return ""
    days = backtest.get("days_tested")
    return f"backtest over {days} days: {text}" if isinstance(days, int) else f"backtest: {text}"


def render_text(brief: Brief) -> str:
    """The whole brief, sections separated by blank lines."""
    sections = [
        [title(brief)],
        table_lines(brief),
        anomaly_lines(brief),
        week_lines(brief),
        forecast_lines(brief),
        ["Notes:"] + [f"  - {note}" for note in brief.notes] if brief.notes else [],
        [
            "Completed orders only (canceled orders and POS copies of delivery orders left out); every "
            "figure is from opsbot's tools: " + ", ".join(sorted({call.tool for call in brief.calls}))
        ],
    ]
    return "\n\n".join("\n".join(section) for section in sections if section) + "\n"
