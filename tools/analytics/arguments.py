"""The parameters the sales tools share, typed and described once (the model reads these descriptions)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from tools.analytics.breakdowns import Dimension
from tools.registry import Param

Channel = Literal["in_store", "delivery", "pickup", "online"]
Metric = Literal["net_sales", "gross_sales", "orders", "items_sold", "tips", "average_ticket"]

PeriodArg = Annotated[
    str | None,
    Param(
        "The period in words or ISO dates, resolved in the business's timezone: 'today', 'yesterday', "
        "'this week', 'last week', 'this month', 'last month', 'month to date', 'last 7 days', "
        "'last Saturday', 'Q3', 'October', '2026-10-03', '2026-10-01..2026-10-31'. Default: yesterday."
    ),
]
LocationsArg = Annotated[
    list[str] | None,
    Param("Locations by name or number ('Downtown', 'Location 3', '3'); default: all locations."),
]
ChannelsArg = Annotated[
    list[Channel] | None,
    Param(
        "Only these channels: in_store, delivery (delivered orders), pickup (incl. platform pickups), "
        "online; default: all."
    ),
]
PlatformsArg = Annotated[
    list[str] | None,
    Param(
        "Only these delivery platforms (uber_eats, doordash, deliveroo, just_eat, …), or 'any' for every "
        "platform order (delivered or picked up); default: no filter."
    ),
]
StartArg = Annotated[
    date | None, Param("Explicit first day (YYYY-MM-DD); use with end_date instead of period.")
]
EndArg = Annotated[date | None, Param("Explicit last day, inclusive (YYYY-MM-DD); use with start_date.")]
WeekdaysArg = Annotated[
    list[str] | None,
    Param("Only these weekdays of the period: names ('Saturday'), 'weekdays' (Mon–Fri) or 'weekends'."),
]
HoursArg = Annotated[
    str | None,
    Param(
        "Only orders placed in these local hours: a day part (breakfast, lunch, afternoon, dinner, "
        "late_night) or hours '11-14' (11:00–13:59), '21-' (from 21:00), '-11' (before 11:00)."
    ),
]
GroupByArg = Annotated[
    list[Dimension] | None,
    Param(
        "One or two dimensions to break down by: day, week, month, weekday, hour, day_part, location, "
        "channel, platform, category, item, payment_method (e.g. ['weekday', 'hour'])."
    ),
]
MetricArg = Annotated[
    Metric,
    Param("The measure rows are ranked by, compared on, and whose share of the total each row shows."),
]
LimitArg = Annotated[int | None, Param("At most this many rows (1–100); default 40, 20 for two dimensions.")]
ItemsArg = Annotated[
    list[str] | None,
    Param("Only these menu items (names as on the menu): their units and item sales, not whole orders."),
]
