"""The parameters the sales tools share, typed and described once (the model reads these descriptions)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from tools.analytics.breakdowns import Dimension
from tools.registry import Param

Channel = Literal["in_store", "delivery", "pickup", "online"]
Metric = Literal["net_sales", "gross_sales", "orders", "items_sold", "tips", "average_ticket"]

CONVENTIONS = """\
How the sales tools read their arguments (stated once here, not in every tool):
- period: the owner's words or ISO dates — 'today', 'yesterday', 'this week', 'last week', 'this month', \
'last month', 'month to date', 'last 7 days', 'last Saturday', 'Q3', 'October', '2026-10-03', \
'2026-10-01..2026-10-31' — resolved in code from today's date; or start_date and end_date.
- Days, weekdays and hours are each location's local ones. weekdays: names, 'weekdays' (Mon–Fri) or \
'weekends'. hours: a day part (breakfast, lunch, afternoon, dinner, late_night; business_info lists their \
hours) or local hours '11-14' (11:00–13:59), '21-' (from 21:00), '-11' (before 11:00).
- channels: in_store, delivery (delivered orders), pickup (incl. platform pickups), online. platforms: \
uber_eats, doordash…, or ['any'] for every delivery-platform order, delivered or picked up.
- group_by: one or two dimensions; rows carry share_percent of the metric's total. Comparisons take one \
dimension and rank rows by change (sort grew_most / dropped_most)."""

PeriodArg = Annotated[
    str | None,
    Param("The period in the owner's words or ISO dates; default yesterday."),
]
LocationsArg = Annotated[
    list[str] | None,
    Param("Locations by name or number ('Downtown', 'Location 3', '3'); default: all."),
]
ChannelsArg = Annotated[list[Channel] | None, Param("Only these channels; default: all.")]
PlatformsArg = Annotated[
    list[str] | None,
    Param("Only these delivery platforms, or ['any'] for every platform order; default: no filter."),
]
StartArg = Annotated[date | None, Param("First day (YYYY-MM-DD), with end_date, instead of period.")]
EndArg = Annotated[date | None, Param("Last day, inclusive (YYYY-MM-DD), with start_date.")]
WeekdaysArg = Annotated[list[str] | None, Param("Only these weekdays ('Saturday', 'weekdays', 'weekends').")]
HoursArg = Annotated[str | None, Param("Only these local hours: a day part ('lunch') or '11-14', '21-'.")]
GroupByArg = Annotated[
    list[Dimension] | None,
    Param("One or two dimensions to break down by, e.g. ['weekday', 'hour'] or ['category']."),
]
MetricArg = Annotated[Metric, Param("What rows are ranked by, compared on and show shares of.")]
LimitArg = Annotated[int | None, Param("At most this many rows (1–100); default 40, 20 for two dimensions.")]
ItemsArg = Annotated[
    list[str] | None,
    Param("Only these menu items: their units and item sales, not whole orders."),
]
