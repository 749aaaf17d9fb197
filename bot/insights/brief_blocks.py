"""The morning brief as Slack Block Kit, built with ``slack_sdk.models.blocks`` (the SDK checks each block's
limits when it is turned into JSON): a header, a section per location (and the total) with its three measures
as fields, the anomalies, the week to date, tomorrow's forecast and a context line with the notes. Plus the
plain ``fallback_text`` Slack shows in notifications. The figures are the ones ``brief_text`` writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.insights.brief_text import (
    FROM_ANOMALIES,
    anomaly_summary,
    backtest_line,
    last_week_cell,
    percent,
    shown,
    title,
    usual_cell,
)

if TYPE_CHECKING:
    from bot.insights.brief import Brief, Figures

HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
CONTEXT_CHARS = 3000
FALLBACK_CHARS = 3000
_NAMES = {"net_sales": "Net sales", "orders": "Orders", "average_ticket": "Avg ticket"}
_SEVERITY = {"high": ":red_circle:", "medium": ":large_orange_circle:"}


def escape(text: str) -> str:
    """Text safe inside Slack mrkdwn: ``&``, ``<`` and ``>`` escaped as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _markdown(text: str, limit: int = SECTION_CHARS) -> MarkdownTextObject:
    return MarkdownTextObject(text=_cut(text, limit))


def _figures_section(figures: Figures, brief: Brief) -> SectionBlock:
    fields = [
        _markdown(
            f"*{_NAMES[name]}* {escape(shown(measure.value))}\n"
            f"usual {brief.weekday}: {escape(usual_cell(measure))}\n"
            f"{brief.last_week_label}: {escape(last_week_cell(measure))}",
            FIELD_CHARS,
        )
        for name, measure in figures.measures()
    ]
    return SectionBlock(text=_markdown(f"*{escape(figures.label)}*"), fields=fields)


def _anomalies_section(brief: Brief) -> SectionBlock | None:
    found = brief.anomalies
    if found is None:
        return None
    checked = f" — {found.checked:,} values checked" if isinstance(found.checked, int) else ""
    if not found.items:
        return SectionBlock(text=_markdown(f"*Anomalies*: none{checked}"))
    lines = [f"*Anomalies*{checked}"]
    for item in found.items:
        mark = _SEVERITY.get(str(item.get("severity")), ":white_circle:")
        lines.append(f"{mark} {escape(anomaly_summary(item))}")
        if item.get("cause"):
            lines.append(f"      _{escape(str(item['cause']))}_")
    if found.omitted:
        lines.append(f"and {found.omitted:,} more")
    return SectionBlock(text=_markdown("\n".join(lines)))


def _week_section(brief: Brief) -> SectionBlock | None:
    week = brief.week
    if week is None:
        return None
    text = (
        f"*Week to date* ({escape(week.period_label)}): {escape(shown(week.net_sales))} net sales, "
        f"{shown(week.orders)} orders, average ticket {escape(shown(week.average_ticket))}"
    )
    if week.change_percent is not None and week.last_week_net_sales is not None:
        text += (
            f"; {percent(week.change_percent)} against the same days last week ({week.last_week_net_sales})"
        )
    fields = [
        _markdown(f"*{escape(label)}*\n{escape(shown(net))} · {shown(orders)} orders", FIELD_CHARS)
        for label, net, orders in week.locations[:MAX_FIELDS]
    ]
    return SectionBlock(text=_markdown(text), fields=fields if len(fields) > 1 else None)


def _forecast_section(brief: Brief) -> SectionBlock | None:
    forecast = brief.forecast
    if forecast is None:
        return None
    text = f"*Tomorrow* ({escape(forecast.day)}), forecast: {escape(shown(forecast.net_sales))} net sales"
    if forecast.low is not None and forecast.high is not None:
        text += f" (likely {escape(shown(forecast.low))}–{escape(shown(forecast.high))})"
    if forecast.orders is not None:
        text += f", {shown(forecast.orders)} orders"
    if backtest := backtest_line(forecast.backtest):
        text += f"\n_{escape(backtest)}_"
    fields = []
    for row in forecast.locations[:MAX_FIELDS]:
        cell = escape(shown(row.get("net_sales")))
        if row.get("low") is not None and row.get("high") is not None:
            cell += f" ({escape(shown(row['low']))}–{escape(shown(row['high']))})"
        fields.append(_markdown(f"*{escape(str(row.get('location', '')))}*\n{cell}", FIELD_CHARS))
    return SectionBlock(text=_markdown(text), fields=fields if len(fields) > 1 else None)


def brief_blocks(brief: Brief) -> list[Block]:
    """The brief's blocks, in order (see the module docstring)."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_cut(title(brief), HEADER_CHARS), emoji=False))
    ]
    for figures in ([brief.total] if brief.total else []) + brief.locations:
        blocks.append(_figures_section(figures, brief))
    legend = f"usual {brief.weekday}: the median of the previous 4 {brief.weekday}s (the lower middle one)"
    if brief.any_usual_from_anomalies:
        legend += f"; {FROM_ANOMALIES} the anomalies tool's expected value"
    blocks.append(ContextBlock(elements=[_markdown(escape(legend), CONTEXT_CHARS)]))
    sections = [_anomalies_section(brief), _week_section(brief), _forecast_section(brief)]
    for section in sections:
        if section is not None:
            blocks += [DividerBlock(), section]
    footer = [
        "Completed orders only; every figure is from opsbot's tools: "
        + ", ".join(sorted({call.tool for call in brief.calls}))
    ]
    if brief.notes:
        footer.insert(0, "Left out: " + "; ".join(brief.notes))
    blocks.append(ContextBlock(elements=[_markdown(escape(line), CONTEXT_CHARS) for line in footer]))
    return blocks


def blocks_payload(brief: Brief) -> list[dict]:
    """The blocks as chat.postMessage takes them; the SDK validates each (SlackObjectFormationError)."""
    return [block.to_dict() for block in brief_blocks(brief)]


def fallback_text(brief: Brief) -> str:
    """One line for notifications and clients without blocks: the day's net sales and orders (in total or of
    the one location) and the first anomaly."""
    headline = brief.total or (brief.locations[0] if brief.locations else None)
    text = title(brief)
    if headline is not None:
        text += f": net sales {shown(headline.net_sales.value)}, {shown(headline.orders.value)} orders"
    if brief.anomalies and brief.anomalies.items:
        first = brief.anomalies.items[0]
        text += f"; top anomaly: {first.get('location', '')} {first.get('label') or first.get('measure', '')}"
    return _cut(text, FALLBACK_CHARS)
