"""Charts for Slack: when someone asks for a chart (or graph, plot, trend), the first table of the answer is
drawn as a PNG and uploaded into the thread. The numbers are the table's cells — which the model copies from
tool results — so the chart shows exactly what the answer says.

A chartable table has a label column (the first that is not a rank) and at least one numeric column after it;
the first numeric one is drawn, as bars (a line for more than 31 rows), with a "Total" row left out.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

_ASKS_FOR_A_CHART = re.compile(r"\b(chart|graph|plot|visuali[sz]e|trend|trends)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^(?P<sign>[-+−]?)(?P<symbol>[$€£¥]?)(?P<digits>[\d,]*\.?\d+)\s*(?P<unit>%?)$")
_MARKUP = re.compile(r"(\*\*|__|`|\*|_)")
_RANK_HEADERS = {"#", "rank", "no", "no.", "position"}
_TOTAL_LABELS = {"total", "all", "all locations", "all platforms", "overall"}
MAX_BARS = 31
LABELLED_BARS = 12  # up to this many bars carry their value
ALT_TEXT_CHARS = 1000
MIN_POINTS = 2


@dataclass(frozen=True)
class ChartData:
    """One series to draw: ``values[i]`` belongs to ``labels[i]``."""

    title: str
    label_header: str
    value_header: str
    labels: list[str]
    values: list[float]
    shown: list[str]  # the values as the table wrote them ("$4,123.66"), written on the bars
    symbol: str  # a currency symbol the values were written with, or ""
    percent: bool


def asks_for_a_chart(question: str) -> bool:
    """Whether the question asks for a chart, graph, plot or trend."""
    return bool(_ASKS_FOR_A_CHART.search(question))


def _plain(cell: str) -> str:
    return _MARKUP.sub("", cell).strip()


def _number(cell: str) -> tuple[float, str, bool] | None:
    """(value, currency symbol, is a percentage) of a cell such as "$1,234.56", "−3.5%" or "42"."""
    match = _NUMBER.match(_plain(cell).replace(" ", ""))
    if not match:
        return None
    value = float(match["digits"].replace(",", ""))
    return (-value if match["sign"] in ("-", "−") else value), match["symbol"], bool(match["unit"])


def chart_data(rows: list[list[str]]) -> ChartData | None:
    """The series to draw from a table (header row first); None when the table has nothing to chart."""
    header, *body = rows
    columns = [c for c in range(len(header)) if _plain(header[c]).lower() not in _RANK_HEADERS]
    if len(columns) < 2:
        return None
    label, *measures = columns
    body = [row for row in body if _plain(row[label]).lower() not in _TOTAL_LABELS]
    if len(body) < MIN_POINTS:
        return None
    for column in measures:
        parsed = [_number(row[column]) for row in body]
        if any(cell is None for cell in parsed):
            continue
        numbers = [cell for cell in parsed if cell is not None]
        label_header, value_header = _plain(header[label]), _plain(header[column])
        return ChartData(
            title=f"{value_header} by {label_header.lower()}" if label_header else value_header,
            label_header=label_header,
            value_header=value_header,
            labels=[_plain(row[label]) for row in body],
            values=[value for value, _, _ in numbers],
            shown=[_plain(row[column]) for row in body],
            symbol=next((symbol for _, symbol, _ in numbers if symbol), ""),
            percent=all(is_percent for _, _, is_percent in numbers),
        )
    return None


def chart_alt_text(data: ChartData) -> str:
    """What the chart shows, for screen readers: "Net sales by location: Downtown $4,123.66, …"."""
    points = ", ".join(f"{label} {shown}" for label, shown in zip(data.labels, data.shown, strict=True))
    return f"{data.title}: {points}"[:ALT_TEXT_CHARS]


def render_png(data: ChartData) -> bytes:
    """The chart as a PNG (matplotlib, no display needed)."""
    # Imported here: matplotlib takes 1-4 s to import (python -X importtime), paid only when a chart is drawn.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(9, 4.8), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    positions = range(len(data.values))
    if len(data.values) > MAX_BARS:
        axes.plot(positions, data.values, color="#2f6f4f", linewidth=2)
    else:
        bars = axes.bar(positions, data.values, color="#2f6f4f")
        if len(data.values) <= LABELLED_BARS:
            axes.bar_label(bars, data.shown, padding=2, fontsize=9)
    step = max(1, len(data.labels) // 16)  # at most about 16 labels under the axis
    slanted = step > 1 or any(len(label) > 8 for label in data.labels)
    axes.set_xticks(
        list(positions)[::step],
        data.labels[::step],
        rotation=30 if slanted else 0,
        ha="right" if slanted else "center",
    )
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _tick(value, data)))
    axes.set_title(data.title, loc="left", fontsize=13)
    axes.set_xlabel(data.label_header)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _tick(value: float, data: ChartData) -> str:
    if data.percent:
        return f"{value:g}%"
    sign = "-" if value < 0 else ""
    return f"{sign}{data.symbol}{abs(value):,.0f}"
