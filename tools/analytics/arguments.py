"""The parameters the tools share, typed once and described once: in ``CONVENTIONS``, which the stable system
prompt carries, while each tool's schema describes them as ``COMMON`` (a word pointing there)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from tools.analytics.breakdowns import Dimension
from tools.registry import Param

Channel = Literal["in_store", "delivery", "pickup", "online"]
Metric = Literal["net_sales", "gross_sales", "orders", "items_sold", "tips", "average_ticket"]

COMMON = "Common."
"""The description of a shared parameter in a tool's schema: it is described once, in ``CONVENTIONS``."""

CONVENTIONS = f"""\
Common parameters: a tool parameter described "{COMMON}" means this.
- period: the owner's words or ISO dates — 'today', 'yesterday' (the default), 'last week', 'this month', \
'month to date', 'last 7 days', 'last Saturday', 'Q3', 'October', '2026-10-03', '2026-10-01..2026-10-31' — \
resolved in code from today's date. start_date and end_date (YYYY-MM-DD, both inclusive): instead of period.
- locations: by name or number ('Downtown', 'Location 3', '3'); default all.
- Days, weekdays and hours are each location's local ones. weekdays: only these ('Saturday', 'weekdays' \
Mon–Fri, 'weekends'). hours: only these — a day part (breakfast, lunch, afternoon, dinner, late_night; \
business_info lists their hours) or local hours '11-14' (11:00–13:59), '21-' (from 21:00), '-11' \
(before 11:00).
- channels: only these; delivery = delivered orders, pickup includes platform pickups. platforms: only these \
delivery platforms (uber_eats, doordash…), or ['any'] for every platform order, delivered or picked up.
- items: only these menu items — their units and item sales, not whole orders.
- group_by: one or two dimensions (['weekday', 'hour'], ['category']); rows carry share_percent of the \
metric's total. metric: what rows are ranked by, compared on and show shares of. Comparisons take one \
dimension and rank rows by change (sort grew_most / dropped_most).
- limit: at most this many rows (1–100); default 40, 20 for two dimensions."""

PeriodArg = Annotated[str | None, Param(COMMON)]
LocationsArg = Annotated[list[str] | None, Param(COMMON)]
ChannelsArg = Annotated[list[Channel] | None, Param(COMMON)]
PlatformsArg = Annotated[list[str] | None, Param(COMMON)]
StartArg = Annotated[date | None, Param(COMMON)]
EndArg = Annotated[date | None, Param(COMMON)]
WeekdaysArg = Annotated[list[str] | None, Param(COMMON)]
HoursArg = Annotated[str | None, Param(COMMON)]
GroupByArg = Annotated[list[Dimension] | None, Param(COMMON)]
MetricArg = Annotated[Metric, Param(COMMON)]
LimitArg = Annotated[int | None, Param(COMMON)]
ItemsArg = Annotated[list[str] | None, Param(COMMON)]
